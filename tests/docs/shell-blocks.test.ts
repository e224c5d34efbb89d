import * as assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "child_process";
import { readFileSync, rmSync } from "fs";
import * as path from "path";
import { ROOT } from "../helpers/configs";
import { allShellBlocks, documentedPages, NOT_RUN, ShellBlock, shellBlocks } from "./shell-blocks";

/** The environment of a documented command: the reader's, without any AWS account of this machine. */
function readerEnvironment(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
}

/** Files a reader's commands leave at the root (untracked, not ignored), to remove after a page. */
function untracked(): Set<string> {
    const out = execFileSync("git", ["ls-files", "--others", "--exclude-standard", "--directory"], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return new Set(out.split("\n").filter(Boolean));
}

interface Ran {
    code: number | null;
    output: string;
}

function run(block: ShellBlock): Promise<Ran> {
    return new Promise((resolve) => {
        const child = spawn("bash", ["-e", "-o", "pipefail", "-c", block.script], {
            cwd: ROOT,
            env: readerEnvironment(),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (code) => resolve({ code, output }));
    });
}

/** Starts a background block (a server) and resolves once it printed its first line. */
function start(block: ShellBlock): Promise<{ child: ChildProcess; output: () => string }> {
    return new Promise((resolve, reject) => {
        // Its own process group: npm, the shell and node stop together.
        const child = spawn("bash", ["-e", "-c", block.script], {
            cwd: ROOT,
            env: readerEnvironment(),
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        let output = "";
        const onData = (d: Buffer) => {
            output += d;
            if (output.includes("\n") && block.expects.every((e) => output.includes(e))) {
                resolve({ child, output: () => output });
            }
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", (d) => (output += d));
        child.on("exit", (code) =>
            reject(new Error(`${block.file}:${block.line} exited (${code}) before it served:\n${output}`)),
        );
    });
}

function stop(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        try {
            process.kill(-child.pid!, "SIGTERM");
        } catch {
            resolve();
        }
    });
}

describe("docs: shell blocks (tests/docs/shell-blocks.ts)", () => {
    it("reads a page's shell blocks, their markers and expected output, and skips other fences", () => {
        const page = [
            "```sh",
            "npm run plan",
            "```",
            "",
            "<!-- output includes: OK: -->",
            "```text",
            "not a command",
            "```",
            "```sh aws",
            "pulumi up",
            "```",
            "```bash background",
            "npm run loopback",
            "```",
            "```sh sometimes",
            "echo",
            "```",
        ].join("\n");
        assert.deepEqual(shellBlocks("x.md", page), [
            { file: "x.md", line: 1, script: "npm run plan", expects: ["OK:"], kind: "run" },
            { file: "x.md", line: 9, script: "pulumi up", expects: [], kind: "not-run", reason: "aws" },
            { file: "x.md", line: 12, script: "npm run loopback", expects: [], kind: "background" },
            { file: "x.md", line: 15, script: "echo", expects: [], kind: "unknown", marker: "sometimes" },
        ]);
    });

    const blocks = allShellBlocks(ROOT);

    it("finds every block either run or marked with a reason it cannot run here (docs/README.md)", () => {
        const unknown = blocks.filter((b) => b.kind === "unknown").map((b) => `${b.file}:${b.line}`);
        assert.deepEqual(unknown, [], `markers other than background, ${Object.keys(NOT_RUN).join(", ")}`);
        const legend = readFileSync(path.join(ROOT, "docs", "README.md"), "utf8");
        for (const marker of [...Object.keys(NOT_RUN), "background"]) {
            assert.ok(legend.includes(`sh ${marker}`), `docs/README.md explains \`sh ${marker}\``);
        }
        // The tour's five steps run: planning, violations, an adapter against a baseline, the loopback.
        assert.ok(blocks.filter((b) => b.file === "README.md" && b.kind !== "not-run").length >= 5);
    });

    for (const file of documentedPages(ROOT)) {
        const page = blocks.filter((b) => b.file === file);
        const runnable = page.filter((b) => b.kind === "run" || b.kind === "background");
        if (runnable.length === 0) continue;
        const marked = page.filter((b) => b.kind === "not-run");
        const note = marked.length
            ? `; not run: ${marked.map((b) => `line ${b.line} (${b.kind === "not-run" ? b.reason : ""})`).join(", ")}`
            : "";
        it(`${file}: ${runnable.length} block(s) run as written${note}`, async function () {
            // Each block may run a plan or a simulation as a process of its own: seconds each on two cores.
            this.timeout(600_000);
            const before = untracked();
            const servers: ChildProcess[] = [];
            try {
                for (const block of runnable) {
                    if (block.kind === "background") {
                        servers.push((await start(block)).child);
                        continue;
                    }
                    const { code, output } = await run(block);
                    assert.equal(code, 0, `${file}:${block.line} exited ${code}:\n${block.script}\n---\n${output}`);
                    for (const expected of block.expects) {
                        assert.ok(output.includes(expected), `${file}:${block.line} prints "${expected}":\n${output}`);
                    }
                }
            } finally {
                for (const server of servers) await stop(server);
                for (const f of untracked())
                    if (!before.has(f)) rmSync(path.join(ROOT, f), { recursive: true, force: true });
            }
        });
    }
});
