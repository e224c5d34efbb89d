import { writeFileSync } from "fs";
import * as path from "path";
import { Command, InvalidArgumentError, Option } from "commander";
import { FleetConfigError } from "../../components/config/issues";
import { exitAfterFlush, ignoreClosedPipes } from "../exit-after-flush";
import { PlanError } from "../plan/plan";
import { ProgramError, ProgramWorker } from "../plan/run-program-in-worker";
import { StackFileError } from "../plan/stack-files";
import { BUILTIN_TRACES } from "./builtin-traces";
import { TraceError } from "./trace";

/** Where the simulator writes: the report to stdout, progress and errors to stderr. */
export interface SimulateIo {
    readonly stdout: { write(chunk: string): unknown };
    readonly stderr: { write(chunk: string): unknown };
}

/** Exit codes of the simulator. */
export const SIMULATE_EXIT = { ok: 0, invalid: 2 } as const;

const wholeNumber = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    return n;
};
const positiveNumber = (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}".`);
    return n;
};

function command(io: SimulateIo): Command {
    return new Command("fm-fleet simulate")
        .description(
            "Replay a day (or a month) of traffic through the scaling rules a stack declares: copies and instances over time, cost, cold-start and queueing waits, and two counterfactuals (no scale to zero; dedicated endpoints, as the plan prices them). Runs the stack's program under Pulumi mocks; no cloud account needed.",
        )
        .option("-s, --stack <name>", "stack to simulate (reads Pulumi.<name>.yaml)", "dev")
        .option("--stack-file <file>", "stack settings file (default: Pulumi.<stack>.yaml beside Pulumi.yaml)")
        .requiredOption(
            "-t, --trace <file|builtin>",
            `a CSV trace (minute,endpoint,model,requests[,adapter,inputTokens,outputTokens]) or a built-in: ${BUILTIN_TRACES.join(", ")}`,
        )
        .option("--seed <n>", "seed of a built-in trace", wholeNumber, 1)
        .option(
            "--days <n>",
            "days a built-in trace spans (default: 7 for weekday and nightly-batch, 1 otherwise)",
            positiveNumber,
        )
        .addOption(
            new Option("--start-with <state>", "the fleet's state at the first minute")
                .choices(["idle", "min"])
                .default("idle"),
        )
        .addOption(
            new Option("-f, --format <format>", "output format")
                .choices(["table", "markdown", "json"])
                .default("table"),
        )
        .option("--chart <file.svg>", "also write a chart (SVG) of load, copies, instances, cold starts and cost")
        .option("--cwd <dir>", "project directory (with Pulumi.yaml)", process.cwd())
        .addHelpText("after", "\nExit codes: 0 simulated, 2 invalid options, trace, config or program.")
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/**
 * The simulator's command line: parses `argv`, simulates, writes the report (and chart); returns the exit
 * code. `programWorker` lends a reusable program worker (tests share one); by default it starts its own.
 */
export async function runSimulateCli(
    argv: readonly string[],
    io: SimulateIo,
    programWorker?: ProgramWorker,
): Promise<number> {
    const program = command(io);
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        const code = (e as { code?: string }).code;
        return code === "commander.helpDisplayed" || code === "commander.version"
            ? SIMULATE_EXIT.ok
            : SIMULATE_EXIT.invalid;
    }
    const options = program.opts<{
        stack: string;
        stackFile?: string;
        trace: string;
        seed: number;
        days?: number;
        startWith: "idle" | "min";
        format: "table" | "markdown" | "json";
        chart?: string;
        cwd: string;
    }>();
    const progress = (line: string) => io.stderr.write(`fm-fleet simulate: ${line}\n`);
    try {
        const { simulate } = require("./simulate") as typeof import("./simulate");
        const report = await simulate({
            projectDir: path.resolve(options.cwd),
            stack: options.stack,
            stackFile: options.stackFile && path.resolve(options.stackFile),
            trace: options.trace,
            seed: options.seed,
            days: options.days,
            startWith: options.startWith,
            programWorker,
            onProgress: progress,
        });
        if (options.chart) {
            const { renderChartSvg } = require("./chart") as typeof import("./chart");
            writeFileSync(options.chart, renderChartSvg(report));
            progress(`chart written to ${options.chart}`);
        }
        const text =
            options.format === "json"
                ? JSON.stringify(
                      (require("./report-json") as typeof import("./report-json")).simulationJson(report),
                      null,
                      2,
                  )
                : options.format === "markdown"
                  ? (require("./report-text") as typeof import("./report-text")).renderSimulationMarkdown(
                        report,
                        options.chart,
                    )
                  : (require("./report-text") as typeof import("./report-text")).renderSimulationTable(report);
        io.stdout.write(`${text}\n`);
        return SIMULATE_EXIT.ok;
    } catch (e) {
        const known =
            e instanceof TraceError ||
            e instanceof StackFileError ||
            e instanceof FleetConfigError ||
            e instanceof PlanError ||
            e instanceof ProgramError;
        const message = (e as Error).message ?? String(e);
        io.stderr.write(
            `fm-fleet simulate: ${known ? message : `unexpected error: ${(e as Error).stack ?? message}`}\n`,
        );
        return SIMULATE_EXIT.invalid;
    }
}

/** The command line as a process: exits with the simulator's code once its output is written. */
export function main(): void {
    ignoreClosedPipes();
    runSimulateCli(process.argv.slice(2), process).then(exitAfterFlush, (e) => {
        process.stderr.write(`fm-fleet simulate: ${(e as Error).stack ?? String(e)}\n`);
        exitAfterFlush(SIMULATE_EXIT.invalid);
    });
}
