import type { SimFleet, SimModel } from "./declared-fleet";
import { DEFAULT_TOKENS, SeriesBuilder, seriesKey, Trace, TraceSeries } from "./trace";

/** The built-in traces, for teams without one of their own. */
export const BUILTIN_TRACES = ["weekday", "spiky", "nightly-batch", "idle"] as const;
export type BuiltinTrace = (typeof BUILTIN_TRACES)[number];

export const isBuiltinTrace = (name: string): name is BuiltinTrace =>
    (BUILTIN_TRACES as readonly string[]).includes(name);

/** Options of {@link builtinTrace}. */
export interface BuiltinTraceOptions {
    /** Seed of the generator's randomness: the same seed, the same trace. @default 1 */
    readonly seed?: number;
    /** Days the trace spans. @default 7 (weekday, nightly-batch), 1 (spiky, idle) */
    readonly days?: number;
}

/** mulberry32: a small, fast, seeded generator (public domain), so a trace is the same on every machine. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * A model's busiest rate, in requests per minute: half its declared ceiling of concurrency (most copies x
 * target concurrent requests per copy), at the stand-in's time per request. So each generator loads every
 * model in proportion to what the stack says it can serve.
 */
function peakPerMinute(m: SimModel): number {
    const p = m.performance;
    const seconds = p.ttftMs / 1000 + DEFAULT_TOKENS.outputTokens / p.tokensPerSecond;
    // Concurrency one copy is meant to run at: its target, never more than it can hold at once.
    const target = Math.min(m.targetTracking?.targetValue ?? Infinity, p.maxConcurrentPerCopy / 2);
    return ((0.5 * m.copies.max * target) / Math.max(seconds, 0.001)) * 60;
}

const DESCRIPTIONS: Record<BuiltinTrace, string> = {
    weekday:
        "Monday-Friday 09:00-17:00 at half each model's declared ceiling (ramping over the first and last hour), 2% of it at night, nothing at weekends; +-20% noise per minute",
    spiky: "2% of each model's peak all day, with bursts of 10-30 minutes at its peak, 4-8 a day at random times",
    "nightly-batch": "a batch at 80% of each model's peak from 01:00 to 03:00 every night, nothing otherwise",
    idle: "no requests at all",
};

/** Load (0-1 of the peak) of a minute of the window, per generator. */
function weekdayLoad(minute: number): number {
    const day = Math.floor(minute / 1440) % 7; // the window starts on a Monday at 00:00
    if (day >= 5) return 0;
    const hour = (minute % 1440) / 60;
    if (hour < 8 || hour >= 18) return 0.02;
    if (hour < 9) return 0.02 + 0.98 * (hour - 8);
    if (hour >= 17) return 0.02 + 0.98 * (18 - hour);
    return 1;
}

/**
 * A built-in trace over the fleet's models, each documented in {@link DESCRIPTIONS} and docs/simulator.md,
 * generated from a seed.
 */
export function builtinTrace(name: BuiltinTrace, fleet: SimFleet, options: BuiltinTraceOptions = {}): Trace {
    const seed = options.seed ?? 1;
    const days = options.days ?? (name === "weekday" || name === "nightly-batch" ? 7 : 1);
    const minutes = Math.max(1, Math.round(days * 1440));
    const random = seededRandom(seed);
    const series = new Map<string, TraceSeries>();
    for (const e of fleet.endpoints) {
        for (const m of e.models) {
            const peak = peakPerMinute(m);
            const builder = new SeriesBuilder();
            const load = new Float64Array(minutes);
            if (name === "weekday") {
                for (let i = 0; i < minutes; i++) load[i] = weekdayLoad(i) * (0.8 + 0.4 * random());
            } else if (name === "nightly-batch") {
                for (let i = 0; i < minutes; i++) {
                    const hour = (i % 1440) / 60;
                    load[i] = hour >= 1 && hour < 3 ? 0.8 : 0;
                }
            } else if (name === "spiky") {
                load.fill(0.02);
                for (let day = 0; day < Math.ceil(minutes / 1440); day++) {
                    const bursts = 4 + Math.floor(random() * 5);
                    for (let b = 0; b < bursts; b++) {
                        const start = day * 1440 + Math.floor(random() * 1440);
                        const length = 10 + Math.floor(random() * 21);
                        for (let i = start; i < Math.min(minutes, start + length); i++) load[i] = 1;
                    }
                }
            }
            for (let i = 0; i < minutes; i++) {
                const requests = Math.round(peak * load[i] * 100) / 100;
                if (requests > 0) builder.add(i, requests, DEFAULT_TOKENS.inputTokens, DEFAULT_TOKENS.outputTokens);
            }
            series.set(seriesKey(e.name, m.name), builder.build(minutes));
        }
    }
    return { name, minutes, series, description: `${DESCRIPTIONS[name]} (seed ${seed}, ${days} days)` };
}
