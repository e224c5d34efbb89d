import * as assert from "node:assert/strict";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { TYPES } from "../../lib/contract";
import type { RecordedResource } from "../../tools/mocks/recorder";
import { fleetView } from "../../tools/plan/fleet-view";

function recorded(type: string, name: string, outputs: Record<string, any>): RecordedResource {
    return {
        urn: `urn:pulumi:dev::hand-written::${type}::${name}`,
        type,
        name,
        custom: true,
        id: `${name}-id`,
        parent: "",
        dependencies: [],
        propertyDependencies: {},
        ignoreChanges: [],
        provider: "",
        inputsStruct: Struct.fromJavaScript(outputs),
        outputsStruct: Struct.fromJavaScript(outputs),
    };
}

/** A hand-written classic endpoint of one variant serving `model`. */
function endpointServing(model: Record<string, any>) {
    return [
        recorded(TYPES.model, "m", { name: "m", executionRoleArn: "arn:aws:iam::123456789012:role/r", ...model }),
        recorded(TYPES.endpointConfiguration, "c", {
            name: "c",
            productionVariants: [
                { variantName: "AllTraffic", modelName: "m", instanceType: "ml.m5.xlarge", initialInstanceCount: 1 },
            ],
        }),
        recorded(TYPES.endpoint, "e", { name: "e", endpointConfigName: "c" }),
    ];
}

const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/step:1";
const kindOf = (model: Record<string, any>) => {
    const [e] = fleetView(endpointServing(model));
    return [e.kind, e.pipeline?.containers.length ?? null];
};

describe("plan: what kind of endpoint a hand-written model makes (tools/plan/fleet-view)", () => {
    it("calls a model a pipeline when it lists several containers, or one it declares Serial", () => {
        assert.deepEqual(kindOf({ containers: [{ image: IMAGE }, { image: IMAGE }] }), ["pipeline", 2]);
        assert.deepEqual(kindOf({ containers: [{ image: IMAGE }], inferenceExecutionConfig: { mode: "Serial" } }), [
            "pipeline",
            1,
        ]);
    });

    it("does not call one container in `containers`, or a Direct model, a pipeline (the kind of any other endpoint)", () => {
        assert.deepEqual(kindOf({ containers: [{ image: IMAGE }] }), ["inference-components", null]);
        assert.deepEqual(
            kindOf({ containers: [{ image: IMAGE }, { image: IMAGE }], inferenceExecutionConfig: { mode: "Direct" } }),
            ["inference-components", null],
        );
    });

    it("sees a multi-model endpoint whose one container sits in `containers`", () => {
        assert.deepEqual(kindOf({ containers: [{ image: IMAGE, mode: "MultiModel" }] }), ["multi-model", null]);
        assert.deepEqual(kindOf({ primaryContainer: { image: IMAGE, mode: "MultiModel" } }), ["multi-model", null]);
    });
});
