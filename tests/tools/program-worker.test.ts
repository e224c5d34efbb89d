import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ProgramWorker } from "../../tools/plan/run-program-in-worker";
import { readStack } from "../../tools/plan/stack-files";

/**
 * A JavaScript program of its own project: one component, the number of times its helper module was
 * loaded fresh as an export, and a throw when its config says so.
 */
function counterProject(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-worker-"));
    const pulumi = JSON.stringify(require.resolve("@pulumi/pulumi"));
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: counter\nruntime: nodejs\nmain: index.js\n");
    writeFileSync(path.join(dir, "Pulumi.ok.yaml"), "config: {}\n");
    writeFileSync(path.join(dir, "Pulumi.fails.yaml"), "config:\n  counter:fail: yes\n");
    writeFileSync(path.join(dir, "counter.js"), "module.exports = { loads: 0 };\n");
    writeFileSync(
        path.join(dir, "index.js"),
        [
            `const pulumi = require(${pulumi});`,
            `const counter = require("./counter");`,
            `counter.loads++;`,
            `if (new pulumi.Config().get("fail")) throw new Error("the program failed on purpose");`,
            `new pulumi.ComponentResource("test:index:Thing", "thing");`,
            `exports.loads = counter.loads;`,
        ].join("\n"),
    );
    return dir;
}

describe("program worker (tools/plan/run-program-in-worker)", function () {
    // Starting a worker loads the Pulumi SDK: a second or two.
    this.timeout(60_000);
    const dir = counterProject();

    it("runs program after program when reusable, each afresh, and is replaced after a program that fails", async () => {
        const worker = ProgramWorker.start({ reusable: true });
        try {
            const runs = [];
            for (let i = 0; i < 2; i++) {
                const run = await worker.run(readStack(dir, "ok"), "ok");
                await run.assessment;
                runs.push(run);
            }
            // The second run loaded the program and its helper again: a new thread would have done the same.
            for (const run of runs) {
                assert.deepEqual(run.outputs, { loads: 1 });
                assert.deepEqual(
                    run.resources.map((r) => [r.type, r.name]),
                    [
                        ["pulumi:pulumi:Stack", "counter-ok"],
                        ["test:index:Thing", "thing"],
                    ],
                );
            }
            assert.equal(worker.alive, true);
            // A program that fails may leave state behind: the worker stops and says so.
            // (As a ProgramError, or as the worker's own error event when the SDK rethrows it unhandled.)
            await assert.rejects(worker.run(readStack(dir, "fails"), "fails"), {
                name: "Error",
                message: "the program failed on purpose",
            });
            assert.equal(worker.alive, false);
        } finally {
            await worker.stop();
        }
    });

    it("runs one program when not reusable", async () => {
        const worker = ProgramWorker.start();
        try {
            await (
                await worker.run(readStack(dir, "ok"), "ok")
            ).assessment;
            assert.throws(() => worker.run(readStack(dir, "ok"), "ok"), {
                message: "A program worker runs one program.",
            });
        } finally {
            await worker.stop();
        }
    });
});
