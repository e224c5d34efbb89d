import * as assert from "node:assert/strict";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { referenceWorkloads } from "../../tools/bench/workloads";
import { fromWire, toWire } from "../../tools/plan/wire-resource";
import { generatedFleet } from "../../tools/bench/generated-fleet";
import { validateStackSettings } from "../../components";

describe("benchmark pieces", () => {
    it("prices the reference workloads from the catalog", () => {
        const [adapters, seventy, dev] = referenceWorkloads();
        assert.equal(Math.round(adapters.fleet.usd), Math.round(2 * (8 + 0.5) * (730 / 24) * (5 / 7) * 1.222));
        assert.equal(Math.round(adapters.naive.usd), Math.round(51 * 730 * 1.222));
        assert.equal(Math.round(seventy.fleet.usd), Math.round(730 * 7.09));
        assert.equal(Math.round(seventy.naive.usd), Math.round(730 * 37.688));
        assert.equal(Math.round(dev.fleet.usd), Math.round((2 + 0.5) * (730 / 24) * 1.222));
        assert.equal(Math.round(dev.withoutScaleToZero.usd), Math.round(730 * 1.222));
        assert.deepEqual(seventy.priceDates, { "ml.p4d.24xlarge": "2024-03-26", "ml.g5.12xlarge": "2024-03-26" });
    });

    it("generates valid fleets of any size", () => {
        const settings = validateStackSettings(generatedFleet(250), "bench");
        assert.equal(settings.fleet.endpoints![0].foundationModels[0].adapters!.length, 250);
        assert.equal(settings.fleet.endpoints![0].foundationModels[0].adapters![249].name, "tenant-00249");
    });

    it("carries a recorded resource across the worker boundary unchanged", () => {
        const resource = {
            urn: "urn:pulumi:dev::fm-fleet::aws-native:sagemaker:InferenceComponent::ic",
            type: "aws-native:sagemaker:InferenceComponent",
            name: "ic",
            custom: true,
            id: "arn",
            parent: "urn:parent",
            dependencies: ["urn:a"],
            propertyDependencies: { endpointName: ["urn:a"] },
            ignoreChanges: ["runtimeConfig.copyCount"],
            provider: "",
            inputsStruct: Struct.fromJavaScript({ endpointName: "e", tags: [{ key: "k", value: "v" }] }),
            outputsStruct: Struct.fromJavaScript({ inferenceComponentName: "ic-1" }),
        };
        const back = fromWire(structuredClone(toWire(resource)));
        const { inputsStruct, outputsStruct, ...fields } = resource;
        const { inputsStruct: backInputs, outputsStruct: backOutputs, ...backFields } = back;
        assert.deepEqual(backFields, fields);
        assert.deepEqual(backInputs.toJavaScript(), inputsStruct.toJavaScript());
        assert.deepEqual(backOutputs.toJavaScript(), outputsStruct.toJavaScript());
    });
});
