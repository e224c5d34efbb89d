// @ts-check
// `npm` as the docs test's shell blocks see it (tests/helpers/doc-pages.ts puts it first on their PATH).
// `npm run [--silent] plan|simulate -- ...` is a process of its own the first time each of those shapes
// runs, which proves the command as written: npm, its banner, the build, a pack of its own, the exit code.
// After that, the same command with other arguments runs in the suite's process (runPlanCli and
// runSimulateCli on a started pack and program worker), with npm's banner, and its output and exit code
// come back here. Every other command, and any whose output goes to a file, is the real npm's.
// Plain JavaScript: it starts in a few milliseconds.
"use strict";
const { spawnSync } = require("child_process");
const { fstatSync, readFileSync } = require("fs");
const http = require("http");
const path = require("path");

const args = process.argv.slice(2);

/** `npm run [--silent|-s] <plan|simulate> [-- args]`, or undefined for any other command. */
function scriptRun() {
    if (args[0] !== "run") return undefined;
    let i = 1;
    let silent = false;
    for (; args[i] === "--silent" || args[i] === "-s"; i++) silent = true;
    const script = args[i];
    if (script !== "plan" && script !== "simulate") return undefined;
    const rest = args.slice(i + 1);
    if (rest.length > 0 && rest[0] !== "--") return undefined;
    return { silent, script, argv: rest.slice(1) };
}

function real() {
    const result = spawnSync(process.env.FM_FLEET_DOCS_REAL_NPM || "npm", args, { stdio: "inherit" });
    process.exit(result.status ?? 1);
}

const run = scriptRun();
// Output to a file (`> before.json`): what lands in it, npm's banner included, is the real npm's business.
// A pipe (the shell's `|`) or the test's own socket is read as text: those may run in the suite's process.
const stdout = fstatSync(1);
if (!run || !process.env.FM_FLEET_DOCS_RUNNER || !(stdout.isFIFO() || stdout.isSocket())) real();
else {
    const request = http.request(
        { socketPath: process.env.FM_FLEET_DOCS_RUNNER, method: "POST", path: "/" },
        (response) => {
            let body = "";
            response.on("data", (d) => (body += d));
            response.on("end", () => {
                const answer = JSON.parse(body);
                if (answer.real) return real();
                if (!run.silent) {
                    const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
                    const command = [pkg.scripts[run.script], ...run.argv].join(" ");
                    process.stdout.write(`\n> ${pkg.name}@${pkg.version} ${run.script}\n> ${command}\n\n`);
                }
                process.stderr.write(answer.stderr);
                process.stdout.write(answer.stdout, () => process.exit(answer.code));
            });
        },
    );
    request.end(JSON.stringify(run));
}
