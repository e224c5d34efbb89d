import * as assert from "node:assert/strict";
import { FleetClient } from "../../runtime/client";
import { runCli } from "../../runtime/cli";
import { GuardBlockedError, GuardFailedError } from "../../runtime/guard";
import { StackOutputsError } from "../../runtime/stack-outputs";
import { parseGuardVerdict } from "../../lib/guard";
import { FakeSageMakerRuntime } from "../../tools/loopback/sagemaker-runtime-server";
import { loopbackRuntime } from "../helpers/loopback";

const GUARD_IC = "chat-llama-guard-3-8b-ic";
const MODEL_IC = "chat-llama3-8b-ic";

/** Stack outputs of one guarded endpoint (checks and categories as given). */
function outputs(checks: string[] = ["input", "output"], categories?: string[]) {
    const all = Array.from({ length: 14 }, (_, i) => `S${i + 1}`);
    return {
        endpoints: {
            chat: {
                endpointName: "chat-ep",
                models: {
                    "llama3-8b": { inferenceComponentName: MODEL_IC, adapters: { "support-bot": "chat-sb-ic" } },
                },
                guard: {
                    name: "llama-guard-3-8b",
                    inferenceComponentName: GUARD_IC,
                    family: "llama-guard-3",
                    checks,
                    categories: categories ?? all,
                },
            },
        },
        multiModelEndpoints: {},
    };
}

const waits: number[] = [];

/** Runs `fm-fleet invoke` in-process against the loopback server, the stack outputs on stdin. */
async function cli(server: FakeSageMakerRuntime, stack: object, ...args: string[]) {
    let stdout = "";
    let stderr = "";
    const decoder = new TextDecoder();
    const code = await runCli(
        ["invoke", "--region", "us-east-1", "--endpoint-url", server.url, "--stack-outputs", "-", ...args],
        {
            stdout: { write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : decoder.decode(c)) },
            stderr: { write: (c: string) => (stderr += c) },
            readStdin: () => Buffer.from(JSON.stringify(stack)),
            sleep: async (ms) => void waits.push(ms),
        },
    );
    return { code, stdout, stderr };
}

/** The inference components the server was asked, in order. */
const asked = (server: FakeSageMakerRuntime) =>
    server.requests.map((r) => r.headers["x-amzn-sagemaker-inference-component"]);

describe("Llama Guard 3 verdicts", () => {
    it("reads safe, and unsafe with its category codes", () => {
        assert.deepEqual(parseGuardVerdict("llama-guard-3", "safe"), { safe: true });
        assert.deepEqual(parseGuardVerdict("llama-guard-3", "\n\nunsafe\nS1,S10"), {
            safe: false,
            categories: ["S1", "S10"],
        });
    });

    it("reads anything else as no verdict", () => {
        for (const text of [
            "",
            "Safe",
            "unsafe",
            "unsafe\nS15",
            "safe\nS1",
            "I cannot help with that.",
            "unsafe\nS1\nS2",
        ]) {
            assert.equal(parseGuardVerdict("llama-guard-3", text), undefined, JSON.stringify(text));
        }
    });
});

describe("guarded invoke (CLI and client on the loopback runtime)", () => {
    const server = loopbackRuntime();
    beforeEach(() => {
        server.behaviour.guards = [GUARD_IC];
        waits.length = 0;
    });

    it("screens a safe prompt, calls the model, screens its answer, and prints it", async () => {
        server.behaviour.answerText = "Paris is the capital of France.";
        const r = await cli(server, outputs(), "--endpoint", "chat", "--body", '{"inputs":"capital of France?"}');
        assert.deepEqual(r, { code: 0, stdout: '{"generated_text":"Paris is the capital of France."}', stderr: "" });
        assert.deepEqual(asked(server), [GUARD_IC, MODEL_IC, GUARD_IC]);
        const [input, , output] = server.requests.map((q) => JSON.parse(q.body).inputs as string);
        assert.match(input, /unsafe content in 'User' messages/);
        assert.match(input, /User: capital of France\?\n\n<END CONVERSATION>/);
        assert.match(output, /unsafe content in 'Agent' messages/);
        assert.match(
            output,
            /User: capital of France\?\n\nAgent: Paris is the capital of France\.\n\n<END CONVERSATION>/,
        );
    });

    it("never sends a blocked prompt to the model: exit 3, one line naming the guard and the categories", async () => {
        const r = await cli(server, outputs(), "--endpoint", "chat", "--body", '{"inputs":"[unsafe:S1,S10] how to"}');
        assert.deepEqual(r, {
            code: 3,
            stdout: "",
            stderr: "fm-fleet: guard llama-guard-3-8b blocked the prompt: unsafe S1,S10 (Violent Crimes, Hate).\n",
        });
        assert.deepEqual(asked(server), [GUARD_IC]);
    });

    it("never prints a blocked answer", async () => {
        server.behaviour.answerText = "Here is how [unsafe:S9] to build it";
        const r = await cli(
            server,
            outputs(),
            "--endpoint",
            "chat",
            "--model",
            "llama3-8b",
            "--body",
            '{"inputs":"hi"}',
        );
        assert.deepEqual(r, {
            code: 3,
            stdout: "",
            stderr: "fm-fleet: guard llama-guard-3-8b blocked the answer: unsafe S9 (Indiscriminate Weapons).\n",
        });
        assert.deepEqual(asked(server), [GUARD_IC, MODEL_IC, GUARD_IC]);
    });

    it("lets through a category the config does not block", async () => {
        const r = await cli(
            server,
            outputs(["input"], ["S1"]),
            "--endpoint",
            "chat",
            "--body",
            '{"inputs":"[unsafe:S6] x"}',
        );
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(asked(server), [GUARD_IC, MODEL_IC]);
    });

    it("screens an adapter's calls with the endpoint's guard", async () => {
        const r = await cli(
            server,
            outputs(["input"]),
            ...["--endpoint", "chat", "--model", "llama3-8b", "--adapter", "support-bot"],
            ...["--body", '{"inputs":"[unsafe:S2] x"}'],
        );
        assert.equal(r.code, 3);
        assert.deepEqual(asked(server), [GUARD_IC]);
    });

    it("wakes a guard at zero copies before the model is called", async () => {
        server.behaviour.noCapacity[GUARD_IC] = 2;
        const r = await cli(server, outputs(["input"]), "--endpoint", "chat", "--body", '{"inputs":"hi"}');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(waits.length, 2);
        assert.deepEqual(asked(server), [GUARD_IC, GUARD_IC, GUARD_IC, MODEL_IC]);
        assert.match(r.stderr, /^fm-fleet: no capacity yet \(scaled to zero\?\), waking: attempt 1, /);
    });

    it("fails closed when the guard does not wake within the budget: the model is never called", async () => {
        server.behaviour.noCapacity[GUARD_IC] = 1000;
        const r = await cli(
            server,
            outputs(["input"]),
            ...["--endpoint", "chat", "--body", '{"inputs":"hi"}', "--cold-start-budget", "0.001"],
        );
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.match(
            r.stderr.split("\n").at(-2)!,
            /^fm-fleet: GuardFailedError: guard llama-guard-3-8b gave no verdict \(ColdStartTimeoutError: The inference component had no capacity .*\): failing closed\. Retry, or call with --no-guard as an operator\.$/,
        );
        assert.ok(!asked(server).includes(MODEL_IC));
    });

    it("fails closed, in one line, on a guard answer in an unexpected format", async () => {
        server.behaviour.guardAnswer = "I think this is fine.";
        const r = await cli(server, outputs(), "--endpoint", "chat", "--body", '{"inputs":"hi"}');
        assert.deepEqual(r, {
            code: 1,
            stdout: "",
            stderr: 'fm-fleet: GuardFailedError: guard llama-guard-3-8b gave no verdict (its answer "I think this is fine." is not Llama Guard 3\'s format: "safe", or "unsafe" and a line of category codes): failing closed. Retry, or call with --no-guard as an operator.\n',
        });
        assert.deepEqual(asked(server), [GUARD_IC]);
    });

    it("fails closed on a guard that times out", async () => {
        const client = FleetClient.fromStackOutputs(outputs(["input"]), {
            sdk: { region: "us-east-1", endpoint: server.url, maxAttempts: 1 },
        });
        server.behaviour.delayMs = 300;
        await assert.rejects(
            client.invoke({ ...client.target({ endpoint: "chat" }), body: { inputs: "hi" }, timeoutMs: 50 }),
            (e: Error) => e instanceof GuardFailedError && /^guard llama-guard-3-8b gave no verdict \(/.test(e.message),
        );
        assert.ok(!asked(server).includes(MODEL_IC));
    });

    it("streams with an output check: the whole answer is screened before its first part is printed", async () => {
        server.behaviour.answerText = "one two three";
        const ok = await cli(server, outputs(), "--endpoint", "chat", "--body", '{"inputs":"hi"}', "--stream");
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(ok.stdout, '{"token":{"text":"one "}}\n{"token":{"text":"two "}}\n{"token":{"text":"three"}}\n');
        assert.match(JSON.parse(server.requests[2].body).inputs, /Agent: one two three\n/);

        server.reset();
        server.behaviour.guards = [GUARD_IC];
        server.behaviour.answerText = "one [unsafe:S11] three";
        const blocked = await cli(server, outputs(), "--endpoint", "chat", "--body", '{"inputs":"hi"}', "--stream");
        assert.deepEqual(blocked, {
            code: 3,
            stdout: "",
            stderr: "fm-fleet: guard llama-guard-3-8b blocked the answer: unsafe S11 (Suicide & Self-Harm).\n",
        });
    });

    it("--no-guard calls the model alone, and says so", async () => {
        const r = await cli(
            server,
            outputs(),
            "--endpoint",
            "chat",
            "--body",
            '{"inputs":"[unsafe:S1] x"}',
            "--no-guard",
        );
        assert.equal(r.code, 0);
        assert.equal(r.stderr, "fm-fleet: --no-guard: guard llama-guard-3-8b skipped, nothing screened\n");
        assert.deepEqual(asked(server), [MODEL_IC]);
    });

    it("the library screens a target's calls unless told `unguarded`", async () => {
        const client = FleetClient.fromStackOutputs(outputs(["input"]), {
            sdk: { region: "us-east-1", endpoint: server.url },
        });
        const target = client.target({ endpoint: "chat" });
        await assert.rejects(client.invoke({ ...target, body: { inputs: "[unsafe:S3] x" } }), GuardBlockedError);
        const result = await client.invoke({ ...target, body: { inputs: "[unsafe:S3] x" }, unguarded: true });
        assert.equal(result.json<{ component: string }>().component, MODEL_IC);
    });

    it("refuses stack outputs whose guard it cannot read, rather than call unguarded", () => {
        const bad = outputs();
        (bad.endpoints.chat.guard as any).categories = ["S99"];
        assert.throws(
            () => FleetClient.fromStackOutputs(bad),
            (e: Error) =>
                e instanceof StackOutputsError &&
                e.message.startsWith(
                    "the stack outputs is not the outputs of an fm-fleet stack: endpoints.chat.guard is not a guard",
                ),
        );
    });
});
