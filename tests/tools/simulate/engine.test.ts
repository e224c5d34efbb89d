import { strict as assert } from "assert";
import { findInstanceType } from "../../../lib/catalog";
import fc from "fast-check";
import { endpointCost } from "../../../lib/cost";
import { SeriesBuilder, seriesKey, Trace, TraceSeries } from "../../../tools/simulate/trace";
import { simulateFleet } from "../../../tools/simulate/engine";
import { SCALING_RULES } from "../../../tools/simulate/scaling-rules";
import { syntheticFleet } from "../../../tools/simulate/synthetic-fleet";
import { SimFleet } from "../../../tools/simulate/declared-fleet";
import { STAND_IN_CONSTANTS } from "../../../tools/simulate/performance";
import { COLD_START_DEFAULTS } from "../../../runtime/cold-start";
import { simulationJson } from "../../../tools/simulate/report-json";
import { builtinTrace } from "../../../tools/simulate/builtin-traces";

/** A trace of `minutes` minutes over every model of `fleet`, `requests(model index, minute)` each minute. */
function traceOf(fleet: SimFleet, minutes: number, requests: (model: number, minute: number) => number): Trace {
    const series = new Map<string, TraceSeries>();
    let i = 0;
    for (const e of fleet.endpoints) {
        for (const m of e.models) {
            const b = new SeriesBuilder();
            for (let minute = 0; minute < minutes; minute++) {
                const r = requests(i, minute);
                if (r > 0) b.add(minute, r, 512, 256);
            }
            series.set(seriesKey(e.name, m.name), b.build(minutes));
            i++;
        }
    }
    return { name: "test", minutes, series, description: "test" };
}

/** Sparse random traffic: bursts at random minutes of a few hours' window, per model. */
const arbitraryTraffic = fc.array(
    fc.record({ model: fc.nat(1), minute: fc.nat(239), requests: fc.integer({ min: 1, max: 400 }) }),
    { minLength: 1, maxLength: 12 },
);
/** A trace series with twice the requests (and tokens) each minute. */
const doubledSeries = (s: TraceSeries): TraceSeries => ({
    requests: s.requests.map((r) => r * 2),
    inputTokens: s.inputTokens.map((t) => t * 2),
    outputTokens: s.outputTokens.map((t) => t * 2),
});

const fromBursts = (bursts: { model: number; minute: number; requests: number }[], factor = 1) => {
    const map = new Map<string, number>();
    for (const b of bursts)
        map.set(`${b.model}/${b.minute}`, (map.get(`${b.model}/${b.minute}`) ?? 0) + b.requests * factor);
    return (model: number, minute: number) => map.get(`${model}/${minute}`) ?? 0;
};

describe("simulator: invariants", () => {
    const fleet = syntheticFleet(2);
    const WINDOW = 300;

    it("no traffic means no cold starts and no more cost than any busy trace", () => {
        const idle = simulateFleet(
            fleet,
            traceOf(fleet, WINDOW, () => 0),
        );
        assert.equal(idle.coldStarts, 0);
        assert.equal(idle.requests, 0);
        fc.assert(
            fc.property(arbitraryTraffic, (bursts) => {
                const busy = simulateFleet(fleet, traceOf(fleet, WINDOW, fromBursts(bursts)));
                return busy.costUsd >= idle.costUsd;
            }),
            { numRuns: 25 },
        );
    });

    /**
     * Doubling the traffic can lower the cost: target tracking decides on discrete alarm datapoints, so more
     * traffic can move where a decision falls (the two cases below, each found by the property). A doubled
     * burst drains later and keeps an instance up until the next wake, which then skips provisioning; or its
     * first scale-in decision falls a minute later, after a straggler it would otherwise have held a copy
     * for through a whole scale-in window. AWS's target tracking decides the same way, so no stricter
     * invariant holds. What holds: per wake of the lighter trace (a busy period), the saving is at most one
     * scale-in window (the low alarm's 15 one-minute datapoints) of the endpoint's instances.
     */
    const decisionShiftUsd = (once: ReturnType<typeof simulateFleet>) => {
        const price = findInstanceType(fleet.endpoints[0].instanceType)!.usdPerHour!;
        const window = SCALING_RULES.scaleInPeriodSeconds * SCALING_RULES.scaleInDatapoints;
        return fleet.endpoints.reduce(
            (total, e, i) => total + (once.models[i].wakes * e.instances.max * window * price) / 3600,
            0,
        );
    };

    it("doubling the traffic never lowers the cost by more than one scale-in window per busy period", () => {
        fc.assert(
            fc.property(arbitraryTraffic, (bursts) => {
                const once = simulateFleet(fleet, traceOf(fleet, WINDOW, fromBursts(bursts)));
                const twice = simulateFleet(fleet, traceOf(fleet, WINDOW, fromBursts(bursts, 2)));
                return twice.costUsd >= once.costUsd - decisionShiftUsd(once) - 1e-9;
            }),
            { numRuns: 25 },
        );
    });

    it("doubling a day of traffic never lowers its cost (the built-in traces)", () => {
        for (const name of ["weekday", "spiky", "nightly-batch"] as const) {
            const trace = builtinTrace(name, fleet, { seed: 1, days: 1 });
            const doubled = { ...trace, series: new Map([...trace.series].map(([k, v]) => [k, doubledSeries(v)])) };
            const once = simulateFleet(fleet, trace);
            const twice = simulateFleet(fleet, doubled);
            assert.ok(twice.costUsd >= once.costUsd - 1e-9, `${name}: ${twice.costUsd} >= ${once.costUsd}`);
        }
    });

    for (const [what, bursts] of [
        [
            "keeps an instance up for the next wake",
            [
                { model: 0, minute: 82, requests: 98 },
                { model: 0, minute: 113, requests: 1 },
            ],
        ],
        [
            "moves its first scale-in decision past a straggler",
            [
                { model: 0, minute: 0, requests: 98 },
                { model: 0, minute: 20, requests: 1 },
            ],
        ],
    ] as const) {
        it(`lets twice the traffic cost less when it ${what}, within the bound`, () => {
            const once = simulateFleet(fleet, traceOf(fleet, WINDOW, fromBursts([...bursts])));
            const twice = simulateFleet(fleet, traceOf(fleet, WINDOW, fromBursts([...bursts], 2)));
            assert.ok(twice.costUsd < once.costUsd, `${twice.costUsd} < ${once.costUsd}`);
            assert.ok(twice.costUsd >= once.costUsd - decisionShiftUsd(once));
        });
    }

    it("a fleet whose copies never reach zero has no cold starts", () => {
        const warm = syntheticFleet(2, { copiesMin: 1 });
        fc.assert(
            fc.property(arbitraryTraffic, fc.constantFrom("idle" as const, "min" as const), (bursts, startWith) => {
                const r = simulateFleet(warm, traceOf(warm, WINDOW, fromBursts(bursts)), { startWith });
                return r.coldStarts === 0 && r.coldStartWaitSeconds.count === 0 && r.coldStartWaitSeconds.max === null;
            }),
            { numRuns: 25 },
        );
    });

    it("one request after two idle hours on a scale-to-zero model waits about its cold-start estimate", () => {
        const one = syntheticFleet(1);
        // Deployed with a copy (`min`): it scales to zero, then its instance goes, long before minute 120.
        const r = simulateFleet(
            one,
            traceOf(one, 150, (_, minute) => (minute === 120 ? 1 : 0)),
            { startWith: "min" },
        );
        assert.ok(Math.abs(r.coldStarts - 1) < 1e-9, `${r.coldStarts} cold starts`);
        assert.ok(Math.abs(r.served - 1) < 1e-9, `${r.served} served`);
        const wait = r.coldStartWaitSeconds.max!;
        // At least the start itself; at most one alarm period to notice and one longest backoff to retry.
        assert.ok(wait >= STAND_IN_CONSTANTS.coldStartSeconds, `waited ${wait} s`);
        assert.ok(
            wait <= STAND_IN_CONSTANTS.coldStartSeconds + 60 + COLD_START_DEFAULTS.maxDelayMs / 1000,
            `waited ${wait} s`,
        );
        assert.equal(r.models[0].wakes, 1);
        assert.equal(r.models[0].copies.min, 0);
    });

    it("a trace that keeps the fleet at its ceiling costs the plan's peak ceiling for the window", () => {
        const busy = syntheticFleet(2, { copiesMax: 2, instancesMax: 2 });
        const minutes = 24 * 60;
        const r = simulateFleet(
            busy,
            traceOf(busy, minutes, () => 5000),
            { startWith: "max" },
        );
        const ceilingPerMonth = busy.endpoints
            .map((e) =>
                endpointCost({
                    name: e.name,
                    instanceType: e.instanceType,
                    minInstances: e.instances.min,
                    maxInstances: e.instances.max,
                    models: 1,
                    adapters: 0,
                }),
            )
            .reduce((n, c) => n + c.peakCeilingUsd!, 0);
        const expected = (ceilingPerMonth * (minutes / 60)) / 730;
        assert.ok(Math.abs(r.costUsd - expected) < 1e-6 * expected, `${r.costUsd} != ${expected}`);
        assert.deepEqual(
            r.endpoints.map((e) => [e.instances.min, e.instances.max]),
            [
                [2, 2],
                [2, 2],
            ],
        );
    });

    it("scales a model to zero after about 15 idle minutes and releases its instance 10 minutes later", () => {
        const one = syntheticFleet(1);
        const r = simulateFleet(
            one,
            traceOf(one, 60, () => 0),
            { startWith: "min", chartPoints: 60 },
        );
        const copies = Array.from(r.series.copies);
        const instances = Array.from(r.series.instances);
        // 15 one-minute datapoints below target, then scale-in (minute 15 ends with none).
        assert.equal(copies.indexOf(0), 14);
        assert.equal(instances.indexOf(0), 24);
    });

    it("never reports NaN: empty figures are null with a reason", () => {
        const r = simulateFleet(fleet, builtinTrace("idle", fleet));
        const json = simulationJson({
            project: "p",
            stack: "s",
            trace: { name: "idle", description: "", minutes: r.minutes },
            fleet,
            result: r,
            counterfactuals: { noScaleToZero: r, dedicated: { costUsd: 0, monthlyUsd: 0 } },
            planCost: {
                endpoints: [],
                optimizationJobs: [],
                oneTimeUsd: 0,
                idleFloorUsd: 0,
                peakCeilingUsd: 0,
                reserved: [],
                dedicatedUsd: 0,
                dedicatedAtFloor: [],
                unpriced: [],
                priceDates: {},
            },
            simulateMs: 0,
        });
        const numbers: unknown[] = [];
        const walk = (v: unknown) => {
            if (typeof v === "number") numbers.push(v);
            else if (v && typeof v === "object") Object.values(v).forEach(walk);
        };
        walk(json);
        assert.ok(numbers.every((n) => Number.isFinite(n)));
        assert.deepEqual(json.coldStartWaitSeconds, {
            count: 0,
            p50: null,
            p95: null,
            p99: null,
            max: null,
            reason: "no request met a cold start",
        });
        assert.equal(json.costUsd, 0);
    });
});
