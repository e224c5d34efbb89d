import { existsSync, readFileSync } from "fs";
import * as path from "path";
import type { StackCost } from "../../lib/cost";
import { stackTracesFromEnvironment } from "../mocks/promise-traces";
import type { RecordedResource } from "../mocks/recorder";
import { ensureFreshPolicyPack } from "../policy-pack/build";
import { PACK_DIR } from "../policy-pack/sources";
import type { PlannedEndpoint, PlannedOptimizationJob } from "./fleet-view";
import { jsonErrorWithLine } from "./json-position";
import { programLocation, programMessage } from "./program-location";
import { EffectiveConfig, PolicyConfigError } from "./policy-config";
import type { Diagnostic, PolicyPackConfigFile, PolicyPackHost } from "./policy-host";
import type { PreflightFinding } from "./preflight/preflight";
import { configPathsOf } from "./config-paths";
import { ProgramWorker } from "./run-program-in-worker";
import { readStack, StackSettingsFile } from "./stack-files";

/** What to plan. */
export interface PlanOptions {
    /** Directory with `Pulumi.yaml`. */
    readonly projectDir: string;
    readonly stack: string;
    /** Stack file. @default `<projectDir>/Pulumi.<stack>.yaml` */
    readonly stackFile?: string;
    /** `--policy-pack-config` file. @default `<pack>/config/<stack>.json` when it exists, else none */
    readonly policyConfigFile?: string;
    /**
     * Policy pack directory, e.g. a published pack unpacked and installed. @default the project's
     * `policies/`, rebuilt first when its build is older than its sources
     */
    readonly policyPackDir?: string;
    /**
     * A pack already started (from `policyPackDir`), configured for this plan and left running: tests share
     * one. @default none - the plan starts its own and stops it
     */
    readonly policyPackHost?: PolicyPackHost;
    /**
     * A reusable program worker already started (`ProgramWorker.start({ reusable: true })`) and left running:
     * tests share one. @default none - the plan starts its own and stops it
     */
    readonly programWorker?: ProgramWorker;
    /**
     * Keep the program's stack traces (`--verbose`): an error names the program's file and line, and carries
     * its trace. @default on when the environment has `FM_FLEET_STACK_TRACES=1` (tools/mocks/promise-traces.ts)
     */
    readonly stackTraces?: boolean;
    /** Progress lines (for stderr). */
    readonly onProgress?: (line: string) => void;
}

/** Milliseconds spent in each phase. */
export interface PlanTimings {
    /** Starting the pack (run-policy-pack loading its compiled build), overlapped with the program. */
    packStartMs: number;
    /** Running the program under mocks until every registration settled. */
    programMs: number;
    /** Analyze calls still outstanding once the program finished. */
    analyzeDrainMs: number;
    /** Wall time of all Analyze calls, first sent to last answered (overlaps the program). */
    analyzeMs: number;
    /** The AnalyzeStack call. */
    analyzeStackMs: number;
    totalMs: number;
}

/** A finished plan. */
export interface PlanResult {
    readonly project: string;
    readonly stack: string;
    readonly resources: RecordedResource[];
    readonly outputs: Record<string, unknown>;
    readonly fleet: PlannedEndpoint[];
    /** Every optimization job, whether or not a model serves its output. */
    readonly optimizationJobs: PlannedOptimizationJob[];
    readonly diagnostics: Diagnostic[];
    /** What `pulumi up` would reject though mocks accepted it (the deploy preflight). */
    readonly preflight: PreflightFinding[];
    readonly policyPack: {
        name: string;
        version: string;
        configFile: string | undefined;
        config: EffectiveConfig;
        /** What the engine would ignore in the config file without a word (unknown policies, undeclared keys). */
        configWarnings: string[];
    };
    readonly cost: StackCost;
    /** The physical name of each of `resources`, by position (`null` for components and unnamed ones). */
    readonly physicalNames: (string | null)[];
    /** The stack file planned, relative to the project (`Pulumi.dev.yaml`). */
    readonly stackFile: string;
    /**
     * URN -> the path in the stack file's `fm-fleet:fleet` config each resource was made from
     * (`fleet.endpoints[0].foundationModels[1]`); resources a program made by hand have none.
     */
    readonly configPaths: Record<string, string>;
    readonly timings: PlanTimings;
    /** Peak resident memory of the policy pack's process, in MiB (Linux only). */
    readonly packPeakRssMb: number | undefined;
    /** 0 clean or advisory only, 1 mandatory violations or deploy preflight findings. */
    readonly exitCode: 0 | 1;
}

/** A plan that could not run: a bad config or a failing program (exit 2). */
export class PlanError extends Error {
    /** The full trace behind a one-line message (a program's error), for `--verbose`. */
    readonly detail?: string;
    constructor(message: string, detail?: string) {
        super(message);
        this.name = "PlanError";
        this.detail = detail;
    }
}

function readPolicyConfig(file: string): PolicyPackConfigFile {
    const text = readFileSync(file, "utf8");
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new PlanError(
            `Policy config ${file} is not valid JSON: ${jsonErrorWithLine(text, e as Error)}. Fix it there (a trailing comma, a missing quote).`,
        );
    }
}

/** What a plan reads before it runs anything. */
interface PlanInputs {
    readonly packDir: string;
    readonly configFile: string | undefined;
    readonly configJson: PolicyPackConfigFile;
    readonly settings: StackSettingsFile;
}

function readInputs(options: PlanOptions, progress: (line: string) => void): PlanInputs {
    const packDir = options.policyPackDir ?? PACK_DIR;
    if (!existsSync(packDir)) throw new PlanError(`Policy pack directory ${packDir} does not exist.`);
    // The in-repo pack runs from its compiled build: never from one older than its sources.
    if (options.policyPackDir === undefined) {
        ensureFreshPolicyPack((reason) => progress(`${reason}: rebuilding the policy pack`));
    }
    // Stack configs live with the project, whichever pack runs (a published one carries none).
    const defaultConfig = path.join(PACK_DIR, "config", `${options.stack}.json`);
    const configFile = options.policyConfigFile ?? (existsSync(defaultConfig) ? defaultConfig : undefined);
    if (configFile === undefined) {
        const create = path.relative(process.cwd(), defaultConfig) || defaultConfig;
        progress(
            `warning: no policy config for stack "${options.stack}": the pack runs with its defaults (production's rules). Create ${create} (start from a copy of policies/config/dev.json), or pass --policy-config <file>.`,
        );
    }
    if (configFile && !existsSync(configFile)) throw new PlanError(`Policy config ${configFile} does not exist.`);
    const configJson = configFile ? readPolicyConfig(configFile) : {};
    const settings = readStack(options.projectDir, options.stack, options.stackFile);
    return { packDir, configFile, configJson, settings };
}

/** Starts the pack; the gRPC code loads only now, after the program's worker has started. */
async function startPolicyPack(packDir: string): Promise<PolicyPackHost> {
    return (require("./policy-host") as typeof import("./policy-host")).PolicyPackHost.start(packDir);
}

/** Analyze calls in flight at once: enough to keep the pack busy, few enough to bound memory. */
const ANALYZE_WINDOW = 32;

/**
 * Runs the program of a stack under Pulumi mocks and judges it with the policy pack as `pulumi preview
 * --policy-pack` would: the pack starts while the program runs, each resource is analyzed as it registers,
 * then the whole stack once.
 */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const started = Date.now();
    // Started first: it loads the SDK while the pack and the stack are read. A plan never leaves it
    // running, whichever way it ends (it stops itself once it has assessed the program).
    const programWorker = options.programWorker ?? ProgramWorker.start();
    try {
        return await planWith(programWorker, options, started);
    } finally {
        if (!options.programWorker) await programWorker.stop();
    }
}

async function planWith(programWorker: ProgramWorker, options: PlanOptions, started: number): Promise<PlanResult> {
    const progress = options.onProgress ?? (() => {});
    const { packDir, configFile, configJson, settings } = readInputs(options, progress);

    const timings: PlanTimings = {
        packStartMs: 0,
        programMs: 0,
        analyzeDrainMs: 0,
        analyzeMs: 0,
        analyzeStackMs: 0,
        totalMs: 0,
    };
    progress(
        `starting policy pack ${path.relative(process.cwd(), packDir) || "."} and running ${path.basename(settings.main)} under mocks`,
    );
    const diagnostics: Diagnostic[] = [];
    const pending = new Set<Promise<void>>();
    const queue: RecordedResource[] = [];
    let firstAnalyze = 0;
    let lastAnalyze = 0;
    // Set when the program fails: no further Analyze call, and in-flight ones may fail as the pack stops.
    let aborted = false;
    let analyzeError: unknown;
    const pump = () => {
        while (!aborted && pending.size < ANALYZE_WINDOW && queue.length > 0) {
            const resource = queue.shift()!;
            firstAnalyze ||= Date.now();
            const call: Promise<void> = hostReady
                .then(({ host }) => (aborted ? [] : host.analyze(resource)))
                .then((found) => {
                    for (const d of found) diagnostics.push(d.urn ? d : { ...d, urn: resource.urn });
                    lastAnalyze = Date.now();
                })
                .catch((e) => {
                    if (!aborted) analyzeError ??= e;
                })
                .finally(() => {
                    pending.delete(call);
                    pump();
                });
            pending.add(call);
        }
    };
    let registered = 0;
    const onResource = (resource: RecordedResource) => {
        queue.push(resource);
        pump();
        if (++registered % 1000 === 0) progress(`${registered} resources registered`);
    };

    const programStarted = Date.now();
    // The program runs first: loading the SDK in its worker is the plan's longest pole. The pack (and the
    // gRPC code that drives it) starts beside it.
    const stackTraces = options.stackTraces ?? stackTracesFromEnvironment();
    const programRun = programWorker.run(settings, options.stack, onResource, { stackTraces });
    const shared = options.policyPackHost;
    const stopOwn = (host: PolicyPackHost) => (shared ? Promise.resolve() : host.stop());
    const hostReady = (shared ? Promise.resolve(shared) : startPolicyPack(packDir)).then(async (host) => {
        timings.packStartMs = Date.now() - started;
        try {
            const read = await host.configure(configJson);
            for (const warning of read.warnings) progress(`policy config warning: ${warning}`);
            return { host, config: read.config, configWarnings: read.warnings };
        } catch (e) {
            await stopOwn(host);
            const where = configFile ? path.relative(process.cwd(), configFile) : "the policy config";
            throw new PlanError(e instanceof PolicyConfigError ? `${where}: ${e.message}` : (e as Error).message);
        }
    });
    // Surface a pack that fails to start even while the program is still running.
    hostReady.catch(() => {});

    let run;
    try {
        run = await programRun;
    } catch (e) {
        // Stop the pack (and wait for it to exit) before reporting: a plan never leaves its pack running.
        aborted = true;
        queue.length = 0;
        await hostReady.then(
            ({ host }) => stopOwn(host),
            () => {},
        );
        const error = e as Error;
        // A stack config error names its field paths; any other error names the program's line.
        const where = error.name === "FleetConfigError" ? undefined : programLocation(error, options.projectDir);
        // Traces are off under mocks for speed (tools/mocks/promise-traces.ts): --verbose turns them on.
        const hint =
            where || error.name === "FleetConfigError" || stackTraces
                ? ""
                : " (run the plan with --verbose for the file and line)";
        throw new PlanError(
            `The program of stack ${options.stack} failed${where ? ` at ${where}` : ""}: ${programMessage(error)}${hint}`,
            error.stack,
        );
    }
    timings.programMs = Date.now() - programStarted;
    progress(`program registered ${run.resources.length} resources in ${(timings.programMs / 1000).toFixed(1)} s`);

    const { host, config, configWarnings } = await hostReady;
    let packStopped: Promise<void> | undefined;
    try {
        const drainStarted = Date.now();
        while (queue.length > 0 || pending.size > 0) await Promise.all([...pending]);
        if (analyzeError)
            throw new PlanError(`The policy pack failed to analyze a resource: ${(analyzeError as Error).message}`);
        timings.analyzeDrainMs = Date.now() - drainStarted;
        timings.analyzeMs = lastAnalyze - firstAnalyze;
        const stackStarted = Date.now();
        diagnostics.push(...(await host.analyzeStack(run.resources)));
        timings.analyzeStackMs = Date.now() - stackStarted;
        progress(
            `policy pack ${host.packName}@${host.packVersion} analyzed ${run.resources.length} resources and the stack`,
        );
        // The pack's work is done: it stops while the rest is judged and priced.
        const packPeakRssMb = host.peakRssMb();
        packStopped = stopOwn(host);
        // Assessed by the program's worker while the pack analyzed.
        const { preflight: findings, fleet, optimizationJobs, cost, physicalNames } = await run.assessment;
        timings.totalMs = Date.now() - started;
        return {
            project: settings.project,
            stack: options.stack,
            resources: run.resources,
            outputs: run.outputs,
            fleet,
            optimizationJobs,
            diagnostics,
            preflight: findings,
            policyPack: {
                name: host.packName,
                version: host.packVersion,
                configFile: configFile && path.relative(options.projectDir, configFile),
                config,
                configWarnings,
            },
            cost,
            physicalNames,
            stackFile: displayedPath(
                options.projectDir,
                options.stackFile ?? path.join(options.projectDir, `Pulumi.${options.stack}.yaml`),
            ),
            configPaths: configPathsOf(run.resources, run.configSources),
            timings,
            packPeakRssMb,
            exitCode: diagnostics.some((d) => d.enforcementLevel === "mandatory") || findings.length > 0 ? 1 : 0,
        };
    } finally {
        await (packStopped ?? stopOwn(host));
    }
}

/** A file as a person in the project finds it: relative to the project, unless it lies outside. */
function displayedPath(projectDir: string, file: string): string {
    const relative = path.relative(projectDir, file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
