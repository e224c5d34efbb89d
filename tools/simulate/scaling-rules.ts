import { backoffDelay, COLD_START_DEFAULTS } from "../../runtime/cold-start";

/**
 * The rules of AWS's scalers the simulator applies, each with its source. Where AWS does not publish a
 * figure, the value is marked *unconfirmed* and kept here, in one place, so a better source is one edit.
 */
export const SCALING_RULES = {
    /**
     * The simulator's step, in seconds: the period of the high-resolution concurrency metrics ("emitted every
     * 10 seconds", SageMaker developer guide, "Define a scaling policy"; AWS ML blog, Jul 2024, "faster auto
     * scaling for generative AI models"). Nothing a scaler sees changes faster than this.
     */
    tickSeconds: 10,
    /** Period of a standard (non high-resolution) metric, in seconds. */
    standardPeriodSeconds: 60,
    /**
     * Target tracking's scale-out alarm: Application Auto Scaling creates a high alarm of 3 datapoints in 3
     * periods (Application Auto Scaling user guide, "How target tracking works": the alarms it creates and
     * manages). With the high-resolution metric a period is 10 s: 30 s to detect, against 3 minutes on a
     * 60 s metric, AWS's "up to 6x faster" detection.
     */
    scaleOutDatapoints: 3,
    /**
     * Target tracking's scale-in alarm: 15 datapoints of one minute (the low alarm Application Auto Scaling
     * creates). It matches the scale-to-zero guide's observation that copies reach 0 after ~10-15 minutes idle.
     * Assumed one-minute datapoints on the high-resolution metric too (*unconfirmed*).
     */
    scaleInPeriodSeconds: 60,
    scaleInDatapoints: 15,
    /**
     * Target tracking scales in only once the metric is clearly below target, "typically more than 10%
     * lower" (Application Auto Scaling user guide, "How target tracking works").
     */
    scaleInThreshold: 0.9,
    /**
     * Cooldowns when a policy states none: 300 s for SageMaker targets (Application Auto Scaling user guide,
     * "Define cooldown periods"; the SageMaker scale-to-zero guide uses 300 too).
     */
    defaultCooldownSeconds: 300,
    /**
     * CloudWatch invokes an alarm's Auto Scaling action once per minute while the alarm stays in ALARM
     * (CloudWatch user guide, "Alarm actions": alarms act on state changes, except Auto Scaling actions).
     * A step policy then adds its adjustment to the desired count whenever its cooldown has passed.
     */
    alarmReinvokeSeconds: 60,
    /**
     * Managed instance scaling releases an instance that hosts no copy after about 10 minutes (the project's
     * SageMaker facts: "instances terminate ~10 min later" than the copies; *unconfirmed* as an exact figure).
     */
    idleInstanceReleaseSeconds: 600,
    /** `ScaleInPolicy` defaults of CONSOLIDATION: 20 minutes' cooldown, 1 instance a step (CreateEndpointConfig). */
    consolidationCooldownMinutes: 20,
    consolidationMaximumStep: 1,
} as const;

/**
 * When a caller that met an inference component at zero copies tries again, as `fm-fleet invoke` does
 * (runtime/cold-start.ts: capped exponential backoff with jitter within a 10-minute budget): the seconds
 * after its first attempt at which it retries, the last at the budget. The jitter is taken at its mean.
 */
export function retryOffsetsSeconds(
    budgetMs: number = COLD_START_DEFAULTS.budgetMs,
    initialDelayMs: number = COLD_START_DEFAULTS.initialDelayMs,
    maxDelayMs: number = COLD_START_DEFAULTS.maxDelayMs,
): number[] {
    const offsets: number[] = [];
    let elapsed = 0;
    for (let failures = 1; elapsed < budgetMs; failures++) {
        elapsed += Math.min(
            budgetMs - elapsed,
            backoffDelay(failures, initialDelayMs, maxDelayMs, () => 0.5),
        );
        offsets.push(elapsed / 1000);
    }
    return offsets;
}

/**
 * How long a caller waits who first tried `sinceFirstTry` seconds before a copy became ready: until its
 * first retry at or after that moment; `undefined` when its budget ran out first (the call fails).
 */
export function retryWaitSeconds(offsets: readonly number[], readyAfterSeconds: number): number | undefined {
    if (readyAfterSeconds <= 0) return 0;
    // Binary search: the first offset >= readyAfterSeconds.
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (offsets[mid] < readyAfterSeconds) lo = mid + 1;
        else hi = mid;
    }
    return lo < offsets.length ? offsets[lo] : undefined;
}
