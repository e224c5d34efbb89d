import { randomUUID } from "crypto";
import { IncomingMessage, ServerResponse } from "http";
import { LoopbackServer } from "./loopback-server";
import { EventStreamCodec } from "@smithy/eventstream-codec";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
    (bytes) => decoder.decode(bytes),
    (text) => encoder.encode(text),
);

/** The exact message SageMaker answers for an inference component at zero copies. */
export const NO_CAPACITY_MESSAGE =
    "Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API.";

/** A request as the server saw it. */
export interface SeenRequest {
    readonly path: string;
    readonly headers: Record<string, string | string[] | undefined>;
    readonly body: string;
}

/** What the fake does next; tests set these between calls. */
export interface Behaviour {
    /** Requests to each component answered "no capacity" before it has a copy. */
    noCapacity: Record<string, number>;
    /** Requests answered with ThrottlingException before the next success. */
    throttle: number;
    /** Answer the next requests with a body that is not the protocol (HTML from a proxy, say). */
    malformed: number;
    /** Break the next stream after its first part with a ModelStreamError event. */
    streamError: boolean;
    /** Send a corrupted event-stream frame after the first part of the next stream. */
    corruptStream: boolean;
    /** Hold each answer this long (for timeouts and aborts). */
    delayMs: number;
    /** Hold each part of a stream after the first this long: a generation that takes its time. */
    partDelayMs: number;
    /** A container that does not close sessions: it answers a close request as any other request. */
    ignoreClose: boolean;
    /** Act on the next requests, then drop the connection instead of answering: an answer lost on the way. */
    dropAnswer: number;
    /** Session lifetime. */
    sessionTtlMs: number;
    /**
     * Inference components that are Llama Guard 3 guards: they answer LMI's `{"generated_text": ...}` with
     * `unsafe\n<codes>` when the turn they judge (the last `User:` turn, or the `Agent:` turn when the task
     * names 'Agent' messages) contains `[unsafe:<codes>]`, else `safe`.
     */
    guards: string[];
    /** What the next guard answers instead of its verdict (a guard answering in another format). */
    guardAnswer: string | undefined;
    /** The answer text models give (as LMI's `generated_text`, or a stream of its words); default: an echo. */
    answerText: string | undefined;
}

/** Every fault switched off (the session lifetime is a setting, not a fault, and is left alone). */
function normalBehaviour(): Omit<Behaviour, "sessionTtlMs"> {
    return {
        noCapacity: {},
        throttle: 0,
        malformed: 0,
        streamError: false,
        corruptStream: false,
        delayMs: 0,
        partDelayMs: 0,
        ignoreClose: false,
        dropAnswer: 0,
        guards: [],
        guardAnswer: undefined,
        answerText: undefined,
    };
}

/** The verdict of the fake Llama Guard on its prompt (see Behaviour.guards). */
function fakeGuardVerdict(body: string): string {
    let prompt = "";
    try {
        prompt = String(JSON.parse(body).inputs ?? "");
    } catch {
        return "safe";
    }
    const role = prompt.includes("unsafe content in 'Agent' messages") ? "Agent" : "User";
    const conversation = prompt.split("<BEGIN CONVERSATION>")[1]?.split("<END CONVERSATION>")[0] ?? "";
    const turn = conversation.split(`${role}: `).slice(1).pop() ?? "";
    const marker = /\[unsafe:([A-Z0-9,]+)\]/.exec(turn);
    return marker ? `unsafe\n${marker[1]}` : "safe";
}

interface SessionState {
    instance: string;
    expiresAt: number;
    closed: boolean;
}

/**
 * A loopback server that speaks the SageMaker runtime REST protocol the SDK uses: `POST
 * /endpoints/{name}/invocations` and `/invocations-response-stream` (event-stream framing), the
 * `X-Amzn-SageMaker-*` headers, and errors as `x-amzn-ErrorType` + JSON. Behind it sit simulated instances:
 * requests without a session go round-robin, requests on a session go to the session's instance.
 */
export class FakeSageMakerRuntime extends LoopbackServer {
    public readonly requests: SeenRequest[] = [];
    /** Each stream answered: the parts written, and whether the client closed it before its end. */
    public readonly streams: { parts: number; closedEarly: boolean }[] = [];
    private readonly streamsClosed: Promise<void>[] = [];
    public readonly behaviour: Behaviour = { ...normalBehaviour(), sessionTtlMs: 20 * 60 * 1000 };
    private readonly sessions = new Map<string, SessionState>();
    private next = 0;

    constructor(private readonly instances: string[] = ["i-0a", "i-0b", "i-0c"]) {
        super();
    }

    /** Settles once the connection of the `index`th stream since the last reset has closed. */
    streamClosed(index = 0): Promise<void> {
        return this.streamsClosed[index];
    }

    /**
     * Forgets seen requests, returns to normal behaviour and routes the next request to the first instance
     * again, so a test does not depend on the ones before it (sessions are kept).
     */
    reset(): void {
        this.next = 0;
        this.requests.length = 0;
        this.streams.length = 0;
        this.streamsClosed.length = 0;
        Object.assign(this.behaviour, normalBehaviour());
    }

    /** Expires a session now, as the service does after its idle lifetime. */
    expire(sessionId: string): void {
        const s = this.sessions.get(sessionId);
        if (s) s.expiresAt = Date.now() - 1;
    }

    private error(res: ServerResponse, status: number, type: string, message: string): void {
        res.writeHead(status, {
            "content-type": "application/json",
            "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazonaws.sagemaker/`,
        });
        res.end(JSON.stringify({ message }));
    }

    protected async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
        this.requests.push({ path: req.url ?? "", headers: req.headers, body });
        const b = this.behaviour;
        if (b.delayMs > 0) await new Promise((r) => setTimeout(r, b.delayMs));
        if (res.destroyed) return;

        const match = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream)$/.exec(req.url ?? "");
        if (req.method !== "POST" || !match)
            return this.error(res, 404, "UnknownOperationException", `No route for ${req.method} ${req.url}`);
        if (b.malformed > 0) {
            b.malformed--;
            res.writeHead(502, { "content-type": "text/html" });
            return void res.end("<html><body>502 Bad Gateway</body></html>");
        }
        if (b.throttle > 0) {
            b.throttle--;
            return this.error(res, 400, "ThrottlingException", "Rate exceeded");
        }
        const component = req.headers["x-amzn-sagemaker-inference-component"] as string | undefined;
        if (component && (b.noCapacity[component] ?? 0) > 0) {
            b.noCapacity[component]--;
            return this.error(res, 400, "ValidationError", NO_CAPACITY_MESSAGE);
        }

        // Routing: a session pins its instance; everything else goes round-robin.
        const sessionHeader = req.headers["x-amzn-sagemaker-session-id"] as string | undefined;
        const headers: Record<string, string> = { "x-amzn-invoked-production-variant": "AllTraffic" };
        let instance: string;
        let sessionId: string | undefined;
        if (sessionHeader === "NEW_SESSION") {
            if (match[2] !== "invocations")
                return this.error(res, 400, "ValidationError", "A response stream cannot open a new session.");
            instance = this.instances[this.next++ % this.instances.length];
            sessionId = randomUUID();
            const expiresAt = Date.now() + b.sessionTtlMs;
            this.sessions.set(sessionId, { instance, expiresAt, closed: false });
            headers["x-amzn-sagemaker-new-session-id"] = `${sessionId}; Expires=${new Date(expiresAt).toISOString()}`;
        } else if (sessionHeader) {
            const session = this.sessions.get(sessionHeader);
            if (!session || session.closed || session.expiresAt <= Date.now()) {
                return this.error(
                    res,
                    400,
                    "ValidationError",
                    `Session ${sessionHeader} is not valid: it expired, was closed or never existed.`,
                );
            }
            instance = session.instance;
            sessionId = sessionHeader;
            if (body.includes('"requestType":"CLOSE"') && !b.ignoreClose) {
                session.closed = true;
                headers["x-amzn-sagemaker-closed-session-id"] = sessionHeader;
            }
        } else {
            instance = this.instances[this.next++ % this.instances.length];
        }
        const custom = req.headers["x-amzn-sagemaker-custom-attributes"] as string | undefined;
        if (custom) headers["x-amzn-sagemaker-custom-attributes"] = custom;
        const answer = {
            instance,
            endpoint: decodeURIComponent(match[1]),
            component: component ?? null,
            targetModel: (req.headers["x-amzn-sagemaker-target-model"] as string | undefined) ?? null,
            session: sessionId ?? null,
            echo: body,
        };

        if (match[2] === "invocations") {
            if (b.dropAnswer > 0) {
                b.dropAnswer--;
                return void req.socket.destroy();
            }
            res.writeHead(200, { ...headers, "content-type": "application/json" });
            if (component && b.guards.includes(component)) {
                const verdict = b.guardAnswer ?? fakeGuardVerdict(body);
                b.guardAnswer = undefined;
                return void res.end(JSON.stringify({ generated_text: verdict }));
            }
            if (b.answerText !== undefined) return void res.end(JSON.stringify({ generated_text: b.answerText }));
            return void res.end(JSON.stringify(answer));
        }
        res.writeHead(200, {
            ...headers,
            "content-type": "application/vnd.amazon.eventstream",
            "x-amzn-sagemaker-content-type": "application/jsonlines",
        });
        // LMI streams JSON lines, one token each (docs.djl.ai LMI schema): `{"token": {"text": ...}}`.
        const parts =
            b.answerText !== undefined
                ? b.answerText.split(/(?<= )/).map((word) => `${JSON.stringify({ token: { text: word } })}\n`)
                : [
                      `{"token":"${instance}"}\n`,
                      `{"token":"${answer.component ?? answer.endpoint}"}\n`,
                      `{"token":"done"}\n`,
                  ];
        const stream = { parts: 0, closedEarly: false };
        this.streams.push(stream);
        let ended = false;
        this.streamsClosed.push(
            new Promise((resolve) =>
                res.once("close", () => {
                    stream.closedEarly = !ended;
                    resolve();
                }),
            ),
        );
        for (const [i, part] of parts.entries()) {
            if (i > 0 && b.partDelayMs > 0) await new Promise((r) => setTimeout(r, b.partDelayMs));
            if (res.destroyed) return;
            if (b.corruptStream && i === 1) {
                b.corruptStream = false;
                // A frame whose length prefix and checksums do not match its bytes.
                res.write(Buffer.from([0, 0, 0, 40, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9]));
                ended = true;
                return void res.end();
            }
            if (b.streamError && i === 1) {
                b.streamError = false;
                res.write(
                    codec.encode({
                        headers: {
                            ":message-type": { type: "string", value: "exception" },
                            ":exception-type": { type: "string", value: "ModelStreamError" },
                            ":content-type": { type: "string", value: "application/json" },
                        },
                        // The API's codes: StreamBroken (the model server's stream broke) or
                        // ModelInvocationTimeExceeded (ResponseStream, SageMaker API reference).
                        body: encoder.encode(
                            JSON.stringify({ Message: "CUDA out of memory", ErrorCode: "StreamBroken" }),
                        ),
                    }),
                );
                ended = true;
                return void res.end();
            }
            res.write(
                codec.encode({
                    headers: {
                        ":message-type": { type: "string", value: "event" },
                        ":event-type": { type: "string", value: "PayloadPart" },
                        ":content-type": { type: "string", value: "application/octet-stream" },
                    },
                    body: encoder.encode(part),
                }),
            );
            stream.parts++;
        }
        ended = true;
        res.end();
    }
}
