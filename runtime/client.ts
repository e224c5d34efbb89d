import {
    InvokeEndpointCommand,
    InvokeEndpointWithResponseStreamCommand,
    SageMakerRuntimeClient,
    SageMakerRuntimeClientConfig,
} from "@aws-sdk/client-sagemaker-runtime";
import { Attempt } from "./attempt";
import { ColdStartOptions, retryWhileCold } from "./cold-start";
import { asMalformedResponse } from "./malformed-response";
import {
    isExpired,
    NEW_SESSION,
    parseNewSessionId,
    Session,
    SessionExpiredError,
    SessionNotClosedError,
} from "./sessions";
import { FleetNames, parseStackOutputs, resolveTarget, StackOutputsError, TargetRef } from "./stack-outputs";
import { payloadParts } from "./stream";
import { answerTextOf, Guard, GuardFailedError, guardRequestBody, judge, promptTextOf } from "./guard";
import type { GuardCheck } from "../lib/guard";

/** Where a request goes: an inference component (base or adapter) or a model of a multi-model endpoint. */
export interface Target {
    readonly endpointName: string;
    /** Inference component to invoke: a base model or a fine-tuned adapter. @default none */
    readonly inferenceComponentName?: string;
    /** Model key under a multi-model endpoint's prefix (`TargetModel`). @default none */
    readonly targetModel?: string;
    /**
     * The endpoint's safety guard (set by {@link FleetClient.target} from the stack outputs): with `input`
     * checked the prompt goes to it first, with `output` the answer does before it is returned.
     * @default none - no screening
     */
    readonly guard?: Guard;
}

/** One request. */
export interface InvokeRequest extends Target {
    /** Bytes or text as is; any other value is sent as JSON. */
    readonly body: Uint8Array | string | object;
    /** @default "application/json" */
    readonly contentType?: string;
    /** @default none - the container's default */
    readonly accept?: string;
    /** `X-Amzn-SageMaker-Custom-Attributes`, passed to the container. @default none */
    readonly customAttributes?: string;
    /** A session (or its id) to route to the same instance. @default none */
    readonly session?: Session | string;
    /** Aborts the request and any wait for capacity. @default none */
    readonly signal?: AbortSignal;
    /** Per-attempt timeout in ms. @default the client's `requestTimeoutMs` (none unless set) */
    readonly timeoutMs?: number;
    /**
     * Calls the model without its endpoint's guard: for operators, explicitly (the CLI's `--no-guard`).
     * @default false - a target's guard screens the prompt and the answer
     */
    readonly unguarded?: boolean;
}

/** A response. */
export interface InvokeResult {
    readonly body: Uint8Array;
    readonly contentType: string | undefined;
    readonly invokedProductionVariant: string | undefined;
    readonly customAttributes: string | undefined;
    /** The session the service opened, when the request asked for one. */
    readonly newSession: Session | undefined;
    /** The session the container closed, when the request closed one. */
    readonly closedSessionId: string | undefined;
    /** Attempts it took (more than 1 when the component was woken from zero). */
    readonly attempts: number;
    /** Time spent waiting for capacity, in ms. */
    readonly waitedMs: number;
    /** The body as UTF-8 text. */
    text(): string;
    /** The body parsed as JSON. */
    json<T = unknown>(): T;
}

/** Options of {@link FleetClient}. */
export interface FleetClientOptions extends Omit<ColdStartOptions, "signal"> {
    /** An SDK client to use. @default a new SageMakerRuntimeClient from `sdk` */
    readonly client?: SageMakerRuntimeClient;
    /** SDK client config (region, endpoint, credentials, maxAttempts...). @default the SDK's defaults */
    readonly sdk?: SageMakerRuntimeClientConfig;
    /** Per-attempt timeout in ms. @default none - the SDK's HTTP handler's own timeouts */
    readonly requestTimeoutMs?: number;
}

/** Body the LMI container takes to close a sticky session. */
export const CLOSE_SESSION_BODY = { requestType: "CLOSE" };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeBody(body: InvokeRequest["body"]): Uint8Array {
    if (body instanceof Uint8Array) return body;
    return encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
}

function sessionIdOf(session: InvokeRequest["session"]): string | undefined {
    if (session === undefined || typeof session === "string") return session;
    if (isExpired(session)) throw new SessionExpiredError(session);
    return session.id;
}

/**
 * A small client for the fleet: invokes base models, adapters and multi-model targets, opens and closes
 * sticky sessions, streams, and waits out a cold start when a component scaled to zero. Built on the SDK
 * v3 client; retries other than waking are the SDK's own, except for opening and closing a session, which
 * are sent once.
 */
export class FleetClient {
    public readonly sdk: SageMakerRuntimeClient;
    /**
     * The same SDK client with its retries off, for the requests that change a container's state: opening
     * a session (a retry after a lost answer opens a second one) and closing one (a retry fails on the
     * session the first closed). A client passed in `options.client` is used as it is.
     */
    private readonly sdkOnce: SageMakerRuntimeClient;
    /** The stack's names, when the client was made {@link fromStackOutputs}. */
    public readonly names: FleetNames | undefined;
    private readonly options: FleetClientOptions;

    constructor(options: FleetClientOptions = {}, names?: FleetNames) {
        this.sdk = options.client ?? new SageMakerRuntimeClient(options.sdk ?? {});
        this.sdkOnce =
            options.client ?? new SageMakerRuntimeClient({ ...options.sdk, retryStrategy: undefined, maxAttempts: 1 });
        this.options = options;
        this.names = names;
    }

    /**
     * A client that calls the fleet by the names in the stack config: `outputs` is the JSON of
     * `pulumi stack output --json` (or the offline plan's JSON). Throws a StackOutputsError when they are
     * not an fm-fleet stack's.
     */
    static fromStackOutputs(
        outputs: unknown,
        options: FleetClientOptions = {},
        source = "the stack outputs",
    ): FleetClient {
        return new FleetClient(options, parseStackOutputs(outputs, source));
    }

    /**
     * The physical target of config names (`{endpoint: "chat", model: "llama3-8b", adapter: "support-bot"}`);
     * unknown names fail with the known ones. Needs a client made {@link fromStackOutputs}.
     */
    target(ref: TargetRef): Target {
        if (!this.names)
            throw new StackOutputsError("this client has no stack outputs: make it with FleetClient.fromStackOutputs.");
        return resolveTarget(this.names, ref);
    }

    private coldStart(signal: AbortSignal | undefined): ColdStartOptions {
        return { ...this.options, signal };
    }

    private timeout(request: { timeoutMs?: number }): number | undefined {
        return request.timeoutMs ?? this.options.requestTimeoutMs;
    }

    /**
     * Invokes a model, waiting for capacity if its component is waking from zero. With a guard on the target
     * (and no `unguarded`), the prompt is screened before the model sees it and the answer before it is
     * returned; a blocked one throws a GuardBlockedError, a guard without a verdict a GuardFailedError.
     */
    async invoke(request: InvokeRequest): Promise<InvokeResult> {
        const guard = this.guardOf(request);
        if (guard?.checks.includes("input"))
            await this.screen(guard, "input", { prompt: promptTextOf(request.body) }, request);
        const result = await this.invokeOn(request, request.session === NEW_SESSION ? this.sdkOnce : this.sdk);
        if (guard?.checks.includes("output")) {
            await this.screen(
                guard,
                "output",
                { prompt: promptTextOf(request.body), answer: answerTextOf(result.body) },
                request,
            );
        }
        return result;
    }

    private guardOf(request: Pick<InvokeRequest, "guard" | "unguarded">): Guard | undefined {
        return request.unguarded ? undefined : request.guard;
    }

    /**
     * Asks the guard about one check: through the same wake and retry rules as any call. No verdict (no
     * capacity within the budget, a timeout, an error, an answer in another format) fails closed; the
     * caller's own abort stays an abort.
     */
    private async screen(
        guard: Guard,
        check: GuardCheck,
        conversation: { prompt: string; answer?: string },
        request: Pick<InvokeRequest, "endpointName" | "signal" | "timeoutMs">,
    ): Promise<void> {
        let answer: InvokeResult;
        try {
            answer = await this.invokeOn(
                {
                    endpointName: request.endpointName,
                    inferenceComponentName: guard.inferenceComponentName,
                    body: guardRequestBody(guard, check, conversation),
                    signal: request.signal,
                    timeoutMs: request.timeoutMs,
                },
                this.sdk,
            );
        } catch (e) {
            if (request.signal?.aborted) throw e;
            const error = e as Error;
            throw new GuardFailedError(guard.name, `${error.name}: ${error.message.split("\n")[0]}`, { cause: e });
        }
        judge(guard, check, answer.body);
    }

    private async invokeOn(request: InvokeRequest, sdk: SageMakerRuntimeClient): Promise<InvokeResult> {
        const sessionId = sessionIdOf(request.session);
        const command = new InvokeEndpointCommand({
            EndpointName: request.endpointName,
            InferenceComponentName: request.inferenceComponentName,
            TargetModel: request.targetModel,
            Body: encodeBody(request.body),
            ContentType: request.contentType ?? "application/json",
            Accept: request.accept,
            CustomAttributes: request.customAttributes,
            SessionId: sessionId,
        });
        const { result, attempts, waitedMs } = await retryWhileCold(
            async () => (await this.attempt((abortSignal) => sdk.send(command, { abortSignal }), request)).output,
            this.coldStart(request.signal),
        );
        const body = result.Body ?? new Uint8Array();
        return {
            body,
            contentType: result.ContentType,
            invokedProductionVariant: result.InvokedProductionVariant,
            customAttributes: result.CustomAttributes,
            newSession: result.NewSessionId ? parseNewSessionId(result.NewSessionId) : undefined,
            closedSessionId: result.ClosedSessionId,
            attempts,
            waitedMs,
            text: () => decoder.decode(body),
            json: <T>() => JSON.parse(decoder.decode(body)) as T,
        };
    }

    /** Opens a sticky session with a first request; later requests pass `result.newSession`. */
    async openSession(request: Omit<InvokeRequest, "session">): Promise<InvokeResult & { newSession: Session }> {
        const result = await this.invoke({ ...request, session: NEW_SESSION });
        if (!result.newSession) {
            throw new Error(
                `Endpoint ${request.endpointName} answered without a session id: sticky sessions are off for this model (enable stickySessions).`,
            );
        }
        return result as InvokeResult & { newSession: Session };
    }

    /**
     * Closes a session with the container's close request; returns the id the service reports closed, and
     * throws a {@link SessionNotClosedError} when it reports none.
     */
    async closeSession(target: Target, session: Session | string, signal?: AbortSignal): Promise<string> {
        const id = typeof session === "string" ? session : session.id;
        // Closing sends no prompt: nothing for a guard to screen.
        const result = await this.invokeOn(
            { ...target, guard: undefined, body: CLOSE_SESSION_BODY, session: id, signal },
            this.sdkOnce,
        );
        if (!result.closedSessionId) throw new SessionNotClosedError(id, target.endpointName);
        return result.closedSessionId;
    }

    /**
     * Streams a response (`InvokeEndpointWithResponseStream`) as its payload parts, on a session if given
     * (a stream can use an existing session but cannot open one). Waits out a cold start before the stream.
     * With a guard: the prompt is screened before the stream starts; with `output` checked the whole answer is
     * read and screened before its first part is handed out (a guard judges a whole answer, and a part once
     * printed cannot be taken back), so the caller gets every part or, blocked, none.
     */
    async stream(request: Omit<InvokeRequest, "targetModel">): Promise<AsyncIterable<Uint8Array>> {
        const sessionId = sessionIdOf(request.session);
        if (sessionId === NEW_SESSION) {
            throw new Error(
                "A response stream cannot open a session: open it with invoke first, then stream on its id.",
            );
        }
        const guard = this.guardOf(request);
        if (guard?.checks.includes("input"))
            await this.screen(guard, "input", { prompt: promptTextOf(request.body) }, request);
        const parts = await this.streamParts(request, sessionId);
        if (!guard?.checks.includes("output")) return parts;
        const held: Uint8Array[] = [];
        for await (const part of parts) held.push(part);
        const answer = answerTextOf(Buffer.concat(held));
        await this.screen(guard, "output", { prompt: promptTextOf(request.body), answer }, request);
        return (async function* () {
            yield* held;
        })();
    }

    private async streamParts(
        request: Omit<InvokeRequest, "targetModel">,
        sessionId: string | undefined,
    ): Promise<AsyncIterable<Uint8Array>> {
        const command = new InvokeEndpointWithResponseStreamCommand({
            EndpointName: request.endpointName,
            InferenceComponentName: request.inferenceComponentName,
            Body: encodeBody(request.body),
            ContentType: request.contentType ?? "application/json",
            Accept: request.accept,
            CustomAttributes: request.customAttributes,
            SessionId: sessionId,
        });
        const { result } = await retryWhileCold(
            () => this.attempt((abortSignal) => this.sdk.send(command, { abortSignal }), request),
            this.coldStart(request.signal),
        );
        if (!result.output.Body) {
            result.attempt.end();
            throw new Error(`Endpoint ${request.endpointName} answered a stream request without a stream.`);
        }
        return payloadParts(result.output.Body, result.attempt);
    }

    /**
     * Sends one attempt of a command. Its timeout bounds the wait for the response: for InvokeEndpoint the
     * whole body (the SDK reads it before answering), for a stream its start.
     */
    private async attempt<Output>(
        send: (abortSignal: AbortSignal) => Promise<Output>,
        request: { signal?: AbortSignal; timeoutMs?: number },
    ): Promise<{ output: Output; attempt: Attempt }> {
        const attempt = new Attempt(request.signal, this.timeout(request));
        try {
            return { output: await send(attempt.signal), attempt };
        } catch (e) {
            throw asMalformedResponse(e);
        } finally {
            attempt.responded();
        }
    }
}
