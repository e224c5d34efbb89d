import * as path from "path";
import { Command, InvalidArgumentError, Option } from "commander";
import { FleetConfigError } from "../../components/config/issues";
import { plan, PlanError } from "./plan";
import { stopAllPolicyPacks } from "./policy-host";
import { planJson } from "./report/json";
import { renderMarkdown } from "./report/markdown";
import { renderTable } from "./report/table";
import { StackFileError } from "./stack-files";
import { exitAfterFlush } from "../exit-after-flush";

const positiveInt = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    return n;
};

const program = new Command("fm-fleet plan")
    .description(
        "Run a stack's program under Pulumi mocks, judge it with the policy pack as `pulumi preview --policy-pack` would, and price it. No cloud account or Pulumi CLI needed.",
    )
    .option("-s, --stack <name>", "stack to plan (reads Pulumi.<name>.yaml)", "dev")
    .option("--stack-file <file>", "stack settings file (default: Pulumi.<stack>.yaml beside Pulumi.yaml)")
    .option(
        "--policy-config <file>",
        "policy pack config, as for --policy-pack-config (default: policies/config/<stack>.json)",
    )
    .option(
        "--policy-pack <dir>",
        "policy pack directory, e.g. a published pack unpacked and installed (default: the project's policies/)",
    )
    .option("--cwd <dir>", "project directory (with Pulumi.yaml)", process.cwd())
    .addOption(
        new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).default("table"),
    )
    .option("--max-adapters <n>", "adapters listed per model before the rest are summarized", positiveInt)
    .addHelpText(
        "after",
        "\nExit codes: 0 clean or advisory only, 1 mandatory policy violations, 2 invalid config or program error.",
    )
    .showHelpAfterError();

async function main(): Promise<number> {
    program.parse();
    const options = program.opts<{
        stack: string;
        stackFile?: string;
        policyConfig?: string;
        policyPack?: string;
        cwd: string;
        format: "table" | "json" | "markdown";
        maxAdapters?: number;
    }>();
    const projectDir = path.resolve(options.cwd);
    // Progress is for people watching a terminal or a CI log; the report on stdout stays machine-readable.
    const progress = (line: string) => process.stderr.write(`fm-fleet plan: ${line}\n`);
    try {
        const result = await plan({
            projectDir,
            stack: options.stack,
            stackFile: options.stackFile && path.resolve(options.stackFile),
            policyConfigFile: options.policyConfig && path.resolve(options.policyConfig),
            policyPackDir: options.policyPack && path.resolve(options.policyPack),
            onProgress: progress,
        });
        const report =
            options.format === "json"
                ? JSON.stringify(planJson(result), null, 2)
                : options.format === "markdown"
                  ? renderMarkdown(result, { maxAdapters: options.maxAdapters })
                  : renderTable(result, { maxAdapters: options.maxAdapters });
        process.stdout.write(`${report}\n`);
        return result.exitCode;
    } catch (e) {
        const known = e instanceof PlanError || e instanceof StackFileError || e instanceof FleetConfigError;
        const message = (e as Error).message ?? String(e);
        process.stderr.write(
            `fm-fleet plan: ${known ? message : `unexpected error: ${(e as Error).stack ?? message}`}\n`,
        );
        return 2;
    }
}

// Interrupted (Ctrl-C, a CI timeout): stop the pack first, so it does not outlive the plan.
for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
] as const) {
    process.once(signal, () => void stopAllPolicyPacks().then(() => exitAfterFlush(code)));
}

main().then(exitAfterFlush, (e) => {
    process.stderr.write(`fm-fleet plan: ${(e as Error).stack ?? String(e)}\n`);
    exitAfterFlush(2);
});
