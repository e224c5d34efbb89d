import * as path from "path";
import { stackCost, StackCost } from "../../lib/cost";
import { ProgramWorker } from "../plan/run-program-in-worker";
import { readStack } from "../plan/stack-files";
import { builtinTrace, BuiltinTraceOptions, isBuiltinTrace } from "./builtin-traces";
import { declaredFleet, SimFleet, slosOf } from "./declared-fleet";
import { dedicatedCostUsd, SimulationOptions, SimulationResult, simulateFleet, withoutScaleToZero } from "./engine";
import type { PerformanceProvider } from "./performance";
import { readTraceFile, Trace } from "./trace";

/** What to simulate. */
export interface SimulateOptions extends SimulationOptions, BuiltinTraceOptions {
    /** Directory with `Pulumi.yaml`. */
    readonly projectDir: string;
    readonly stack: string;
    /** Stack file. @default `<projectDir>/Pulumi.<stack>.yaml` */
    readonly stackFile?: string;
    /** A CSV file, or a built-in trace's name (`weekday`, `spiky`, `nightly-batch`, `idle`). */
    readonly trace: string;
    /** Each model's speed and start-up. @default lib/performance's estimates (tools/simulate/performance.ts) */
    readonly performance?: PerformanceProvider;
    /**
     * A reusable program worker already started and left running (tests share one). @default none - the
     * simulation starts its own and stops it
     */
    readonly programWorker?: ProgramWorker;
    /** Progress lines (for stderr). */
    readonly onProgress?: (line: string) => void;
}

/** A simulation with its two counterfactuals. */
export interface SimulationReport {
    readonly project: string;
    readonly stack: string;
    readonly trace: { readonly name: string; readonly description: string; readonly minutes: number };
    readonly fleet: SimFleet;
    readonly result: SimulationResult;
    readonly counterfactuals: {
        /** The same trace with every model keeping at least one copy. */
        readonly noScaleToZero: SimulationResult;
        /** Dedicated endpoints (lib/cost.ts `dedicatedUsd`): their cost over the window and per month. */
        readonly dedicated: { readonly costUsd: number; readonly monthlyUsd: number };
    };
    /** The plan's monthly figures of the same stack (idle floor, peak ceiling, dedicated endpoints). */
    readonly planCost: StackCost;
    readonly simulateMs: number;
}

/** The trace named by `trace`: a built-in generator, else a CSV file read as a stream. */
export function loadTrace(trace: string, fleet: SimFleet, options: BuiltinTraceOptions = {}): Promise<Trace> {
    return isBuiltinTrace(trace) ? Promise.resolve(builtinTrace(trace, fleet, options)) : readTraceFile(trace, fleet);
}

/** Replays a trace and its counterfactuals through a fleet already read. */
export function simulateWith(fleet: SimFleet, trace: Trace, options: SimulationOptions = {}) {
    const result = simulateFleet(fleet, trace, options);
    const noScaleToZero = simulateFleet(withoutScaleToZero(fleet), trace, { ...options, startWith: "idle" });
    const dedicated = dedicatedCostUsd(fleet, trace.minutes);
    const hours = trace.minutes / 60;
    return {
        result,
        counterfactuals: {
            noScaleToZero,
            dedicated: { costUsd: dedicated, monthlyUsd: hours > 0 ? (dedicated * 730) / hours : 0 },
        },
    };
}

/**
 * Runs a stack's program under Pulumi mocks as the plan does (no policy pack), reads the fleet's scaling
 * rules from what it registered, and replays the trace through them and through the two counterfactuals.
 */
export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
    const progress = options.onProgress ?? (() => {});
    const settings = readStack(options.projectDir, options.stack, options.stackFile);
    const worker = options.programWorker ?? ProgramWorker.start();
    let run;
    try {
        progress(`running ${path.basename(settings.main)} under mocks`);
        run = await worker.run(settings, options.stack);
        const assessment = await run.assessment;
        const fleetConfig = settings.config["fm-fleet:fleet"];
        let parsed: unknown;
        try {
            parsed = fleetConfig === undefined ? undefined : JSON.parse(fleetConfig);
        } catch {
            parsed = undefined;
        }
        const fleet = declaredFleet(run.resources, assessment.fleet, {
            outputs: run.outputs,
            slos: slosOf(parsed),
            performance: options.performance,
        });
        const trace = await loadTrace(options.trace, fleet, options);
        progress(`replaying ${trace.name} (${trace.minutes} minutes) through ${fleet.endpoints.length} endpoints`);
        const started = performance.now();
        const { result, counterfactuals } = simulateWith(fleet, trace, options);
        const simulateMs = performance.now() - started;
        return {
            project: settings.project,
            stack: options.stack,
            trace: { name: trace.name, description: trace.description, minutes: trace.minutes },
            fleet,
            result,
            counterfactuals,
            planCost: assessment.cost ?? stackCost([]),
            simulateMs,
        };
    } finally {
        if (!options.programWorker) await worker.stop();
    }
}
