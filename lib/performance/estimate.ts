import { findInstanceType } from "../catalog";
import { BYTES_PER_PARAMETER, Quantization } from "../sizing";
import { acceleratorSpec } from "./accelerators";
import { approximateArchitecture, Architecture } from "./architecture";
import { coldStart } from "./cold-start";
import { decodeTokensPerSecond, Deployment } from "./decode";
import { DEFAULT_OUTPUT_TOKENS, DEFAULT_PROMPT_TOKENS, timeToFirstTokenMs } from "./prefill";

/** Figures a team measured in its own load test (stack config `performance`, or the IC's `fmfleet:measured-*` tags). */
export interface MeasuredPerformance {
    readonly tokensPerSecond?: number;
    readonly ttftMs?: number;
}

/** What the estimate of one model copy needs; the plan, the pack and the advice all fill this in. */
export interface PerformanceInput {
    readonly parametersBillions: number | undefined;
    readonly quantization: Quantization;
    readonly instanceType: string;
    /** Accelerator devices per copy, the tensor-parallel degree. @default 1 */
    readonly accelerators?: number;
    readonly speculativeDecoding?: boolean;
    /** Whether the first copy needs a new instance (the endpoint can be at zero instances). @default true */
    readonly newInstance?: boolean;
    readonly measured?: MeasuredPerformance;
    /** @default approximated from the parameter count */
    readonly architecture?: Architecture;
    /** @default {@link DEFAULT_PROMPT_TOKENS} */
    readonly promptTokens?: number;
}

/**
 * Latency of one copy: time to first token (ms), tokens per second one request sees, and the cold start of a
 * new copy (s). `source` is `measured` when the team's measured figures replace estimates (`measured` lists
 * which), else `estimate`. A figure that cannot be known is `null` with the `reason`, never NaN or Infinity.
 */
export interface PerformanceEstimate {
    readonly ttftMs: number | null;
    readonly tokensPerSecond: number | null;
    readonly coldStartSeconds: number | null;
    readonly source: "estimate" | "measured";
    readonly measured: ("ttftMs" | "tokensPerSecond")[];
    readonly reason: string | null;
}

const finite = (n: number | undefined): n is number => typeof n === "number" && Number.isFinite(n) && n > 0;

/** Why the model cannot estimate this copy, or `undefined` when it can. */
function unknownReason(input: PerformanceInput): string | undefined {
    const instance = findInstanceType(input.instanceType);
    if (!instance) return `instance type ${input.instanceType || "(unknown)"} is not in the catalog`;
    if (instance.acceleratorCount === 0) return `${instance.instanceType} has no accelerator`;
    if (!acceleratorSpec(instance.accelerator)) return `no performance data for ${instance.accelerator}`;
    if (!finite(input.parametersBillions)) return "the model size is unknown";
    return undefined;
}

/** The copy as the formulas see it, or `undefined` when {@link unknownReason} says why not. */
export function deploymentOf(input: PerformanceInput): Deployment | undefined {
    if (unknownReason(input) !== undefined) return undefined;
    const instance = findInstanceType(input.instanceType)!;
    const billions = input.parametersBillions!;
    return {
        parametersBillions: billions,
        quantization: input.quantization,
        accelerator: acceleratorSpec(instance.accelerator)!,
        tensorParallel: Math.max(1, Math.min(input.accelerators ?? 1, instance.acceleratorCount)),
        architecture: input.architecture ?? approximateArchitecture(billions),
        speculativeDecoding: input.speculativeDecoding ?? false,
    };
}

/** Decimal GB of weights a copy downloads and loads. */
export const weightsGb = (parametersBillions: number, quantization: Quantization): number =>
    parametersBillions * BYTES_PER_PARAMETER[quantization];

/** Rounds for display and JSON: ms and s to whole numbers, tokens/s to one decimal. */
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The latency figures of one copy (see {@link PerformanceEstimate}). */
export function estimatePerformance(input: PerformanceInput): PerformanceEstimate {
    const measuredTtft = finite(input.measured?.ttftMs) ? input.measured!.ttftMs! : undefined;
    const measuredTps = finite(input.measured?.tokensPerSecond) ? input.measured!.tokensPerSecond! : undefined;
    const measured = [
        ...(measuredTtft !== undefined ? (["ttftMs"] as const) : []),
        ...(measuredTps !== undefined ? (["tokensPerSecond"] as const) : []),
    ];
    const reason = unknownReason(input);
    const d = deploymentOf(input);
    const prompt = input.promptTokens ?? DEFAULT_PROMPT_TOKENS;
    const estimatedTtft = d ? timeToFirstTokenMs(d, prompt) : undefined;
    const estimatedTps = d ? decodeTokensPerSecond(d, prompt + DEFAULT_OUTPUT_TOKENS / 2) : undefined;
    const instance = findInstanceType(input.instanceType);
    const cold =
        d && instance
            ? coldStart(weightsGb(d.parametersBillions, d.quantization), instance, {
                  newInstance: input.newInstance ?? true,
              }).totalSeconds
            : undefined;
    const ttft = measuredTtft ?? estimatedTtft;
    const tps = measuredTps ?? estimatedTps;
    return {
        ttftMs: ttft === undefined ? null : round(ttft, 0),
        tokensPerSecond: tps === undefined ? null : round(tps, 1),
        coldStartSeconds: cold === undefined ? null : round(cold, 0),
        source: measured.length > 0 ? "measured" : "estimate",
        measured: [...measured],
        reason: reason ?? null,
    };
}
