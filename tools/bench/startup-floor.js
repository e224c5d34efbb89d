// The start-up floor of a plan: node loading the Pulumi SDK packages a program needs while one child starts
// the compiled policy pack (run-policy-pack, up to the port it prints). Nothing of fm-fleet runs.
const { spawn } = require("child_process");
const path = require("path");
const readline = require("readline");

const packDir = path.join(__dirname, "..", "..", "policies");
const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
const child = spawn(process.execPath, [runner, "127.0.0.1:1", packDir], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "ignore"],
});
const ready = new Promise((resolve) => readline.createInterface({ input: child.stdout }).once("line", resolve));
require("@pulumi/pulumi");
require("@pulumi/aws");
require("@pulumi/aws-native");
ready.then(() => {
    child.once("exit", () => process.exit(0));
    child.kill();
});
