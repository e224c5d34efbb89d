#!/usr/bin/env node
// The package's command line. Sources are TypeScript, run through ts-node's transpiler (no type check:
// `npm run typecheck` does that), the way the Pulumi CLI runs the program.
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
const { runCli } = require("../runtime/cli.ts");

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted")));
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }).then(
    (code) => (process.exitCode = code),
);
