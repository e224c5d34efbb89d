import * as assert from "node:assert/strict";
import {
    ColdStartTimeoutError,
    FleetClient,
    FleetClientOptions,
    MalformedResponseError,
    SessionExpiredError,
    StreamError,
    WakeProgress,
} from "../../runtime";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { FakeSageMakerRuntime, NO_CAPACITY_MESSAGE } from "../../tools/loopback/sagemaker-runtime-server";

const decoder = new TextDecoder();

/** Reads a stream to its end (or its error), decoding each part into `parts`. */
async function collect(stream: Promise<AsyncIterable<Uint8Array>>, parts: string[]): Promise<void> {
    for await (const part of await stream) parts.push(decoder.decode(part));
}

describe("FleetClient against a loopback SageMaker runtime", () => {
    const server = new FakeSageMakerRuntime();
    let url = "";

    before(async () => {
        url = await server.start();
    });
    after(() => server.stop());
    beforeEach(() => server.reset());

    /** A client on the real SDK, pointed at the loopback server with static test credentials. */
    function client(options: Partial<FleetClientOptions> = {}): FleetClient {
        return new FleetClient({
            sdk: {
                region: "us-east-1",
                endpoint: url,
                credentials: { accessKeyId: "AKIDFMFLEETTEST", secretAccessKey: "test-secret" },
                // The SDK's own retry policy (3 attempts), with a short backoff so the suite stays fast.
                retryStrategy: new ConfiguredRetryStrategy(3, 10),
            },
            initialDelayMs: 5,
            maxDelayMs: 20,
            ...options,
        });
    }

    it("invokes a base model's inference component and returns body and metadata", async () => {
        const result = await client().invoke({
            endpointName: "chat-endpoint",
            inferenceComponentName: "chat-llama3-8b-ic",
            body: { inputs: "hello" },
            customAttributes: "trace=abc",
        });
        const seen = server.requests[0];
        assert.equal(seen.path, "/endpoints/chat-endpoint/invocations");
        assert.equal(seen.headers["x-amzn-sagemaker-inference-component"], "chat-llama3-8b-ic");
        assert.equal(seen.headers["content-type"], "application/json");
        assert.match(
            String(seen.headers.authorization),
            /^AWS4-HMAC-SHA256 Credential=AKIDFMFLEETTEST\/\d{8}\/us-east-1\/sagemaker\/aws4_request/,
        );
        assert.equal(seen.body, '{"inputs":"hello"}');
        assert.deepEqual(result.json(), {
            instance: "i-0a",
            endpoint: "chat-endpoint",
            component: "chat-llama3-8b-ic",
            targetModel: null,
            session: null,
            echo: '{"inputs":"hello"}',
        });
        assert.equal(result.contentType, "application/json");
        assert.equal(result.invokedProductionVariant, "AllTraffic");
        assert.equal(result.customAttributes, "trace=abc");
        assert.equal(result.attempts, 1);
        assert.equal(result.newSession, undefined);
    });

    it("sends an adapter's component name, and a multi-model endpoint's target model", async () => {
        const c = client();
        await c.invoke({
            endpointName: "chat-endpoint",
            inferenceComponentName: "chat-adapters-support-bot",
            body: "hi",
            contentType: "text/plain",
        });
        await c.invoke({
            endpointName: "classic-endpoint",
            targetModel: "churn/v3.tar.gz",
            body: "1,2,3",
            contentType: "text/csv",
        });
        assert.equal(server.requests[0].headers["x-amzn-sagemaker-inference-component"], "chat-adapters-support-bot");
        assert.equal(server.requests[0].headers["content-type"], "text/plain");
        assert.equal(server.requests[1].headers["x-amzn-sagemaker-target-model"], "churn/v3.tar.gz");
        assert.equal(server.requests[1].headers["x-amzn-sagemaker-inference-component"], undefined);
        assert.equal(server.requests[1].body, "1,2,3");
    });

    it("keeps a sticky session on one instance, while requests without one spread", async () => {
        const c = client();
        const target = { endpointName: "chat-endpoint", inferenceComponentName: "chat-llava-ic" };
        const opened = await c.openSession({ ...target, body: { image: "s3://x/cat.png" } });
        assert.equal(server.requests[0].headers["x-amzn-sagemaker-session-id"], "NEW_SESSION");
        assert.match(opened.newSession.id, /^[0-9a-f-]{36}$/);
        assert.ok(opened.newSession.expiresAt!.getTime() > Date.now() + 19 * 60 * 1000);
        const pinned = opened.json<{ instance: string }>().instance;
        for (let i = 0; i < 5; i++) {
            const r = await c.invoke({ ...target, body: { q: i }, session: opened.newSession });
            assert.equal(r.json<{ instance: string }>().instance, pinned);
            assert.equal(server.requests.at(-1)!.headers["x-amzn-sagemaker-session-id"], opened.newSession.id);
        }
        const spread = new Set<string>();
        for (let i = 0; i < 3; i++)
            spread.add((await c.invoke({ ...target, body: {} })).json<{ instance: string }>().instance);
        assert.equal(spread.size, 3);
    });

    it("refuses an expired session before sending, and passes the service's expiry error through unretried", async () => {
        const c = client();
        const target = { endpointName: "chat-endpoint", inferenceComponentName: "chat-llava-ic" };
        const expired = { id: "s-1", expiresAt: new Date(Date.now() - 1000) };
        await assert.rejects(c.invoke({ ...target, body: {}, session: expired }), (e: Error) => {
            assert.ok(e instanceof SessionExpiredError);
            assert.equal(
                e.message,
                `Session s-1 expired at ${expired.expiresAt.toISOString()}. Open a new one (--session new) and resend.`,
            );
            return true;
        });
        assert.equal(server.requests.length, 0);

        const { newSession } = await c.openSession({ ...target, body: {} });
        server.expire(newSession.id);
        await assert.rejects(c.invoke({ ...target, body: {}, session: newSession.id }), {
            name: "ValidationError",
            message: `Session ${newSession.id} is not valid: it expired, was closed or never existed.`,
        });
        assert.equal(server.requests.length, 2);
    });

    it("closes a session with the container's close request and reads ClosedSessionId", async () => {
        const c = client();
        const target = { endpointName: "chat-endpoint", inferenceComponentName: "chat-llava-ic" };
        const { newSession } = await c.openSession({ ...target, body: {} });
        assert.equal(await c.closeSession(target, newSession), newSession.id);
        assert.equal(server.requests[1].body, '{"requestType":"CLOSE"}');
        await assert.rejects(c.invoke({ ...target, body: {}, session: newSession }), { name: "ValidationError" });
    });

    it("sends opening and closing a session once: a retry after a lost answer would open a second one", async () => {
        const c = client();
        const target = { endpointName: "chat-endpoint", inferenceComponentName: "chat-llava-ic" };
        server.behaviour.dropAnswer = 1;
        await assert.rejects(c.openSession({ ...target, body: {} }), { code: "ECONNRESET" });
        assert.equal(server.requests.length, 1, "sent once");
        const { newSession } = await c.openSession({ ...target, body: {} });
        server.behaviour.dropAnswer = 1;
        await assert.rejects(c.closeSession(target, newSession), { code: "ECONNRESET" });
        assert.equal(server.requests.length, 3, "sent once");
        // Other requests keep the SDK's retries: a dropped answer is sent again.
        server.behaviour.dropAnswer = 1;
        assert.equal((await c.invoke({ ...target, body: {} })).attempts, 1);
        assert.equal(server.requests.length, 5);
    });

    it("fails a close that the container answered without closing the session", async () => {
        const c = client();
        const target = { endpointName: "chat-endpoint", inferenceComponentName: "chat-llava-ic" };
        const { newSession } = await c.openSession({ ...target, body: {} });
        server.behaviour.ignoreClose = true;
        await assert.rejects(c.closeSession(target, newSession), {
            name: "SessionNotClosedError",
            message: `Endpoint chat-endpoint answered the close of session ${newSession.id} without closing it (no ClosedSessionId): its container does not close sessions on {"requestType":"CLOSE"}, or the session is not its.`,
        });
        // The session is still open, and usable.
        assert.equal((await c.invoke({ ...target, body: {}, session: newSession })).attempts, 1);
    });

    it("streams payload parts in order, on a session too", async () => {
        const c = client();
        const target = { endpointName: "chat-endpoint", inferenceComponentName: "chat-llama3-8b-ic" };
        const parts: string[] = [];
        for await (const part of await c.stream({ ...target, body: { inputs: "hi", stream: true } }))
            parts.push(decoder.decode(part));
        assert.deepEqual(parts, ['{"token":"i-0a"}\n', '{"token":"chat-llama3-8b-ic"}\n', '{"token":"done"}\n']);
        assert.equal(server.requests[0].path, "/endpoints/chat-endpoint/invocations-response-stream");

        const { newSession, json } = await c.openSession({ ...target, body: {} });
        const instance = json<{ instance: string }>().instance;
        const first: string[] = [];
        for await (const part of await c.stream({ ...target, body: {}, session: newSession }))
            first.push(decoder.decode(part));
        assert.equal(first[0], `{"token":"${instance}"}\n`);
        assert.equal(server.requests.at(-1)!.headers["x-amzn-sagemaker-session-id"], newSession.id);
        await assert.rejects(c.stream({ ...target, body: {}, session: "NEW_SESSION" }), {
            message: "A response stream cannot open a session: open it with invoke first, then stream on its id.",
        });
    });

    it("turns a mid-stream model error into a StreamError after the parts before it", async () => {
        server.behaviour.streamError = true;
        const parts: string[] = [];
        await assert.rejects(
            collect(client().stream({ endpointName: "e", inferenceComponentName: "ic", body: {} }), parts),
            (e: Error) => {
                assert.ok(e instanceof StreamError, `${e.name}: ${e.message}`);
                assert.equal(e.message, "The model failed mid-stream: CUDA out of memory");
                assert.equal(e.errorCode, "StreamBroken");
                return true;
            },
        );
        assert.equal(parts.length, 1);
        assert.match(parts[0], /^\{"token":"i-0[abc]"\}\n$/);
    });

    it("wakes a component that scaled to zero: waits with backoff through no-capacity answers", async () => {
        server.behaviour.noCapacity["chat-llama3-8b-ic"] = 3;
        const progress: WakeProgress[] = [];
        const result = await client({ onWaiting: (p) => progress.push(p) }).invoke({
            endpointName: "chat-endpoint",
            inferenceComponentName: "chat-llama3-8b-ic",
            body: {},
        });
        assert.equal(result.attempts, 4);
        assert.equal(server.requests.length, 4);
        assert.deepEqual(
            progress.map((p) => p.attempt),
            [1, 2, 3],
        );
        for (const p of progress) assert.ok(p.nextDelayMs >= 2 && p.nextDelayMs <= 20, String(p.nextDelayMs));
        assert.ok(result.waitedMs >= 0);
    });

    it("gives up when the cold-start budget runs out", async () => {
        server.behaviour.noCapacity["cold-ic"] = 1_000;
        await assert.rejects(
            client({ budgetMs: 150 }).invoke({ endpointName: "e", inferenceComponentName: "cold-ic", body: {} }),
            (e: Error) => {
                assert.ok(e instanceof ColdStartTimeoutError);
                assert.match(
                    e.message,
                    /^The inference component had no capacity for 0 s over \d+ attempts, beyond the cold-start budget\./,
                );
                assert.equal((e.lastError as Error).message, NO_CAPACITY_MESSAGE);
                return true;
            },
        );
        assert.ok(server.requests.length >= 3, `${server.requests.length} attempts`);
    });

    it("leaves throttling to the SDK's own retries and does not retry it further", async () => {
        server.behaviour.throttle = 2;
        const ok = await client().invoke({ endpointName: "e", inferenceComponentName: "ic", body: {} });
        assert.equal(ok.attempts, 1);
        assert.equal(server.requests.length, 3);

        server.requests.length = 0;
        server.behaviour.throttle = 10;
        await assert.rejects(client().invoke({ endpointName: "e", inferenceComponentName: "ic", body: {} }), {
            name: "ThrottlingException",
        });
        assert.equal(server.requests.length, 3);
    });

    it("does not retry other validation errors", async () => {
        await assert.rejects(
            client().invoke({ endpointName: "e", inferenceComponentName: "ic", body: {}, session: "unknown" }),
            {
                name: "ValidationError",
            },
        );
        assert.equal(server.requests.length, 1);
    });

    it("fails clearly on a malformed response, and on a corrupted stream frame", async () => {
        server.behaviour.malformed = 5;
        await assert.rejects(
            client().invoke({ endpointName: "e", inferenceComponentName: "ic", body: {} }),
            (e: Error) => {
                assert.ok(e instanceof MalformedResponseError, `${e.name}: ${e.message}`);
                assert.equal(e.httpStatusCode, 502);
                assert.match(
                    e.message,
                    /^The endpoint answered HTTP 502 with a body that is not the SageMaker runtime protocol \(Unexpected token '<', "<html><bod"\.\.\. is not valid JSON\)\. Something other than SageMaker answered: check --endpoint-url and any proxy\.$/,
                );
                return true;
            },
        );

        server.behaviour.malformed = 0;
        server.behaviour.corruptStream = true;
        const parts: string[] = [];
        await assert.rejects(
            collect(client().stream({ endpointName: "e", inferenceComponentName: "ic", body: {} }), parts),
            (e: Error) => {
                assert.ok(e instanceof StreamError, `${e.name}: ${e.message}`);
                assert.equal(e.message, "The response stream broke: Truncated event message received.");
                return true;
            },
        );
        assert.equal(parts.length, 1);
    });

    it("honours an abort signal, during a request and during a wait for capacity", async () => {
        server.behaviour.delayMs = 2_000;
        const started = Date.now();
        await assert.rejects(
            client().invoke({
                endpointName: "e",
                inferenceComponentName: "ic",
                body: {},
                signal: AbortSignal.timeout(50),
            }),
            (e: Error) => ["AbortError", "TimeoutError"].includes(e.name),
        );
        assert.ok(Date.now() - started < 1_500);

        server.behaviour.delayMs = 0;
        server.behaviour.noCapacity["cold-ic"] = 1_000;
        const controller = new AbortController();
        const waiting = client({ initialDelayMs: 5_000, maxDelayMs: 5_000 }).invoke({
            endpointName: "e",
            inferenceComponentName: "cold-ic",
            body: {},
            signal: controller.signal,
        });
        setTimeout(() => controller.abort(), 50);
        const abortedAt = Date.now();
        await assert.rejects(waiting, { name: "AbortError" });
        assert.ok(Date.now() - abortedAt < 1_500);
    });

    it("honours a per-request timeout", async () => {
        server.behaviour.delayMs = 1_000;
        await assert.rejects(
            client({ requestTimeoutMs: 60 }).invoke({ endpointName: "e", inferenceComponentName: "ic", body: {} }),
            (e: Error) => ["AbortError", "TimeoutError"].includes(e.name),
        );
    });

    describe("a stream's request, from its start to its end", () => {
        const request = { endpointName: "e", inferenceComponentName: "ic", body: {} };
        /** Waits (up to 2 s) until the server has seen the stream's connection close. */
        async function closed(): Promise<{ parts: number; closedEarly: boolean }> {
            for (const deadline = Date.now() + 2_000; Date.now() < deadline;) {
                if (server.streams[0]?.closedEarly) break;
                await new Promise((r) => setTimeout(r, 10));
            }
            return server.streams[0];
        }

        it("bounds the wait for the stream's start by the timeout, not the generation after it", async () => {
            // Three parts 150 ms apart: the generation outlasts the 100 ms timeout, and must not be cut.
            server.behaviour.partDelayMs = 150;
            const parts: string[] = [];
            await collect(client({ requestTimeoutMs: 100 }).stream(request), parts);
            assert.equal(parts.length, 3);
            assert.equal(parts[2], '{"token":"done"}\n');
            assert.deepEqual(server.streams, [{ parts: 3, closedEarly: false }]);

            server.reset();
            server.behaviour.delayMs = 1_000;
            await assert.rejects(client({ requestTimeoutMs: 100 }).stream(request), (e: Error) => {
                assert.equal(e.name, "AbortError");
                assert.equal((e.cause as Error).name, "TimeoutError");
                return true;
            });
        });

        it("ends the request when its reader leaves early, so the model stops generating for nobody", async () => {
            server.behaviour.partDelayMs = 200;
            for await (const part of await client().stream(request)) {
                assert.match(decoder.decode(part), /^\{"token":"i-0[abc]"\}\n$/);
                break;
            }
            assert.deepEqual(await closed(), { parts: 1, closedEarly: true });
        });

        it("fails an abort mid-stream with the abort, not as a broken stream, and ends the request", async () => {
            server.behaviour.partDelayMs = 200;
            const controller = new AbortController();
            const parts: string[] = [];
            const reading = collect(client().stream({ ...request, signal: controller.signal }), parts);
            while (parts.length === 0) await new Promise((r) => setTimeout(r, 10));
            controller.abort(new Error("interrupted"));
            // As the SDK reports an abort before the answer: an AbortError whose cause is the signal's reason.
            await assert.rejects(reading, (e: Error) => {
                assert.ok(!(e instanceof StreamError));
                assert.equal(e.name, "AbortError");
                assert.equal(e.message, "Request aborted");
                assert.equal((e.cause as Error).message, "interrupted");
                return true;
            });
            assert.equal(parts.length, 1);
            assert.deepEqual(await closed(), { parts: 1, closedEarly: true });
        });
    });
});
