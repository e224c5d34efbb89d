import { writeFileSync } from "fs";
import * as path from "path";
import { Command, InvalidArgumentError, Option } from "commander";
import { FleetConfigError } from "../../components/config/issues";
import { exitAfterFlush, ignoreClosedPipes } from "../exit-after-flush";
import { BaselineError } from "./baseline";
import { plan, PlanError } from "./plan";
import type { PolicyPackHost } from "./policy-host";
import { MIN_WIDTH, reportWidth } from "./report/width";
import type { ProgramWorker } from "./run-program-in-worker";
import { readStack, StackFileError } from "./stack-files";

/** Where the plan writes: the report to stdout, progress and errors to stderr. */
export interface PlanIo {
    /** `columns`: the terminal's width when stdout is one (the table report fits it). */
    readonly stdout: { write(chunk: string): unknown; readonly columns?: number };
    readonly stderr: { write(chunk: string): unknown };
}

/** Exit codes of the plan. */
export const PLAN_EXIT = { clean: 0, failed: 1, invalid: 2 } as const;

const positiveInt = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    return n;
};

const width = (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < MIN_WIDTH) {
        throw new InvalidArgumentError(
            `expected a whole number of columns, at least ${MIN_WIDTH}, got "${value}". Pass e.g. --width 100, or leave it out to fit the terminal.`,
        );
    }
    return n;
};

function command(io: PlanIo): Command {
    return new Command("fm-fleet plan")
        .description(
            "Run a stack's program under Pulumi mocks, judge it with the policy pack as `pulumi preview --policy-pack` would, and price it. No cloud account or Pulumi CLI needed.",
        )
        .option("-s, --stack <name>", "stack to plan (reads Pulumi.<name>.yaml)", "dev")
        .option("--stack-file <file>", "stack settings file (default: Pulumi.<stack>.yaml beside Pulumi.yaml)")
        .option(
            "--policy-config <file>",
            "policy pack config, as for --policy-pack-config (default: policies/config/<stack>.json)",
        )
        .addOption(
            // The Pulumi CLI's own spelling (`pulumi preview --policy-pack-config`): the same meaning.
            new Option(
                "--policy-pack-config <file>",
                "the same as --policy-config, as the Pulumi CLI spells it",
            ).hideHelp(),
        )
        .option(
            "--policy-pack <dir>",
            "policy pack directory, e.g. a published pack unpacked and installed (default: the project's policies/)",
        )
        .option("--cwd <dir>", "project directory (with Pulumi.yaml)", process.cwd())
        .addOption(
            new Option("-f, --format <format>", "output format")
                .choices(["table", "json", "markdown"])
                .default("table"),
        )
        .option(
            "-o, --out <file>",
            "write the report (any --format) to <file>; the terminal gets only the verdict line",
        )
        .option(
            "--width <columns>",
            `fit the table report's tree, tables and messages to <columns> (at least ${MIN_WIDTH}; default: the terminal's width, else COLUMNS, else 100); JSON and Markdown are not wrapped`,
            width,
        )
        .option("--verbose", "with an error, the full trace (a program's stack)")
        .option("--max-adapters <n>", "adapters listed per model before the rest are summarized", positiveInt)
        .option(
            "--baseline <file>",
            "an earlier plan's JSON (--format json) of the same stack: list what this plan adds, replaces, updates and deletes",
        )
        .option(
            "--advise",
            "list per model the cheapest allowed instance types that meet its SLO (docs/performance.md)",
        )
        .addHelpText(
            "after",
            "\nExit codes: 0 clean or advisory only, 1 mandatory policy violations or findings that would fail at deploy, 2 invalid options, config or program.",
        )
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/** The plan's options, as parsed. */
interface PlanCliOptions {
    stack: string;
    stackFile?: string;
    policyConfig?: string;
    policyPackConfig?: string;
    policyPack?: string;
    out?: string;
    cwd: string;
    format: "table" | "json" | "markdown";
    maxAdapters?: number;
    baseline?: string;
    advise?: boolean;
    verbose?: boolean;
    width?: number;
}

/**
 * The plan's command line: parses `argv`, plans, writes the report; returns the exit code. `policyPackHost`
 * lends an already started pack and `programWorker` a reusable program worker (tests share both); by
 * default the plan starts and stops its own.
 */
export async function runPlanCli(
    argv: readonly string[],
    io: PlanIo,
    policyPackHost?: PolicyPackHost,
    programWorker?: ProgramWorker,
): Promise<number> {
    const program = command(io);
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        const code = (e as { code?: string }).code;
        return code === "commander.helpDisplayed" || code === "commander.version" ? PLAN_EXIT.clean : PLAN_EXIT.invalid;
    }
    const options = program.opts<PlanCliOptions>();
    if (options.policyPackConfig !== undefined) {
        if (options.policyConfig !== undefined && options.policyConfig !== options.policyPackConfig) {
            io.stderr.write(
                `fm-fleet plan: --policy-config ${options.policyConfig} and --policy-pack-config ${options.policyPackConfig} name different files; they are the same option: give one.\n`,
            );
            return PLAN_EXIT.invalid;
        }
        options.policyConfig = options.policyPackConfig;
    }
    return planWith(options, io, policyPackHost, programWorker);
}

async function planWith(
    options: PlanCliOptions,
    io: PlanIo,
    policyPackHost: PolicyPackHost | undefined,
    programWorker?: ProgramWorker,
): Promise<number> {
    // Progress is for people watching a terminal or a CI log; the report on stdout stays machine-readable.
    const progress = (line: string) => io.stderr.write(`fm-fleet plan: ${line}\n`);
    // What people read on the terminal fits its width. JSON and Markdown are for tools and pages, and a file
    // (--out) has no terminal: those are whole, unless --width asks for a table file of that width.
    const columns = reportWidth(options.width, io.stdout.columns, process.env.COLUMNS);
    const fitsReport = options.format === "table" && (!options.out || options.width !== undefined);
    const fitted = (text: string) =>
        (require("./report/fit") as typeof import("./report/fit")).wrapLines(text.split("\n"), columns).join("\n");
    try {
        // Read before planning: a baseline that cannot be used costs no plan. Loaded only when given.
        const baselines = options.baseline ? (require("./baseline") as typeof import("./baseline")) : undefined;
        let baseline;
        if (baselines) {
            baseline = baselines.readBaseline(
                options.baseline!,
                process.cwd(),
                options.stack,
                (require("./report/json") as typeof import("./report/json")).PLAN_JSON_SCHEMA_VERSION,
            );
            const { project } = readStack(
                path.resolve(options.cwd),
                options.stack,
                options.stackFile && path.resolve(options.stackFile),
            );
            baselines.checkBaselineProject(baseline, project);
        }
        const result = await plan({
            projectDir: path.resolve(options.cwd),
            stack: options.stack,
            stackFile: options.stackFile && path.resolve(options.stackFile),
            policyConfigFile: options.policyConfig && path.resolve(options.policyConfig),
            policyPackDir: options.policyPack && path.resolve(options.policyPack),
            policyPackHost,
            programWorker,
            // The program's traces, off under mocks for speed, are what --verbose shows: this plan's alone
            // (plans may run side by side in one process), so an option, not the environment.
            stackTraces: options.verbose || undefined,
            onProgress: progress,
        });
        let changes;
        if (baselines && baseline) {
            changes = baselines.diffPlans(
                baseline.file,
                baseline.resources,
                baselines.planResourcesJson(result.resources, result.physicalNames),
            );
        }
        // Reports load after the plan: they need not delay the start of the pack and the program.
        const advice = options.advise
            ? (require("./advise") as typeof import("./advise")).adviseFleet(result)
            : undefined;
        const report =
            options.format === "json"
                ? JSON.stringify(
                      {
                          ...(require("./report/json") as typeof import("./report/json")).planJson(result, changes),
                          ...(advice && { advice }),
                      },
                      null,
                      2,
                  )
                : options.format === "markdown"
                  ? (require("./report/markdown") as typeof import("./report/markdown")).renderMarkdown(result, {
                        maxAdapters: options.maxAdapters,
                        changes,
                    })
                  : (require("./report/table") as typeof import("./report/table")).renderTable(result, {
                        maxAdapters: options.maxAdapters,
                        changes,
                        width: fitsReport ? columns : Number.MAX_SAFE_INTEGER,
                    });
        const adviceLines =
            advice && options.format !== "json"
                ? (require("./advise") as typeof import("./advise")).renderAdvice(advice)
                : undefined;
        const adviceText = adviceLines === undefined ? "" : `${fitsReport ? fitted(adviceLines) : adviceLines}\n`;
        if (options.out) {
            // A file the shell did not open: npm's banner (`npm run` without -s) cannot end up in it.
            const file = path.resolve(options.out);
            try {
                writeFileSync(file, `${report}\n${adviceText}`);
            } catch (e) {
                io.stderr.write(
                    `fm-fleet plan: cannot write --out ${options.out}: ${(e as Error).message}. Pick a writable path.\n`,
                );
                return PLAN_EXIT.invalid;
            }
            const { verdict } = require("./report/shared") as typeof import("./report/shared");
            // One line, whatever the width: it is all a script or a CI log gets, and it names a path to copy.
            io.stdout.write(`${verdict(result)} Wrote the ${options.format} report to ${options.out}.\n`);
        } else {
            io.stdout.write(`${report}\n${adviceText}`);
        }
        return result.exitCode;
    } catch (e) {
        const known =
            e instanceof PlanError ||
            e instanceof StackFileError ||
            e instanceof FleetConfigError ||
            e instanceof BaselineError;
        const message = (e as Error).message ?? String(e);
        io.stderr.write(`fm-fleet plan: ${known ? message : `unexpected error: ${(e as Error).stack ?? message}`}\n`);
        const detail = e instanceof PlanError ? e.detail : undefined;
        if (options.verbose && detail) io.stderr.write(`${detail}\n`);
        return PLAN_EXIT.invalid;
    }
}

/** The command line as a process: exits with the plan's code once its output is written. */
export function main(): void {
    ignoreClosedPipes();
    // Interrupted (Ctrl-C, a CI timeout): stop the pack first, so it does not outlive the plan.
    for (const [signal, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
    ] as const) {
        process.once(signal, () => {
            // Loaded by now when a pack runs; loading it otherwise costs the start-up nothing.
            const { stopAllPolicyPacks } = require("./policy-host") as typeof import("./policy-host");
            void stopAllPolicyPacks().then(() => exitAfterFlush(code));
        });
    }
    runPlanCli(process.argv.slice(2), process).then(exitAfterFlush, (e) => {
        process.stderr.write(`fm-fleet plan: ${(e as Error).stack ?? String(e)}\n`);
        exitAfterFlush(PLAN_EXIT.invalid);
    });
}
