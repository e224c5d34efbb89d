import "./worker-builtins";
import * as path from "path";
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

/** What this thread had loaded before any program ran: the SDK and the plan's own code. */
const sourceMapsAtStart = process.sourceMapsEnabled;
let loadedBeforePrograms: Set<string> | undefined;

/**
 * Forgets the modules the last program loaded (outside node_modules), so the next program of a reusable
 * worker runs its files afresh, as a new thread would; the SDK and libraries stay loaded.
 */
function forgetProgramModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (!loadedBeforePrograms!.has(file) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

/** Runs one program; a reusable worker's next request arrives only after this one was assessed. */
function runOne({ settings, stack, stackTraces }: ProgramWorkerRequest): Promise<void> {
    loadedBeforePrograms ??= new Set(Object.keys(require.cache));
    // Traces kept (--verbose): a program's error names its TypeScript line, not the build's JavaScript. Set
    // for each program, so one run's --verbose does not carry over to the next run of a reusable worker.
    if (stackTraces) process.env.FM_FLEET_STACK_TRACES = "1";
    else delete process.env.FM_FLEET_STACK_TRACES;
    process.setSourceMapsEnabled(stackTraces ? true : sourceMapsAtStart);
    // What was sent, in its wire form: the assessment reads the same resources the main thread received.
    const sent: WireResource[] = [];
    return runProgram(
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
            forgetProgramModules();
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
}

parentPort!.on("message", (request: ProgramWorkerRequest) => void runOne(request));
