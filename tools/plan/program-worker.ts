import { parentPort, workerData } from "worker_threads";
import { runProgram } from "./run-program";
import { StackSettingsFile } from "./stack-files";
import { toWire, WorkerMessage } from "./wire-resource";

/**
 * Worker side of {@link runProgramInWorker}: runs the program under mocks and streams each registration
 * to the main thread, whose event loop stays free to feed the policy pack meanwhile.
 */
const { settings, stack } = workerData as { settings: StackSettingsFile; stack: string };
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

runProgram(
    settings,
    stack,
    (resource) => post({ kind: "resource", resource: toWire(resource) }),
    // Only components are kept: they register their outputs after being recorded, and those are sent last.
    (resource) => !resource.custom,
).then(
    (run) =>
        post({
            kind: "done",
            exports: JSON.parse(JSON.stringify(run.outputs ?? {})),
            componentOutputs: run.resources.map((r) => ({ urn: r.urn, outputs: r.outputsStruct.serializeBinary() })),
        }),
    (error: Error) => post({ kind: "error", name: error?.name ?? "Error", message: error?.message ?? String(error) }),
);
