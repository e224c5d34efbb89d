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
    /**
     * Adapters one batch can use at once, each with a slot of accelerator memory reserved at start-up
     * (vLLM `--max-loras`, default 1 in vllm/config/lora.py; LMI `option.max_loras`, default 4 in
     * djl-serving's LMI-Dist user guide). A fixed default, never the adapter count: the count changes daily
     * and the environment is a create-only input of the model.
     */
    maxLoras: 8,
    /**
     * Adapters cached in host memory, the rest reloaded from disk on demand (vLLM `--max-cpu-loras`, which
     * must be >= `--max-loras` and defaults to it; LMI `option.max_cpu_loras`, passed through, default none).
     * The default is at least {@link SERVING_DEFAULTS.maxLoras}.
     */
    maxCpuLoras: 64,
} as const;

/**
 * The LoRA capacity a model serves with: `maxLoras` as declared or 8, `maxCpuLoras` as declared or
 * max(64, maxLoras), so the host cache never holds fewer adapters than a batch uses (vLLM refuses that).
 */
export function loraCapacity(options: { maxLoras?: number; maxCpuLoras?: number }): {
    maxLoras: number;
    maxCpuLoras: number;
} {
    const maxLoras = options.maxLoras ?? SERVING_DEFAULTS.maxLoras;
    return { maxLoras, maxCpuLoras: options.maxCpuLoras ?? Math.max(SERVING_DEFAULTS.maxCpuLoras, maxLoras) };
}

/** One problem with a model's LoRA settings, at a path relative to the model. */
export interface LoraIssue {
    readonly path: string;
    readonly message: string;
}

/**
 * The LoRA rules a schema alone cannot state, for the stack config and FoundationModel alike: the host
 * cache holds at least a batch's adapters (vLLM: "max_cpu_loras must be >= max_loras"), and adapters need
 * LoRA on. Reads raw values defensively: other types are the schema's to report.
 */
export function loraIssues(model: {
    enableLora?: unknown;
    maxLoras?: unknown;
    maxCpuLoras?: unknown;
    adapters?: unknown;
}): LoraIssue[] {
    const issues: LoraIssue[] = [];
    const whole = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
    if (whole(model.maxCpuLoras) && (model.maxLoras === undefined || whole(model.maxLoras))) {
        const maxLoras = (model.maxLoras as number | undefined) ?? SERVING_DEFAULTS.maxLoras;
        if (model.maxCpuLoras < maxLoras) {
            const which = model.maxLoras === undefined ? `the default maxLoras ${maxLoras}` : `maxLoras ${maxLoras}`;
            issues.push({
                path: "maxCpuLoras",
                message: `must be >= maxLoras (the host cache holds every adapter a batch uses), got ${model.maxCpuLoras} < ${which}. Raise maxCpuLoras to ${maxLoras} or more, or lower maxLoras.`,
            });
        }
    }
    const adapters = Array.isArray(model.adapters) ? model.adapters.length : 0;
    if (model.enableLora === false && adapters > 0) {
        issues.push({
            path: "enableLora",
            message: `is false, but the model has ${adapters} adapter${adapters === 1 ? "" : "s"}, which need LoRA serving. Remove enableLora (or set it to true), or remove the adapters.`,
        });
    }
    return issues;
}

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
    /** Serve LoRA adapters (attached later as adapter inference components). @default false */
    readonly enableLora?: boolean;
    /** Adapters one batch can use at once, >= 1 (read only with LoRA on). @default 8 */
    readonly maxLoras?: number;
    /** Adapters cached in host memory, >= `maxLoras` (read only with LoRA on). @default max(64, maxLoras) */
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
    // Declared settings only, never the adapter count: the environment is part of the model, which every
    // change replaces, and adapters come and go daily.
    if (options.enableLora) {
        const { maxLoras, maxCpuLoras } = loraCapacity(options);
        // The DLC's entrypoint turns an empty value into a bare `--enable-lora` flag.
        env[names.enableLora] = options.family === "vllm" ? "" : "true";
        env[names.maxLoras] = String(maxLoras);
        env[names.maxCpuLoras] = String(maxCpuLoras);
        if (options.maxLoraRank !== undefined) env[names.maxLoraRank] = String(options.maxLoraRank);
        // Adapter inference components load and unload adapters while the engine runs.
        if (names.runtimeLoraUpdating) env[names.runtimeLoraUpdating] = "True";
    }
    const sticky = options.stickySessions ?? d.stickySessions;
    env[names.statefulSessions] = String(sticky);
    if (sticky) env[names.sessionsExpiration] = String(options.sessionExpirationSeconds ?? d.sessionExpirationSeconds);
    return env;
}
