import { ChildProcess, execFileSync } from "child_process";
import { chmodSync, lstatSync, mkdtempSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { tmpdir } from "os";
import * as path from "path";
import { runPlanCli } from "../../tools/plan/cli";
import { PolicyPackHost } from "../../tools/plan/policy-host";
import { ProgramWorker } from "../../tools/plan/run-program-in-worker";
import { PACK_DIR } from "../../tools/policy-pack/sources";
import { runSimulateCli } from "../../tools/simulate/cli";
import { ShellBlock } from "../docs/shell-blocks";
import { spawnInGroup } from "./block-processes";
import { ROOT } from "./configs";

/**
 * Where the pages' `npm run plan` and `npm run simulate` run after the first of each shape (see
 * tests/helpers/docs-npm.js): in this process, on a pack and a program worker of the pages' own (the suite's
 * shared ones serve the tests running meanwhile), one command at a time, as the pages run.
 */
class InProcessRunner {
    private readonly dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-docs-npm-"));
    readonly socket = path.join(this.dir, "runner.sock");
    /** The directory with the `npm` the blocks find first on their PATH. */
    readonly bin = path.join(this.dir, "bin");
    /** Shapes (`plan`, `--silent plan`, `simulate`) that ran once as processes of their own. */
    private readonly ranForReal = new Set<string>();
    private pack?: Promise<PolicyPackHost>;
    private worker?: ProgramWorker;
    private readonly server: Server;
    readonly listening: Promise<void>;

    constructor(realNpm: string) {
        execFileSync("mkdir", ["-p", this.bin]);
        const npm = path.join(this.bin, "npm");
        const shim = path.join(__dirname, "docs-npm.js");
        writeFileSync(
            npm,
            `#!/bin/sh\nFM_FLEET_DOCS_REAL_NPM=${JSON.stringify(realNpm)} exec ${JSON.stringify(process.execPath)} ${JSON.stringify(shim)} "$@"\n`,
        );
        chmodSync(npm, 0o755);
        this.server = createServer((request, response) => {
            let body = "";
            request.on("data", (d) => (body += d));
            request.on("end", () => {
                void this.answer(JSON.parse(body)).then((answer) => response.end(JSON.stringify(answer)));
            });
        });
        this.listening = new Promise((resolve) => this.server.listen(this.socket, resolve));
    }

    private async answer(run: { silent: boolean; script: "plan" | "simulate"; argv: string[] }) {
        const shape = `${run.silent ? "--silent " : ""}${run.script}`;
        if (!this.ranForReal.has(shape)) {
            this.ranForReal.add(shape);
            return { real: true };
        }
        let stdout = "";
        let stderr = "";
        const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
        if (!this.worker?.alive) this.worker = ProgramWorker.start({ reusable: true });
        const code =
            run.script === "plan"
                ? await runPlanCli(run.argv, io, await (this.pack ??= PolicyPackHost.start(PACK_DIR)), this.worker)
                : await runSimulateCli(run.argv, io, this.worker);
        return { stdout, stderr, code };
    }

    async stop(): Promise<void> {
        await new Promise((resolve) => this.server.close(resolve));
        await Promise.all([this.worker?.stop(), this.pack?.then((p) => p.stop())]);
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The environment of a documented command: the reader's, without any AWS account of this machine. */
function readerEnvironment(runner?: InProcessRunner): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
    if (!runner) return env;
    return { ...env, PATH: `${runner.bin}${path.delimiter}${env.PATH}`, FM_FLEET_DOCS_RUNNER: runner.socket };
}

/**
 * The paths a page's blocks name, relative to the root, with their parent directories: the files a reader's
 * commands write (`--out before.json`, `> before.json`, `cp ... my-dev.yaml`, `--chart sim.svg`) are among
 * them. Only these may be removed after the page: the pages run in the working tree while the suite runs, and
 * any other file that appears meanwhile (one a developer saves) is not the page's. Longest first, so a file
 * goes before its directory.
 */
export function namedPaths(blocks: readonly ShellBlock[]): string[] {
    const named = new Set<string>();
    for (const block of blocks) {
        for (const word of block.script.split(/[\s;&|<>()`'"=]+/)) {
            // A relative path: letters, digits, `.`, `_`, `-` and `/`, with a dot or a slash; no option, URL or
            // variable. Resolved against the root, never outside it.
            if (!/^[\w./-]+$/.test(word) || !/[./]/.test(word) || word.startsWith("-")) continue;
            const relative = path.relative(ROOT, path.resolve(ROOT, word));
            if (!relative || relative.startsWith("..") || path.isAbsolute(relative)) continue;
            for (let p = relative; p !== "." && p !== ""; p = path.dirname(p)) named.add(p);
        }
    }
    return [...named].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/** Whether something (a file, a directory, a link) is at `p`. */
function exists(p: string): boolean {
    try {
        lstatSync(p);
        return true;
    } catch {
        return false;
    }
}

/**
 * Removes what a page's blocks made: each path they name that was not there before the page (a file; a
 * directory only once empty). Nothing else at the root is touched.
 */
function removeMade(named: readonly string[], existed: ReadonlySet<string>): void {
    for (const relative of named) {
        if (existed.has(relative)) continue;
        const at = path.join(ROOT, relative);
        if (!exists(at)) continue;
        if (!lstatSync(at).isDirectory()) unlinkSync(at);
        else {
            try {
                rmdirSync(at);
            } catch {
                // Not empty: it holds something the blocks did not name.
            }
        }
    }
}

/** Spawns a block's shell in a process group of its own, stopped on every path (see spawnInGroup). */
function spawnBlock(args: string[], runner?: InProcessRunner): ChildProcess {
    return spawnInGroup("bash", args, { cwd: ROOT, env: readerEnvironment(runner) });
}

export interface Ran {
    code: number | null;
    output: string;
}

function run(block: ShellBlock, runner?: InProcessRunner): Promise<Ran> {
    return new Promise((resolve) => {
        const child = spawnBlock(["-e", "-o", "pipefail", "-c", block.script], runner);
        let output = "";
        child.stdout!.on("data", (d) => (output += d));
        child.stderr!.on("data", (d) => (output += d));
        child.on("error", (e) => resolve({ code: null, output: `${output}${e.message}` }));
        child.on("close", (code) => resolve({ code, output }));
    });
}

/** Starts a background block (a server) and resolves once it printed its first line. */
function start(block: ShellBlock, runner?: InProcessRunner): Promise<{ child: ChildProcess; output: () => string }> {
    return new Promise((resolve, reject) => {
        const child = spawnBlock(["-e", "-c", block.script], runner);
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

/** What a page's blocks did, in order: each block run with its exit code and output, up to the first that failed. */
export interface PageRun {
    readonly ran: { readonly block: ShellBlock; readonly result: Ran }[];
    /** A background block that did not start serving, or an error running the page. */
    readonly error?: Error;
}

/** A run block passed: exit 0 and every expected text in its output. */
function passed(block: ShellBlock, { code, output }: Ran): boolean {
    return code === 0 && block.expects.every((e) => output.includes(e));
}

/**
 * Runs a page's blocks as a reader would, one after the other in the repository's root: background blocks
 * (servers) started and left running until the page's end; stops at the first block that fails. Removes
 * the files the blocks name that were not there before (`namedPaths`), and nothing else; each block's
 * processes stop with it, or with this process (tests/helpers/block-processes.ts). With `runner`, a plan or
 * simulation of a shape that already ran as a process runs in this process (see tests/helpers/docs-npm.js).
 */
export async function runPage(runnable: readonly ShellBlock[], runner?: InProcessRunner): Promise<PageRun> {
    const named = namedPaths(runnable);
    const existed = new Set(named.filter((p) => exists(path.join(ROOT, p))));
    const servers: ChildProcess[] = [];
    const ran: PageRun["ran"][number][] = [];
    try {
        for (const block of runnable) {
            if (block.kind === "background") {
                servers.push((await start(block, runner)).child);
                continue;
            }
            const result = await run(block, runner);
            ran.push({ block, result });
            if (!passed(block, result)) break;
        }
        return { ran };
    } catch (e) {
        return { ran, error: e as Error };
    } finally {
        for (const server of servers) await stop(server);
        removeMade(named, existed);
    }
}

/**
 * The pages' runs, one page after the other (pages share the root, where a reader's commands write files
 * such as before.json), started once: with the suite (tests/helpers/background.ts), or by the first test
 * that asks.
 */
let pages: Map<string, Promise<PageRun>> | undefined;
let runner: InProcessRunner | undefined;

export function docPageRuns(runnable: ReadonlyMap<string, readonly ShellBlock[]>): Map<string, Promise<PageRun>> {
    if (!pages) {
        pages = new Map();
        const realNpm = execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
        runner = new InProcessRunner(realNpm);
        let previous: Promise<unknown> = runner.listening;
        for (const [file, blocks] of runnable) {
            const page = previous.then(() => runPage(blocks, runner));
            pages.set(file, page);
            previous = page;
        }
    }
    return pages;
}

/** Stops the pages' in-process pack and program worker, once the pages ran: after the suite (its root hook). */
export async function stopDocPages(): Promise<void> {
    if (!runner || !pages) return;
    await Promise.all(pages.values());
    await runner.stop();
    runner = undefined;
}
