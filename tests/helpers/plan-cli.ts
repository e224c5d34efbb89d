import { execFile, execFileSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { writeGeneratedStack } from "../../tools/bench/generated-fleet";
import { runPlanCli } from "../../tools/plan/cli";
import { ROOT } from "./configs";
import { sharedPack, sharedProgramWorker } from "./shared-pack";

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** The plan's command line in this process, on the shared pack and program worker: what `npm run plan` prints and returns. */
export async function planInProcess(...args: string[]): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const code = await runPlanCli(
        args,
        { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
        await sharedPack(),
        sharedProgramWorker(),
    );
    return { code, stdout, stderr };
}

/** The plan as `npm run plan` runs it: a process of its own (pipes, exit codes, the pack it starts and stops). */
export function planProcess(...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [path.join(ROOT, "bin", "fm-fleet-plan.js"), ...args],
            { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
    });
}

/**
 * The plans the suite runs as processes of their own, started once, as the suite starts (a root hook), so
 * their seconds overlap the rest of the suite instead of adding to it.
 */
interface BackgroundPlans {
    readonly broken: CliRun;
    readonly bigJson: CliRun;
    /** The dev stack with a key of the project's namespace kept for other tooling (`fm-fleet:team`). */
    readonly unreadKey: CliRun;
    /** Orphaned packs that existed before these plans started (left by something else). */
    readonly orphansBefore: string[];
}

let background: Promise<BackgroundPlans> | undefined;

export function backgroundPlans(): Promise<BackgroundPlans> {
    background ??= (async () => {
        const orphansBefore = orphanedPacks();
        const big = writeGeneratedStack(mkdtempSync(path.join(tmpdir(), "fm-fleet-plan-")), 3000);
        const unreadKeyFile = path.join(mkdtempSync(path.join(tmpdir(), "fm-fleet-plan-")), "Pulumi.dev.yaml");
        writeFileSync(
            unreadKeyFile,
            `${readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").trimEnd()}\n  fm-fleet:team: search-platform\n`,
        );
        const [broken, bigJson, unreadKey] = await Promise.all([
            planProcess("--stack", "broken", "--stack-file", "tests/fixtures/Pulumi.broken.yaml"),
            planProcess(
                ...["--stack", "bench-3000", "--stack-file", big, "--policy-config", "policies/config/dev.json"],
                ...["--format", "json"],
            ),
            planProcess("--stack-file", unreadKeyFile),
        ]);
        return { broken, bigJson, unreadKey, orphansBefore };
    })();
    return background;
}

/** Policy pack processes of this checkout whose parent died (re-parented to init). */
export function orphanedPacks(): string[] {
    return execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter(
            ([, ppid, ...args]) =>
                ppid === "1" && args.join(" ").includes("run-policy-pack") && args.join(" ").includes(ROOT),
        )
        .map(([pid]) => pid);
}
