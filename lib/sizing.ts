/** Weight quantization a serving container can apply; `none` serves bf16/fp16 weights. */
export const QUANTIZATIONS = ["none", "awq", "gptq", "fp8", "int8"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

/**
 * Bytes of accelerator memory per parameter for each quantization. bf16/fp16 take 2 bytes; fp8/int8 1;
 * 4-bit AWQ/GPTQ about 0.55-0.6 because embeddings and some layers stay fp16 (take the high end).
 */
export const BYTES_PER_PARAMETER: Readonly<Record<Quantization, number>> = {
    none: 2,
    awq: 0.6,
    gptq: 0.6,
    fp8: 1,
    int8: 1,
};

/**
 * Serving containers reserve this share of accelerator memory for weights + KV cache + activations
 * (LMI/vLLM `gpu_memory_utilization` default), so weights must fit well under it.
 */
export const DEFAULT_ACCELERATOR_MEMORY_FRACTION = 0.9;

/** `OPTION_QUANTIZE` values of LMI mapped onto the project's quantization names. */
export function quantizationFromOption(value: string | undefined): Quantization | undefined {
    if (value === undefined || value === "") return undefined;
    const v = value.toLowerCase();
    if (v === "awq" || v === "gptq" || v === "fp8" || v === "int8") return v;
    if (v === "smoothquant" || v === "llm.int8" || v === "bitsandbytes8") return "int8";
    return undefined;
}

/** GiB of accelerator memory the weights of a model take. */
export function weightsGib(parametersBillions: number, quantization: Quantization): number {
    return (parametersBillions * 1e9 * BYTES_PER_PARAMETER[quantization]) / 2 ** 30;
}

/**
 * A model size in billions of parameters read from a model id, image env or S3 path
 * (`meta-llama-3-70b-instruct` -> 70, `mixtral-8x7b` -> 56, `qwen2.5-0.5b` -> 0.5), or `undefined`.
 */
export function parseParametersBillions(text: string | undefined): number | undefined {
    if (!text) return undefined;
    const lower = text.toLowerCase();
    const experts = /(?:^|[^a-z0-9.])(\d+)x(\d+(?:\.\d+)?)b(?![a-z0-9])/.exec(lower);
    if (experts) return Number(experts[1]) * Number(experts[2]);
    const plain = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)b(?![a-z0-9])/.exec(lower);
    return plain ? Number(plain[1]) : undefined;
}
