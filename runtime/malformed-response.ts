/** Raised when an answer is not the SageMaker runtime protocol (an HTML error page from a proxy, say). */
export class MalformedResponseError extends Error {
    constructor(
        public readonly httpStatusCode: number | undefined,
        public readonly cause: unknown,
    ) {
        super(
            `The endpoint answered HTTP ${httpStatusCode ?? "?"} with a body that is not the SageMaker runtime protocol ` +
                `(${String((cause as Error)?.message ?? cause).split("\n")[0]}). Something other than SageMaker answered: check --endpoint-url and any proxy.`,
        );
        this.name = "MalformedResponseError";
    }
}

/**
 * The SDK reports an unreadable answer as the parser's own error (a SyntaxError with the HTTP metadata
 * attached); anything else passes through unchanged.
 */
export function asMalformedResponse(error: unknown): unknown {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    return e?.name === "SyntaxError" && e.$metadata
        ? new MalformedResponseError(e.$metadata.httpStatusCode, error)
        : error;
}
