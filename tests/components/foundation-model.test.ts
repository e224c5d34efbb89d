import * as assert from "node:assert/strict";
import { FoundationModel, FoundationModelArgs } from "../../components";
import { TYPES } from "../../lib/contract";
import { LMI_IMAGE } from "../helpers/configs";
import { countByType, find, inputsOf, underMocks, unwrap } from "../helpers/pulumi";

const base: FoundationModelArgs = {
    endpointName: "chat-endpoint-1234567",
    variantName: "AllTraffic",
    executionRoleArn: "arn:aws:iam::123456789012:role/fleet-role",
    image: LMI_IMAGE,
    modelDataUrl: "s3://models/llama3-70b/",
    parametersBillions: 70,
    accelerators: 4,
    memoryMb: 65536,
    copies: { min: 0, max: 2 },
    tags: { "cost-center": "ml" },
};

describe("FoundationModel", () => {
    it("declares an isolated model and a base inference component that starts with one copy", async () => {
        const { result, resources } = await underMocks(() => new FoundationModel("chat-llama", base));
        assert.deepEqual(countByType(resources), {
            "fm-fleet:sagemaker:FoundationModel": 1,
            [TYPES.model]: 1,
            [TYPES.inferenceComponent]: 1,
            "fm-fleet:autoscaling:CopyAutoscaling": 1,
            [TYPES.scalableTarget]: 1,
            [TYPES.scalingPolicy]: 2,
            [TYPES.metricAlarm]: 1,
        });
        const component = find(resources, "fm-fleet:sagemaker:FoundationModel", "chat-llama");
        const model = find(resources, TYPES.model, "chat-llama-model");
        const ic = find(resources, TYPES.inferenceComponent, "chat-llama-ic");
        assert.equal(model.parent, component.urn);
        assert.equal(ic.parent, component.urn);
        assert.equal(
            find(resources, "fm-fleet:autoscaling:CopyAutoscaling", "chat-llama-scaling").parent,
            component.urn,
        );

        assert.deepEqual(inputsOf(model), {
            executionRoleArn: "arn:aws:iam::123456789012:role/fleet-role",
            enableNetworkIsolation: true,
            primaryContainer: {
                image: LMI_IMAGE,
                modelDataSource: {
                    s3DataSources: [
                        { s3Uri: "s3://models/llama3-70b/", s3DataType: "S3Prefix", compressionType: "None" },
                    ],
                },
                environment: { OPTION_TENSOR_PARALLEL_DEGREE: "4", OPTION_ENABLE_STATEFUL_SESSIONS: "false" },
            },
            tags: { "cost-center": "ml" },
        });
        const modelName = await unwrap(result.model.name);
        assert.deepEqual(inputsOf(ic), {
            endpointName: "chat-endpoint-1234567",
            variantName: "AllTraffic",
            specification: {
                modelName,
                computeResourceRequirements: { numberOfAcceleratorDevicesRequired: 4, minMemoryRequiredInMb: 65536 },
            },
            runtimeConfig: { copyCount: 1 },
            tags: [
                { key: "cost-center", value: "ml" },
                { key: "fmfleet:parameters-billions", value: "70" },
            ],
        });
        // Autoscaling owns the count once deployed: `pulumi up` must not reset it.
        assert.deepEqual(ic.ignoreChanges, ["runtimeConfig.copyCount"]);
        const icName = await unwrap(result.inferenceComponentName);
        assert.match(icName, /^chat-llama-ic-[0-9a-f]{7}$/);
        const target = inputsOf(find(resources, TYPES.scalableTarget, "chat-llama-scaling-target"));
        assert.equal(target.resourceId, `inference-component/${icName}`);
        assert.equal(target.minCapacity, 0);
        assert.deepEqual(inputsOf(find(resources, TYPES.metricAlarm, "chat-llama-scaling-wake-alarm")).dimensions, {
            InferenceComponentName: icName,
        });
        assert.equal(result.adapters, undefined);
    });

    it("derives the serving environment for quantization, speculative decoding, LoRA and sticky sessions", async () => {
        const { resources } = await underMocks(
            () =>
                new FoundationModel("chat-llama", {
                    ...base,
                    quantization: "awq",
                    speculativeDecoding: { draftModelUrl: "s3://models/draft/", speculativeLength: 5 },
                    stickySessions: true,
                    copies: { min: 2, max: 4, targetConcurrentRequestsPerCopy: 6 },
                    adapters: Array.from({ length: 20 }, (_, i) => ({
                        name: `tenant-${i}`,
                        artifactUrl: `s3://models/adapters/tenant-${i}.tar.gz`,
                    })),
                }),
        );
        const container = inputsOf(find(resources, TYPES.model, "chat-llama-model")).primaryContainer;
        assert.deepEqual(container.environment, {
            OPTION_QUANTIZE: "awq",
            OPTION_TENSOR_PARALLEL_DEGREE: "4",
            OPTION_SPECULATIVE_DRAFT_MODEL: "/opt/ml/additional-model-data-sources/draft_model",
            OPTION_SPECULATIVE_LENGTH: "5",
            OPTION_ENABLE_LORA: "true",
            OPTION_MAX_LORAS: "8",
            OPTION_MAX_CPU_LORAS: "20",
            OPTION_ENABLE_STATEFUL_SESSIONS: "true",
            OPTION_SESSIONS_EXPIRATION: "1200",
        });
        assert.deepEqual(container.additionalModelDataSources, [
            {
                channelName: "draft_model",
                s3DataSources: [{ s3Uri: "s3://models/draft/", s3DataType: "S3Prefix", compressionType: "None" }],
            },
        ]);
        const ic = inputsOf(find(resources, TYPES.inferenceComponent, "chat-llama-ic"));
        assert.deepEqual(ic.runtimeConfig, { copyCount: 2 });
        assert.deepEqual(ic.tags, [
            { key: "cost-center", value: "ml" },
            { key: "fmfleet:parameters-billions", value: "70" },
            { key: "fmfleet:quantization", value: "awq" },
        ]);
        assert.equal(resources.filter((r) => r.type === TYPES.metricAlarm).length, 0);
        const tracking = inputsOf(find(resources, TYPES.scalingPolicy, "chat-llama-scaling-concurrency"));
        assert.equal(tracking.targetTrackingScalingPolicyConfiguration.targetValue, 6);
        assert.equal(resources.filter((r) => r.type === TYPES.inferenceComponent).length, 21);
    });

    it("reads tarball weights as gzip objects and lets the extra environment win", async () => {
        const { resources } = await underMocks(
            () =>
                new FoundationModel("m", {
                    ...base,
                    modelDataUrl: "s3://models/llama.tar.gz",
                    networkIsolation: false,
                    environment: { OPTION_TENSOR_PARALLEL_DEGREE: "2", HF_HUB_OFFLINE: "1" },
                    vpc: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
                }),
        );
        const model = inputsOf(find(resources, TYPES.model, "m-model"));
        assert.equal(model.enableNetworkIsolation, false);
        assert.deepEqual(model.vpcConfig, { subnets: ["subnet-1"], securityGroupIds: ["sg-1"] });
        assert.deepEqual(model.primaryContainer.modelDataSource.s3DataSources, [
            { s3Uri: "s3://models/llama.tar.gz", s3DataType: "S3Object", compressionType: "Gzip" },
        ]);
        assert.equal(model.primaryContainer.environment.OPTION_TENSOR_PARALLEL_DEGREE, "2");
        assert.equal(model.primaryContainer.environment.HF_HUB_OFFLINE, "1");
    });
});
