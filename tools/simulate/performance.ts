import { estimatePerformance, PerformanceEstimate } from "../../lib/performance/estimate";
import { Quantization, QUANTIZATIONS } from "../../lib/sizing";

/**
 * What the simulator needs to know of a model's speed and start-up, and where it gets it: by default
 * {@link ESTIMATED_PERFORMANCE}, lib/performance's estimates (or the team's measured figures), the same
 * figures the plan prints and the pack judges; {@link STAND_IN_PERFORMANCE} answers with sourced constants
 * where no estimate can be made (multi-model endpoints, an accelerator without performance data).
 */

/** Speed and start-up of one model's copy, as the simulator uses them. */
export interface ModelPerformance {
    /** Time to first token of one request, in ms, once a copy holds it. */
    readonly ttftMs: number;
    /** Output tokens per second of one request (its own stream), while the copy runs at most {@link maxConcurrentPerCopy}. */
    readonly tokensPerSecond: number;
    /** Requests one copy serves at once at that speed; more wait in the copy's queue. */
    readonly maxConcurrentPerCopy: number;
    /** Scale-out onto a new instance, end to end (instance provisioning + image + weights + container start), in s. */
    readonly coldStartSeconds: number;
    /** A new copy on an instance that is already running (weights + container start), in s. */
    readonly copyStartSeconds: number;
    /** Where the figures come from: `stand-in`, `estimate` or `measured`. */
    readonly source: "stand-in" | "estimate" | "measured";
    /** The reference behind the figures, for the report. */
    readonly note: string;
}

/** What a provider is told of a model: enough for a closed-form estimate. */
export interface ModelShape {
    readonly endpointName: string;
    readonly inferenceComponentName: string;
    readonly instanceType: string;
    readonly parametersBillions: number | undefined;
    readonly quantization: string;
    readonly accelerators: number | undefined;
    /** Multi-model endpoints and pipelines host classic models, not LLMs. */
    readonly kind: "inference-components" | "multi-model" | "pipeline";
    /** The plan's latency figures of the model (measured ones included), when the plan has them. */
    readonly planned?: PerformanceEstimate;
    /** Whether it decodes speculatively. @default false */
    readonly speculativeDecoding?: boolean;
}

/** Gives each model's figures. */
export type PerformanceProvider = (model: ModelShape) => ModelPerformance;

/**
 * The stand-in's constants, each with its source. Replace with issue 21's estimates (lib/) once merged.
 * - 258 s end-to-end scale-out: AWS "container caching" announcement (2026): Qwen3-8B on ml.g6.2xlarge went
 *   from 525 s to 258 s, and caching is on by default for accelerator instance types. The 525 s is kept as
 *   `uncachedColdStartSeconds` for reference.
 * - Copy start on a running instance: *unconfirmed*; the project's facts say waking "takes minutes (model
 *   download + container start)". 120 s is half the cached end-to-end figure, the rest being the instance.
 * - TTFT 500 ms, 30 tokens/s per stream: an 8B bf16 model on one A10G/L4-class GPU at a 512-token prompt;
 *   *unconfirmed* round figures, to be replaced by issue 21's roofline estimates.
 * - 32 concurrent requests per copy: LMI's default rolling batch size (`OPTION_MAX_ROLLING_BATCH_SIZE`);
 *   *unconfirmed* for every image version.
 * - Multi-model endpoints host classic (non-generative) models: 100 ms per request, no tokens, 4 at once.
 */
export const STAND_IN_CONSTANTS = {
    coldStartSeconds: 258,
    uncachedColdStartSeconds: 525,
    copyStartSeconds: 120,
    ttftMs: 500,
    tokensPerSecond: 30,
    maxConcurrentPerCopy: 32,
    classicLatencyMs: 100,
    classicConcurrentPerInstance: 4,
} as const;

/** The stand-in provider: the same figures for every model (see {@link STAND_IN_CONSTANTS}). */
export const STAND_IN_PERFORMANCE: PerformanceProvider = (model) => {
    const c = STAND_IN_CONSTANTS;
    if (model.kind !== "inference-components") {
        return {
            ttftMs: c.classicLatencyMs,
            // A classic model answers in one piece: its output "tokens" cost nothing beyond the first byte.
            tokensPerSecond: Number.MAX_SAFE_INTEGER,
            maxConcurrentPerCopy: c.classicConcurrentPerInstance,
            coldStartSeconds: c.coldStartSeconds,
            copyStartSeconds: c.copyStartSeconds,
            source: "stand-in",
            note: "stand-in: classic model, 100 ms per request (until lib's performance model lands)",
        };
    }
    return {
        ttftMs: c.ttftMs,
        tokensPerSecond: c.tokensPerSecond,
        maxConcurrentPerCopy: c.maxConcurrentPerCopy,
        coldStartSeconds: c.coldStartSeconds,
        copyStartSeconds: c.copyStartSeconds,
        source: "stand-in",
        note: "stand-in: 258 s scale-out (AWS container caching, Qwen3-8B on ml.g6.2xlarge), 120 s copy start, 500 ms TTFT, 30 tokens/s (until lib's performance model lands)",
    };
};

/**
 * lib/performance's figures: TTFT and tokens/s as the plan prints them (the team's measured figures where the
 * stack declares them), the cold start on a new instance and the start of a copy on a running one from the
 * cold-start model. A figure that cannot be estimated falls back to the stand-in's, and the note says which.
 */
export const ESTIMATED_PERFORMANCE: PerformanceProvider = (model) => {
    const standIn = STAND_IN_PERFORMANCE(model);
    if (model.kind !== "inference-components") return standIn;
    const input = {
        parametersBillions: model.parametersBillions,
        quantization: (QUANTIZATIONS as readonly string[]).includes(model.quantization)
            ? (model.quantization as Quantization)
            : "none",
        instanceType: model.instanceType,
        accelerators: model.accelerators,
        speculativeDecoding: model.speculativeDecoding,
    };
    const planned = model.planned ?? estimatePerformance({ ...input, newInstance: true });
    const onNewInstance = estimatePerformance({ ...input, newInstance: true });
    const onRunningInstance = estimatePerformance({ ...input, newInstance: false });
    const fellBack: string[] = [];
    const pick = (value: number | null, fallback: number, what: string) => {
        if (value !== null) return value;
        fellBack.push(what);
        return fallback;
    };
    const figures = {
        ttftMs: pick(planned.ttftMs, standIn.ttftMs, "TTFT"),
        tokensPerSecond: pick(planned.tokensPerSecond, standIn.tokensPerSecond, "tokens/s"),
        coldStartSeconds: pick(onNewInstance.coldStartSeconds, standIn.coldStartSeconds, "cold start"),
        copyStartSeconds: pick(onRunningInstance.coldStartSeconds, standIn.copyStartSeconds, "copy start"),
    };
    const source = planned.source === "measured" ? "measured" : "estimate";
    return {
        ...figures,
        maxConcurrentPerCopy: standIn.maxConcurrentPerCopy,
        source: fellBack.length === 4 ? "stand-in" : source,
        note:
            `${source === "measured" ? `measured ${planned.measured.join(" and ")}, else estimated` : "estimated"} by lib/performance (docs/performance.md)` +
            (fellBack.length > 0 ? `; stand-in for ${fellBack.join(", ")} (${planned.reason ?? "no estimate"})` : "") +
            `; ${STAND_IN_CONSTANTS.maxConcurrentPerCopy} requests at once per copy (stand-in)`,
    };
};
