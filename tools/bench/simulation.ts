import { execFile } from "child_process";
import * as path from "path";
import { BUILD_DIR, PROJECT_ROOT } from "../project-root";

/** One simulator measurement: a `days`-day trace at one-minute resolution over a fleet of `models` models. */
export interface SimulationMeasurement {
    readonly days: number;
    readonly models: number;
    /** The simulation of the trace (the engine alone, trace generated beforehand). */
    readonly simulateMs: number;
    /** The same trace against the counterfactual without scale to zero, as the report runs it too. */
    readonly counterfactualMs: number;
    /** Peak resident memory of the process, trace and all. */
    readonly maxRssMb: number;
}

/** In the child: generates the trace, then times the simulation and its counterfactual. */
function child(days: number, models: number): SimulationMeasurement {
    const { builtinTrace } = require("../simulate/builtin-traces") as typeof import("../simulate/builtin-traces");
    const { simulateFleet, withoutScaleToZero } = require("../simulate/engine") as typeof import("../simulate/engine");
    const { syntheticFleet } = require("../simulate/synthetic-fleet") as typeof import("../simulate/synthetic-fleet");
    const fleet = syntheticFleet(models);
    const trace = builtinTrace("weekday", fleet, { days });
    const started = performance.now();
    simulateFleet(fleet, trace);
    const simulateMs = performance.now() - started;
    const second = performance.now();
    simulateFleet(withoutScaleToZero(fleet), trace);
    const counterfactualMs = performance.now() - second;
    return { days, models, simulateMs, counterfactualMs, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Measures the simulator in a fresh process per size, from the project's build (as `npm run simulate` runs). */
export function measureSimulation(days: number, models: number): Promise<SimulationMeasurement> {
    return new Promise((resolve, reject) =>
        execFile(
            process.execPath,
            [path.join(BUILD_DIR, "tools", "bench", "simulation.js"), String(days), String(models)],
            { cwd: PROJECT_ROOT },
            (error, stdout, stderr) =>
                error ? reject(new Error(`simulation bench failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
        ),
    );
}

if (require.main === module) {
    process.stdout.write(`${JSON.stringify(child(Number(process.argv[2]), Number(process.argv[3])))}\n`);
}
