// A worker thread does not inherit the parent's ts-node registration: register it, then run the worker.
require("ts-node").register({ transpileOnly: true });
require("./program-worker.ts");
