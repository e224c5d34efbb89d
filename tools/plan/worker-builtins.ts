// Pulumi's closure serializer (dynamic providers serialize their code at registration) requires every Node
// built-in module once, and `trace_events` throws ERR_TRACE_EVENTS_UNAVAILABLE in a worker thread. It only
// uses the modules as identities, so the program's worker gives it a stand-in for that one module. Imported
// first, before the SDK loads.
const Module = require("module") as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = Module._load;
Module._load = function (this: unknown, request: string, ...rest: unknown[]) {
    if (request === "trace_events" || request === "node:trace_events") return { unavailableInWorkerThreads: true };
    return load.call(this, request, ...rest);
};
