import { setTimeout as sleepFor } from "timers/promises";

/** Defaults of {@link ColdStartOptions}, in one place. */
export const COLD_START_DEFAULTS = {
    /** Waking a component from zero takes minutes (instance start, model download, container start). */
    budgetMs: 10 * 60 * 1000,
    initialDelayMs: 2_000,
    maxDelayMs: 30_000,
} as const;

/** Progress of a wait for capacity, for a callback or a progress line. */
export interface WakeProgress {
    /** Failed attempts so far (each answered "no capacity"). */
    readonly attempt: number;
    /** Time since the first attempt, in ms. */
    readonly elapsedMs: number;
    /** How long the next wait is, in ms. */
    readonly nextDelayMs: number;
    /** What remains of the budget, in ms. */
    readonly remainingMs: number;
}

/** How to wait for an inference component that scaled to zero. */
export interface ColdStartOptions {
    /** Give up after this long. @default 600000 (10 minutes) */
    readonly budgetMs?: number;
    /** First wait. @default 2000 */
    readonly initialDelayMs?: number;
    /** Longest wait. @default 30000 */
    readonly maxDelayMs?: number;
    /** Called before each wait. @default none */
    readonly onWaiting?: (progress: WakeProgress) => void;
    /** Aborts the wait. @default none */
    readonly signal?: AbortSignal;
    /** Clock and randomness, for tests. @default Date.now, Math.random */
    readonly now?: () => number;
    readonly random?: () => number;
    /** How to wait. @default timers/promises setTimeout honouring `signal` */
    readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Raised when the component did not wake within the budget. */
export class ColdStartTimeoutError extends Error {
    constructor(
        public readonly attempts: number,
        public readonly elapsedMs: number,
        public readonly lastError: unknown,
    ) {
        super(
            `The inference component had no capacity for ${Math.round(elapsedMs / 1000)} s over ${attempts} attempts, ` +
                `beyond the cold-start budget. It may still be waking (check its scaling alarm), or raise the budget.`,
        );
        this.name = "ColdStartTimeoutError";
    }
}

/**
 * Whether an error is SageMaker's answer for an inference component at zero copies: a ValidationError
 * "Inference Component has no capacity to process this request. ApplicationAutoScaling may be
 * in-progress ...". Only this error is worth waiting for; everything else is final (beyond the SDK's own
 * retries).
 */
export function isNoCapacityError(error: unknown): boolean {
    const e = error as { name?: string; message?: string } | undefined;
    return e?.name === "ValidationError" && /no capacity to process this request/i.test(e.message ?? "");
}

/** Capped exponential backoff with full jitter: uniform in [delay/2, delay], delay doubling up to the cap. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const defaultSleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal });

/**
 * Runs `attempt` until it succeeds, retrying only while the component has no capacity, with capped
 * exponential backoff and jitter, until the budget runs out or `signal` aborts.
 */
export async function retryWhileCold<T>(
    attempt: () => Promise<T>,
    options: ColdStartOptions = {},
): Promise<{ result: T; attempts: number; waitedMs: number }> {
    const d = COLD_START_DEFAULTS;
    const now = options.now ?? Date.now;
    const random = options.random ?? Math.random;
    const sleep = options.sleep ?? defaultSleep;
    const budget = options.budgetMs ?? d.budgetMs;
    const started = now();
    for (let failures = 0; ;) {
        try {
            const result = await attempt();
            return { result, attempts: failures + 1, waitedMs: now() - started };
        } catch (error) {
            if (!isNoCapacityError(error)) throw error;
            failures++;
            const elapsedMs = now() - started;
            const remainingMs = budget - elapsedMs;
            if (remainingMs <= 0) throw new ColdStartTimeoutError(failures, elapsedMs, error);
            const nextDelayMs = Math.min(
                remainingMs,
                backoffDelay(
                    failures,
                    options.initialDelayMs ?? d.initialDelayMs,
                    options.maxDelayMs ?? d.maxDelayMs,
                    random,
                ),
            );
            options.onWaiting?.({ attempt: failures, elapsedMs, nextDelayMs, remainingMs });
            await sleep(nextDelayMs, options.signal);
        }
    }
}
