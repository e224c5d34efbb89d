import * as assert from "node:assert/strict";
import { FoundationModel, FoundationModelArgs } from "../../components";
import { TYPES } from "../../lib/contract";
import { ComponentArgsError } from "../../components";
import { CUSTOM_IMAGE, LMI_IMAGE, VLLM_IMAGE } from "../helpers/configs";
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

        assert.match(result.physicalNames.model, /^chat-llama-[0-9a-f]{8}$/);
        assert.match(result.physicalNames.inferenceComponent, /^chat-llama-[0-9a-f]{8}$/);
        assert.deepEqual(inputsOf(model), {
            name: result.physicalNames.model,
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
            inferenceComponentName: result.physicalNames.inferenceComponent,
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
        assert.equal(icName, result.physicalNames.inferenceComponent);
        const target = inputsOf(find(resources, TYPES.scalableTarget, "chat-llama-scaling-target"));
        assert.equal(target.resourceId, `inference-component/${icName}`);
        assert.equal(target.minCapacity, 0);
        assert.deepEqual(inputsOf(find(resources, TYPES.metricAlarm, "chat-llama-scaling-wake-alarm")).dimensions, {
            InferenceComponentName: icName,
        });
        assert.equal(result.adapters, undefined);
    });

    it("derives LMI's environment: fp8 at load time, the draft inside the weights, LoRA and sticky sessions", async () => {
        const { resources } = await underMocks(
            () =>
                new FoundationModel("chat-llama", {
                    ...base,
                    quantization: "fp8",
                    speculativeDecoding: { draftModelUrl: "s3://models/llama3-70b/draft/", speculativeLength: 4 },
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
            OPTION_TENSOR_PARALLEL_DEGREE: "4",
            OPTION_QUANTIZE: "fp8",
            OPTION_SPECULATIVE_CONFIG: '{"model":"/opt/ml/model/draft","num_speculative_tokens":4}',
            OPTION_ENABLE_LORA: "true",
            OPTION_MAX_LORAS: "8",
            OPTION_MAX_CPU_LORAS: "64",
            OPTION_ENABLE_STATEFUL_SESSIONS: "true",
            OPTION_SESSIONS_EXPIRATION: "1200",
        });
        // One data source: inference components reject models with additional ones.
        assert.equal(container.additionalModelDataSources, undefined);
        assert.deepEqual(container.modelDataSource, {
            s3DataSources: [{ s3Uri: "s3://models/llama3-70b/", s3DataType: "S3Prefix", compressionType: "None" }],
        });
        const ic = inputsOf(find(resources, TYPES.inferenceComponent, "chat-llama-ic"));
        assert.deepEqual(ic.runtimeConfig, { copyCount: 2 });
        assert.deepEqual(ic.tags, [
            { key: "cost-center", value: "ml" },
            { key: "fmfleet:parameters-billions", value: "70" },
            { key: "fmfleet:quantization", value: "fp8" },
        ]);
        assert.equal(resources.filter((r) => r.type === TYPES.metricAlarm).length, 0);
        const tracking = inputsOf(find(resources, TYPES.scalingPolicy, "chat-llama-scaling-concurrency"));
        assert.equal(tracking.targetTrackingScalingPolicyConfiguration.targetValue, 6);
        assert.equal(resources.filter((r) => r.type === TYPES.inferenceComponent).length, 21);
    });

    it("derives the SageMaker vLLM DLC's environment from a vllm image, AWQ read from the checkpoint", async () => {
        const { result, resources } = await underMocks(
            () =>
                new FoundationModel("chat-llama", {
                    ...base,
                    image: VLLM_IMAGE,
                    quantization: "awq",
                    speculativeDecoding: { draftModelUrl: "s3://models/llama3-70b/eagle/head/" },
                    stickySessions: true,
                    adapters: [{ name: "bot", artifactUrl: "s3://models/adapters/bot.tar.gz" }],
                }),
        );
        assert.equal(result.containerFamily, "vllm");
        assert.deepEqual(inputsOf(find(resources, TYPES.model, "chat-llama-model")).primaryContainer.environment, {
            SM_VLLM_MODEL: "/opt/ml/model",
            SM_VLLM_TENSOR_PARALLEL_SIZE: "4",
            SM_VLLM_SPECULATIVE_CONFIG: '{"model":"/opt/ml/model/eagle/head","num_speculative_tokens":5}',
            SM_VLLM_ENABLE_LORA: "",
            SM_VLLM_MAX_LORAS: "8",
            SM_VLLM_MAX_CPU_LORAS: "64",
            VLLM_ALLOW_RUNTIME_LORA_UPDATING: "True",
            SAGEMAKER_ENABLE_STATEFUL_SESSIONS: "true",
            SAGEMAKER_SESSIONS_EXPIRATION: "1200",
        });
        // Pre-quantized: no runtime switch, so the tag tells the pack.
        assert.deepEqual(inputsOf(find(resources, TYPES.inferenceComponent, "chat-llama-ic")).tags.at(-1), {
            key: "fmfleet:quantization",
            value: "awq",
        });
    });

    it("lets the config name the family of an image it cannot recognize", async () => {
        const { result } = await underMocks(
            () => new FoundationModel("m", { ...base, image: CUSTOM_IMAGE, containerFamily: "vllm" }),
        );
        assert.equal(result.environment.SM_VLLM_TENSOR_PARALLEL_SIZE, "4");
    });

    it("refuses a draft outside the weights, an unknown family and a prefix adapter, registering nothing", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () =>
                    new FoundationModel("m", {
                        ...base,
                        image: CUSTOM_IMAGE,
                        speculativeDecoding: { draftModelUrl: "s3://models/llama3.2-1b/" },
                        adapters: [{ name: "bot", artifactUrl: "s3://models/adapters/bot/" }],
                    }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    e.message ===
                        'Invalid arguments for FoundationModel "m" (3 errors):\n' +
                            '  - args.speculativeDecoding.draftModelUrl: must be a folder inside modelDataUrl "s3://models/llama3-70b/" (an inference component cannot mount a second data source), got "s3://models/llama3.2-1b/". Copy the draft model to s3://models/llama3-70b/draft/ and set draftModelUrl to it.\n' +
                            `  - args.containerFamily: is not set, and the image "${CUSTOM_IMAGE}" is neither LMI (djl-inference) nor the SageMaker vLLM DLC (vllm). Set it to "lmi" or "vllm", the family whose environment names the container reads.\n` +
                            '  - args.adapters[0].artifactUrl: must be a single .tar.gz archive (an inference component\'s ArtifactUrl cannot be a prefix), got "s3://models/adapters/bot/". Pack the adapter directory into s3://<bucket>/<adapter>.tar.gz and point artifactUrl at it.',
            ),
        );
        assert.equal(resources.length, 0);
    });

    it("keeps the model's environment and name whatever the adapter count: LoRA capacity is declared", async () => {
        const adapters = (n: number) =>
            Array.from({ length: n }, (_, i) => ({
                name: `t-${i}`,
                artifactUrl: `s3://models/adapters/t-${i}.tar.gz`,
            }));
        const built = await Promise.all(
            [1, 2, 100].map(
                async (n) =>
                    (await underMocks(() => new FoundationModel("m", { ...base, adapters: adapters(n) }))).result,
            ),
        );
        assert.deepEqual(
            built.map((m) => m.physicalNames.model),
            built.map(() => built[0].physicalNames.model),
        );
        assert.deepEqual(
            built.map((m) => [m.environment.OPTION_MAX_LORAS, m.environment.OPTION_MAX_CPU_LORAS]),
            [
                ["8", "64"],
                ["8", "64"],
                ["8", "64"],
            ],
        );
    });

    it("serves LoRA with no adapter yet when enableLora is set, so the first adapter replaces nothing", async () => {
        const ready = await underMocks(
            () => new FoundationModel("m", { ...base, image: VLLM_IMAGE, enableLora: true, maxLoras: 16 }),
        );
        const withOne = await underMocks(
            () =>
                new FoundationModel("m", {
                    ...base,
                    image: VLLM_IMAGE,
                    enableLora: true,
                    maxLoras: 16,
                    adapters: [{ name: "bot", artifactUrl: "s3://models/adapters/bot.tar.gz" }],
                }),
        );
        assert.equal(withOne.result.physicalNames.model, ready.result.physicalNames.model);
        assert.deepEqual(
            [ready.result.environment.SM_VLLM_MAX_LORAS, ready.result.environment.SM_VLLM_MAX_CPU_LORAS],
            ["16", "64"],
        );
        // Without the switch, the first adapter turns LoRA on: a new environment, so a new model.
        const plain = await underMocks(() => new FoundationModel("m", { ...base, image: VLLM_IMAGE, maxLoras: 16 }));
        assert.equal(plain.result.environment.SM_VLLM_ENABLE_LORA, undefined);
        assert.notEqual(plain.result.physicalNames.model, ready.result.physicalNames.model);
        // A batch larger than the default host cache raises the cache with it.
        const big = await underMocks(() => new FoundationModel("m", { ...base, enableLora: true, maxLoras: 100 }));
        assert.equal(big.result.environment.OPTION_MAX_CPU_LORAS, "100");
    });

    it("refuses a host cache below maxLoras, fractional capacities and LoRA off with adapters", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () =>
                    new FoundationModel("m", {
                        ...base,
                        enableLora: false,
                        maxLoras: 1.5,
                        maxCpuLoras: 4,
                        adapters: [{ name: "bot", artifactUrl: "s3://models/adapters/bot.tar.gz" }],
                    }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    e.message ===
                        'Invalid arguments for FoundationModel "m" (2 errors):\n' +
                            "  - args.maxLoras: must be a whole number of adapters, got 1.5. Round it.\n" +
                            "  - args.enableLora: is false, but the model has 1 adapter, which need LoRA serving. Remove enableLora (or set it to true), or remove the adapters.",
            ),
        );
        assert.equal(resources.length, 0);
        const issues = await underMocks(() =>
            assert.throws(
                () => new FoundationModel("m", { ...base, maxCpuLoras: 4 }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    e.issues.map((i) => `${i.path}: ${i.message}`).join("\n") ===
                        "args.maxCpuLoras: must be >= maxLoras (the host cache holds every adapter a batch uses), got 4 < the default maxLoras 8. Raise maxCpuLoras to 8 or more, or lower maxLoras.",
            ),
        );
        assert.equal(issues.resources.length, 0);
    });

    it("renames the model when its weights change, and keeps the inference component's name", async () => {
        const first = await underMocks(() => new FoundationModel("m", base));
        const replaced = await underMocks(() => new FoundationModel("m", { ...base, modelDataUrl: "s3://models/v2/" }));
        assert.notEqual(replaced.result.physicalNames.model, first.result.physicalNames.model);
        assert.equal(replaced.result.physicalNames.inferenceComponent, first.result.physicalNames.inferenceComponent);
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

describe("FoundationModel: startup timeouts sized from the model", () => {
    const specificationOf = async (args: FoundationModelArgs) => {
        const { resources } = await underMocks(() => new FoundationModel("chat-llama", args));
        return inputsOf(find(resources, TYPES.inferenceComponent, "chat-llama-ic")).specification;
    };

    it("gives a model whose weights outlast the endpoint's 900 s timeouts its own, from the slowest type it may land on", async () => {
        // 70B bf16: 140 GB at S3's 0.213 GB/s is 657 s, x3 headroom = 1,971 s, rounded up to the minute;
        // the load (30 s + 140 s) x3 = 510 s stays at the endpoint's 900.
        assert.deepEqual(
            (await specificationOf({ ...base, instanceTypes: ["ml.p4d.24xlarge", "ml.p5.48xlarge"] }))
                .startupParameters,
            { modelDataDownloadTimeoutInSeconds: 1980, containerStartupHealthCheckTimeoutInSeconds: 900 },
        );
    });

    it("leaves the endpoint's timeouts to a model that fits them, and to one whose types are unknown", async () => {
        const awq = await specificationOf({ ...base, quantization: "awq", instanceTypes: ["ml.g5.12xlarge"] });
        assert.equal(awq.startupParameters, undefined);
        assert.equal((await specificationOf(base)).startupParameters, undefined);
        assert.equal(
            (await specificationOf({ ...base, instanceTypes: ["ml.x9.unknown"] })).startupParameters,
            undefined,
        );
    });
});
