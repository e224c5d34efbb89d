import { ChildProcess, spawn } from "child_process";

/**
 * The process groups of the docs' blocks running now (tests/helpers/doc-pages.ts): each block runs in its
 * own, so npm, the shell and what they start (a server) stop together. A group is stopped when its block's
 * shell ends, and on every other way out of this process: exiting early, or a signal (see `stopOnExit`).
 * Kept apart from the page runner so a process that only starts blocks loads little.
 */
const groups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals = "SIGTERM"): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // Already gone.
    }
}

/** Stops every block's process group still running (a background server, a block cut short): synchronous. */
function stopBlockProcesses(): void {
    for (const pid of groups) killGroup(pid);
    groups.clear();
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let stopsOnExit = false;
let stopsOnSignals = false;

/**
 * Stops the blocks' processes when this process ends however it ends: on exit (an early `process.exit`
 * included), and on SIGINT, SIGTERM or SIGHUP, after which the signal is not swallowed: with no other
 * listener left, it is raised again, and its default action ends the process as it would have (the shell
 * sees 128 + its number).
 */
function stopOnExit(): void {
    if (!stopsOnExit) process.on("exit", stopBlockProcesses);
    stopsOnExit = true;
    if (stopsOnSignals) return;
    stopsOnSignals = true;
    const onSignal = (signal: NodeJS.Signals) => {
        stopBlockProcesses();
        for (const s of SIGNALS) process.removeListener(s, onSignal);
        stopsOnSignals = false;
        // Another listener (mocha's, say) decides what the signal does; else its default action.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    for (const s of SIGNALS) process.on(s, onSignal);
}

/**
 * Spawns `command` in a process group of its own, its stdout and stderr piped, stopped on every path: when
 * it exits, whatever it left running in its group (`cmd &`) is stopped with it.
 */
export function spawnInGroup(
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
): ChildProcess {
    stopOnExit();
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) {
        groups.add(pid);
        child.once("exit", () => {
            killGroup(pid);
            groups.delete(pid);
        });
    }
    return child;
}
