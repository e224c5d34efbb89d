import * as assert from "node:assert/strict";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedResource } from "../../tools/mocks/recorder";
import { analyzeRequest, analyzeStackRequest } from "../../tools/plan/analyzer-requests";
import { fromWire, setComponentOutputs, toWire } from "../../tools/plan/wire-resource";

const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");

function recorded(name: string, inputs: Record<string, any>, outputs: Record<string, any>): RecordedResource {
    return {
        urn: `urn:pulumi:dev::fm-fleet::aws-native:sagemaker:InferenceComponent::${name}`,
        type: "aws-native:sagemaker:InferenceComponent",
        name,
        custom: true,
        id: `${name}-id`,
        parent: "urn:pulumi:dev::fm-fleet::fm-fleet:index:Fleet::fleet",
        dependencies: ["urn:a", "urn:b"],
        propertyDependencies: { endpointName: ["urn:a"] },
        ignoreChanges: ["runtimeConfig.copyCount"],
        provider: "urn:provider",
        inputsStruct: Struct.fromJavaScript(inputs),
        outputsStruct: Struct.fromJavaScript(outputs),
    };
}

/** The same messages built the usual way: every field set on the message classes. */
function classOptions(r: RecordedResource): any {
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setIgnorechangesList(r.ignoreChanges);
    if (r.parent) options.setParent(r.parent);
    return options;
}

function classAnalyzeRequest(r: RecordedResource): any {
    const request = new analyzerProto.AnalyzeRequest();
    request.setType(r.type);
    request.setProperties(r.inputsStruct);
    request.setUrn(r.urn);
    request.setName(r.name);
    request.setOptions(classOptions(r));
    if (r.provider) request.setProvider(new analyzerProto.AnalyzerProviderResource());
    return request;
}

function classAnalyzerResource(r: RecordedResource): any {
    const resource = new analyzerProto.AnalyzerResource();
    resource.setType(r.type);
    resource.setProperties(r.outputsStruct);
    resource.setUrn(r.urn);
    resource.setName(r.name);
    resource.setOptions(classOptions(r));
    if (r.parent) resource.setParent(r.parent);
    resource.setDependenciesList(r.dependencies);
    return resource;
}

const inputs = {
    endpointName: "chat",
    specification: { container: { artifactUrl: "s3://bucket/tenant-1.tar.gz" } },
    runtimeConfig: { copyCount: 1 },
    tags: [{ key: "fmfleet:cost-center", value: "ml-platform" }],
    nothing: null,
    flag: true,
};
const outputs = { inferenceComponentName: "chat-llama3-8b-tenant-1", inferenceComponentArn: "arn:aws:sagemaker:ic" };

describe("Analyze and AnalyzeStack requests from the properties' wire form", () => {
    for (const [origin, make] of [
        ["recorded in this thread", () => recorded("tenant-1", inputs, outputs)],
        ["received from the worker", () => fromWire(structuredClone(toWire(recorded("tenant-1", inputs, outputs))))],
    ] as const) {
        it(`decode to exactly the message the classes build (${origin})`, () => {
            const r = make();
            const decoded = analyzerProto.AnalyzeRequest.deserializeBinary(analyzeRequest(r));
            assert.deepEqual(decoded.toObject(), classAnalyzeRequest(r).toObject());
            assert.deepEqual(decoded.getProperties().toJavaScript(), inputs);
        });
    }

    it("leave out the parent and the provider when a resource has none, as the classes do", () => {
        const stackResource = { ...recorded("stack", {}, {}), parent: "", provider: "" };
        const decoded = analyzerProto.AnalyzeRequest.deserializeBinary(analyzeRequest(stackResource));
        assert.deepEqual(decoded.toObject(), classAnalyzeRequest(stackResource).toObject());
        assert.equal(decoded.hasProvider(), false);
        assert.equal(decoded.getOptions().getParent(), "");
        const stack = analyzerProto.AnalyzeStackRequest.deserializeBinary(analyzeStackRequest([stackResource]));
        assert.equal(stack.getResourcesList()[0].getParent(), "");
    });

    it("list every resource's outputs, parent and dependencies in AnalyzeStack, in order", () => {
        const resources = [recorded("a", inputs, outputs), recorded("b", {}, { inferenceComponentName: "b-1" })];
        const received = resources.map((r) => fromWire(structuredClone(toWire(r))));
        const decoded = analyzerProto.AnalyzeStackRequest.deserializeBinary(analyzeStackRequest(received));
        const expected = new analyzerProto.AnalyzeStackRequest();
        expected.setResourcesList(resources.map(classAnalyzerResource));
        assert.deepEqual(decoded.toObject(), expected.toObject());
        assert.deepEqual(
            decoded.getResourcesList().map((r: any) => r.getProperties().toJavaScript()),
            [outputs, { inferenceComponentName: "b-1" }],
        );
    });

    it("carry the outputs a component registered after it was recorded", () => {
        const component = fromWire(structuredClone(toWire(recorded("fleet", {}, {}))));
        assert.deepEqual(component.outputsStruct.toJavaScript(), {}, "decoded before the component's outputs arrive");
        const final = Struct.fromJavaScript({ endpointNames: { chat: "chat-endpoint" } }).serializeBinary();
        setComponentOutputs([component], [{ urn: component.urn, outputs: final }]);
        assert.deepEqual(component.outputsStruct.toJavaScript(), { endpointNames: { chat: "chat-endpoint" } });
        const decoded = analyzerProto.AnalyzeStackRequest.deserializeBinary(analyzeStackRequest([component]));
        assert.deepEqual(decoded.getResourcesList()[0].getProperties().toJavaScript(), {
            endpointNames: { chat: "chat-endpoint" },
        });
    });
});
