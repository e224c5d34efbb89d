import { Quantization } from "../lib/sizing";
import { QUANTIZE_ENV } from "../lib/contract";

/** Where SageMaker mounts an additional model data source named `draft_model`. */
export const DRAFT_MODEL_CHANNEL = "draft_model";
export const DRAFT_MODEL_PATH = `/opt/ml/additional-model-data-sources/${DRAFT_MODEL_CHANNEL}`;

/** Defaults of {@link ServingOptions}, in one place. */
export const SERVING_DEFAULTS = {
    quantization: "none" as Quantization,
    stickySessions: false,
    sessionExpirationSeconds: 1200,
    /** Adapters resident on the accelerators at once (LMI `OPTION_MAX_LORAS`), capped by the adapter count. */
    maxLoras: 8,
    /** Adapters cached in host memory (LMI `OPTION_MAX_CPU_LORAS`), capped by the adapter count. */
    maxCpuLoras: 64,
} as const;

/** Typed serving options that become the LMI container's environment. */
export interface ServingOptions {
    /** Weight quantization. @default "none" */
    readonly quantization?: Quantization;
    /** Speculative decoding with a draft model mounted at {@link DRAFT_MODEL_PATH}. @default none */
    readonly speculativeDecoding?: { readonly draftModelUrl: string; readonly speculativeLength?: number };
    /** Tensor parallel degree. @default the accelerators per copy */
    readonly tensorParallelDegree?: number;
    /** Accelerator devices per copy; the default tensor parallel degree. */
    readonly accelerators: number;
    /** Fine-tuned adapters attached to this model; > 0 turns LoRA serving on. @default 0 */
    readonly adapterCount?: number;
    /** LMI `OPTION_MAX_LORAS`. @default min(adapters, 8) */
    readonly maxLoras?: number;
    /** LMI `OPTION_MAX_CPU_LORAS`. @default min(adapters, 64) */
    readonly maxCpuLoras?: number;
    /** LMI `OPTION_MAX_LORA_RANK`. @default none - the container's default (16) */
    readonly maxLoraRank?: number;
    /** Session-aware (sticky) routing. @default false */
    readonly stickySessions?: boolean;
    /** Seconds an idle session lives. @default 1200 */
    readonly sessionExpirationSeconds?: number;
}

/**
 * The serving container environment (LMI/DJL names) for typed options. Only switches that differ from the
 * container's own defaults are set, except stateful sessions, which LMI turns on by default and which we
 * always state so the routing the config asked for is the one the container serves.
 */
export function servingEnvironment(options: ServingOptions): Record<string, string> {
    const d = SERVING_DEFAULTS;
    const env: Record<string, string> = {};
    const quantization = options.quantization ?? d.quantization;
    if (quantization !== "none") env[QUANTIZE_ENV] = quantization;
    env.OPTION_TENSOR_PARALLEL_DEGREE = String(options.tensorParallelDegree ?? options.accelerators);
    if (options.speculativeDecoding) {
        env.OPTION_SPECULATIVE_DRAFT_MODEL = DRAFT_MODEL_PATH;
        if (options.speculativeDecoding.speculativeLength !== undefined) {
            env.OPTION_SPECULATIVE_LENGTH = String(options.speculativeDecoding.speculativeLength);
        }
    }
    const adapters = options.adapterCount ?? 0;
    if (adapters > 0) {
        const maxLoras = options.maxLoras ?? Math.min(adapters, d.maxLoras);
        env.OPTION_ENABLE_LORA = "true";
        env.OPTION_MAX_LORAS = String(maxLoras);
        env.OPTION_MAX_CPU_LORAS = String(Math.max(maxLoras, options.maxCpuLoras ?? Math.min(adapters, d.maxCpuLoras)));
        if (options.maxLoraRank !== undefined) env.OPTION_MAX_LORA_RANK = String(options.maxLoraRank);
    }
    const sticky = options.stickySessions ?? d.stickySessions;
    env.OPTION_ENABLE_STATEFUL_SESSIONS = String(sticky);
    if (sticky) {
        env.OPTION_SESSIONS_EXPIRATION = String(options.sessionExpirationSeconds ?? d.sessionExpirationSeconds);
    }
    return env;
}
