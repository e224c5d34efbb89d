import * as assert from "node:assert/strict";
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { runnableByPage, ShellBlock } from "../docs/shell-blocks";
import { ROOT } from "./configs";
import { namedPaths, runPage } from "./doc-pages";

const block = (script: string, kind: "run" | "background" = "run", expects: string[] = []): ShellBlock => ({
    file: "page.md",
    line: 1,
    script,
    expects,
    kind,
});

/** Resolves once `file` exists (a block got that far): polled, as a block writes it from another process. */
async function appears(file: string): Promise<void> {
    while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Whether a process is still running: not gone, nor a zombie no one reaped yet (Linux's /proc says which). */
function running(pid: number): boolean {
    if (existsSync("/proc/self/stat")) {
        try {
            // "<pid> (<name>) <state> ...": the state follows the name's closing parenthesis.
            const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
            return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
        } catch {
            return false;
        }
    }
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Stops what a test started, whether or not the runner did (a failing test leaves nothing behind). */
function kill(pids: readonly number[]): void {
    for (const pid of pids) {
        for (const target of [-pid, pid]) {
            try {
                process.kill(target, "SIGKILL");
            } catch {
                // Gone, or not a group.
            }
        }
    }
}

async function gone(pid: number): Promise<void> {
    while (running(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A background block that serves on a free port, with its pid (the group's, `exec` keeps it) in `pidFile`. */
const server = (pidFile: string) =>
    block(
        `echo $$ > ${pidFile}\nexec node -e 'require("http").createServer().listen(0, "127.0.0.1", () => console.log("serving"))'`,
        "background",
        ["serving"],
    );

/** A run block that writes its pid and waits until `go` exists. */
const waits = (pidFile: string, go: string) => block(`echo $$ > ${pidFile}\nuntil [ -e ${go} ]; do sleep 0.05; done`);

describe("docs: running a page's blocks (tests/helpers/doc-pages.ts)", () => {
    const tmp = mkdtempSync(path.join(tmpdir(), "fm-fleet-doc-pages-"));
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it("names the relative paths a page's blocks write or read, with their directories, inside the root only", () => {
        const named = namedPaths([
            block("npm run plan -- --format json --out before.json\ncp Pulumi.dev.yaml my-dev.yaml"),
            block(
                "npm run simulate -- --chart=out/sim.svg > ../elsewhere.txt; cat /etc/hosts\ncurl http://127.0.0.1:48765 --body '{\"a\":1}' -o -",
            ),
        ]);
        assert.deepEqual(named, ["Pulumi.dev.yaml", "before.json", "my-dev.yaml", "out/sim.svg", "out"]);
        // What the pages' tours write at the root is named, so removed after them.
        const pages = runnableByPage(ROOT);
        const readme = namedPaths(pages.get("README.md")!);
        for (const written of ["before.json", "my-dev.yaml"]) assert.ok(readme.includes(written), written);
        assert.ok(namedPaths(pages.get("docs/simulator.md")!).includes("sim.svg"));
    });

    it("removes what the blocks made and named, and keeps a file saved at the root meanwhile", async function () {
        this.timeout(60_000);
        const made = `fm-fleet-page-made-${process.pid}.txt`;
        const saved = path.join(ROOT, `fm-fleet-saved-meanwhile-${process.pid}.ts`);
        const go = path.join(tmp, "go-saved");
        try {
            const page = runPage([
                block(`printf made > ${made}`),
                waits(path.join(tmp, "saved.pid"), go),
                block(`cat ${made} package.json`, "run", ["made"]),
            ]);
            await appears(path.join(tmp, "saved.pid"));
            // A developer saves a file while the page runs.
            writeFileSync(saved, "export const kept = true;\n");
            writeFileSync(go, "");
            const { ran, error } = await page;
            assert.equal(error, undefined);
            assert.deepEqual(
                ran.map((r) => r.result.code),
                [0, 0, 0],
            );
            assert.equal(existsSync(path.join(ROOT, made)), false, "the page's own file is removed");
            assert.equal(readFileSync(saved, "utf8"), "export const kept = true;\n", "the saved file is kept");
            assert.ok(existsSync(path.join(ROOT, "package.json")), "a named file that was there before is kept");
        } finally {
            rmSync(saved, { force: true });
            rmSync(path.join(ROOT, made), { force: true });
        }
    });

    it("stops a page's background server at the page's end, and what a block left running at the block's", async function () {
        this.timeout(60_000);
        const serverPid = path.join(tmp, "page-server.pid");
        const leftPid = path.join(tmp, "page-left.pid");
        let pids: number[] = [];
        try {
            const { ran, error } = await runPage([
                server(serverPid),
                block(`sleep 1000 > /dev/null 2>&1 &\necho $! > ${leftPid}`),
            ]);
            assert.equal(error, undefined);
            assert.deepEqual(
                ran.map((r) => r.result.code),
                [0],
            );
            pids = [serverPid, leftPid].map((f) => Number(readFileSync(f, "utf8")));
            await Promise.all(pids.map(gone));
        } finally {
            kill(pids);
        }
    });

    /**
     * A process running a page (the server started, a block waiting) that ends by `how`: its exit code or
     * signal, once the blocks' processes are gone.
     */
    async function endedWhileRunning(
        how: "SIGTERM" | "SIGINT" | "exit",
    ): Promise<{ code: number | null; signal: string | null }> {
        const dir = mkdtempSync(path.join(tmp, `${how}-`));
        const pidFiles = [path.join(dir, "server.pid"), path.join(dir, "run.pid")];
        const script = [
            `const { spawnInGroup } = require(${JSON.stringify(path.join(__dirname, "block-processes"))});`,
            // Exiting early: what an uncaught error or a `process.exit` elsewhere in the suite does.
            `process.on("SIGUSR2", () => process.exit(3));`,
            // The blocks as the page runner starts them (runPage's own imports take seconds to load).
            `for (const script of ${JSON.stringify([server(pidFiles[0]).script, waits(pidFiles[1], path.join(dir, "never")).script])})`,
            `    spawnInGroup("bash", ["-e", "-c", script], { cwd: process.cwd(), env: process.env });`,
        ].join("\n");
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: ROOT,
            stdio: "inherit",
        });
        const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
            child.once("exit", (code, signal) => resolve({ code, signal })),
        );
        let pids: number[] = [];
        try {
            await Promise.race([appears(pidFiles[1]), ended]);
            pids = pidFiles.map((f) => Number(readFileSync(f, "utf8")));
            assert.ok(pids.every(running));
            child.kill(how === "exit" ? "SIGUSR2" : how);
            const result = await ended;
            await Promise.all(pids.map(gone));
            return result;
        } finally {
            child.kill("SIGKILL");
            kill(pids);
        }
    }

    it("stops the blocks' processes when the process running the page gets SIGTERM or SIGINT, which still end it", async function () {
        this.timeout(120_000);
        const [term, int] = await Promise.all([endedWhileRunning("SIGTERM"), endedWhileRunning("SIGINT")]);
        assert.deepEqual(term, { code: null, signal: "SIGTERM" });
        assert.deepEqual(int, { code: null, signal: "SIGINT" });
    });

    it("stops the blocks' processes when the process running the page exits early", async function () {
        this.timeout(60_000);
        assert.deepEqual(await endedWhileRunning("exit"), { code: 3, signal: null });
    });
});
