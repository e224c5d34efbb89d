// A worker thread does not inherit the parent's ts-node registration: register it (with the project's
// tsconfig, whatever the working directory), then run the worker.
require("ts-node").register({
    transpileOnly: true,
    project: require("path").join(__dirname, "..", "..", "tsconfig.json"),
});
require("./program-worker.ts");
