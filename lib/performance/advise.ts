import { HOURS_PER_MONTH, instanceCatalog, InstanceType } from "../catalog";
import { DEFAULT_ACCELERATOR_MEMORY_FRACTION, Quantization, weightsGib } from "../sizing";
import { acceleratorSpec } from "./accelerators";
import { approximateArchitecture, kvCacheBytesPerToken } from "./architecture";
import { estimatePerformance, PerformanceEstimate } from "./estimate";
import { DEFAULT_OUTPUT_TOKENS, DEFAULT_PROMPT_TOKENS } from "./prefill";
import { latencyMisses, Slo } from "./slo";

/** What the advice needs to know of a model. */
export interface AdviceInput {
    readonly parametersBillions: number;
    readonly slo: Slo;
    readonly currentInstanceType: string;
    /** Copies it keeps (at least 1 is priced). */
    readonly copies: number;
    /** Concurrent requests per copy its KV cache must hold. @default 4 */
    readonly concurrency?: number;
    readonly speculativeDecoding?: boolean;
    /** Families the stack allows (`allowed-instance-families`); `undefined` allows all. */
    readonly families?: readonly string[];
    /** `weights-fit-accelerator-memory`'s fraction. @default 0.9 */
    readonly memoryFraction?: number;
}

/** One instance type that holds the model and meets its SLO. */
export interface AdviceOption {
    readonly instanceType: string;
    readonly quantization: Quantization;
    readonly acceleratorsPerCopy: number;
    readonly monthlyUsd: number;
    readonly performance: PerformanceEstimate;
    readonly current: boolean;
}

const QUANTIZATION_ORDER: Quantization[] = ["none", "fp8", "awq"];

/** The fewest devices per copy (1, 2, 4, 8, ...) whose memory holds weights + KV cache, or undefined. */
function devicesThatFit(t: InstanceType, q: Quantization, input: AdviceInput): number | undefined {
    const kvGib =
        ((input.concurrency ?? 4) *
            (DEFAULT_PROMPT_TOKENS + DEFAULT_OUTPUT_TOKENS) *
            kvCacheBytesPerToken(approximateArchitecture(input.parametersBillions))) /
        2 ** 30;
    const need = weightsGib(input.parametersBillions, q) + kvGib;
    for (let n = 1; n <= t.acceleratorCount; n *= 2) {
        if (need <= n * t.acceleratorMemoryGibEach * (input.memoryFraction ?? DEFAULT_ACCELERATOR_MEMORY_FRACTION))
            return n;
    }
    return undefined;
}

/**
 * The instance types, cheapest first, that hold the model (weights + KV cache of its concurrency) and meet
 * its latency SLO, each with the least quantization that fits and its monthly cost at the model's copies.
 */
export function adviseInstanceTypes(input: AdviceInput): AdviceOption[] {
    const options: AdviceOption[] = [];
    for (const t of instanceCatalog().values()) {
        if (t.acceleratorCount === 0 || t.usdPerHour === undefined || !acceleratorSpec(t.accelerator)) continue;
        if (input.families && !input.families.includes(t.family)) continue;
        for (const q of QUANTIZATION_ORDER) {
            const devices = devicesThatFit(t, q, input);
            if (devices === undefined) continue;
            const performance = estimatePerformance({
                parametersBillions: input.parametersBillions,
                quantization: q,
                instanceType: t.instanceType,
                accelerators: devices,
                speculativeDecoding: input.speculativeDecoding,
            });
            if (latencyMisses(performance, input.slo).length > 0) continue;
            const copiesPerInstance = Math.floor(t.acceleratorCount / devices);
            const instances = Math.ceil(Math.max(1, input.copies) / copiesPerInstance);
            options.push({
                instanceType: t.instanceType,
                quantization: q,
                acceleratorsPerCopy: devices,
                monthlyUsd: Math.round(instances * t.usdPerHour * HOURS_PER_MONTH),
                performance,
                current: t.instanceType === input.currentInstanceType,
            });
            break;
        }
    }
    return options.sort((a, b) => a.monthlyUsd - b.monthlyUsd || a.instanceType.localeCompare(b.instanceType));
}
