import * as path from "path";
import { Worker } from "worker_threads";
import type { RecordedResource } from "../mocks/recorder";
import type { StackAssessment } from "./assessment";
import { PROJECT_ROOT } from "../project-root";
import { RUNS_BUILT } from "./program-file";
import type { ProgramRun } from "./run-program";
import { StackSettingsFile } from "./stack-files";
import { fromWire, setComponentOutputs, WorkerMessage } from "./wire-resource";

/** A program that failed in the worker, with its own error name and message (no stack: it is the user's). */
export class ProgramError extends Error {
    constructor(name: string, message: string) {
        super(message);
        this.name = name;
    }
}

/** What the program's worker is given. */
export interface ProgramWorkerData {
    readonly settings: StackSettingsFile;
    readonly stack: string;
}

/** A worker running program-worker: its build, or its source through ts-node when this runs from sources. */
function startWorker(workerData: ProgramWorkerData): Worker {
    if (RUNS_BUILT) return new Worker(path.join(__dirname, "program-worker.js"), { workerData });
    // A worker thread does not inherit this thread's ts-node registration: it registers its own.
    const source = path.join(__dirname, "program-worker.ts");
    const tsconfig = path.join(PROJECT_ROOT, "tsconfig.json");
    const code = `require("ts-node").register({ transpileOnly: true, project: ${JSON.stringify(tsconfig)} });\nrequire(${JSON.stringify(source)});`;
    return new Worker(code, { eval: true, workerData });
}

/** A program run in the worker, with the assessment the worker makes of it after the run. */
export interface WorkerProgramRun extends ProgramRun {
    /** Settles after the run: the worker assesses while the caller goes on (with the pack, in the plan). */
    readonly assessment: Promise<StackAssessment>;
}

/**
 * Runs the program under mocks in a worker thread (see `runProgram`). Registering thousands of resources
 * keeps a thread busy for seconds; on its own thread, the main thread's event loop keeps feeding each
 * registration to the policy pack meanwhile, as the engine analyzes resources while a program runs. The
 * worker then assesses the resources (see `assessStack`) and stops.
 */
export function runProgramInWorker(
    settings: StackSettingsFile,
    stack: string,
    onResource?: (resource: RecordedResource) => void,
): Promise<WorkerProgramRun> {
    let assessed!: (assessment: StackAssessment) => void;
    let assessmentFailed!: (error: Error) => void;
    const assessment = new Promise<StackAssessment>((resolve, reject) => {
        assessed = resolve;
        assessmentFailed = reject;
    });
    // Whoever stops waiting (a failed program, a failed pack) must not leave an unhandled rejection behind.
    assessment.catch(() => {});
    return new Promise((resolve, reject) => {
        const worker = startWorker({ settings, stack });
        const resources: RecordedResource[] = [];
        let done = false;
        const fail = (error: Error) => {
            if (done) assessmentFailed(error);
            else reject(error);
            done = true;
        };
        worker.on("message", (message: WorkerMessage) => {
            if (message.kind === "resource") {
                const resource = fromWire(message.resource);
                resources.push(resource);
                onResource?.(resource);
            } else if (message.kind === "done") {
                setComponentOutputs(resources, message.componentOutputs);
                done = true;
                resolve({ resources, outputs: message.exports, assessment });
            } else if (message.kind === "assessed") {
                assessed(message.assessment);
                void worker.terminate();
            } else if (message.kind === "assessment-error") {
                assessmentFailed(new Error(`Assessing the program's resources failed: ${message.stack}`));
                void worker.terminate();
            } else {
                fail(new ProgramError(message.name, message.message));
                void worker.terminate();
            }
        });
        worker.on("error", fail);
        worker.on("exit", (code) => fail(new Error(`The program's worker exited with code ${code} before finishing.`)));
    });
}
