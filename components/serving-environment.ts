import { Quantization } from "../lib/sizing";

/**
 * The serving container families whose environment the fleet writes, each reading its own names:
 * - `lmi`: Large Model Inference (djl-inference images): `OPTION_<NAME>` becomes LMI's `option.<name>`, and
 *   LMI's vLLM engine receives every option it does not consume itself as a vLLM engine argument.
 * - `vllm`: the SageMaker vLLM DLC: its entrypoint turns each `SM_VLLM_<NAME>` into `--<name>` of
 *   `vllm serve` (an empty value becomes a bare flag); sessions and runtime adapters have their own names.
 */
export const CONTAINER_FAMILIES = ["lmi", "vllm"] as const;
export type ContainerFamily = (typeof CONTAINER_FAMILIES)[number];

/** Where SageMaker places a model's data in the container, and so where a draft inside it appears. */
export const MODEL_DATA_PATH = "/opt/ml/model";

/**
 * Quantizations the engine applies at load time from an environment switch. AWQ, GPTQ and int8 checkpoints
 * are pre-quantized: vLLM (both families) reads the method from the checkpoint's own config.
 */
export const RUNTIME_QUANTIZATIONS: readonly Quantization[] = ["fp8"];

/** Defaults of {@link ServingOptions}, in one place. */
export const SERVING_DEFAULTS = {
    quantization: "none" as Quantization,
    stickySessions: false,
    sessionExpirationSeconds: 1200,
    /** Draft tokens proposed per step (vLLM `num_speculative_tokens`, which a draft model requires). */
    speculativeLength: 5,
    /** Adapters resident on the accelerators at once, capped by the adapter count. */
    maxLoras: 8,
    /** Adapters cached in host memory, capped by the adapter count. */
    maxCpuLoras: 64,
} as const;

/**
 * The serving family of an image: `djl-inference`/`djl-lmi` repositories are LMI, repositories named for
 * vLLM are the SageMaker vLLM DLC. `undefined` when the image says neither (set the family explicitly).
 */
export function containerFamilyOf(image: string): ContainerFamily | undefined {
    const repository = image
        .replace(/^[^/]+\//, "")
        .replace(/[:@].*$/, "")
        .toLowerCase();
    if (/djl-(inference|lmi)/.test(repository)) return "lmi";
    if (/vllm/.test(repository)) return "vllm";
    return undefined;
}

/** Typed serving options that become the container's environment. */
export interface ServingOptions {
    /** The serving container family, whose names the environment uses. */
    readonly family: ContainerFamily;
    /** Weight quantization. @default "none" */
    readonly quantization?: Quantization;
    /**
     * Speculative decoding with a draft model inside the model data, at `draftModelPath` under
     * {@link MODEL_DATA_PATH}. @default none
     */
    readonly speculativeDecoding?: { readonly draftModelPath: string; readonly speculativeLength?: number };
    /** Tensor parallel degree. @default the accelerators per copy */
    readonly tensorParallelDegree?: number;
    /** Accelerator devices per copy; the default tensor parallel degree. */
    readonly accelerators: number;
    /** Fine-tuned adapters attached to this model; > 0 turns LoRA serving on. @default 0 */
    readonly adapterCount?: number;
    /** Adapters resident on the accelerators. @default min(adapters, 8) */
    readonly maxLoras?: number;
    /** Adapters cached in host memory. @default min(adapters, 64), at least `maxLoras` */
    readonly maxCpuLoras?: number;
    /** Highest adapter rank served. @default none - the engine's default (16) */
    readonly maxLoraRank?: number;
    /** Session-aware (sticky) routing. @default false */
    readonly stickySessions?: boolean;
    /** Seconds an idle session lives. @default 1200 */
    readonly sessionExpirationSeconds?: number;
}

/** The environment names each family reads for each typed option. */
export const ENVIRONMENT_NAMES = {
    lmi: {
        model: undefined,
        tensorParallel: "OPTION_TENSOR_PARALLEL_DEGREE",
        quantization: "OPTION_QUANTIZE",
        speculativeConfig: "OPTION_SPECULATIVE_CONFIG",
        enableLora: "OPTION_ENABLE_LORA",
        maxLoras: "OPTION_MAX_LORAS",
        maxCpuLoras: "OPTION_MAX_CPU_LORAS",
        maxLoraRank: "OPTION_MAX_LORA_RANK",
        runtimeLoraUpdating: undefined,
        statefulSessions: "OPTION_ENABLE_STATEFUL_SESSIONS",
        sessionsExpiration: "OPTION_SESSIONS_EXPIRATION",
    },
    vllm: {
        model: "SM_VLLM_MODEL",
        tensorParallel: "SM_VLLM_TENSOR_PARALLEL_SIZE",
        quantization: "SM_VLLM_QUANTIZATION",
        speculativeConfig: "SM_VLLM_SPECULATIVE_CONFIG",
        enableLora: "SM_VLLM_ENABLE_LORA",
        maxLoras: "SM_VLLM_MAX_LORAS",
        maxCpuLoras: "SM_VLLM_MAX_CPU_LORAS",
        maxLoraRank: "SM_VLLM_MAX_LORA_RANK",
        runtimeLoraUpdating: "VLLM_ALLOW_RUNTIME_LORA_UPDATING",
        statefulSessions: "SAGEMAKER_ENABLE_STATEFUL_SESSIONS",
        sessionsExpiration: "SAGEMAKER_SESSIONS_EXPIRATION",
    },
} as const satisfies Record<ContainerFamily, Record<string, string | undefined>>;

/**
 * The serving container environment for typed options, in the names of the container's family. Only
 * switches that differ from the container's defaults are set, except stateful sessions, which are always
 * stated (LMI turns them on by default, the vLLM DLC off) so the container serves the routing the config
 * asked for.
 */
export function servingEnvironment(options: ServingOptions): Record<string, string> {
    const d = SERVING_DEFAULTS;
    const names = ENVIRONMENT_NAMES[options.family];
    const env: Record<string, string> = {};
    // The vLLM DLC serves whatever --model names; SageMaker puts the model data at /opt/ml/model.
    if (names.model) env[names.model] = MODEL_DATA_PATH;
    env[names.tensorParallel] = String(options.tensorParallelDegree ?? options.accelerators);
    const quantization = options.quantization ?? d.quantization;
    if (RUNTIME_QUANTIZATIONS.includes(quantization)) env[names.quantization] = quantization;
    if (options.speculativeDecoding) {
        env[names.speculativeConfig] = JSON.stringify({
            model: `${MODEL_DATA_PATH}/${options.speculativeDecoding.draftModelPath}`,
            num_speculative_tokens: options.speculativeDecoding.speculativeLength ?? d.speculativeLength,
        });
    }
    const adapters = options.adapterCount ?? 0;
    if (adapters > 0) {
        const maxLoras = options.maxLoras ?? Math.min(adapters, d.maxLoras);
        // The DLC's entrypoint turns an empty value into a bare `--enable-lora` flag.
        env[names.enableLora] = options.family === "vllm" ? "" : "true";
        env[names.maxLoras] = String(maxLoras);
        env[names.maxCpuLoras] = String(Math.max(maxLoras, options.maxCpuLoras ?? Math.min(adapters, d.maxCpuLoras)));
        if (options.maxLoraRank !== undefined) env[names.maxLoraRank] = String(options.maxLoraRank);
        // Adapter inference components load and unload adapters while the engine runs.
        if (names.runtimeLoraUpdating) env[names.runtimeLoraUpdating] = "True";
    }
    const sticky = options.stickySessions ?? d.stickySessions;
    env[names.statefulSessions] = String(sticky);
    if (sticky) env[names.sessionsExpiration] = String(options.sessionExpirationSeconds ?? d.sessionExpirationSeconds);
    return env;
}
