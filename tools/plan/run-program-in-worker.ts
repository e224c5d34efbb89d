import * as path from "path";
import { Worker } from "worker_threads";
import { stackTracesFromEnvironment } from "../mocks/promise-traces";
import type { RecordedResource } from "../mocks/recorder";
import type { StackAssessment } from "./assessment";
import { BUILD_DIR } from "../project-root";
import { RUNS_BUILT } from "./program-file";
import type { ProgramRun } from "./run-program";
import { StackSettingsFile } from "./stack-files";
import { fromWire, setComponentOutputs, WorkerMessage } from "./wire-resource";

/** A program that failed in the worker, with its own error name, message and stack (the program's frames). */
export class ProgramError extends Error {
    constructor(name: string, message: string, programStack?: string) {
        super(message);
        this.name = name;
        this.stack = programStack ?? `${name}: ${message}`;
    }
}

/** What the program's worker is sent to run. */
export interface ProgramWorkerRequest {
    readonly settings: StackSettingsFile;
    readonly stack: string;
    /** Keep the program's stack traces (`--verbose`): the worker's environment is a copy made at its start. */
    readonly stackTraces?: boolean;
}

/**
 * A worker running program-worker from the project's build, whether this thread runs from the build (the
 * command lines) or from the sources (the tests, which build first): a worker thread would otherwise load
 * TypeScript and transpile the SDK's users at every plan. From the sources, a stale build is rebuilt first.
 */
function startWorker(): Worker {
    // The build tool is not part of the build: only a thread running from the sources loads it.
    if (!RUNS_BUILT) (require("../build/project-build") as typeof import("../build/project-build")).ensureFreshBuild();
    return new Worker(path.join(BUILD_DIR, "tools", "plan", "program-worker.js"));
}

/** A program run in the worker, with the assessment the worker makes of it after the run. */
export interface WorkerProgramRun extends ProgramRun {
    /** Settles after the run: the worker assesses while the caller goes on (with the pack, in the plan). */
    readonly assessment: Promise<StackAssessment>;
}

/**
 * The thread that runs a program under mocks (see `runProgram`). Registering thousands of resources keeps a
 * thread busy for seconds; on its own thread, the main thread's event loop keeps feeding each registration
 * to the policy pack meanwhile, as the engine analyzes resources while a program runs. It starts before the
 * program is known, so loading the Pulumi SDK, the plan's longest pole, overlaps reading the stack; after the
 * run it assesses the resources (see `assessStack`) and stops.
 *
 * A reusable worker (`start({ reusable: true })`, what the test suite shares across its plans) stays up after
 * an assessed run and runs the next program, one at a time, with the program's own modules loaded afresh; a
 * program that fails still stops it (`alive` turns false), as its half-registered run may leave state behind.
 */
export class ProgramWorker {
    private readonly worker = startWorker();
    private ran = false;
    private exited = false;
    /** Settles when the current run's assessment did: the next run of a reusable worker waits for it. */
    private idle: Promise<unknown> = Promise.resolve();
    /** Set once the worker failed or exited before `run` was called. */
    private early?: Error;
    private onFailure: (error: Error) => void = (error) => {
        this.early ??= error;
    };

    private constructor(private readonly reusable: boolean) {
        this.worker.on("error", (error) => this.onFailure(error));
        this.worker.on("exit", (code) => {
            this.exited = true;
            this.onFailure(new Error(`The program's worker exited with code ${code} before finishing.`));
        });
    }

    /** Starts the worker: it loads the SDK and waits for a program. */
    static start(options: { reusable?: boolean } = {}): ProgramWorker {
        return new ProgramWorker(options.reusable ?? false);
    }

    /** False once the worker stopped or failed: a reusable one is then replaced, not run again. */
    get alive(): boolean {
        return !this.exited && !this.early;
    }

    /** Stops the worker, whatever it is doing (the plan calls it on every path), and waits for it to exit. */
    stop(): Promise<number> {
        return this.worker.terminate();
    }

    /**
     * Runs the stack's program; resolves when every registration settled, with the assessment to come.
     * `stackTraces` keeps the program's traces for this run only (`--verbose`); by default, as the
     * environment's `FM_FLEET_STACK_TRACES=1` asks (tools/mocks/promise-traces.ts).
     */
    run(
        settings: StackSettingsFile,
        stack: string,
        onResource?: (resource: RecordedResource) => void,
        options: { readonly stackTraces?: boolean } = {},
    ): Promise<WorkerProgramRun> {
        if (this.ran && !this.reusable) throw new Error("A program worker runs one program.");
        this.ran = true;
        let assessed!: (assessment: StackAssessment) => void;
        let assessmentFailed!: (error: Error) => void;
        const assessment = new Promise<StackAssessment>((resolve, reject) => {
            assessed = resolve;
            assessmentFailed = reject;
        });
        // Whoever stops waiting (a failed program, a failed pack) must not leave an unhandled rejection behind.
        assessment.catch(() => {});
        // A reusable worker's next run is sent once this one's assessment arrived (or the worker failed).
        const previous = this.idle;
        this.idle = assessment.catch(() => {});
        // Per run, in the request: the worker's environment is a copy made at its start, and runs of this
        // process (plans side by side) must not pass it to each other through the process's environment.
        const stackTraces = options.stackTraces ?? stackTracesFromEnvironment();
        return new Promise((resolve, reject) => {
            const resources: RecordedResource[] = [];
            let done = false;
            const finish = () => {
                this.worker.off("message", onMessage);
                // A one-run worker stops as soon as its work is done; a reusable one waits for the next.
                if (!this.reusable) void this.worker.terminate();
            };
            const fail = (error: Error) => {
                // A worker that failed (or exited) runs nothing more: a reusable one is replaced.
                this.early ??= error;
                if (done) assessmentFailed(error);
                else reject(error);
                done = true;
            };
            const onMessage = (message: WorkerMessage) => {
                if (message.kind === "resource") {
                    const resource = fromWire(message.resource);
                    resources.push(resource);
                    onResource?.(resource);
                } else if (message.kind === "done") {
                    setComponentOutputs(resources, message.componentOutputs);
                    done = true;
                    resolve({ resources, outputs: message.exports, configSources: message.configSources, assessment });
                } else if (message.kind === "assessed") {
                    assessed(message.assessment);
                    finish();
                } else if (message.kind === "assessment-error") {
                    assessmentFailed(new Error(`Assessing the program's resources failed: ${message.stack}`));
                    this.early ??= new Error("The program's worker failed to assess a program.");
                    this.worker.off("message", onMessage);
                    void this.worker.terminate();
                } else {
                    fail(new ProgramError(message.name, message.message, message.stack));
                    this.early ??= new Error("The program's worker ran a program that failed.");
                    this.worker.off("message", onMessage);
                    void this.worker.terminate();
                }
            };
            void previous.then(() => {
                if (this.early) return fail(this.early);
                this.onFailure = fail;
                this.worker.on("message", onMessage);
                this.worker.postMessage({ settings, stack, stackTraces } satisfies ProgramWorkerRequest);
            });
        });
    }
}
