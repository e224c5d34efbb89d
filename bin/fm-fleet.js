#!/usr/bin/env node
// The package's command line. Sources are TypeScript, run through ts-node's transpiler (no type check:
// `npm run typecheck` does that), the way the Pulumi CLI runs the program.
// The SDK warns on every run that its releases after January 2027 need Node 22; a command-line failure
// must be one line a script can show. Its own switch silences exactly that warning, nothing else.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
const { runCli } = require("../runtime/cli.ts");

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted")));
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }).then(
    (code) => (process.exitCode = code),
);
