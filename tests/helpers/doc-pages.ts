import { ChildProcess, execFileSync, spawn } from "child_process";
import { rmSync } from "fs";
import * as path from "path";
import { ShellBlock } from "../docs/shell-blocks";
import { ROOT } from "./configs";

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

export interface Ran {
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
 * what the commands left at the root.
 */
export async function runPage(runnable: readonly ShellBlock[]): Promise<PageRun> {
    const before = untracked();
    const servers: ChildProcess[] = [];
    const ran: PageRun["ran"][number][] = [];
    try {
        for (const block of runnable) {
            if (block.kind === "background") {
                servers.push((await start(block)).child);
                continue;
            }
            const result = await run(block);
            ran.push({ block, result });
            if (!passed(block, result)) break;
        }
        return { ran };
    } catch (e) {
        return { ran, error: e as Error };
    } finally {
        for (const server of servers) await stop(server);
        for (const f of untracked()) if (!before.has(f)) rmSync(path.join(ROOT, f), { recursive: true, force: true });
    }
}

/**
 * The pages' runs, one page after the other (pages share the root, where a reader's commands write files
 * such as before.json), started once: with the suite (tests/helpers/background.ts), or by the first test
 * that asks.
 */
let pages: Map<string, Promise<PageRun>> | undefined;

export function docPageRuns(runnable: ReadonlyMap<string, readonly ShellBlock[]>): Map<string, Promise<PageRun>> {
    if (!pages) {
        pages = new Map();
        let previous: Promise<unknown> = Promise.resolve();
        for (const [file, blocks] of runnable) {
            const page = previous.then(() => runPage(blocks));
            pages.set(file, page);
            previous = page;
        }
    }
    return pages;
}
