import * as assert from "node:assert/strict";
import { Fleet } from "../../components";
import { TYPES } from "../../lib/contract";
import { stackConfig } from "../helpers/configs";
import { countByType, find, inputsOf, outputsOf, underMocks } from "../helpers/pulumi";

function fleetOf(stack: string) {
    const config = stackConfig(stack);
    return () => new Fleet("fleet", { fleet: config["fm-fleet:fleet"], costCenter: config["fm-fleet:costCenter"] });
}

describe("Fleet", () => {
    it("builds the dev stack: one endpoint that scales to zero, one model, three adapters, a guard", async () => {
        const { result, resources } = await underMocks(fleetOf("dev"), "dev");
        // The guard is a FoundationModel of its own: a model, a base IC, its autoscaling with a wake alarm.
        // One dashboard, and three SLO alarms (latency, errors, a wake that never ends) for the model and the guard.
        assert.equal(resources.length, 35);
        assert.deepEqual(countByType(resources), {
            "fm-fleet:index:Fleet": 1,
            "fm-fleet:iam:ExecutionRole": 1,
            "fm-fleet:sagemaker:InferenceEndpoint": 1,
            "fm-fleet:sagemaker:FoundationModel": 2,
            "fm-fleet:autoscaling:CopyAutoscaling": 2,
            "fm-fleet:sagemaker:FineTunedAdapters": 1,
            [TYPES.role]: 1,
            [TYPES.rolePolicy]: 1,
            [TYPES.nativeEndpointConfig]: 1,
            [TYPES.nativeEndpoint]: 1,
            [TYPES.model]: 2,
            [TYPES.inferenceComponent]: 5,
            [TYPES.scalableTarget]: 2,
            [TYPES.scalingPolicy]: 4,
            [TYPES.metricAlarm]: 8,
            "fm-fleet:cloudwatch:FleetObservability": 1,
            "aws:cloudwatch/dashboard:Dashboard": 1,
        });
        // The tree reads endpoint -> model -> adapters.
        const endpoint = find(resources, "fm-fleet:sagemaker:InferenceEndpoint", "fleet/chat");
        const model = find(resources, "fm-fleet:sagemaker:FoundationModel", "fleet/chat/llama3-8b");
        const adapters = find(resources, "fm-fleet:sagemaker:FineTunedAdapters", "fleet/chat/llama3-8b-adapters");
        assert.equal(model.parent, endpoint.urn);
        assert.equal(adapters.parent, model.urn);

        const variant = inputsOf(find(resources, TYPES.nativeEndpointConfig, "fleet/chat-config"))
            .productionVariants[0];
        assert.deepEqual(variant.managedInstanceScaling, {
            status: "ENABLED",
            minInstanceCount: 0,
            maxInstanceCount: 2,
        });
        assert.equal(
            inputsOf(find(resources, TYPES.scalableTarget, "fleet/chat/llama3-8b-scaling-target")).minCapacity,
            0,
        );
        for (const r of resources.filter((x) => x.type === TYPES.inferenceComponent)) {
            assert.ok(
                inputsOf(r).tags.some((t: any) => t.key === "cost-center" && t.value === "ml-platform-dev"),
                `${r.name} carries the cost-center tag`,
            );
        }

        // Every physical name the stack exports is the one its resource registers.
        const names = result.endpointNames;
        const physical = (type: string, logical: string, key: string) => inputsOf(find(resources, type, logical))[key];
        assert.deepEqual(names, {
            chat: {
                endpointName: physical(TYPES.nativeEndpoint, "fleet/chat-endpoint", "endpointName"),
                endpointConfigName: physical(TYPES.nativeEndpointConfig, "fleet/chat-config", "endpointConfigName"),
                models: {
                    "llama3-8b": {
                        modelName: physical(TYPES.model, "fleet/chat/llama3-8b-model", "name"),
                        inferenceComponentName: physical(
                            TYPES.inferenceComponent,
                            "fleet/chat/llama3-8b-ic",
                            "inferenceComponentName",
                        ),
                        adapters: Object.fromEntries(
                            ["support-bot", "sql-helper", "release-notes"].map((a) => [
                                a,
                                physical(
                                    TYPES.inferenceComponent,
                                    `fleet/chat/llama3-8b-adapters/${a}`,
                                    "inferenceComponentName",
                                ),
                            ]),
                        ),
                    },
                },
                guard: {
                    name: "llama-guard-3-8b",
                    inferenceComponentName: physical(
                        TYPES.inferenceComponent,
                        "fleet/chat/llama-guard-3-8b-ic",
                        "inferenceComponentName",
                    ),
                    family: "llama-guard-3",
                    checks: ["input", "output"],
                    categories: Array.from({ length: 14 }, (_, i) => `S${i + 1}`),
                },
            },
        });
        assert.match(names.chat.endpointName, /^chat-[0-9a-f]{8}$/);
        assert.match(
            names.chat.models["llama3-8b"].adapters["support-bot"],
            /^chat-llama3-8b-support-bot-[0-9a-f]{8}$/,
        );
        assert.deepEqual(result.multiModelEndpointNames, {});
    });

    it("builds the prod stack: HA endpoint with a 70B that a job quantizes, beside an 8B with adapters, and a multi-model endpoint", async () => {
        const { result, resources } = await underMocks(fleetOf("prod"), "prod");
        // With the guard on chat: a FoundationModel, its model, IC, autoscaling (3) and 2 rollback alarms.
        assert.equal(resources.length, 51);
        assert.deepEqual(
            resources.filter((r) => r.type === TYPES.nativeEndpointConfig).map((r) => inputsOf(r).kmsKeyId),
            [undefined],
            "no KMS key on ml.g5 (local NVMe)",
        );
        assert.equal(
            inputsOf(find(resources, TYPES.endpointConfiguration, "fleet/classic-config")).kmsKeyArn,
            "arn:aws:kms:us-east-1:123456789012:key/7b1e2d3c-4f5a-4b6c-9d8e-7f6a5b4c3d2e",
            "the key on ml.m5 (EBS only)",
        );
        assert.equal(resources.filter((r) => r.type === TYPES.inferenceComponent).length, 7);
        // Two rollback and two SLO alarms per base model and the guard; no wake alarm (prod keeps a copy).
        assert.equal(resources.filter((r) => r.type === TYPES.metricAlarm).length, 12);
        // Prod publishes enhanced metrics every 10 s and routes chat by prompt prefix.
        const chat = inputsOf(find(resources, TYPES.nativeEndpointConfig, "fleet/chat-config"));
        assert.deepEqual(chat.metricsConfig, { enableEnhancedMetrics: true, metricPublishFrequencyInSeconds: 10 });
        assert.deepEqual(chat.productionVariants[0].routingConfig, {
            routingStrategy: "PREFIX_AWARE",
            prefixAwareRoutingConfig: { prefixLength: 4096, concurrencyThreshold: 16 },
        });
        const bigIc = inputsOf(find(resources, TYPES.inferenceComponent, "fleet/chat/llama3-70b-ic"));
        assert.deepEqual(bigIc.deploymentConfig.rollingUpdatePolicy, {
            maximumBatchSize: { type: "CAPACITY_PERCENT", value: 25 },
            waitIntervalInSeconds: 300,
            maximumExecutionTimeoutInSeconds: 7200,
        });
        assert.deepEqual(bigIc.specification.schedulingConfig, {
            placementStrategy: "SPREAD",
            availabilityZoneBalance: { enforcementMode: "PERMISSIVE", maxImbalance: 1 },
        });
        const variant = inputsOf(find(resources, TYPES.nativeEndpointConfig, "fleet/chat-config"))
            .productionVariants[0];
        assert.deepEqual(variant.managedInstanceScaling, {
            status: "ENABLED",
            minInstanceCount: 2,
            maxInstanceCount: 4,
            scaleInPolicy: { strategy: "CONSOLIDATION", cooldownInMinutes: 20, maximumStepSize: 1 },
        });
        // A fallback pool replaces the instance type.
        assert.equal(variant.instanceType, undefined);
        assert.deepEqual(variant.instancePools, [
            { instanceType: "ml.g5.12xlarge", priority: 1 },
            { instanceType: "ml.g6e.12xlarge", priority: 2 },
        ]);
        assert.equal(variant.variantInstanceProvisionTimeoutInSeconds, 900);
        // The 70B's bf16 weights go through an AWQ optimization job; the model serves its output.
        const jobResource = find(resources, TYPES.optimizationJob, "fleet/chat/llama3-70b-optimization");
        const { __provider, ...job } = inputsOf(jobResource);
        assert.equal(typeof __provider, "string");
        const jobName = result.foundationModels.get("chat/llama3-70b")!.optimizationJob!.physicalName;
        assert.match(jobName, /^chat-llama3-70b-opt-[0-9a-f]{8}$/);
        // The job starts only once the role may read and write its S3 prefixes.
        assert.ok(
            jobResource.dependencies.includes(find(resources, TYPES.rolePolicy, "fleet-execution-policy").urn),
            "the job depends on the execution role's policy",
        );
        assert.equal(
            jobResource.parent,
            find(resources, "fm-fleet:sagemaker:FoundationModel", "fleet/chat/llama3-70b").urn,
        );
        assert.deepEqual(job, {
            optimizationJobName: jobName,
            roleArn: outputsOf(find(resources, TYPES.role, "fleet-execution-role")).arn,
            modelSource: { s3: { s3Uri: "s3://fm-fleet-prod-models/llama3-70b-instruct/" } },
            deploymentInstanceType: "ml.g5.12xlarge",
            optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
            outputConfig: {
                // Each job writes under a prefix of its own: a replacement never overwrites live weights.
                s3OutputLocation: `s3://fm-fleet-prod-models/llama3-70b-instruct-awq/${jobName}/`,
                kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/7b1e2d3c-4f5a-4b6c-9d8e-7f6a5b4c3d2e",
            },
            stoppingCondition: { maxRuntimeInSeconds: 21600 },
            waitTimeoutSeconds: 25200, // the 6 h maximum runtime and an hour to start
            tags: { "cost-center": "ml-platform", "fmfleet:estimated-hours": "2" },
        });
        const big = inputsOf(find(resources, TYPES.model, "fleet/chat/llama3-70b-model"));
        assert.deepEqual(big.primaryContainer.modelDataSource, {
            s3DataSources: [
                {
                    s3Uri: `s3://fm-fleet-prod-models/llama3-70b-instruct-awq/${jobName}/`,
                    s3DataType: "S3Prefix",
                    compressionType: "None",
                },
            ],
        });
        // As the SageMaker Python SDK deploys a job's output: with the job's OverrideEnvironment.
        assert.equal(big.primaryContainer.environment.OPTION_QUANTIZE, "awq");
        assert.equal(big.primaryContainer.environment.OPTION_SPECULATIVE_CONFIG, undefined);
        assert.equal(big.primaryContainer.additionalModelDataSources, undefined);
        assert.equal(big.tags["fmfleet:optimization-job"], jobName);
        assert.deepEqual(
            (bigIc.tags as { key: string; value: string }[]).filter((t) => t.key.startsWith("fmfleet:")),
            [
                { key: "fmfleet:optimization-job", value: jobName },
                { key: "fmfleet:parameters-billions", value: "70" },
                { key: "fmfleet:quantization", value: "awq" },
                // Its SLO, which the pack's latency-slo reads.
                { key: "fmfleet:slo-ttft-ms", value: "1000" },
                { key: "fmfleet:slo-tokens-per-second", value: "15" },
            ],
        );
        // The execution role runs the job: it reads the bf16 weights and writes the optimized model.
        const policy = JSON.parse(String(inputsOf(find(resources, TYPES.rolePolicy, "fleet-execution-policy")).policy));
        assert.deepEqual(
            policy.Statement.find((st: { Sid: string }) => st.Sid === "WriteOptimizedModels"),
            {
                Sid: "WriteOptimizedModels",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: ["arn:aws:s3:::fm-fleet-prod-models/llama3-70b-instruct-awq/*"],
            },
        );
        const names = result.multiModelEndpointNames;
        assert.match(names.classic.endpointName, /^classic-[0-9a-f]{8}$/);
        assert.equal(names.classic.modelName, inputsOf(find(resources, TYPES.model, "fleet/classic-model")).name);
    });
});
