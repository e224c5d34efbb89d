import { strict as assert } from "assert";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { builtinTrace } from "../../../tools/simulate/builtin-traces";
import { syntheticFleet } from "../../../tools/simulate/synthetic-fleet";
import { readTraceFile, seriesKey, TraceError } from "../../../tools/simulate/trace";

const fleet = syntheticFleet(2);
const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-trace-"));
let n = 0;
const file = (text: string) => {
    const f = path.join(dir, `trace-${n++}.csv`);
    writeFileSync(f, text);
    return f;
};
const HEADER = "minute,endpoint,model,requests\n";

async function fails(text: string, line: number, detail: string) {
    const f = file(text);
    await assert.rejects(readTraceFile(f, fleet), (e: unknown) => {
        assert.ok(e instanceof TraceError);
        assert.equal(e.message, `${f}:${line}: ${detail}`);
        assert.ok(!e.message.includes("\n"));
        return true;
    });
}

describe("simulator: trace files", () => {
    it("reads rows in any order, adding up rows of one minute, with token means weighted by requests", async () => {
        const f = file(
            "minute,endpoint,model,requests,adapter,inputTokens,outputTokens\n" +
                "3,endpoint-0,model-0,2,,100,10\n" +
                "1,endpoint-1,model-1,5,,,\n" +
                "3,endpoint-0,model-0-ic,6,,200,30\n",
        );
        const trace = await readTraceFile(f, fleet);
        assert.equal(trace.minutes, 4);
        const s = trace.series.get(seriesKey("endpoint-0", "model-0"))!;
        assert.deepEqual(Array.from(s.requests), [0, 0, 0, 8]);
        assert.equal(s.inputTokens[3] / s.requests[3], 175);
        assert.equal(s.outputTokens[3] / s.requests[3], 25);
        const other = trace.series.get(seriesKey("endpoint-1", "model-1"))!;
        assert.deepEqual(Array.from(other.requests), [0, 5, 0, 0]);
        assert.equal(other.outputTokens[1] / other.requests[1], 256);
    });

    it("fails on a header without the required columns", () =>
        fails(
            "minute,endpoint,requests\n0,endpoint-0,1\n",
            1,
            "the header lacks model. Start the file with a header: minute,endpoint,model,requests (optional: adapter, inputTokens, outputTokens).",
        ));

    it("fails on a negative minute", () =>
        fails(
            `${HEADER}0,endpoint-0,model-0,1\n-1,endpoint-0,model-0,1\n`,
            3,
            'minute must be a whole number >= 0 (minutes since the trace\'s start), got "-1". Write it as 0, 1, 2, ...',
        ));

    it("fails on a minute that is not a whole number", () =>
        fails(
            `${HEADER}1.5,endpoint-0,model-0,1\n`,
            2,
            'minute must be a whole number >= 0 (minutes since the trace\'s start), got "1.5". Write it as 0, 1, 2, ...',
        ));

    for (const bad of ["-2", "NaN", "Infinity", "many", ""]) {
        it(`fails on requests "${bad}"`, () =>
            fails(
                `${HEADER}0,endpoint-0,model-0,${bad}\n`,
                2,
                `requests must be a finite number >= 0 (arrivals in that minute), got "${bad}". Write 0 for a quiet minute, or leave the minute out.`,
            ));
    }

    it("fails on an endpoint the stack does not declare, naming the known ones", () =>
        fails(
            `${HEADER}0,chat,model-0,1\n`,
            2,
            'unknown endpoint "chat". The stack declares: endpoint-0, endpoint-1.',
        ));

    it("fails on a model the endpoint does not host, naming the known ones", () =>
        fails(
            `${HEADER}0,endpoint-0,model-1,1\n`,
            2,
            'unknown model "model-1" on endpoint "endpoint-0". It hosts: model-0.',
        ));

    it("fails on an empty file", () =>
        fails(
            "",
            1,
            "the file is empty. Start the file with a header: minute,endpoint,model,requests (optional: adapter, inputTokens, outputTokens).",
        ));

    it("fails on a header without rows", () =>
        fails(
            HEADER,
            2,
            "no rows after the header. Add a row per minute with traffic (a row with requests 0 at the last minute sets the window), or use --trace idle.",
        ));

    it("fails on a row with more fields than the header", () =>
        fails(
            `${HEADER}0,endpoint-0,model-0,1,extra\n`,
            2,
            "not valid CSV: Invalid Record Length: expect 4, got 5 on line 2. Quote fields with commas, one row per line.",
        ));
});

describe("simulator: built-in traces", () => {
    it("gives the same trace for the same seed and another for another seed", () => {
        const a = builtinTrace("spiky", fleet, { seed: 7 });
        const b = builtinTrace("spiky", fleet, { seed: 7 });
        const c = builtinTrace("spiky", fleet, { seed: 8 });
        const key = seriesKey("endpoint-0", "model-0");
        assert.deepEqual(Array.from(a.series.get(key)!.requests), Array.from(b.series.get(key)!.requests));
        assert.notDeepEqual(Array.from(a.series.get(key)!.requests), Array.from(c.series.get(key)!.requests));
    });

    it("weekday is quiet at weekends and busiest in business hours; idle has no request", () => {
        const week = builtinTrace("weekday", fleet);
        assert.equal(week.minutes, 7 * 1440);
        const r = week.series.get(seriesKey("endpoint-0", "model-0"))!.requests;
        const sum = (from: number, to: number) => r.slice(from, to).reduce((n, x) => n + x, 0);
        assert.equal(sum(5 * 1440, 7 * 1440), 0);
        assert.ok(r[12 * 60] > 10 * r[3 * 60]);
        const idle = builtinTrace("idle", fleet);
        assert.equal(idle.minutes, 1440);
        for (const s of idle.series.values())
            assert.equal(
                s.requests.reduce((n, x) => n + x, 0),
                0,
            );
    });

    it("nightly-batch runs from 01:00 to 03:00 only", () => {
        const r = builtinTrace("nightly-batch", fleet).series.get(seriesKey("endpoint-1", "model-1"))!.requests;
        assert.ok(r[60] > 0 && r[179] > 0);
        assert.equal(r[59], 0);
        assert.equal(r[180], 0);
    });
});
