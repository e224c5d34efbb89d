import { ResponseStream } from "@aws-sdk/client-sagemaker-runtime";

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

/** The payload parts of a response stream, in order; a stream error becomes a {@link StreamError}. */
export async function* payloadParts(events: AsyncIterable<ResponseStream>): AsyncGenerator<Uint8Array> {
    try {
        yield* parts(events);
    } catch (error) {
        throw asStreamError(error);
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
