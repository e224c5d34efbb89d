import { readFileSync } from "fs";
import { Command, InvalidArgumentError } from "commander";
import { withoutNpmBanner } from "../../runtime/cli";
import { parseStackOutputs } from "../../runtime/stack-outputs";
import { FakeSageMakerRuntime } from "./sagemaker-runtime-server";

/**
 * Throwaway settings for a local trial: the SDK signs requests with any credentials, and the loopback
 * stand-in checks none. Nothing is sent beyond this machine.
 */
export const LOOPBACK_ENVIRONMENT = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDLOOPBACKTRIAL",
    AWS_SECRET_ACCESS_KEY: "loopback-trial-not-a-secret",
} as const;

/** What a person needs to call the stand-in at `url`, as lines for a terminal. */
export function loopbackInstructions(url: string): string[] {
    const variables = Object.entries(LOOPBACK_ENVIRONMENT)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
    return [
        `fm-fleet loopback: a SageMaker runtime stand-in answers at ${url} (nothing leaves this machine).`,
        "Call it with throwaway credentials and region, in another terminal:",
        `  export ${variables}`,
        `  npx fm-fleet invoke --endpoint-url ${url} --endpoint chat --component chat-ic --body '{"inputs":"hi"}'`,
        "It answers every endpoint and component with JSON naming what it received. Ctrl-C stops it.",
    ];
}

const port = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port, got "${value}".`);
    return n;
};

/** `npm run loopback`: starts the stand-in, prints how to call it, and stops on Ctrl-C or SIGTERM. */
async function main(): Promise<void> {
    const options = new Command("fm-fleet loopback")
        .description("Start a loopback stand-in of the SageMaker runtime for a local trial of `fm-fleet invoke`.")
        .option("--port <port>", "port to listen on (default: a free one)", port, 0)
        .option(
            "--stack-outputs <file>",
            "a stack's outputs (or the plan's JSON): its endpoints' guards answer as Llama Guard 3 does",
        )
        .parse(process.argv)
        .opts<{ port: number; stackOutputs?: string }>();
    const server = new FakeSageMakerRuntime();
    // Guarded endpoints screen every call: their guard components must answer in the guard's format.
    if (options.stackOutputs) {
        const text = withoutNpmBanner(readFileSync(options.stackOutputs, "utf8"));
        const names = parseStackOutputs(JSON.parse(text), `--stack-outputs ${options.stackOutputs}`);
        server.behaviour.guards = Object.values(names.endpoints).flatMap((e) =>
            e.guard ? [e.guard.inferenceComponentName] : [],
        );
    }
    const url = await server.start(options.port);
    process.stdout.write(`${loopbackInstructions(url).join("\n")}\n`);
    if (server.behaviour.guards.length > 0)
        process.stdout.write(`Guards answering as Llama Guard 3: ${server.behaviour.guards.join(", ")}.\n`);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => void server.stop().then(() => process.stdout.write("fm-fleet loopback: stopped\n")));
    }
}

if (require.main === module) {
    void main().catch((e) => {
        process.stderr.write(`fm-fleet loopback: ${(e as Error).message}\n`);
        process.exitCode = 2;
    });
}
