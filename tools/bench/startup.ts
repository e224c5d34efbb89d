import { execFile } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../project-root";

const ROOT = PROJECT_ROOT;

/** Start-up of the dev-stack plan against its floor, each a whole process timed from spawn to exit. */
export interface StartupMeasurement {
    /** `npm run plan`'s command on the dev stack (its JSON to a pipe), median wall time in ms, from spawn. */
    readonly planMs: number;
    /** Node loading the Pulumi SDK packages while the compiled pack starts, median wall time in ms. */
    readonly floorMs: number;
    readonly runs: number;
}

function wallMs(args: string[]): Promise<number> {
    const started = performance.now();
    return new Promise((resolve, reject) =>
        execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, _out, stderr) =>
            error ? reject(new Error(`${args.join(" ")} failed: ${stderr}`)) : resolve(performance.now() - started),
        ),
    );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternates plan and floor runs, so both see the same machine state. */
export async function measureStartup(runs = 5): Promise<StartupMeasurement> {
    const plan: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < runs; i++) {
        plan.push(await wallMs([path.join(ROOT, "bin", "fm-fleet-plan.js"), "--stack", "dev", "--format", "json"]));
        floor.push(await wallMs([path.join(__dirname, "startup-floor.js")]));
    }
    return { planMs: median(plan), floorMs: median(floor), runs };
}
