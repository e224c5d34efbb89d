#!/usr/bin/env node
// The package's command line, run from the project's JavaScript build (rebuilt first when its sources
// changed; `npm run typecheck` checks the types).
// The SDK warns on every run that its releases after January 2027 need Node 22; a command-line failure
// must be one line a script can show. Its own switch silences exactly that warning, nothing else.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { runCli } = require("../tools/build/project-build").requireBuilt("runtime/cli");

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted")));
// A reader that goes away (`| head`) closes the pipe: stop the request, so the model stops generating for
// it, and say so in one line instead of crashing on the unhandled write error.
process.stdout.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    controller.abort(new Error("stdout was closed"));
});
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }).then(
    (code) => (process.exitCode = code),
);
