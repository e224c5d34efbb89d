import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { runSimulateCli } from "../../../tools/simulate/cli";
import { PROJECT_ROOT } from "../../../tools/project-root";
import { sharedProgramWorker } from "../../helpers/shared-pack";

async function run(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runSimulateCli(
        [...argv, "--cwd", PROJECT_ROOT],
        {
            stdout: { write: (s: string) => (stdout += s) },
            stderr: { write: (s: string) => (stderr += s) },
        },
        sharedProgramWorker(),
    );
    return { code, stdout, stderr };
}

/** The tags of an XML document, checked to nest and close; throws on the first fault. */
function xmlElements(text: string): { name: string; attributes: Record<string, string> }[] {
    const elements: { name: string; attributes: Record<string, string> }[] = [];
    const open: string[] = [];
    const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
    let last = 0;
    for (let m = tag.exec(text); m; m = tag.exec(text)) {
        const between = text.slice(last, m.index);
        assert.ok(!/[<>]/.test(between), `stray markup before offset ${m.index}: ${between.slice(0, 40)}`);
        last = tag.lastIndex;
        const [, closing, name, attrs, selfClosing] = m;
        if (closing) {
            assert.equal(open.pop(), name, `</${name}> closes another element`);
            continue;
        }
        const attributes: Record<string, string> = {};
        for (const a of attrs.matchAll(/([\w:-]+)="([^"]*)"/g)) attributes[a[1]] = a[2];
        elements.push({ name, attributes });
        if (!selfClosing) open.push(name);
    }
    assert.ok(!/[<>]/.test(text.slice(last)), "stray markup at the end");
    assert.deepEqual(open, [], "unclosed elements");
    return elements;
}

describe("simulator: command line", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-simulate-"));

    it("simulates the dev stack on a built-in trace: JSON for CI, and a chart", async () => {
        const chart = path.join(dir, "chart.svg");
        const { code, stdout, stderr } = await run([
            "--stack",
            "dev",
            "--trace",
            "nightly-batch",
            "--format",
            "json",
            "--chart",
            chart,
        ]);
        assert.equal(code, 0, stderr);
        const json = JSON.parse(stdout);
        assert.equal(json.schemaVersion, 2);
        assert.equal(json.trace.name, "nightly-batch");
        assert.equal(typeof json.costUsd, "number");
        assert.ok(json.coldStarts > 0, "dev scales to zero between batches");
        for (const k of ["p50", "p95", "p99", "max"]) assert.equal(typeof json.coldStartWaitSeconds[k], "number");
        assert.deepEqual(
            json.models.map((m: any) => [m.endpoint, m.model, m.performanceSource]),
            [
                ["chat", "llama-guard-3-8b", "estimate"],
                ["chat", "llama3-8b", "estimate"],
            ],
        );
        assert.ok(json.counterfactuals.noScaleToZero.costUsd > json.costUsd);
        assert.ok(json.counterfactuals.dedicated.costUsd > json.counterfactuals.noScaleToZero.costUsd);
        assert.equal(json.counterfactuals.noScaleToZero.coldStarts, 0);
        assert.ok(!stdout.includes("NaN"));

        const svg = readFileSync(chart, "utf8");
        const elements = xmlElements(svg);
        assert.equal(elements[0].name, "svg");
        assert.equal(elements[0].attributes.xmlns, "http://www.w3.org/2000/svg");
        const classes = elements.map((e) => e.attributes.class).filter(Boolean);
        for (const c of ["requests", "copies", "instances", "cost"])
            assert.equal(classes.filter((x) => x === c).length, 1, c);
        const marked = json.series.coldStarts.filter((x: number) => x > 0).length;
        assert.equal(classes.filter((x) => x === "cold-start").length, marked);
        assert.ok(marked > 0);
        assert.ok(!svg.includes("NaN") && !svg.includes("Infinity"));
    });

    it("exits 2 with one line naming the file, the line and the fix for a bad trace", async () => {
        const trace = path.join(dir, "bad.csv");
        writeFileSync(trace, "minute,endpoint,model,requests\n0,chat,llama3-8b,1\n1,chat,mistral,2\n");
        const { code, stdout, stderr } = await run(["--stack", "dev", "--trace", trace]);
        assert.equal(code, 2);
        assert.equal(stdout, "");
        const lines = stderr
            .trim()
            .split("\n")
            .filter((l) => !l.includes(": running ") && !l.includes("building"));
        assert.deepEqual(lines, [
            `fm-fleet simulate: ${trace}:3: unknown model "mistral" on endpoint "chat". It hosts: llama-guard-3-8b, llama3-8b.`,
        ]);
    });

    it("exits 2 on an unknown format", async () => {
        const { code, stderr } = await run(["--trace", "idle", "--format", "yaml"]);
        assert.equal(code, 2);
        assert.match(stderr, /argument 'yaml' is invalid/);
    });
});
