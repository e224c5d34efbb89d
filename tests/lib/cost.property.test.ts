import * as assert from "node:assert/strict";
import fc from "fast-check";
import { findInstanceType, instanceCatalog, InstanceType } from "../../lib/catalog";
import { dedicatedInstanceType, EndpointShape, stackCost } from "../../lib/cost";
import { DEFAULT_ACCELERATOR_MEMORY_FRACTION, QUANTIZATIONS, Quantization, weightsGib } from "../../lib/sizing";

/** Every type of the catalog, priced or not, and one it does not know. */
const TYPES = [...instanceCatalog().keys(), "ml.g7.2xlarge"];

const hostedModel = fc.record({
    parametersBillions: fc.option(fc.double({ min: 0.1, max: 1000, noNaN: true }), { nil: undefined }),
    quantization: fc.option(fc.constantFrom(...QUANTIZATIONS), { nil: undefined }),
    adapters: fc.nat({ max: 50 }),
});

/** Any endpoint a program may declare: any type and pool, counts, sizes (known or not), reserved or not. */
const endpoint: fc.Arbitrary<EndpointShape> = fc
    .record({
        instanceType: fc.constantFrom(...TYPES),
        fallbackInstanceTypes: fc.array(fc.constantFrom(...TYPES), { maxLength: 2 }),
        minInstances: fc.nat({ max: 8 }),
        extra: fc.nat({ max: 8 }),
        hostedModels: fc.array(hostedModel, { maxLength: 4 }),
        unsizedModels: fc.nat({ max: 3 }),
        unsizedAdapters: fc.nat({ max: 20 }),
        reserved: fc.boolean(),
    })
    .map((e) => ({
        name: "e",
        instanceType: e.instanceType,
        fallbackInstanceTypes: e.fallbackInstanceTypes,
        minInstances: e.minInstances,
        maxInstances: e.minInstances + e.extra,
        models: e.hostedModels.length + e.unsizedModels,
        adapters: e.hostedModels.reduce((n, m) => n + m.adapters, 0) + e.unsizedAdapters,
        hostedModels: e.hostedModels,
        reserved: e.reserved,
    }));

/** A multi-model endpoint as the plan shapes it (tools/plan/fleet-view.ts): its models unknown up front, one. */
const multiModelEndpoint: fc.Arbitrary<EndpointShape> = fc
    .record({ instanceType: fc.constantFrom(...TYPES), minInstances: fc.nat({ max: 8 }), extra: fc.nat({ max: 8 }) })
    .map((e) => ({
        name: "m",
        instanceType: e.instanceType,
        minInstances: e.minInstances,
        maxInstances: e.minInstances + e.extra,
        models: 1,
        adapters: 0,
    }));

const fleet = fc.array(fc.oneof(endpoint, multiModelEndpoint), { minLength: 1, maxLength: 6 });
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20261206) };

/** The accelerator maker of a type: the first word of its accelerator (`NVIDIA`, `AWS`). */
const makerOf = (t: InstanceType) => t.accelerator.split(" ")[0];

/**
 * weights-fit-accelerator-memory's rule at its default: a priced accelerated type of the same maker as
 * `own` whose devices hold the weights in 0.9 of their memory.
 */
function holdsWeights(own: InstanceType, t: InstanceType, parametersBillions: number, quantization: Quantization) {
    return (
        t.usdPerHour !== undefined &&
        t.acceleratorCount > 0 &&
        makerOf(t) === makerOf(own) &&
        t.acceleratorCount * t.acceleratorMemoryGibEach * DEFAULT_ACCELERATOR_MEMORY_FRACTION >=
            weightsGib(parametersBillions, quantization)
    );
}

describe("lib: cost, property-based (fast-check)", () => {
    // Fixed seeds keep CI repeatable; FC_RUNS and FC_SEED let a developer search longer or elsewhere.
    it("never prices the dedicated endpoints below the idle floor, per endpoint and per stack", () => {
        fc.assert(
            fc.property(fleet, (endpoints) => {
                const cost = stackCost(endpoints);
                for (const e of cost.endpoints) {
                    const label = JSON.stringify(e);
                    // Priced whenever the endpoint's own type is: a model no type holds stays on it.
                    if (e.usdPerHour !== undefined) assert.notEqual(e.dedicatedUsd, undefined, label);
                    if (e.dedicatedUsd !== undefined) assert.ok(e.dedicatedUsd >= e.idleFloorUsd!, label);
                    assert.ok(
                        e.dedicatedEndpoints.every((d) => d.instancesEach >= 1),
                        label,
                    );
                }
                assert.ok(cost.dedicatedUsd >= cost.idleFloorUsd, `${cost.dedicatedUsd} < ${cost.idleFloorUsd}`);
            }),
            RUNS,
        );
    });

    it("counts one dedicated endpoint per base model and per adapter, a multi-model endpoint as one", () => {
        fc.assert(
            fc.property(fleet, (endpoints) => {
                for (const e of stackCost(endpoints).endpoints) {
                    const label = JSON.stringify(e.dedicatedEndpoints);
                    const total = e.dedicatedEndpoints.reduce((n, d) => n + d.endpoints, 0);
                    assert.equal(total, e.models + e.adapters, label);
                    assert.ok(
                        e.dedicatedEndpoints.every((d) => d.endpoints >= 1),
                        label,
                    );
                    assert.equal(
                        new Set(e.dedicatedEndpoints.map((d) => d.instanceType)).size,
                        e.dedicatedEndpoints.length,
                    );
                    if (e.name === "m") {
                        assert.deepEqual(e.dedicatedEndpoints, [
                            { instanceType: e.instanceType, endpoints: 1, instancesEach: Math.max(1, e.minInstances) },
                        ]);
                    }
                }
            }),
            RUNS,
        );
    });

    it("puts each sized model and its adapters on the cheapest type of its maker that holds its weights, else on the endpoint's type", () => {
        const catalog = [...instanceCatalog().values()];
        fc.assert(
            fc.property(fleet, (endpoints) => {
                for (const e of stackCost(endpoints).endpoints) {
                    const own = findInstanceType(e.instanceType);
                    const expected = new Map<string, number>();
                    const add = (t: string, n: number) => expected.set(t, (expected.get(t) ?? 0) + n);
                    for (const m of e.hostedModels ?? []) {
                        const chosen = dedicatedInstanceType(e.instanceType, m.parametersBillions, m.quantization);
                        const label = `${e.instanceType} ${JSON.stringify(m)} -> ${chosen}`;
                        const sized = m.parametersBillions !== undefined && m.quantization !== undefined;
                        const fits =
                            own && own.acceleratorCount > 0 && sized
                                ? catalog.filter((t) => holdsWeights(own, t, m.parametersBillions!, m.quantization!))
                                : [];
                        if (fits.length === 0) {
                            // A CPU or unknown type, an unknown size, or weights no type of the maker holds.
                            assert.equal(chosen, e.instanceType, label);
                        } else {
                            const t = findInstanceType(chosen);
                            assert.ok(t && holdsWeights(own!, t, m.parametersBillions!, m.quantization!), label);
                            assert.equal(t.usdPerHour, Math.min(...fits.map((f) => f.usdPerHour!)), label);
                        }
                        add(chosen, 1 + m.adapters);
                    }
                    // The models and adapters of unknown size stay on the endpoint's type.
                    const sizedAdapters = (e.hostedModels ?? []).reduce((n, m) => n + m.adapters, 0);
                    add(e.instanceType, e.models - (e.hostedModels ?? []).length + e.adapters - sizedAdapters);
                    const actual = new Map(e.dedicatedEndpoints.map((d) => [d.instanceType, d.endpoints]));
                    for (const [t, n] of expected) if (n === 0) expected.delete(t);
                    assert.deepEqual(actual, expected, JSON.stringify(e));
                }
            }),
            RUNS,
        );
    });
});
