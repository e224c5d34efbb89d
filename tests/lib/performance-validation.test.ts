import * as assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { findInstanceType } from "../../lib/catalog";
import { decodeStepMs, deploymentOf, timeToFirstTokenMs } from "../../lib/performance";
import { Quantization } from "../../lib/sizing";

interface Row {
    model: string;
    parametersBillions: number;
    architecture: { layers: number; kvHeads: number; headDim: number };
    quantization: Quantization;
    instanceType: string;
    accelerators: number;
    container: string;
    metric: "tokensPerSecond" | "ttftMs";
    contextTokens?: number;
    promptTokens?: number;
    published: number;
    source: string;
}

const ROOT = path.join(__dirname, "..", "..");
const rows: Row[] = JSON.parse(readFileSync(path.join(ROOT, "docs", "performance-validation.json"), "utf8")).rows;

/** The estimate of a row, from the same functions the plan and the pack use. */
function estimateOf(r: Row): number {
    const d = deploymentOf({ ...r, architecture: r.architecture })!;
    return r.metric === "ttftMs" ? timeToFirstTokenMs(d, r.promptTokens) : 1000 / decodeStepMs(d, r.contextTokens!);
}

const error = (r: Row) => (estimateOf(r) - r.published) / r.published;

describe("docs/performance.md: validation against published measurements", () => {
    it("has at least six measurements on at least three accelerator types, each with a source", () => {
        assert.ok(rows.length >= 6);
        assert.ok(new Set(rows.map((r) => findInstanceType(r.instanceType)!.accelerator)).size >= 3);
        for (const r of rows) assert.match(r.source, /^https:\/\//);
    });

    it("prints in the docs table exactly the estimates and errors the code computes", () => {
        // Cells, not spacing: prettier aligns the table's columns.
        const cells = (line: string) => line.split("|").map((c) => c.trim());
        const docRows = readFileSync(path.join(ROOT, "docs", "performance.md"), "utf8")
            .split("\n")
            .filter((l) => l.startsWith("|"))
            .map((l) => JSON.stringify(cells(l)));
        for (const r of rows) {
            const unit = r.metric === "ttftMs" ? "ms TTFT" : "tokens/s";
            const expected = cells(
                `| ${r.model} | ${r.instanceType} (${r.accelerators} x ${findInstanceType(r.instanceType)!.accelerator}) | ${r.container} | ${unit} | ${r.published} | ${estimateOf(r).toFixed(1)} | ${(error(r) * 100).toFixed(0)}% | ${r.source} |`,
            );
            assert.ok(docRows.includes(JSON.stringify(expected)), `docs/performance.md lists ${expected.join(" | ")}`);
        }
    });

    it("keeps the median absolute error within 25%", () => {
        const errors = rows.map((r) => Math.abs(error(r))).sort((a, b) => a - b);
        const mid = errors.length / 2;
        const median = errors.length % 2 ? errors[Math.floor(mid)] : (errors[mid - 1] + errors[mid]) / 2;
        assert.ok(median <= 0.25, `median absolute error ${(median * 100).toFixed(1)}%`);
        assert.match(
            readFileSync(path.join(ROOT, "docs", "performance.md"), "utf8"),
            new RegExp(`Median absolute error: ${(median * 100).toFixed(1)}%`),
        );
    });
});
