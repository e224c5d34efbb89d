import * as assert from "node:assert/strict";
import fc from "fast-check";
import { instanceCatalog } from "../../lib/catalog";
import { EndpointShape, stackCost } from "../../lib/cost";
import { QUANTIZATIONS } from "../../lib/sizing";

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

describe("lib: cost, property-based (fast-check)", () => {
    // Fixed seeds keep CI repeatable; FC_RUNS and FC_SEED let a developer search longer or elsewhere.
    it("never prices the dedicated endpoints below the idle floor, per endpoint and per stack", () => {
        fc.assert(
            fc.property(fc.array(endpoint, { minLength: 1, maxLength: 6 }), (endpoints) => {
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
            { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20261206) },
        );
    });
});
