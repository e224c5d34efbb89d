import * as assert from "node:assert/strict";
import { execFile, spawn } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { FleetClient, StackOutputsError } from "../../runtime";
import { runCli } from "../../runtime/cli";
import { loopbackRuntime } from "../helpers/loopback";
import { runProgram } from "../../tools/plan/run-program";
import { readStack } from "../../tools/plan/stack-files";
import { ROOT } from "../helpers/configs";

/** Runs the CLI in-process with captured output. */
async function cli(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const decoder = new TextDecoder();
    const code = await runCli(args, {
        stdout: { write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : decoder.decode(c)) },
        stderr: { write: (c: string) => (stderr += c) },
        readStdin: () => Buffer.from("{}"),
    });
    return { code, stdout, stderr };
}

describe("calling the fleet by config names (runtime)", function () {
    this.timeout(60_000);
    const server = loopbackRuntime();
    let outputsFile = "";
    let outputs: any;

    before(async () => {
        // The prod stack's outputs as the program exports them, under mocks: not written by hand.
        const run = await runProgram(readStack(ROOT, "prod"), "prod");
        outputs = run.outputs;
        outputsFile = path.join(mkdtempSync(path.join(tmpdir(), "fm-fleet-outputs-")), "prod.json");
        writeFileSync(outputsFile, JSON.stringify(outputs));
    });

    /** The real command's arguments (bin/fm-fleet.js, as installed) for an invoke against the loopback. */
    const commandLine = (...args: string[]) => [
        ...[path.join(ROOT, "bin/fm-fleet.js"), "invoke", "--region", "us-east-1", "--endpoint-url", server.url],
        ...args,
    ];

    const invoke = (...args: string[]) =>
        cli("invoke", "--region", "us-east-1", "--endpoint-url", server.url, "--stack-outputs", outputsFile, ...args);

    it("resolves endpoint, model and adapter config names to the physical names the stack exports", async () => {
        // Prod's chat is guarded: the loopback answers its guard in Llama Guard's format.
        server.behaviour.guards = [outputs.endpoints.chat.guard.inferenceComponentName];
        const adapter = await invoke(
            "--endpoint",
            "chat",
            "--model",
            "llama3-8b",
            "--adapter",
            "support-bot",
            "--body",
            "{}",
        );
        assert.equal(adapter.code, 0, adapter.stderr);
        const answer = JSON.parse(adapter.stdout);
        assert.equal(answer.endpoint, outputs.endpoints.chat.endpointName);
        assert.equal(answer.component, outputs.endpoints.chat.models["llama3-8b"].adapters["support-bot"]);
        assert.match(answer.component, /^chat-llama3-8b-support-bot-[0-9a-f]{8}$/);

        const base = JSON.parse((await invoke("--endpoint", "chat", "--model", "llama3-70b", "--body", "{}")).stdout);
        assert.equal(base.component, outputs.endpoints.chat.models["llama3-70b"].inferenceComponentName);

        const mme = await invoke(
            "--endpoint",
            "classic",
            "--target-model",
            "churn/v3.tar.gz",
            "--content-type",
            "text/csv",
            "--body",
            "1,2",
        );
        assert.equal(mme.code, 0, mme.stderr);
        assert.deepEqual(
            [JSON.parse(mme.stdout).endpoint, JSON.parse(mme.stdout).targetModel],
            [outputs.multiModelEndpoints.classic.endpointName, "churn/v3.tar.gz"],
        );
        // Physical names still work, with or without the outputs.
        const physical = await invoke("--endpoint", answer.endpoint, "--component", answer.component, "--body", "{}");
        assert.equal(JSON.parse(physical.stdout).component, answer.component);
    });

    it("fails an unknown name with the names it could have been", async () => {
        assert.deepEqual(await invoke("--endpoint", "chats", "--model", "x", "--body", "{}"), {
            code: 2,
            stdout: "",
            stderr: 'fm-fleet: unknown endpoint "chats". Known: chat, classic.\n',
        });
        assert.deepEqual(
            (await invoke("--endpoint", "chat", "--model", "llama3", "--body", "{}")).stderr,
            'fm-fleet: unknown model "llama3" on endpoint "chat". Known: llama3-70b, llama3-8b.\n',
        );
        assert.deepEqual(
            (await invoke("--endpoint", "chat", "--model", "llama3-8b", "--adapter", "support", "--body", "{}")).stderr,
            'fm-fleet: unknown adapter "support" of model "llama3-8b" on endpoint "chat". Known: legal-review, release-notes, sql-helper, support-bot.\n',
        );
        assert.deepEqual(
            (await invoke("--endpoint", "chat", "--body", "{}")).stderr,
            'fm-fleet: endpoint "chat" hosts several models: name one with --model (llama3-70b, llama3-8b).\n',
        );
        assert.equal(server.requests.length, 0);
    });

    it("prints the mapping as a table and as JSON, and the library resolves the same", async () => {
        const table = await cli("names", "--stack-outputs", outputsFile);
        assert.equal(table.code, 0, table.stderr);
        const support = outputs.endpoints.chat.models["llama3-8b"].adapters["support-bot"];
        assert.match(
            table.stdout,
            new RegExp(`│ chat +│ llama3-8b +│ support-bot +│ ${outputs.endpoints.chat.endpointName} +│ ${support} +│`),
        );
        assert.match(table.stdout, /│ classic +│ \(target model\) +│ +│ classic-[0-9a-f]{8} +│ +│/);
        const json = await cli("names", "--stack-outputs", outputsFile, "--json");
        assert.deepEqual(JSON.parse(json.stdout), {
            endpoints: outputs.endpoints,
            multiModelEndpoints: outputs.multiModelEndpoints,
            pipelines: outputs.pipelines,
        });

        const client = FleetClient.fromStackOutputs(outputs, { sdk: { region: "us-east-1", endpoint: server.url } });
        const target = client.target({ endpoint: "chat", model: "llama3-8b", adapter: "support-bot" });
        assert.deepEqual(target, {
            endpointName: outputs.endpoints.chat.endpointName,
            inferenceComponentName: support,
            guard: outputs.endpoints.chat.guard,
        });
        assert.match(
            table.stdout,
            /│ chat +│ \(guard\) +│ llama-guard-3-8b +│ chat-[0-9a-f]{8} +│ chat-llama-guard-3-8b-[0-9a-f]{8} +│/,
        );
        server.behaviour.guards = [outputs.endpoints.chat.guard.inferenceComponentName];
        assert.equal(JSON.parse((await client.invoke({ ...target, body: {} })).text()).component, support);
        assert.throws(() => new FleetClient().target({ endpoint: "chat" }), StackOutputsError);
    });

    it("refuses stack outputs that are not a fleet's, naming the file", async () => {
        const bad = path.join(path.dirname(outputsFile), "bad.json");
        writeFileSync(bad, JSON.stringify({ endpoints: { chat: { name: "x" } } }));
        assert.deepEqual(await cli("names", "--stack-outputs", bad), {
            code: 2,
            stdout: "",
            stderr: `fm-fleet: --stack-outputs ${bad} is not the outputs of an fm-fleet stack: endpoints.chat has no endpointName and models. Pass \`pulumi stack output --json\` or the plan's --format json.\n`,
        });
    });

    it("reads outputs saved with npm's banner before the JSON, and says how to save them without it", async () => {
        const dir = path.dirname(outputsFile);
        const withBanner = path.join(dir, "npm-banner.json");
        const plan = JSON.stringify({ schemaVersion: 2, outputs }, null, 2);
        writeFileSync(
            withBanner,
            `\n> fm-fleet@0.1.0 plan\n> node bin/fm-fleet-plan.js --stack prod --format json\n\n${plan}\n`,
        );
        const json = await cli("names", "--stack-outputs", withBanner, "--json");
        assert.equal(json.code, 0, json.stderr);
        assert.equal(JSON.parse(json.stdout).endpoints.chat.endpointName, outputs.endpoints.chat.endpointName);
        const cut = path.join(dir, "npm-banner-cut.json");
        writeFileSync(cut, '\n> fm-fleet@0.1.0 plan\n\n{"schemaVersion": 2,');
        const refused = await cli("names", "--stack-outputs", cut);
        assert.equal(refused.code, 2);
        assert.match(
            refused.stderr,
            new RegExp(
                `^fm-fleet: --stack-outputs ${cut}: not JSON after npm's banner \\(.+\\)\\. Save it with \`npm run -s plan -- --format json\` or \`pulumi stack output --json\`\\.\\n$`,
            ),
        );
    });

    it("says every failure in one line on stderr, exit 2 for usage and 1 for the service, sending nothing it should not", async () => {
        const base = [
            "invoke",
            "--region",
            "us-east-1",
            "--endpoint-url",
            server.url,
            "--endpoint",
            "chat",
            "--component",
            "chat-ic",
        ];
        const cases: [string[], number, string][] = [
            [
                [...base, "--body", '{"inputs":'],
                2,
                "fm-fleet: --body is not valid JSON (Unexpected end of JSON input): fix it, or give --content-type for another format.\n",
            ],
            [[...base, "--body", ""], 2, "fm-fleet: --body is empty: give the request body.\n"],
            [
                [...base, "--body-file", "/nonexistent/req.json"],
                2,
                "fm-fleet: --body-file /nonexistent/req.json: cannot read it (ENOENT).\n",
            ],
            [
                [...base, "--body", "{}", "--body-file", "-"],
                2,
                "fm-fleet: give either --body or --body-file, not both.\n",
            ],
            [
                [...base, "--body", "{}", "--stream", "--session", "new"],
                2,
                "fm-fleet: --stream cannot open a session: open it without --stream, then stream with --session <id>.\n",
            ],
            [
                [...base, "--body", "{}", "--cold-start-budget", "-3"],
                2,
                `fm-fleet: option '--cold-start-budget <seconds>' argument '-3' is invalid. expected a positive number of seconds, got "-3".\n`,
            ],
            [
                [...base, "--body", "{}", "--timeout", "soon"],
                2,
                `fm-fleet: option '--timeout <seconds>' argument 'soon' is invalid. expected a positive number of seconds, got "soon".\n`,
            ],
            [["invoke", "--body", "{}"], 2, "fm-fleet: required option '--endpoint <name>' not specified\n"],
            [["invoke", "--endpoint", "chat", "--bogus"], 2, "fm-fleet: unknown option '--bogus'\n"],
            [
                ["invoke", "--endpoint", "chat", "--model", "llama3-8b", "--body", "{}"],
                2,
                "fm-fleet: --model and --adapter are config names: give --stack-outputs <file> to resolve them.\n",
            ],
            [
                ["invoke", "--endpoint", "chat", "--adapter", "bot", "--body", "{}"],
                2,
                "fm-fleet: --adapter needs --model: adapters are named per model.\n",
            ],
            [["names"], 2, "fm-fleet: required option '--stack-outputs <file>' not specified\n"],
            [
                ["names", "--stack-outputs", "/nonexistent.json"],
                2,
                "fm-fleet: --stack-outputs /nonexistent.json: cannot read it (ENOENT).\n",
            ],
            [
                [...base, "--body", "{}", "--session", "gone"],
                1,
                "fm-fleet: ValidationError: Session gone is not valid: it expired, was closed or never existed.\n",
            ],
        ];
        for (const url of ["not-a-url", "http://", "http://127.0.0.1:99999", "ftp://127.0.0.1/"]) {
            cases.push([
                ["invoke", "--endpoint-url", url, "--endpoint", "chat", "--body", "{}"],
                2,
                `fm-fleet: option '--endpoint-url <url>' argument '${url}' is invalid. expected an http:// or https:// URL with a host and a valid port, got "${url}".\n`,
            ]);
        }
        for (const [args, code, stderr] of cases) {
            const r = await cli(...args);
            assert.deepEqual(r, { code, stdout: "", stderr }, args.join(" "));
            assert.equal(r.stderr.split("\n").length, 2, "one line");
        }
        assert.equal(server.requests.length, 1, "only the service failure was sent");
    });

    it("prints one line from the real command, with no SDK warning, and details with --verbose", async () => {
        const env = { ...process.env };
        delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
        const run = (...args: string[]) =>
            new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
                execFile(process.execPath, commandLine(...args), { env }, (error, stdout, stderr) =>
                    resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
                ),
            );
        const failed = await run("--endpoint", "chat", "--component", "dead", "--body", "{}", "--session", "gone");
        assert.deepEqual(failed, {
            code: 1,
            stdout: "",
            stderr: "fm-fleet: ValidationError: Session gone is not valid: it expired, was closed or never existed.\n",
        });
        const verbose = await run(
            "--endpoint",
            "chat",
            "--component",
            "dead",
            "--body",
            "{}",
            "--session",
            "gone",
            "--verbose",
        );
        assert.equal(verbose.code, 1);
        assert.ok(verbose.stderr.split("\n").length > 2);
        assert.match(verbose.stderr, /"httpStatusCode":400/);
        assert.doesNotMatch(verbose.stderr, /NodeVersionSupportWarning/);
    });

    it("stops a stream whose reader closed the pipe (| head), in one line and without a stack trace", async () => {
        server.behaviour.partDelayMs = 200;
        const child = spawn(
            process.execPath,
            commandLine("--endpoint", "chat", "--component", "chat-ic", "--body", "{}", "--stream"),
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        // Like `head -c 4`: read the first part, then close the pipe.
        child.stdout.once("data", () => child.stdout.destroy());
        const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
        assert.equal(stderr, "fm-fleet: request aborted (stdout was closed)\n");
        assert.equal(code, 1);
        await server.streamClosed();
        assert.equal(server.streams[0].closedEarly, true);
        assert.ok(server.streams[0].parts < 3, `${server.streams[0].parts} parts written`);
    });
});
