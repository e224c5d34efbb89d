import * as assert from "node:assert/strict";
import { runCli } from "../../runtime/cli";
import { FakeSageMakerRuntime } from "../../tools/loopback/sagemaker-runtime-server";
import { loopbackRuntime } from "../helpers/loopback";

/** The waits between wake attempts, which the CLI asks for instead of sleeping through them. */
const waits: number[] = [];

/** Runs the CLI in-process with captured output, against the loopback server. */
async function cli(server: FakeSageMakerRuntime, ...args: string[]) {
    let stdout = "";
    let stderr = "";
    const decoder = new TextDecoder();
    const code = await runCli(["invoke", "--region", "us-east-1", "--endpoint-url", server.url, ...args], {
        stdout: { write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : decoder.decode(c)) },
        stderr: { write: (c: string) => (stderr += c) },
        sleep: async (ms) => void waits.push(ms),
    });
    return { code, stdout, stderr };
}

describe("fm-fleet invoke (CLI)", () => {
    const server = loopbackRuntime();

    it("writes the response body to stdout and nothing else", async () => {
        const r = await cli(server, "--endpoint", "chat", "--component", "chat-ic", "--body", '{"inputs":"hi"}');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).component, "chat-ic");
        assert.equal(r.stderr, "");
    });

    it("opens a session and reports its id and expiry on stderr", async () => {
        const r = await cli(server, "--endpoint", "chat", "--component", "chat-ic", "--body", "{}", "--session", "new");
        assert.equal(r.code, 0);
        const id = JSON.parse(r.stdout).session;
        assert.match(r.stderr, new RegExp(`^fm-fleet: session ${id} \\(expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)\\n$`));
        const again = await cli(
            server,
            "--endpoint",
            "chat",
            "--component",
            "chat-ic",
            "--body",
            "{}",
            "--session",
            id,
        );
        assert.equal(JSON.parse(again.stdout).instance, JSON.parse(r.stdout).instance);
        const closed = await cli(server, "--endpoint", "chat", "--component", "chat-ic", "--close-session", id);
        assert.deepEqual(closed, { code: 0, stdout: "", stderr: `fm-fleet: closed session ${id}\n` });
        // A container that closes nothing: the command says so, and fails.
        const { stderr: opened } = await cli(
            server,
            ...["--endpoint", "chat", "--component", "chat-ic"],
            ...["--body", "{}", "--session", "new"],
        );
        const other = /^fm-fleet: session (\S+) /.exec(opened)![1];
        server.behaviour.ignoreClose = true;
        assert.deepEqual(await cli(server, "--endpoint", "chat", "--component", "chat-ic", "--close-session", other), {
            code: 1,
            stdout: "",
            stderr: `fm-fleet: SessionNotClosedError: Endpoint chat answered the close of session ${other} without closing it (no ClosedSessionId): its container does not close sessions on {"requestType":"CLOSE"}, or the session is not its.\n`,
        });
    });

    it("streams the parts to stdout", async () => {
        const r = await cli(server, "--endpoint", "chat", "--component", "chat-ic", "--body", "{}", "--stream");
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^\{"token":"i-0[abc]"\}\n\{"token":"chat-ic"\}\n\{"token":"done"\}\n$/);
    });

    it("reports waking on stderr, waiting the first backoff between attempts", async () => {
        server.behaviour.noCapacity["cold-ic"] = 1;
        waits.length = 0;
        const r = await cli(server, "--endpoint", "chat", "--component", "cold-ic", "--body", "{}");
        assert.equal(r.code, 0);
        assert.equal(waits.length, 1);
        // Full jitter on the 2 s first delay: between 1 and 2 s, as the progress line says.
        assert.ok(waits[0] >= 1000 && waits[0] <= 2000, String(waits[0]));
        const [waking, woke, rest] = r.stderr.split("\n");
        assert.equal(
            waking,
            `fm-fleet: no capacity yet (scaled to zero?), waking: attempt 1, 0 s elapsed, retrying in ${(waits[0] / 1000).toFixed(1)} s`,
        );
        // The time is the wall clock's: the requests, not the wait, which did not sleep.
        assert.match(woke, /^fm-fleet: woke after \d+ s and 2 attempts$/);
        assert.equal(rest, "");
    });

    it("reports a stream interrupted mid-way as interrupted, after the parts it printed", async () => {
        server.behaviour.partDelayMs = 200;
        const controller = new AbortController();
        const decoder = new TextDecoder();
        let stdout = "";
        let stderr = "";
        const code = await runCli(
            [
                ...["invoke", "--region", "us-east-1", "--endpoint-url", server.url],
                ...["--endpoint", "chat", "--component", "chat-ic", "--body", "{}", "--stream"],
            ],
            {
                stdout: {
                    write: (c: string | Uint8Array) => {
                        stdout += typeof c === "string" ? c : decoder.decode(c);
                        controller.abort(new Error("interrupted")); // what bin/fm-fleet.js does on SIGINT
                    },
                },
                stderr: { write: (c: string) => (stderr += c) },
                signal: controller.signal,
            },
        );
        assert.equal(code, 1);
        assert.match(stdout, /^\{"token":"i-0[abc]"\}\n$/);
        assert.equal(stderr, "fm-fleet: request aborted (interrupted)\n");
        await server.streamClosed();
        assert.deepEqual(server.streams, [{ parts: 1, closedEarly: true }]);
    });

    it("exits non-zero with a one-line reason", async () => {
        const r = await cli(
            server,
            "--endpoint",
            "chat",
            "--component",
            "chat-ic",
            "--body",
            "{}",
            "--session",
            "gone",
        );
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.equal(
            r.stderr,
            "fm-fleet: ValidationError: Session gone is not valid: it expired, was closed or never existed.\n",
        );
        const usage = await cli(
            server,
            "--endpoint",
            "chat",
            "--component",
            "a",
            "--target-model",
            "b",
            "--body",
            "{}",
        );
        assert.equal(usage.code, 2);
        assert.equal(
            usage.stderr,
            "fm-fleet: give either --component (an inference component) or --target-model (a multi-model endpoint key), not both.\n",
        );
        const missing = await cli(server, "--endpoint", "chat");
        assert.deepEqual(missing, {
            code: 2,
            stdout: "",
            stderr: "fm-fleet: give the request with --body <json> or --body-file <file>.\n",
        });
        assert.equal(server.requests.length, 1);
    });
});
