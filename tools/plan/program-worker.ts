import "./worker-builtins";
import { parentPort } from "worker_threads";
import { assessStack } from "./assessment";
import { runProgram } from "./run-program";
import type { ProgramWorkerRequest } from "./run-program-in-worker";
import { fromWire, setComponentOutputs, toWire, WireResource, WorkerMessage } from "./wire-resource";

/**
 * Worker side of {@link ProgramWorker}: loads the SDK (the imports above), waits for the program to run,
 * runs it under mocks and streams each registration to the main thread, whose event loop stays free to
 * feed the policy pack meanwhile. Once the program is done, it assesses the resources (preflight, fleet,
 * cost) while the pack is still analyzing them.
 */
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

parentPort!.once("message", ({ settings, stack, stackTraces }: ProgramWorkerRequest) => {
    if (stackTraces) {
        // Traces kept (--verbose): a program's error names its TypeScript line, not the build's JavaScript.
        process.env.FM_FLEET_STACK_TRACES = "1";
        process.setSourceMapsEnabled(true);
    }
    // What was sent, in its wire form: the assessment reads the same resources the main thread received.
    const sent: WireResource[] = [];
    runProgram(
        settings,
        stack,
        (resource) => {
            const wire = toWire(resource);
            sent.push(wire);
            post({ kind: "resource", resource: wire });
        },
        // Only components are kept: they register their outputs after being recorded, and those are sent last.
        (resource) => !resource.custom,
    ).then(
        (run) => {
            const componentOutputs = run.resources.map((r) => ({
                urn: r.urn,
                outputs: r.outputsStruct.serializeBinary(),
            }));
            post({
                kind: "done",
                exports: JSON.parse(JSON.stringify(run.outputs ?? {})),
                componentOutputs,
                configSources: run.configSources,
            });
            try {
                const resources = sent.map(fromWire);
                setComponentOutputs(resources, componentOutputs);
                post({ kind: "assessed", assessment: assessStack(resources) });
            } catch (e) {
                post({ kind: "assessment-error", stack: (e as Error)?.stack ?? String(e) });
            }
        },
        (error: Error) =>
            post({
                kind: "error",
                name: error?.name ?? "Error",
                message: error?.message ?? String(error),
                stack: error?.stack,
            }),
    );
});
