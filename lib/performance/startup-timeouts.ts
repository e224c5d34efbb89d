import { InstanceType } from "../catalog";
import { coldStart } from "./cold-start";

/**
 * How long SageMaker may take to start an inference component's copy before it gives up
 * (CreateInferenceComponent `Specification.StartupParameters`: `ModelDataDownloadTimeoutInSeconds` and
 * `ContainerStartupHealthCheckTimeoutInSeconds`, each 60-3600 s, "Update requires: No interruption" in the
 * CloudFormation reference), sized from the cold-start estimate of the weights' download and load.
 */

/** The API's range of each startup timeout, in seconds. */
export const STARTUP_TIMEOUT_RANGE = [60, 3600] as const;

/**
 * Headroom over the estimate: the estimate is one published median (cold-start.ts), and S3 throughput, a
 * busy instance or an engine that compiles kernels at start can each take several times longer.
 */
export const STARTUP_TIMEOUT_HEADROOM = 3;

/** Startup timeouts of one copy, in seconds. */
export interface StartupTimeouts {
    readonly modelDataDownloadTimeoutInSeconds: number;
    readonly containerStartupHealthCheckTimeoutInSeconds: number;
}

/** `seconds` with headroom, rounded up to a whole minute, within the API's range. */
const bounded = (seconds: number) => {
    const [low, high] = STARTUP_TIMEOUT_RANGE;
    return Math.min(high, Math.max(low, Math.ceil((seconds * STARTUP_TIMEOUT_HEADROOM) / 60) * 60));
};

/**
 * The startup timeouts of a copy of `weightsGb` on the slowest of the instance types its endpoint may place
 * it on: the download of the weights and their load onto the accelerators (with the engine's start), each
 * with {@link STARTUP_TIMEOUT_HEADROOM}. `undefined` when no type is known to the catalog.
 */
export function startupTimeouts(weightsGb: number, instances: readonly InstanceType[]): StartupTimeouts | undefined {
    if (instances.length === 0) return undefined;
    const starts = instances.map((instance) => coldStart(weightsGb, instance, { newInstance: false }));
    return {
        modelDataDownloadTimeoutInSeconds: bounded(Math.max(...starts.map((s) => s.weightsDownloadSeconds))),
        containerStartupHealthCheckTimeoutInSeconds: bounded(Math.max(...starts.map((s) => s.loadSeconds))),
    };
}
