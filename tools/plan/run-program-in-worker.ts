import * as path from "path";
import { Worker } from "worker_threads";
import type { RecordedResource } from "../mocks/recorder";
import type { ProgramRun } from "./run-program";
import { StackSettingsFile } from "./stack-files";
import { fromWire, setWireOutputs, WorkerMessage } from "./wire-resource";

/** A program that failed in the worker, with its own error name and message (no stack: it is the user's). */
export class ProgramError extends Error {
    constructor(name: string, message: string) {
        super(message);
        this.name = name;
    }
}

/**
 * Runs the program under mocks in a worker thread (see `runProgram`). Registering thousands of resources
 * keeps a thread busy for seconds; on its own thread, the main thread's event loop keeps feeding each
 * registration to the policy pack meanwhile, as the engine analyzes resources while a program runs.
 */
export function runProgramInWorker(
    settings: StackSettingsFile,
    stack: string,
    onResource?: (resource: RecordedResource) => void,
): Promise<ProgramRun> {
    return new Promise((resolve, reject) => {
        const worker = new Worker(path.join(__dirname, "program-worker.js"), { workerData: { settings, stack } });
        const resources: RecordedResource[] = [];
        let settled = false;
        worker.on("message", (message: WorkerMessage) => {
            if (message.kind === "resource") {
                const resource = fromWire(message.resource);
                resources.push(resource);
                onResource?.(resource);
            } else if (message.kind === "done") {
                const byUrn = new Map(resources.map((r) => [r.urn, r]));
                for (const { urn, outputs } of message.componentOutputs) {
                    const resource = byUrn.get(urn);
                    if (resource) setWireOutputs(resource, outputs);
                }
                settled = true;
                resolve({ resources, outputs: message.exports });
                void worker.terminate();
            } else {
                settled = true;
                reject(new ProgramError(message.name, message.message));
                void worker.terminate();
            }
        });
        worker.on("error", (error) => {
            settled = true;
            reject(error);
        });
        worker.on("exit", (code) => {
            if (!settled) reject(new Error(`The program's worker exited with code ${code} before finishing.`));
        });
    });
}
