import * as assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { runsInBackground } from "../helpers/background";
import { ROOT } from "../helpers/configs";
import { docPageRuns, stopDocPages } from "../helpers/doc-pages";
import { allShellBlocks, NOT_RUN, runnableByPage, shellBlocks } from "./shell-blocks";

const docsSuite = describe("docs: shell blocks (tests/docs/shell-blocks.ts)", () => {
    it("reads a page's shell blocks, their markers and expected output, and skips other fences", () => {
        const page = [
            "```sh",
            "npm run plan",
            "```",
            "",
            "<!-- output includes: OK: -->",
            "```text",
            "not a command",
            "```",
            "```sh aws",
            "pulumi up",
            "```",
            "```bash background",
            "npm run loopback",
            "```",
            "```sh sometimes",
            "echo",
            "```",
        ].join("\n");
        assert.deepEqual(shellBlocks("x.md", page), [
            { file: "x.md", line: 1, script: "npm run plan", expects: ["OK:"], kind: "run" },
            { file: "x.md", line: 9, script: "pulumi up", expects: [], kind: "not-run", reason: "aws" },
            { file: "x.md", line: 12, script: "npm run loopback", expects: [], kind: "background" },
            { file: "x.md", line: 15, script: "echo", expects: [], kind: "unknown", marker: "sometimes" },
        ]);
    });

    const blocks = allShellBlocks(ROOT);

    it("finds every block either run or marked with a reason it cannot run here (docs/README.md)", () => {
        const unknown = blocks.filter((b) => b.kind === "unknown").map((b) => `${b.file}:${b.line}`);
        assert.deepEqual(unknown, [], `markers other than background, ${Object.keys(NOT_RUN).join(", ")}`);
        const legend = readFileSync(path.join(ROOT, "docs", "README.md"), "utf8");
        for (const marker of [...Object.keys(NOT_RUN), "background"]) {
            assert.ok(legend.includes(`sh ${marker}`), `docs/README.md explains \`sh ${marker}\``);
        }
        // The tour's five steps run: planning, violations, an adapter against a baseline, the loopback.
        assert.ok(blocks.filter((b) => b.file === "README.md" && b.kind !== "not-run").length >= 5);
    });

    // The blocks run as processes from the start of the suite (tests/helpers/doc-pages.ts), page after page;
    // this suite runs last and checks what each block did.
    const runnable = runnableByPage(ROOT);
    for (const [file, run] of runnable) {
        const marked = blocks.filter((b) => b.file === file && b.kind === "not-run");
        const note = marked.length
            ? `; not run: ${marked.map((b) => `line ${b.line} (${b.kind === "not-run" ? b.reason : ""})`).join(", ")}`
            : "";
        it(`${file}: ${run.length} block(s) run as written${note}`, async function () {
            // Each block may run a plan or a simulation as a process of its own: seconds each on two cores.
            this.timeout(600_000);
            const { ran, error } = await docPageRuns(runnable).get(file)!;
            for (const { block, result } of ran) {
                const { code, output } = result;
                assert.equal(code, 0, `${file}:${block.line} exited ${code}:\n${block.script}\n---\n${output}`);
                for (const expected of block.expects) {
                    assert.ok(output.includes(expected), `${file}:${block.line} prints "${expected}":\n${output}`);
                }
            }
            if (error) throw error;
            // Every run block ran (none was left out by a failure above).
            assert.equal(ran.length, run.filter((b) => b.kind === "run").length);
        });
    }
});

runsInBackground(docsSuite, () => docPageRuns(runnableByPage(ROOT)), stopDocPages);
