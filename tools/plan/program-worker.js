// Pulumi's closure serializer (dynamic providers serialize their code at registration) requires every Node
// built-in module once, and `trace_events` throws ERR_TRACE_EVENTS_UNAVAILABLE in a worker thread. It only
// uses the modules as identities, so this worker gives it a stand-in for that one module.
const Module = require("module");
const load = Module._load;
Module._load = function (request, ...rest) {
    if (request === "trace_events" || request === "node:trace_events") {
        return { unavailableInWorkerThreads: true };
    }
    return load.call(this, request, ...rest);
};

// A worker thread does not inherit the parent's ts-node registration: register it (with the project's
// tsconfig, whatever the working directory), then run the worker.
require("ts-node").register({
    transpileOnly: true,
    project: require("path").join(__dirname, "..", "..", "tsconfig.json"),
});
require("./program-worker.ts");
