import { BYTES_PER_PARAMETER, Quantization } from "../sizing";
import { AcceleratorSpec, Interconnect, tensorTflops } from "./accelerators";
import { Architecture, kvCacheBytesPerToken } from "./architecture";

/**
 * Share of the datasheet memory bandwidth a decode step achieves (model bandwidth utilization). An assumption:
 * serving engines report 60-80% at batch 1; 0.7 sits in the middle and is what the validation table in
 * docs/performance.md is computed with.
 */
export const MEMORY_BANDWIDTH_EFFICIENCY = 0.7;

/** Share of the datasheet dense tensor throughput the batched matrix multiplies of decode reach (assumption). */
export const DECODE_COMPUTE_EFFICIENCY = 0.5;

/**
 * Fixed time per layer per step that moves no weights: kernel launches, attention bookkeeping, sampling
 * spread over the layers. An assumption (engines with CUDA graphs are below it, those without above it).
 */
export const STEP_OVERHEAD_MS_PER_LAYER = 0.02;

/** Tensor parallelism all-reduces the activations twice per layer: after attention and after the MLP (Megatron-LM, Shoeybi et al. 2019, section 3). */
export const ALL_REDUCES_PER_LAYER = 2;

/**
 * Latency of one all-reduce of a decode step over each interconnect, in ms: the tensor-parallel efficiency
 * term. A decode step all-reduces a few KB per layer, so the time is the collective's launch and
 * synchronization, not the link's bandwidth: NVLink's 600-900 GB/s and PCIe's 32-64 GB/s then cost about the
 * same. An assumption; the validation table (TP 4 on PCIe, 8 on NVLink, 12 on NeuronLink) agrees with 0.1 ms
 * on all three and does not separate them.
 */
export const ALL_REDUCE_MS: Readonly<Record<Interconnect, number>> = {
    pcie: 0.1,
    nvlink: 0.1,
    neuronlink: 0.1,
};

/**
 * Decode speed-up of speculative decoding, as a latency reduction: the talk's "40-50% lower latency" on
 * Llama 3 70B, taken at its middle (45%). An assumption: the real gain depends on how often the draft is
 * accepted, which depends on the traffic.
 */
export const SPECULATIVE_LATENCY_REDUCTION = 0.45;

/** What one copy of a model runs on, for the estimates. */
export interface Deployment {
    readonly parametersBillions: number;
    readonly quantization: Quantization;
    readonly accelerator: AcceleratorSpec;
    /** Devices the weights are sharded over (the copy's accelerators); >= 1. */
    readonly tensorParallel: number;
    readonly architecture: Architecture;
    readonly speculativeDecoding: boolean;
}

/** Bytes of weights one device reads per decode step: its tensor-parallel shard. */
export const weightBytesPerDevice = (d: Deployment): number =>
    (d.parametersBillions * 1e9 * BYTES_PER_PARAMETER[d.quantization]) / d.tensorParallel;

/** Fixed per-step time: per-layer overhead plus, when sharded, the all-reduces over the interconnect (ms). */
export function stepOverheadMs(d: Deployment): number {
    const allReduce = d.tensorParallel > 1 ? ALL_REDUCES_PER_LAYER * ALL_REDUCE_MS[d.accelerator.interconnect] : 0;
    return d.architecture.layers * (STEP_OVERHEAD_MS_PER_LAYER + allReduce);
}

/**
 * Time of one decode step for `batch` sequences of `contextTokens` each, in ms: the larger of the memory
 * time (weights shard + the batch's KV cache over the achieved bandwidth) and the compute time (2 FLOPs per
 * parameter per sequence over the achieved tensor throughput), plus the fixed per-step overhead.
 */
export function decodeStepMs(d: Deployment, contextTokens: number, batch = 1): number {
    const kvBytes = (batch * contextTokens * kvCacheBytesPerToken(d.architecture)) / d.tensorParallel;
    const memoryMs =
        ((weightBytesPerDevice(d) + kvBytes) /
            (d.accelerator.memoryBandwidthGbPerS * 1e9 * MEMORY_BANDWIDTH_EFFICIENCY)) *
        1e3;
    const computeMs =
        ((batch * 2 * d.parametersBillions * 1e9) /
            (d.tensorParallel * tensorTflops(d.accelerator, d.quantization) * 1e12 * DECODE_COMPUTE_EFFICIENCY)) *
        1e3;
    return Math.max(memoryMs, computeMs) + stepOverheadMs(d);
}

/** Tokens per second one sequence sees (one request at a time), speculative decoding included. */
export function decodeTokensPerSecond(d: Deployment, contextTokens: number): number {
    const speedUp = d.speculativeDecoding ? 1 / (1 - SPECULATIVE_LATENCY_REDUCTION) : 1;
    return (1000 / decodeStepMs(d, contextTokens)) * speedUp;
}

/**
 * Tokens per second a copy generates over `batch` concurrent sequences: grows with the batch while the step
 * is memory-bound and flattens at the compute bound.
 */
export function batchTokensPerSecond(d: Deployment, contextTokens: number, batch: number): number {
    return (batch * 1000) / decodeStepMs(d, contextTokens, batch);
}
