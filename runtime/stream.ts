import { ResponseStream } from "@aws-sdk/client-sagemaker-runtime";
import type { Attempt } from "./attempt";

/** Raised when the model or the service fails in the middle of a response stream. */
export class StreamError extends Error {
    constructor(
        message: string,
        public readonly errorCode: string | undefined,
    ) {
        super(message);
        this.name = "StreamError";
    }
}

/**
 * The SDK raises modeled stream errors as exceptions of these names, and a frame it cannot decode as a
 * plain Error; anything else (an abort) passes through as itself.
 */
function asStreamError(error: unknown): unknown {
    const e = error as { name?: string; message?: string; ErrorCode?: string };
    if (e?.name === "ModelStreamError") {
        return new StreamError(`The model failed mid-stream: ${e.message}`, e.ErrorCode);
    }
    if (e?.name === "InternalStreamFailure") {
        return new StreamError(`SageMaker failed mid-stream: ${e.message}`, undefined);
    }
    if (e?.name === "Error") return new StreamError(`The response stream broke: ${e.message}`, undefined);
    return error;
}

/** What the SDK raises for a request aborted before its answer, for one aborted mid-stream: the same error. */
function abortError(signal: AbortSignal): Error {
    const error = new Error("Request aborted", { cause: signal.reason });
    error.name = "AbortError";
    return error;
}

/**
 * The payload parts of a response stream, in order; a stream error becomes a {@link StreamError}. With the
 * request's attempt: a stream cut by the caller's abort fails as an abort (an AbortError whose cause is the
 * signal's reason, as before the stream starts), not as a broken stream; and the request ends with the
 * reading, early or not.
 */
export async function* payloadParts(
    events: AsyncIterable<ResponseStream>,
    request?: Pick<Attempt, "signal" | "end">,
): AsyncGenerator<Uint8Array> {
    try {
        yield* parts(events);
    } catch (error) {
        throw request?.signal.aborted ? abortError(request.signal) : asStreamError(error);
    } finally {
        request?.end();
    }
}

async function* parts(events: AsyncIterable<ResponseStream>): AsyncGenerator<Uint8Array> {
    for await (const event of events) {
        if (event.PayloadPart) {
            if (event.PayloadPart.Bytes) yield event.PayloadPart.Bytes;
        } else if (event.ModelStreamError) {
            throw new StreamError(
                `The model failed mid-stream: ${event.ModelStreamError.Message ?? "no message"}`,
                event.ModelStreamError.ErrorCode,
            );
        } else if (event.InternalStreamFailure) {
            throw new StreamError(
                `SageMaker failed mid-stream: ${event.InternalStreamFailure.Message ?? "no message"}`,
                undefined,
            );
        }
    }
}
