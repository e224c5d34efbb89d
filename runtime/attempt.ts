/**
 * One attempt of a request, and what may end it: the caller's signal, the per-attempt timeout while the
 * response is awaited, or {@link Attempt.end}. The timeout stops once the response is there: a stream may
 * go on generating for longer than it, and aborting it then would cut the generation off mid-body.
 */
export class Attempt {
    /** The signal the SDK call takes (it destroys the HTTP request when this fires). */
    readonly signal: AbortSignal;
    private readonly controller = new AbortController();
    private readonly timer: ReturnType<typeof setTimeout> | undefined;

    constructor(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined) {
        this.signal = callerSignal ? AbortSignal.any([callerSignal, this.controller.signal]) : this.controller.signal;
        if (timeoutMs !== undefined) {
            // The reason AbortSignal.timeout gives, so callers tell a timeout from an abort the same way.
            this.timer = setTimeout(
                () =>
                    this.controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
                timeoutMs,
            );
        }
    }

    /** The response (for a stream, its start) arrived, or the attempt failed: the timeout no longer applies. */
    responded(): void {
        clearTimeout(this.timer);
    }

    /**
     * Ends the request: a stream whose reader stopped early would otherwise stay open, the model generating
     * for nobody, until the response ends. Harmless once the response has ended.
     */
    end(): void {
        this.responded();
        this.controller.abort();
    }
}
