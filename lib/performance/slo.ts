import { PerformanceEstimate } from "./estimate";

/** A model's latency targets (stack config `slo`, or the IC's `fmfleet:slo-*` tags). */
export interface Slo {
    /** Time to first token at most this many milliseconds. */
    readonly ttftMs?: number;
    /** At least this many tokens per second for one request. */
    readonly tokensPerSecond?: number;
    /** A model that can scale to zero wakes within this many seconds. */
    readonly maxColdStartSeconds?: number;
}

/** Each latency figure's unit and an example, for messages: every figure carries its unit in its name. */
export const LATENCY_FIGURES = {
    ttftMs: { unit: "milliseconds", example: 500 },
    tokensPerSecond: { unit: "tokens per second", example: 30 },
    maxColdStartSeconds: { unit: "seconds", example: 600 },
} as const;
export type LatencyFigure = keyof typeof LATENCY_FIGURES;

/** Whether a figure is usable: a positive finite number. */
export const isLatencyFigure = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** The message for a figure that is not a positive finite number. */
export function latencyFigureMessage(figure: LatencyFigure, value: unknown): string {
    const { unit, example } = LATENCY_FIGURES[figure];
    const shown = typeof value === "string" ? `"${value}"` : String(value);
    return `must be a positive number of ${unit}, got ${shown}. Give it as a number, e.g. ${example}.`;
}

/** Problems in a model's `slo` and measured `performance`, as `{ path, message }` relative to the model. */
export function latencyFigureIssues(slo: unknown, performance: unknown): { path: string; message: string }[] {
    const issues: { path: string; message: string }[] = [];
    const check = (where: string, object: unknown, figures: readonly LatencyFigure[]) => {
        if (object === undefined) return;
        if (typeof object !== "object" || object === null) {
            issues.push({ path: where, message: `must be an object of ${figures.join(", ")}, got ${String(object)}.` });
            return;
        }
        const values = object as Record<string, unknown>;
        for (const f of figures) {
            if (values[f] !== undefined && !isLatencyFigure(values[f])) {
                issues.push({ path: `${where}.${f}`, message: latencyFigureMessage(f, values[f]) });
            }
        }
    };
    check("slo", slo, ["ttftMs", "tokensPerSecond", "maxColdStartSeconds"]);
    check("performance", performance, ["tokensPerSecond", "ttftMs"]);
    return issues;
}

/** One way a copy misses its SLO. */
export interface SloMiss {
    readonly figure: "ttftMs" | "tokensPerSecond";
    readonly target: number;
    readonly got: number;
}

/** Where the latency figures miss the SLO (cold start is judged apart: only models that scale to zero wait for one). */
export function latencyMisses(estimate: PerformanceEstimate, slo: Slo): SloMiss[] {
    const misses: SloMiss[] = [];
    if (slo.ttftMs !== undefined && estimate.ttftMs !== null && estimate.ttftMs > slo.ttftMs) {
        misses.push({ figure: "ttftMs", target: slo.ttftMs, got: estimate.ttftMs });
    }
    if (
        slo.tokensPerSecond !== undefined &&
        estimate.tokensPerSecond !== null &&
        estimate.tokensPerSecond < slo.tokensPerSecond
    ) {
        misses.push({ figure: "tokensPerSecond", target: slo.tokensPerSecond, got: estimate.tokensPerSecond });
    }
    return misses;
}
