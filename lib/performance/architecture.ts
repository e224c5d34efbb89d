/**
 * The transformer shape the performance model needs (layers, KV heads, head size) when a model states only
 * its parameter count. A documented approximation, not a lookup: the KV cache it sizes is a small share of
 * the bytes a decode step reads at the context lengths the plan assumes, so a rough shape moves the
 * estimates by a few percent.
 */
export interface Architecture {
    readonly layers: number;
    /** Key/value heads (grouped-query attention shares one KV head among several query heads). */
    readonly kvHeads: number;
    readonly headDim: number;
}

/**
 * Width over depth of dense decoder LLMs: Llama 2 7B 4096/32, Llama 2 13B 5120/40, Llama 3 8B 4096/32 are
 * all 128 (Llama 2/3 70B: 8192/80 = 102). The Llama 2 paper, Table 1, and the models' config.json.
 */
export const WIDTH_PER_LAYER = 128;

/** Parameters of a dense decoder per layer: about 12 x width^2 (attention 4 d^2, MLP 8 d^2; Kaplan et al. 2020, section 2.1). */
export const PARAMETERS_PER_LAYER_PER_WIDTH_SQUARED = 12;

/**
 * KV heads assumed when a model does not say: current open models use grouped-query attention with 8 KV
 * heads of 128 (Llama 3 8B and 70B, Mistral 7B, Qwen2.5 7B-72B per their config.json). Older multi-head
 * models (Llama 2 7B/13B) keep a KV head per query head: give `architecture` for those.
 */
export const DEFAULT_KV_HEADS = 8;
/** Head size of every model above. */
export const DEFAULT_HEAD_DIM = 128;

/** KV cache entries are stored in 16 bits unless the container is told otherwise (vLLM/LMI `kv_cache_dtype` auto). */
export const KV_CACHE_BYTES_PER_VALUE = 2;

/** The approximate shape of a dense decoder of `parametersBillions` (see {@link WIDTH_PER_LAYER}). */
export function approximateArchitecture(parametersBillions: number): Architecture {
    // P = 12 L d^2 and d = 128 L  =>  d = (128 P / 12)^(1/3).
    const width = Math.cbrt((WIDTH_PER_LAYER * parametersBillions * 1e9) / PARAMETERS_PER_LAYER_PER_WIDTH_SQUARED);
    return {
        layers: Math.max(1, Math.round(width / WIDTH_PER_LAYER)),
        kvHeads: DEFAULT_KV_HEADS,
        headDim: DEFAULT_HEAD_DIM,
    };
}

/** Bytes of KV cache one token of context holds: keys and values, every layer, every KV head. */
export function kvCacheBytesPerToken(a: Architecture): number {
    return 2 * a.layers * a.kvHeads * a.headDim * KV_CACHE_BYTES_PER_VALUE;
}
