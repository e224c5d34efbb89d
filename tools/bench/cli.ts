import { execFile } from "child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import Table from "cli-table3";
import { Command } from "commander";
import { formatUsd } from "../../lib/cost";
import { BUILD_DIR, ensureFreshBuild } from "../build/project-build";
import { PROJECT_ROOT } from "../project-root";
import { writeGeneratedStack } from "./generated-fleet";
import type { Mode } from "./measure-child";
import { measureRuntimeOverhead } from "./runtime-overhead";
import { measureAdvise } from "./advise";
import { measureSimulation } from "./simulation";
import { measureStartup } from "./startup";
import { referenceWorkloads, WorkloadCost } from "./workloads";

/** One child-process measurement. */
interface Measurement {
    mode: Mode;
    resources: number;
    ms: number;
    maxRssMb: number;
    packPeakRssMb?: number;
    timings?: {
        programMs: number;
        analyzeDrainMs: number;
        analyzeMs: number;
        analyzeStackMs: number;
        packStartMs: number;
        totalMs: number;
    };
    mandatory?: number;
}

interface ScaleRow {
    adapters: number;
    floor: Measurement;
    program: Measurement;
    plan: Measurement;
    /** plan wall time / floor wall time. */
    timeRatio: number;
    /** plan peak memory (plan process + pack process) / floor peak memory. */
    memoryRatio: number;
    /** Share of the plan's wall time spent waiting on the pack after the program registered everything. */
    policyShare: number;
}

const ROOT = PROJECT_ROOT;
const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (n: number) => `${Math.round(n)} MB`;
const x = (r: number) => `${r.toFixed(2)}x`;

/** A mode in a fresh child process; `ms` is its whole wall time, spawn to exit, start-up included. */
function measure(mode: Mode, arg: string): Promise<Measurement> {
    const started = performance.now();
    return new Promise((resolve, reject) =>
        execFile(
            process.execPath,
            [path.join(BUILD_DIR, "tools", "bench", "measure-child.js"), mode, arg],
            {
                cwd: ROOT,
                maxBuffer: 16 * 1024 * 1024,
                env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
            },
            (error, stdout, stderr) =>
                error
                    ? reject(new Error(`${mode} ${arg} failed: ${stderr}`))
                    : resolve({ ...JSON.parse(stdout), ms: performance.now() - started }),
        ),
    );
}

async function scale(sizes: number[], log: (line: string) => void): Promise<ScaleRow[]> {
    const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-bench-"));
    const rows: ScaleRow[] = [];
    for (const adapters of sizes) {
        const stackFile = writeGeneratedStack(dir, adapters);
        // One at a time: the machine has two cores, and the plan uses both (program and pack).
        log(`${adapters} adapters: floor (bare InferenceComponent registrations)`);
        const floor = await measure("floor", String(adapters + 17));
        log(`${adapters} adapters: program under mocks`);
        const program = await measure("program", stackFile);
        log(`${adapters} adapters: full plan (program + pack over the analyzer protocol)`);
        const plan = await measure("plan", stackFile);
        const t = plan.timings!;
        rows.push({
            adapters,
            floor,
            program,
            plan,
            timeRatio: plan.ms / floor.ms,
            memoryRatio: (plan.maxRssMb + (plan.packPeakRssMb ?? 0)) / floor.maxRssMb,
            policyShare: (t.analyzeDrainMs + t.analyzeStackMs) / t.totalMs,
        });
    }
    return rows;
}

function scaleTable(rows: ScaleRow[]): string {
    const table = new Table({
        head: [
            "Adapters",
            "Resources",
            "Floor",
            "Program",
            "Plan",
            "Plan/floor time",
            "Floor mem",
            "Program mem",
            "Plan mem (+pack)",
            "Plan/floor mem",
            "Policy share",
        ],
        style: { head: [], border: [] },
    });
    for (const r of rows) {
        table.push([
            r.adapters.toLocaleString("en-US"),
            r.plan.resources.toLocaleString("en-US"),
            fmt(r.floor.ms),
            fmt(r.program.ms),
            fmt(r.plan.ms),
            x(r.timeRatio),
            mb(r.floor.maxRssMb),
            mb(r.program.maxRssMb),
            `${mb(r.plan.maxRssMb)} (+${mb(r.plan.packPeakRssMb ?? 0)})`,
            x(r.memoryRatio),
            `${(r.policyShare * 100).toFixed(0)}%`,
        ]);
    }
    return table.toString();
}

function costTable(workloads: WorkloadCost[]): string {
    const table = new Table({
        head: [
            "Workload",
            "fm-fleet",
            "ICs without scale to zero",
            "Naive",
            "Naive / fm-fleet",
            "No-STZ / fm-fleet",
            "Prices as of",
        ],
        style: { head: [], border: [] },
    });
    for (const w of workloads) {
        table.push([
            w.name,
            `${formatUsd(w.fleet.usd)} (${w.fleet.instanceType})`,
            formatUsd(w.withoutScaleToZero.usd),
            `${formatUsd(w.naive.usd)} (${w.naive.instanceType})`,
            x(w.naive.usd / w.fleet.usd),
            x(w.withoutScaleToZero.usd / w.fleet.usd),
            Object.entries(w.priceDates)
                .map(([t, d]) => `${t} ${d}`)
                .join(", "),
        ]);
    }
    return table.toString();
}

async function main(): Promise<void> {
    const options = new Command("npm run bench")
        .description(
            "Scale (thousands of adapters against the SDK's floor) and cost (reference workloads) of fm-fleet.",
        )
        .option("--sizes <list>", "adapter counts", "100,1000,5000")
        .option("--out <file>", "JSON results", path.join(ROOT, "bench-results", "bench.json"))
        .option("--no-scale", "skip the scale runs")
        .option("--no-runtime", "skip the runtime client overhead")
        .option("--no-simulation", "skip the simulator's 30-day, 10-model replay")
        .option("--no-startup", "skip the dev-stack start-up against its floor")
        .parse()
        .opts<{
            sizes: string;
            out: string;
            scale: boolean;
            runtime: boolean;
            startup: boolean;
            simulation: boolean;
        }>();
    const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
    const sizes = options.sizes.split(",").map(Number);
    const startedAt = new Date().toISOString();
    // Every measured command runs from the build, as `npm run plan` does: never a stale one.
    ensureFreshBuild((reason) => log(`${reason}: building it`));

    if (options.startup) log("start-up: dev-stack plan and its floor, alternating");
    const startup = options.startup ? await measureStartup() : undefined;
    const rows = options.scale ? await scale(sizes, log) : [];
    const workloads = referenceWorkloads();
    if (options.runtime) log("runtime client overhead (loopback)");
    const runtime = options.runtime ? await measureRuntimeOverhead() : undefined;
    log("--advise over the prod plan");
    const advise = await measureAdvise();
    if (options.simulation) log("simulator: 7, 14 and 30 days of one-minute traffic over 10 models");
    const simulation = options.simulation
        ? [await measureSimulation(7, 10), await measureSimulation(14, 10), await measureSimulation(30, 10)]
        : undefined;

    const out: string[] = [
        `fm-fleet benchmark, ${startedAt}, node ${process.version}, ${require("os").cpus().length} cores`,
    ];
    if (startup) {
        out.push(
            "",
            `Start-up (median of ${startup.runs}, spawn to exit): dev-stack plan ${fmt(startup.planMs)}, floor ${fmt(startup.floorMs)} ` +
                `(node loading the Pulumi SDKs while the compiled pack starts): ${x(startup.planMs / startup.floorMs)} (goal: <= 1.5x).`,
        );
    }
    if (rows.length) {
        out.push(
            "",
            "Scale: 1 endpoint, 1 base model, N adapters (each a fresh process; plan memory = plan process + pack process)",
            scaleTable(rows),
        );
        const at = (n: number) => rows.find((r) => r.adapters === n);
        const [small, large] = [at(1000), at(5000)];
        if (small && large) {
            out.push(
                `Growth 1,000 -> 5,000 adapters: plan ${x(large.plan.ms / small.plan.ms)}, program ${x(large.program.ms / small.program.ms)}, floor ${x(large.floor.ms / small.floor.ms)} (goal: plan <= 5.5x).`,
            );
        }
        out.push(
            "Goals at 5,000 adapters: plan <= 2x the SDK floor in time and memory (times are whole processes, start-up included).",
        );
    }
    out.push("", "Cost per month (us-east-1 on-demand hosting, 730 h)", costTable(workloads));
    for (const w of workloads) out.push(`  ${w.name}: ${w.description}. ${w.notes.join("; ")}.`);
    if (runtime) {
        out.push(
            "",
            `Runtime client: ${runtime.requests} requests each on a loopback server; raw SDK send median ${runtime.rawMedianUs.toFixed(0)} us, ` +
                `FleetClient.invoke median ${runtime.clientMedianUs.toFixed(0)} us: overhead ${((runtime.medianRatio - 1) * 100).toFixed(1)}% at the median, ` +
                `${((runtime.meanRatio - 1) * 100).toFixed(1)}% at the mean (goal: within 5%).`,
        );
    }
    out.push(
        "",
        `Right-sizing: prod plan ${fmt(advise.planMs)} in-process; --advise over every allowed catalog type adds ${advise.adviseMs.toFixed(1)} ms ` +
            `(median of ${advise.runs}, ${((advise.adviseMs / advise.planMs) * 100).toFixed(2)}% of the plan; goal: < 200 ms).`,
    );
    if (simulation) {
        out.push(
            "",
            "Simulator (weekday trace, 10 scale-to-zero models, one-minute resolution; engine only, in a fresh process):",
        );
        for (const s of simulation) {
            out.push(
                `  ${s.days} days: ${s.simulateMs.toFixed(0)} ms, counterfactual (copies.min 1) ${s.counterfactualMs.toFixed(0)} ms, peak memory ${mb(s.maxRssMb)}`,
            );
        }
        const [week, , month] = simulation;
        out.push(
            `  30 days vs 7 days: ${x(month.simulateMs / week.simulateMs)} the time for ${x(30 / 7)} the minutes (goal: linear; 30 days under 2 s, under 300 MB).`,
        );
    }
    process.stdout.write(`${out.join("\n")}\n`);
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(
        options.out,
        JSON.stringify(
            { startedAt, node: process.version, startup, scale: rows, workloads, runtime, advise, simulation },
            null,
            2,
        ),
    );
    log(`wrote ${options.out}`);
}

main().catch((e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
});
