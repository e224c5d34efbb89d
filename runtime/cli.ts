import { readFileSync } from "fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { FleetClient, InvokeRequest } from "./client";
import { NEW_SESSION } from "./sessions";

/** Everything the CLI writes, so tests and embedders can capture it. */
export interface CliIo {
    readonly stdout: { write(chunk: string | Uint8Array): unknown };
    readonly stderr: { write(chunk: string): unknown };
    readonly signal?: AbortSignal;
}

/** A wrong combination of options: reported as is, exit 2. */
class UsageError extends Error {}

const seconds = (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
        throw new InvalidArgumentError(`expected a positive number of seconds, got "${value}".`);
    return n;
};

interface InvokeOptions {
    endpoint: string;
    component?: string;
    targetModel?: string;
    body?: string;
    bodyFile?: string;
    contentType: string;
    accept?: string;
    customAttributes?: string;
    session?: string;
    closeSession?: string;
    stream?: boolean;
    region?: string;
    endpointUrl?: string;
    coldStartBudget: number;
    timeout: number;
}

function readBody(options: InvokeOptions): Uint8Array | string {
    if (options.body !== undefined && options.bodyFile !== undefined) {
        throw new UsageError("give either --body or --body-file, not both.");
    }
    if (options.bodyFile !== undefined) return readFileSync(options.bodyFile === "-" ? 0 : options.bodyFile);
    if (options.body === undefined) throw new UsageError("give the request with --body <json> or --body-file <file>.");
    return options.body;
}

async function invokeCommand(options: InvokeOptions, io: CliIo): Promise<void> {
    if (options.component && options.targetModel) {
        throw new UsageError(
            "give either --component (an inference component) or --target-model (a multi-model endpoint key), not both.",
        );
    }
    const client = new FleetClient({
        sdk: { region: options.region, endpoint: options.endpointUrl },
        budgetMs: options.coldStartBudget * 1000,
        requestTimeoutMs: options.timeout * 1000,
        onWaiting: (p) =>
            io.stderr.write(
                `fm-fleet: no capacity yet (scaled to zero?), waking: attempt ${p.attempt}, ${Math.round(p.elapsedMs / 1000)} s elapsed, retrying in ${(p.nextDelayMs / 1000).toFixed(1)} s\n`,
            ),
    });
    const target = {
        endpointName: options.endpoint,
        inferenceComponentName: options.component,
        targetModel: options.targetModel,
    };

    if (options.closeSession !== undefined) {
        const closed = await client.closeSession(target, options.closeSession, io.signal);
        io.stderr.write(`fm-fleet: closed session ${closed}\n`);
        return;
    }
    const request: InvokeRequest = {
        ...target,
        body: readBody(options),
        contentType: options.contentType,
        accept: options.accept,
        customAttributes: options.customAttributes,
        session: options.session,
        signal: io.signal,
    };
    if (options.stream) {
        if (options.targetModel)
            throw new UsageError("--stream does not take --target-model (multi-model endpoints do not stream).");
        if (options.session === NEW_SESSION.toLowerCase() || options.session === NEW_SESSION) {
            throw new UsageError(
                "--stream cannot open a session: open it without --stream, then stream with --session <id>.",
            );
        }
        for await (const part of await client.stream(request)) io.stdout.write(part);
        return;
    }
    const result = await client.invoke({
        ...request,
        session: options.session?.toLowerCase() === "new" ? NEW_SESSION : options.session,
    });
    io.stdout.write(result.body);
    if (result.newSession) {
        const expires = result.newSession.expiresAt ? ` (expires ${result.newSession.expiresAt.toISOString()})` : "";
        io.stderr.write(`fm-fleet: session ${result.newSession.id}${expires}\n`);
    }
    if (result.attempts > 1) {
        io.stderr.write(
            `fm-fleet: woke after ${Math.round(result.waitedMs / 1000)} s and ${result.attempts} attempts\n`,
        );
    }
}

/** The `fm-fleet` command line; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
    const program = new Command("fm-fleet")
        .description(
            "Call a fleet deployed by fm-fleet: base models, adapters, multi-model targets, sticky sessions, streams.",
        )
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stderr.write(s), writeErr: (s) => io.stderr.write(s) });
    program
        .command("invoke")
        .description("Invoke an endpoint; the response body goes to stdout, session ids and progress to stderr.")
        .requiredOption("--endpoint <name>", "endpoint name (pulumi stack output endpoints)")
        .option("--component <ic>", "inference component: a base model or an adapter")
        .option("--target-model <key>", "model key of a multi-model endpoint")
        .option("--body <json>", "request body")
        .option("--body-file <file>", "request body from a file (- for stdin)")
        .option("--content-type <type>", "request content type", "application/json")
        .option("--accept <type>", "response content type")
        .option("--custom-attributes <text>", "X-Amzn-SageMaker-Custom-Attributes")
        .option("--session <new|id>", "open a sticky session (new) or reuse one (its id)")
        .option("--close-session <id>", "close a sticky session")
        .option("--stream", "stream the response (InvokeEndpointWithResponseStream)")
        .option("--region <region>", "AWS region (default: the SDK's: AWS_REGION, profile)")
        .option("--endpoint-url <url>", "SageMaker runtime endpoint URL (default: the region's)")
        .addOption(
            new Option("--cold-start-budget <seconds>", "how long to wait for a component waking from zero")
                .argParser(seconds)
                .default(600),
        )
        .addOption(new Option("--timeout <seconds>", "per-attempt timeout").argParser(seconds).default(120))
        .action(async (options: InvokeOptions) => invokeCommand(options, io));
    try {
        await program.parseAsync(argv, { from: "user" });
        return 0;
    } catch (e) {
        const error = e as Error & { code?: string; exitCode?: number };
        if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
        if (error.code?.startsWith("commander.")) return error.exitCode ?? 2;
        if (error instanceof UsageError) {
            io.stderr.write(`fm-fleet: ${error.message}\n`);
            return 2;
        }
        const reason =
            error.name === "AbortError" || error.name === "TimeoutError"
                ? `request aborted (${error.message})`
                : `${error.name}: ${error.message}`;
        io.stderr.write(`fm-fleet: ${reason.split("\n")[0]}\n`);
        return 1;
    }
}
