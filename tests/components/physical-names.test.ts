import * as assert from "node:assert/strict";
import { Fleet } from "../../components";
import { NAME_PROPERTY, TYPES } from "../../lib/contract";
import { physicalName, readableName, SAGEMAKER_NAME_MAX, SAGEMAKER_NAME_PATTERN } from "../../lib/names";
import { LMI_IMAGE } from "../helpers/configs";
import { inputsOf, RecordedResource, underMocks } from "../helpers/pulumi";

const name63 = (stem: string) => `${stem}-${"x".repeat(62 - stem.length)}`;

function model(name: string, adapters: string[] = []) {
    return {
        name,
        image: LMI_IMAGE,
        modelDataUrl: `s3://models/${name}/`,
        parametersBillions: 8,
        accelerators: 1,
        memoryMb: 16384,
        copies: { min: 0, max: 1 },
        adapters: adapters.map((a) => ({ name: a, artifactUrl: `s3://models/adapters/${a}.tar.gz` })),
    };
}

function fleet(endpoints: { name: string; models: ReturnType<typeof model>[] }[]) {
    return () =>
        new Fleet("fleet", {
            costCenter: "ml",
            fleet: {
                endpoints: endpoints.map((e) => ({
                    name: e.name,
                    instanceType: "ml.g6.2xlarge",
                    instances: { min: 0, max: 1 },
                    foundationModels: e.models,
                })),
            },
        });
}

/** Every SageMaker physical name registered, with the logical name it belongs to. */
function sageMakerNames(resources: readonly RecordedResource[]): [string, string][] {
    return resources
        .filter((r) => NAME_PROPERTY[r.type] !== undefined)
        .map((r) => [r.name, inputsOf(r)[NAME_PROPERTY[r.type]]]);
}

describe("physical names", () => {
    it("keep every SageMaker name within 63 characters, pattern-valid and unique with 63-character config names", async () => {
        const endpoint = name63("customer-support-assistants-east");
        const big = model(name63("llama-3-1-8b-instruct-v2"), [
            name63("enterprise-billing-dispute-resolution-specialist"),
            name63("enterprise-billing-dispute-resolution-specialist-2"),
        ]);
        const { resources } = await underMocks(fleet([{ name: endpoint, models: [big] }]));
        const names = sageMakerNames(resources);
        assert.equal(names.length, 6); // model, config, endpoint, base IC, two adapters
        for (const [logical, name] of names) {
            assert.ok(name.length <= SAGEMAKER_NAME_MAX, `${logical}: ${name} is ${name.length} characters`);
            assert.match(name, SAGEMAKER_NAME_PATTERN, logical);
        }
        const ics = names.filter(([logical]) => logical.includes("/customer")).map(([, n]) => n);
        assert.equal(new Set(ics).size, ics.length);
        // Readable: every name starts with the config names, shortened evenly.
        const adapter = resources.find((r) => r.name.endsWith(`/${big.adapters[0].name}`))!;
        const adapterName = inputsOf(adapter).inferenceComponentName;
        assert.match(adapterName, /^customer-support-llama-3-1-8b-inst-enterprise-billing-[0-9a-f]{8}$/);
        // IAM, scaling and alarm names stay within their own limits.
        const role = resources.find((r) => r.type === TYPES.role)!;
        assert.ok(inputsOf(role).name.length <= 64);
        for (const r of resources.filter((x) => x.type === TYPES.scalingPolicy || x.type === TYPES.metricAlarm)) {
            assert.ok(inputsOf(r).name.length <= 255, r.name);
        }
    });

    it("shorten the longest config name first, keeping each recognizable", () => {
        const parts = [
            "customer-support-assistants-east",
            "llama-3-1-8b-instruct-v2",
            "enterprise-billing-dispute-resolution-specialist",
        ];
        assert.equal(parts.join("-").length, 106);
        assert.equal(readableName(parts, 54), "customer-support-llama-3-1-8b-inst-enterprise-billing");
        const name = physicalName(parts, { scope: "fm-fleet/prod/us-east-1", resource: "adapter" });
        assert.equal(name, `customer-support-llama-3-1-8b-inst-enterprise-billing-${name.slice(-8)}`);
        assert.ok(name.length <= SAGEMAKER_NAME_MAX);
        assert.match(name, SAGEMAKER_NAME_PATTERN);
    });

    it("tell apart joins that read the same: endpoint chat + model llama3-8b and endpoint chat-llama3 + model 8b", async () => {
        const { resources } = await underMocks(
            fleet([
                { name: "chat", models: [model("llama3-8b")] },
                { name: "chat-llama3", models: [model("8b")] },
            ]),
        );
        const urns = resources.map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length, "no duplicate URN");
        const models = resources.filter((r) => r.type === "fm-fleet:sagemaker:FoundationModel").map((r) => r.name);
        assert.deepEqual(models.sort(), ["fleet/chat-llama3/8b", "fleet/chat/llama3-8b"]);
        const ics = resources
            .filter((r) => r.type === TYPES.inferenceComponent)
            .map((r) => inputsOf(r).inferenceComponentName);
        assert.equal(ics.length, 2);
        assert.notEqual(ics[0], ics[1]);
        assert.match(ics[0], /^chat-llama3-8b-[0-9a-f]{8}$/);
        assert.match(ics[1], /^chat-llama3-8b-[0-9a-f]{8}$/);
    });

    it("differ between two stacks with the same config names, and repeat run to run", async () => {
        const build = fleet([{ name: "chat", models: [model("llama3-8b", ["bot"])] }]);
        const dev = sageMakerNames((await underMocks(build, "dev")).resources);
        const devAgain = sageMakerNames((await underMocks(build, "dev")).resources);
        const prod = sageMakerNames((await underMocks(build, "prod")).resources);
        assert.deepEqual(devAgain, dev);
        const devNames = new Set(dev.map(([, n]) => n));
        for (const [logical, name] of prod) assert.ok(!devNames.has(name), `${logical}: ${name} is also dev's`);
    });
});
