import * as assert from "node:assert/strict";
import { spawn } from "child_process";
import * as path from "path";
import { ROOT } from "../helpers/configs";

/**
 * Runs a command-line entry point with its stdout on a real pipe whose reader closes before the command
 * writes (`| head -0`): what `npm run plan -- --help | head -5` does to the help text's tail.
 */
function withClosedReader(bin: string, ...args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(ROOT, "bin", bin), ...args], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        // Closed before the process has even loaded its modules: every write to stdout meets EPIPE.
        child.stdout.destroy();
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, stderr }));
    });
}

/** The lines of a Node stack trace or of an unhandled `error` event. */
const TRACE = /^\s+at |EPIPE|Unhandled 'error' event/m;

describe("closed pipes (tools/exit-after-flush ignoreClosedPipes)", function () {
    this.timeout(120_000);

    for (const [bin, args] of [
        ["fm-fleet-plan.js", ["--help"]],
        ["fm-fleet-simulate.js", ["--help"]],
        ["fm-fleet.js", ["--help"]],
    ] as const) {
        it(`exits 0 without a stack trace when the reader of \`${bin} ${args.join(" ")}\` has gone`, async () => {
            const { code, stderr } = await withClosedReader(bin, ...args);
            assert.doesNotMatch(stderr, TRACE);
            assert.equal(code, 0);
        });
    }
});
