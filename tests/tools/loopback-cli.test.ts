import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "child_process";
import { runCli } from "../../runtime/cli";
import { LOOPBACK_ENVIRONMENT } from "../../tools/loopback/cli";
import { ROOT } from "../helpers/configs";

/** Resolves with the URL once the stand-in has printed its instructions. */
function urlOf(child: ChildProcess, output: { text: string }): Promise<string> {
    return new Promise((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
            output.text += chunk.toString("utf8");
            const match = /answers at (http:\/\/127\.0\.0\.1:\d+) /.exec(output.text);
            if (match && output.text.includes("Ctrl-C stops it.\n")) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`the loopback exited (${code}) before it answered`)));
    });
}

describe("npm run loopback (tools/loopback/cli)", function () {
    this.timeout(60_000);

    it("starts the runtime stand-in, prints the endpoint URL, region and throwaway credentials, answers a call and stops on Ctrl-C", async () => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/loopback/cli.ts"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
        const output = { text: "" };
        try {
            const url = await urlOf(child, output);
            assert.deepEqual(output.text.split("\n").slice(1, 3), [
                "Call it with throwaway credentials and region, in another terminal:",
                `  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=${LOOPBACK_ENVIRONMENT.AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${LOOPBACK_ENVIRONMENT.AWS_SECRET_ACCESS_KEY}`,
            ]);
            // The printed command, with the printed settings, is answered.
            const command = /npx fm-fleet (invoke .+)$/m.exec(output.text)![1];
            const args = command.replace(/'/g, "").split(" ");
            const saved = { ...process.env };
            Object.assign(process.env, LOOPBACK_ENVIRONMENT);
            let stdout = "";
            try {
                const code = await runCli(args, {
                    stdout: {
                        write: (c: string | Uint8Array) =>
                            (stdout += typeof c === "string" ? c : new TextDecoder().decode(c)),
                    },
                    stderr: { write: () => {} },
                });
                assert.equal(code, 0);
            } finally {
                process.env = saved;
            }
            assert.deepEqual(
                { ...JSON.parse(stdout), instance: undefined },
                {
                    instance: undefined,
                    endpoint: "chat",
                    component: "chat-ic",
                    targetModel: null,
                    session: null,
                    echo: '{"inputs":"hi"}',
                },
            );
            assert.ok(url.startsWith("http://127.0.0.1:"));
            child.kill("SIGINT");
            assert.equal(await exited, 0);
            assert.match(output.text, /fm-fleet loopback: stopped\n$/);
        } finally {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
            await exited;
        }
    });
});
