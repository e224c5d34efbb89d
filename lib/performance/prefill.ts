import { tensorTflops } from "./accelerators";
import { Deployment, MEMORY_BANDWIDTH_EFFICIENCY, stepOverheadMs, weightBytesPerDevice } from "./decode";

/**
 * Prompt length the time-to-first-token estimates assume, in tokens: a chat turn with a system prompt and
 * some history. The plan, the pack and the advice all use it; a measured `ttftMs` replaces the estimate.
 */
export const DEFAULT_PROMPT_TOKENS = 512;

/** Tokens generated per request the estimates assume (context of a decode step = prompt + half of these). */
export const DEFAULT_OUTPUT_TOKENS = 256;

/**
 * Share of the datasheet dense tensor throughput prefill reaches (model FLOPs utilization). An assumption:
 * large prefills reach 40-60% on current engines.
 */
export const PREFILL_COMPUTE_EFFICIENCY = 0.5;

/** FLOPs of a prefill of `promptTokens`: 2 per parameter per token (the attention's share is left out). */
export const prefillFlops = (parametersBillions: number, promptTokens: number): number =>
    2 * parametersBillions * 1e9 * promptTokens;

/**
 * Time to first token in ms for a prompt of `promptTokens`: the prefill's FLOPs over the copy's achieved
 * tensor throughput, but never less than one read of the weights (a short prompt is memory-bound), plus the
 * fixed per-step overhead. Model time only: SageMaker's own overhead and the network are not in it.
 */
export function timeToFirstTokenMs(d: Deployment, promptTokens = DEFAULT_PROMPT_TOKENS): number {
    const computeMs =
        (prefillFlops(d.parametersBillions, promptTokens) /
            (d.tensorParallel * tensorTflops(d.accelerator, d.quantization) * 1e12 * PREFILL_COMPUTE_EFFICIENCY)) *
        1e3;
    const memoryMs =
        (weightBytesPerDevice(d) / (d.accelerator.memoryBandwidthGbPerS * 1e9 * MEMORY_BANDWIDTH_EFFICIENCY)) * 1e3;
    return Math.max(computeMs, memoryMs) + stepOverheadMs(d);
}
