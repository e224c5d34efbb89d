import { InstanceType } from "../catalog";

/*
 * Where a cold start's time goes, from AWS's own breakdown of one (AWS Machine Learning Blog, "Introducing
 * container caching in Amazon SageMaker AI for faster model scaling", 2026-06): Qwen3-8B on ml.g6.2xlarge with
 * the 17.7 GB LMI image took 525 s from scale-out to serving; pulling the image took 333 s while the weights
 * downloaded from S3 beside it in 168 s; with the image cached the weights took 77 s and the whole 258 s.
 * A customer's ml.g4dn.xlarge with no weights and a cached image took 134 s (P50). The talk's "58% lower
 * scaling latency" is not found in public material and is not used. Scale-out detection (the wake alarm's
 * period) comes before all of this and is not counted.
 */

/*
 * Not modelled, for want of a figure (searched 2026-12-06): an inference component's data cache
 * (`DataCacheConfig.EnableCaching`) keeps the model's artifacts and image on an instance, so a later copy on
 * that instance skips the download; AWS publishes no timing for it, and the first copy on a new instance (the
 * cold start shown) downloads anyway. Prefix-aware routing (`PREFIX_AWARE`) reuses a prompt prefix's KV cache
 * and so cuts time to first token on cache hits; AWS gives no figure for it on endpoints (HyperPod's "up to
 * 40%" TTFT is its tiered KV cache with routing, on long-context prompts, and does not transfer). Neither
 * changes the estimates here; a team's measured `performance` figures do.
 */

/** Launching an instance and starting its container, in seconds: the no-weights, cached-image case above (P50). */
export const INSTANCE_PROVISIONING_SECONDS = 134;

/**
 * Container images are cached on new instances by default since container caching shipped (2026-06, no
 * opt-in, accelerator instance types); a miss falls back to pulling from ECR.
 */
export const IMAGE_CACHED_BY_DEFAULT = true;

/** Size of the serving image assumed for an uncached pull: the LMI image of the example above, GB compressed. */
export const DEFAULT_IMAGE_GB = 17.7;

/** Image pull rate from ECR while the weights download beside it, GB/s: 17.7 GB in 333 s above. */
export const IMAGE_PULL_GB_PER_SECOND = 17.7 / 333;

/**
 * Rate weights arrive from S3, GB/s: Qwen3-8B's 16.4 GB of bf16 weights (8.2 B parameters x 2 bytes) in 77 s
 * above, with nothing else on the network. Bounded by the instance's network bandwidth as well.
 */
export const S3_DOWNLOAD_GB_PER_SECOND = 16.4 / 77;

/** Share of the instance's nominal network bandwidth a download reaches (assumption). */
export const NETWORK_EFFICIENCY = 0.8;

/** Rate weights load from local storage onto the accelerators, GB/s (assumption: deserialization-bound). */
export const LOAD_GB_PER_SECOND = 1;

/**
 * Serving engine start beyond loading the weights (memory profiling, CUDA graph capture, warm-up), seconds.
 * An assumption chosen so that provisioning + download + load + start matches the 258 s of the example.
 */
export const ENGINE_START_SECONDS = 30;

/** A cold start, step by step, in seconds. */
export interface ColdStart {
    readonly provisioningSeconds: number;
    readonly imagePullSeconds: number;
    readonly weightsDownloadSeconds: number;
    readonly loadSeconds: number;
    readonly totalSeconds: number;
}

/** Seconds to download `weightsGb` from S3 onto an instance of this type. */
export function weightsDownloadSeconds(weightsGb: number, instance: InstanceType): number {
    const networkGbPerSecond = (instance.networkGbps / 8) * NETWORK_EFFICIENCY;
    return weightsGb / Math.min(S3_DOWNLOAD_GB_PER_SECOND, networkGbPerSecond);
}

/**
 * How long a new copy takes to serve: on a new instance (scale from zero, or scale-out past the running
 * instances) provisioning + image pull (none when cached) + weights download + load; on a running instance
 * only the download and the load.
 */
export function coldStart(
    weightsGb: number,
    instance: InstanceType,
    options: { newInstance: boolean; imageCached?: boolean },
): ColdStart {
    const cached = options.imageCached ?? IMAGE_CACHED_BY_DEFAULT;
    const provisioningSeconds = options.newInstance ? INSTANCE_PROVISIONING_SECONDS : 0;
    const imagePullSeconds = options.newInstance && !cached ? DEFAULT_IMAGE_GB / IMAGE_PULL_GB_PER_SECOND : 0;
    const download = weightsDownloadSeconds(weightsGb, instance);
    // An uncached pull and the download run side by side: the longer one sets the pace.
    const fetchSeconds = Math.max(imagePullSeconds, download);
    const loadSeconds = ENGINE_START_SECONDS + weightsGb / LOAD_GB_PER_SECOND;
    return {
        provisioningSeconds,
        imagePullSeconds,
        weightsDownloadSeconds: download,
        loadSeconds,
        totalSeconds: provisioningSeconds + fetchSeconds + loadSeconds,
    };
}
