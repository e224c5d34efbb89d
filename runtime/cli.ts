import { readFileSync } from "fs";
import Table from "cli-table3";
import { Command, InvalidArgumentError, Option } from "commander";
import { FleetClient, InvokeRequest, Target } from "./client";
import type { ColdStartOptions } from "./cold-start";
import { NEW_SESSION } from "./sessions";
import { GuardBlockedError } from "./guard";
import {
    FleetNames,
    guardOfEndpoint,
    nameRows,
    parseStackOutputs,
    resolveTarget,
    StackOutputsError,
} from "./stack-outputs";

/** Everything the CLI writes, and where it reads stdin from, so tests and embedders can capture it. */
export interface CliIo {
    readonly stdout: { write(chunk: string | Uint8Array): unknown };
    readonly stderr: { write(chunk: string): unknown };
    readonly signal?: AbortSignal;
    /** Reads standard input (`--body-file -`, `--stack-outputs -`). @default file descriptor 0 */
    readonly readStdin?: () => Buffer;
    /** How `invoke` waits between attempts to wake a component. @default a timer that honours `signal` */
    readonly sleep?: ColdStartOptions["sleep"];
}

/**
 * Exit codes: a call that failed (a guard without a verdict included), a command that was wrong before
 * anything was sent, and a prompt or answer the endpoint's guard blocked.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 3 } as const;

/** A wrong or missing option or input: reported in one line, exit 2, nothing sent. */
class UsageError extends Error {}

const seconds = (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
        throw new InvalidArgumentError(`expected a positive number of seconds, got "${value}".`);
    }
    return n;
};

const endpointUrl = (value: string) => {
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
        throw new InvalidArgumentError(
            `expected an http:// or https:// URL with a host and a valid port, got "${value}".`,
        );
    }
    return value;
};

interface InvokeOptions {
    stackOutputs?: string;
    endpoint: string;
    model?: string;
    adapter?: string;
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
    /** `--no-guard`: commander sets `guard: false`. */
    guard: boolean;
    verbose?: boolean;
}

const isJson = (contentType: string) => /^application\/(.+\+)?json\b/i.test(contentType);

function readInput(file: string, flag: string, io: CliIo): Buffer {
    try {
        return file === "-" ? (io.readStdin ?? (() => readFileSync(0)))() : readFileSync(file);
    } catch (e) {
        throw new UsageError(
            `${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
        );
    }
}

/** The request body, checked before anything is sent: present, and valid JSON when sent as JSON. */
function readBody(options: InvokeOptions, io: CliIo): Uint8Array | string {
    if (options.body !== undefined && options.bodyFile !== undefined) {
        throw new UsageError("give either --body or --body-file, not both.");
    }
    const flag = options.bodyFile !== undefined ? `--body-file ${options.bodyFile}` : "--body";
    const body = options.bodyFile !== undefined ? readInput(options.bodyFile, "--body-file", io) : options.body;
    if (body === undefined) throw new UsageError("give the request with --body <json> or --body-file <file>.");
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") throw new UsageError(`${flag} is empty: give the request body.`);
    if (isJson(options.contentType)) {
        try {
            JSON.parse(text);
        } catch (e) {
            throw new UsageError(
                `${flag} is not valid JSON (${(e as Error).message}): fix it, or give --content-type for another format.`,
            );
        }
    }
    return body;
}

/**
 * `npm run <script> > file` writes npm's banner (a blank line, then `> package@version script` lines) before
 * the script's own output: what is left once those lines are dropped.
 */
export function withoutNpmBanner(text: string): string {
    const lines = text.split("\n");
    let first = 0;
    while (first < lines.length && (lines[first].trim() === "" || lines[first].startsWith("> "))) first++;
    return lines.slice(first).join("\n");
}

/** The stack's names from `--stack-outputs`. */
function readNames(file: string, io: CliIo): FleetNames {
    const text = readInput(file, "--stack-outputs", io).toString("utf8");
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        // A plan saved with `npm run plan ... > file` starts with npm's banner: read what follows it.
        const rest = withoutNpmBanner(text);
        try {
            json = JSON.parse(rest);
        } catch (afterBanner) {
            const [banner, error] = rest !== text ? [" after npm's banner", afterBanner] : ["", e];
            // V8 quotes the text around the error, newlines included: one line it must stay.
            const reason = (error as Error).message.replace(/\s+/g, " ");
            throw new UsageError(
                `--stack-outputs ${file}: not JSON${banner} (${reason}). Save it with \`npm run -s plan -- --format json\` or \`pulumi stack output --json\`.`,
            );
        }
    }
    return parseStackOutputs(json, `--stack-outputs ${file === "-" ? "(stdin)" : file}`);
}

/**
 * Errors the SDK raises before it sends anything, when the environment lacks what every request needs: a
 * usage error with the fix, not a failed call.
 */
function environmentProblem(error: Error): string | undefined {
    if (error.message === "Region is missing") {
        return "no AWS region: pass --region <region> (e.g. us-east-1), or set AWS_REGION or a region in your AWS profile.";
    }
    if (error.name === "CredentialsProviderError") {
        return `no AWS credentials (${error.message.split("\n")[0]}): set AWS_PROFILE (after \`aws sso login\` if it uses SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`;
    }
    return undefined;
}

/** Where the request goes: config names through the stack outputs, or physical names as given. */
function targetOf(options: InvokeOptions, io: CliIo): Target {
    if (options.component !== undefined && (options.model !== undefined || options.adapter !== undefined)) {
        throw new UsageError(
            "give either --component (a physical name) or --model/--adapter (config names), not both.",
        );
    }
    if (options.component !== undefined && options.targetModel !== undefined) {
        throw new UsageError(
            "give either --component (an inference component) or --target-model (a multi-model endpoint key), not both.",
        );
    }
    if (options.adapter !== undefined && options.model === undefined) {
        throw new UsageError("--adapter needs --model: adapters are named per model.");
    }
    if (options.stackOutputs === undefined) {
        if (options.model !== undefined) {
            throw new UsageError(
                "--model and --adapter are config names: give --stack-outputs <file> to resolve them.",
            );
        }
        return {
            endpointName: options.endpoint,
            inferenceComponentName: options.component,
            targetModel: options.targetModel,
        };
    }
    const names = readNames(options.stackOutputs, io);
    const physicalEndpoints = new Set([
        ...Object.values(names.endpoints).map((e) => e.endpointName),
        ...Object.values(names.multiModelEndpoints).map((e) => e.endpointName),
    ]);
    // Physical names still work: an endpoint the outputs know by its physical name, with --component.
    if (options.component !== undefined && physicalEndpoints.has(options.endpoint)) {
        const guard = guardOfEndpoint(names, options.endpoint);
        return { endpointName: options.endpoint, inferenceComponentName: options.component, ...(guard && { guard }) };
    }
    return resolveTarget(names, {
        endpoint: options.endpoint,
        model: options.model,
        adapter: options.adapter,
        targetModel: options.targetModel,
    });
}

async function invokeCommand(options: InvokeOptions, io: CliIo): Promise<void> {
    const target = targetOf(options, io);
    const isNewSession = (s: string | undefined) => s !== undefined && (s.toLowerCase() === "new" || s === NEW_SESSION);
    if (options.stream && isNewSession(options.session)) {
        throw new UsageError(
            "--stream cannot open a session: open it without --stream, then stream with --session <id>.",
        );
    }
    if (options.stream && target.targetModel) {
        throw new UsageError("--stream does not take --target-model (multi-model endpoints do not stream).");
    }
    const body = options.closeSession === undefined ? readBody(options, io) : undefined;
    const client = new FleetClient({
        sdk: { region: options.region, endpoint: options.endpointUrl },
        budgetMs: options.coldStartBudget * 1000,
        requestTimeoutMs: options.timeout * 1000,
        sleep: io.sleep,
        onWaiting: (p) =>
            io.stderr.write(
                `fm-fleet: no capacity yet (scaled to zero?), waking: attempt ${p.attempt}, ${Math.round(p.elapsedMs / 1000)} s elapsed, retrying in ${(p.nextDelayMs / 1000).toFixed(1)} s\n`,
            ),
    });

    if (options.closeSession !== undefined) {
        const closed = await client.closeSession(target, options.closeSession, io.signal);
        io.stderr.write(`fm-fleet: closed session ${closed}\n`);
        return;
    }
    const request: InvokeRequest = {
        ...target,
        body: body!,
        contentType: options.contentType,
        accept: options.accept,
        customAttributes: options.customAttributes,
        session: isNewSession(options.session) ? NEW_SESSION : options.session,
        signal: io.signal,
        unguarded: !options.guard,
    };
    if (!options.guard && target.guard) {
        io.stderr.write(`fm-fleet: --no-guard: guard ${target.guard.name} skipped, nothing screened\n`);
    }
    if (options.stream) {
        for await (const part of await client.stream(request)) io.stdout.write(part);
        return;
    }
    const result = await client.invoke(request);
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

function namesCommand(options: { stackOutputs: string; json?: boolean }, io: CliIo): void {
    const names = readNames(options.stackOutputs, io);
    if (options.json) {
        io.stdout.write(`${JSON.stringify(names, null, 2)}\n`);
        return;
    }
    const table = new Table({
        head: ["Endpoint", "Model", "Adapter", "Endpoint name", "Inference component"],
        style: { head: [], border: [] },
    });
    for (const r of nameRows(names))
        table.push([r.endpoint, r.model, r.adapter, r.endpointName, r.inferenceComponentName]);
    io.stdout.write(`${table.toString()}\n`);
}

/** The `fm-fleet` command line; returns the exit code. Every failure is one line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
    let verbose = false;
    const program = new Command("fm-fleet")
        .description(
            "Call a fleet deployed by fm-fleet by the names in its stack config: base models, adapters, multi-model targets, sticky sessions, streams.",
        )
        .exitOverride()
        // Commander's own error text is reworded into the one line below; its usage (no command) goes to stderr.
        .configureOutput({
            writeOut: (s) => io.stdout.write(s),
            writeErr: (s) => io.stderr.write(s),
            outputError: () => {},
        });
    program
        .command("invoke")
        .description("Invoke an endpoint; the response body goes to stdout, session ids and progress to stderr.")
        .requiredOption("--endpoint <name>", "endpoint: its config name with --stack-outputs, else its physical name")
        .option(
            "--stack-outputs <file>",
            "the JSON of `pulumi stack output --json` or the plan's --format json (- for stdin)",
        )
        .option("--model <name>", "foundation model config name (with --stack-outputs)")
        .option("--adapter <name>", "adapter config name of --model (with --stack-outputs)")
        .option("--component <ic>", "inference component by physical name: a base model or an adapter")
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
        .addOption(
            new Option("--endpoint-url <url>", "SageMaker runtime endpoint URL (default: the region's)").argParser(
                endpointUrl,
            ),
        )
        .addOption(
            new Option("--cold-start-budget <seconds>", "how long to wait for a component waking from zero")
                .argParser(seconds)
                .default(600),
        )
        .addOption(
            new Option("--timeout <seconds>", "how long each attempt waits for its answer (or a stream's start)")
                .argParser(seconds)
                .default(120),
        )
        .option(
            "--no-guard",
            "operators only: call the model without the endpoint's guard (prompt and answer unscreened)",
        )
        .option("--verbose", "on failure, also print the error's details")
        .action(async (options: InvokeOptions) => {
            verbose = !!options.verbose;
            await invokeCommand(options, io);
        });
    program
        .command("names")
        .description("Print the config names a stack's outputs map to physical names.")
        .requiredOption(
            "--stack-outputs <file>",
            "the JSON of `pulumi stack output --json` or the plan's --format json (- for stdin)",
        )
        .option("--json", "print the mapping as JSON")
        .action((options: { stackOutputs: string; json?: boolean }) => namesCommand(options, io));
    try {
        await program.parseAsync(argv, { from: "user" });
        return EXIT.ok;
    } catch (e) {
        const error = e as Error & { code?: string; exitCode?: number; $metadata?: unknown };
        if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
        // No command: commander has printed the usage to stderr; a missing command is a usage error.
        if (error.code === "commander.help") return EXIT.usage;
        if (error instanceof GuardBlockedError) {
            io.stderr.write(`fm-fleet: ${error.message}\n`);
            return EXIT.blocked;
        }
        const environment = environmentProblem(error);
        const usage =
            error.code?.startsWith("commander.") ||
            error instanceof UsageError ||
            error instanceof StackOutputsError ||
            environment !== undefined;
        const reason = usage
            ? (environment ?? error.message.replace(/^error: /, ""))
            : error.name === "AbortError" || error.name === "TimeoutError"
              ? `request aborted (${error.cause instanceof Error ? error.cause.message : error.message})`
              : `${error.name}: ${error.message}`;
        io.stderr.write(`fm-fleet: ${reason.split("\n")[0]}\n`);
        if (verbose && !usage) {
            io.stderr.write(`${error.stack ?? ""}\n`);
            if (error.$metadata) io.stderr.write(`${JSON.stringify(error.$metadata)}\n`);
        }
        return usage ? EXIT.usage : EXIT.failed;
    }
}
