import { performance } from "perf_hooks";
import { PROJECT_ROOT } from "../project-root";
import { adviseFleet } from "../plan/advise";
import { plan } from "../plan/plan";

/** The prod plan's time and what `--advise` adds to it, measured in one process. */
export interface AdviseMeasurement {
    readonly planMs: number;
    /** Median of `runs` calls of the advice over the plan (every allowed catalog type, every model). */
    readonly adviseMs: number;
    readonly runs: number;
}

/** Plans the prod stack once, then times the advice on its result (goal: adds < 0.2 s). */
export async function measureAdvise(runs = 20): Promise<AdviseMeasurement> {
    const started = performance.now();
    const result = await plan({ projectDir: PROJECT_ROOT, stack: "prod" });
    const planMs = performance.now() - started;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const t = performance.now();
        adviseFleet(result);
        times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { planMs, adviseMs: times[Math.floor(runs / 2)], runs };
}
