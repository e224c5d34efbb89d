import * as assert from "node:assert/strict";
import { Fleet, validateStackSettings } from "../../components";
import { GUARD_CATEGORIES_TAG, GUARD_FAMILY_TAG, GUARD_FOR_TAG, TYPES } from "../../lib/contract";
import { issuesOf, LMI_IMAGE, validFleet } from "../helpers/configs";
import { find, inputsOf, underMocks } from "../helpers/pulumi";

const GUARD_AT = "fleet.endpoints[0].guard";

/** The valid fleet with a guard on its endpoint, changed by `change`. */
function guarded(change: (guard: any, fleet: any) => void = () => {}): any {
    const fleet = validFleet();
    const guard = {
        name: "llama-guard",
        image: LMI_IMAGE,
        modelDataUrl: "s3://models/llama-guard-3-8b/",
        parametersBillions: 8,
        accelerators: 1,
        memoryMb: 16384,
        copies: { min: 0, max: 1 },
        checks: ["input", "output"],
    };
    fleet.endpoints[0].guard = guard;
    change(guard, fleet);
    return fleet;
}

describe("endpoint guard config", () => {
    it("accepts a guard on input, output or both", () => {
        for (const checks of [["input"], ["output"], ["input", "output"]]) {
            assert.doesNotThrow(() =>
                validateStackSettings(
                    guarded((g) => (g.checks = checks)),
                    "ml",
                ),
            );
        }
    });

    it("fails on empty, unknown or repeated checks", () => {
        assert.deepEqual(issuesOf(guarded((g) => (g.checks = []))), [
            `${GUARD_AT}.checks: must list at least one check. Use [input], [output] or [input, output].`,
        ]);
        assert.deepEqual(issuesOf(guarded((g) => (g.checks = ["input", "toxicity"]))), [
            `${GUARD_AT}.checks[1]: unknown check "toxicity". Use input, output or both.`,
        ]);
        assert.deepEqual(issuesOf(guarded((g) => (g.checks = ["input", "input"]))), [
            `${GUARD_AT}.checks[1]: repeats "input". List each check once.`,
        ]);
    });

    it("fails on a category code Llama Guard 3 does not define, and on an empty list", () => {
        assert.deepEqual(issuesOf(guarded((g) => (g.categories = ["S1", "S15", "violence"]))), [
            `${GUARD_AT}.categories[1]: "S15" is not a Llama Guard 3 category. Use codes of S1-S14 (e.g. S1, S10), or leave categories out to block all.`,
            `${GUARD_AT}.categories[2]: "violence" is not a Llama Guard 3 category. Use codes of S1-S14 (e.g. S1, S10), or leave categories out to block all.`,
        ]);
        assert.deepEqual(issuesOf(guarded((g) => (g.categories = []))), [
            `${GUARD_AT}.categories: is empty: nothing would block. List the codes that block, or leave categories out to block all.`,
        ]);
    });

    it("fails on a guard on a multi-model endpoint", () => {
        assert.deepEqual(
            issuesOf(
                guarded((g, f) => {
                    delete f.endpoints[0].guard;
                    f.multiModelEndpoints[0].guard = g;
                }),
            ),
            [
                "fleet.multiModelEndpoints[0].guard: is not supported: a guard is an inference component, and a multi-model endpoint hosts none. Move the guard to an inference-component endpoint (endpoints[].guard), or remove it.",
            ],
        );
    });

    it("fails when the guard keeps copies on an endpoint that scales to zero, or does not fit its instance", () => {
        assert.deepEqual(
            issuesOf(
                guarded((g) => {
                    g.copies = { min: 1, max: 1 };
                    g.accelerators = 2;
                }),
            ),
            [
                `${GUARD_AT}.copies.min: is 1, but endpoint "chat" has instances.min 0: it can never reach zero instances while this model keeps copies. Set copies.min to 0 to scale to zero, or raise instances.min to 1 or more.`,
                `${GUARD_AT}.accelerators: asks for 2 accelerator devices per copy, but ml.g5.2xlarge has 1. Lower accelerators or pick an instance type with more devices.`,
            ],
        );
    });

    it("fails when the guard takes a model's name", () => {
        assert.deepEqual(issuesOf(guarded((g) => (g.name = "llama3-8b"))), [
            `${GUARD_AT}.name: duplicate guard name "llama3-8b" (also at fleet.endpoints[0].foundationModels[0]). Give each guard its own name.`,
        ]);
    });
});

describe("Fleet with an endpoint guard", () => {
    it("deploys the guard as its own base inference component on the endpoint, tagged, scaling to zero", async () => {
        const build = () =>
            new Fleet("fleet", { fleet: guarded((g) => (g.categories = ["S1", "S10"])), costCenter: "ml" });
        const { result, resources } = await underMocks(build, "dev");
        const endpoint = find(resources, "fm-fleet:sagemaker:InferenceEndpoint", "fleet/chat");
        const guard = find(resources, "fm-fleet:sagemaker:FoundationModel", "fleet/chat/llama-guard");
        assert.equal(guard.parent, endpoint.urn);
        const ic = inputsOf(find(resources, TYPES.inferenceComponent, "fleet/chat/llama-guard-ic"));
        assert.equal(ic.specification.baseInferenceComponentName, undefined);
        assert.equal(ic.specification.computeResourceRequirements.numberOfAcceleratorDevicesRequired, 1);
        assert.equal(ic.specification.computeResourceRequirements.minMemoryRequiredInMb, 16384);
        const tags = Object.fromEntries(ic.tags.map((t: any) => [t.key, t.value]));
        assert.equal(tags[GUARD_FOR_TAG], "input,output");
        assert.equal(tags[GUARD_FAMILY_TAG], "llama-guard-3");
        assert.equal(tags[GUARD_CATEGORIES_TAG], "S1,S10");
        // The model's own components carry no guard tag.
        const model = inputsOf(find(resources, TYPES.inferenceComponent, "fleet/chat/llama3-8b-ic"));
        assert.ok(!model.tags.some((t: any) => t.key === GUARD_FOR_TAG));
        const target = inputsOf(find(resources, TYPES.scalableTarget, "fleet/chat/llama-guard-scaling-target"));
        assert.deepEqual([target.minCapacity, target.maxCapacity], [0, 1]);
        find(resources, TYPES.metricAlarm, "fleet/chat/llama-guard-scaling-wake-alarm");

        assert.deepEqual(result.endpointNames.chat.guard, {
            name: "llama-guard",
            inferenceComponentName: ic.inferenceComponentName,
            family: "llama-guard-3",
            checks: ["input", "output"],
            categories: ["S1", "S10"],
        });
        assert.equal(result.endpointNames.chat.models["llama-guard"], undefined);
        // The execution role reads the guard's weights.
        const policy = JSON.stringify(inputsOf(find(resources, TYPES.rolePolicy, "fleet-execution-policy")));
        assert.match(policy, /llama-guard-3-8b/);
    });

    it("names every category of the family when the config narrows none", async () => {
        const { result } = await underMocks(() => new Fleet("fleet", { fleet: guarded(), costCenter: "ml" }), "dev");
        assert.equal(result.endpointNames.chat.guard?.categories.length, 14);
    });
});
