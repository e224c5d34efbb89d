import * as assert from "node:assert/strict";
import { Fleet, FoundationModel, FoundationModelArgs, validateStackSettings } from "../../components";
import { optimizationConfigsOf, optimizedServingEnvironment } from "../../components/optimization/model-optimization";
import { TYPES } from "../../lib/contract";
import { issuesOf, LMI_IMAGE, validFleet } from "../helpers/configs";
import { find, inputsOf, refused, underMocks } from "../helpers/pulumi";

const FM = "fleet.endpoints[0].foundationModels[0]";

/** The valid fleet whose model is optimized with `optimization`, after `change`. */
function optimized(optimization: Record<string, unknown>, change: (model: any, fleet: any) => void = () => {}): any {
    const fleet = validFleet();
    const model = fleet.endpoints[0].foundationModels[0];
    model.optimization = { outputUrl: "s3://models/llama3-8b-fp8/", ...optimization };
    change(model, fleet);
    return fleet;
}

describe("foundationModels[].optimization", () => {
    it("maps each optimization onto the API's OptimizationConfigs, in a stable order", () => {
        const args = {
            outputUrl: "s3://models/out/",
            instanceType: "ml.g5.12xlarge",
            image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
            quantization: "fp8" as const,
            speculativeDecoding: {
                trainingDataUrl: "s3://models/datasets/chat/",
                trainingDataType: "ManifestFile" as const,
            },
            compilation: { environment: { OPTION_N_POSITIONS: "8192" } },
        };
        assert.deepEqual(optimizationConfigsOf(args), [
            { modelQuantizationConfig: { image: args.image, overrideEnvironment: { OPTION_QUANTIZE: "fp8" } } },
            { modelCompilationConfig: { image: args.image, overrideEnvironment: { OPTION_N_POSITIONS: "8192" } } },
            {
                modelSpeculativeDecodingConfig: {
                    technique: "EAGLE",
                    trainingDataSource: { s3Uri: "s3://models/datasets/chat/", s3DataType: "ManifestFile" },
                },
            },
        ]);
        assert.deepEqual(
            optimizationConfigsOf({
                outputUrl: "s3://m/o/",
                instanceType: "ml.g5.12xlarge",
                sharding: { tensorParallelDegree: 4 },
            }),
            [
                {
                    modelShardingConfig: {
                        image: undefined,
                        overrideEnvironment: { OPTION_TENSOR_PARALLEL_DEGREE: "4" },
                    },
                },
            ],
        );
        // The served model gets the job's environment and every override, as the SageMaker Python SDK deploys it.
        assert.deepEqual(optimizedServingEnvironment({ ...args, environment: { HF_TOKEN_SECRET: "x" } }), {
            HF_TOKEN_SECRET: "x",
            OPTION_QUANTIZE: "fp8",
            OPTION_N_POSITIONS: "8192",
        });
    });

    it("accepts a job in the stack config and serves its output from the model", async () => {
        const fleet = optimized({
            quantization: "fp8",
            estimatedHours: 1.5,
            maxRuntimeHours: 1,
            waitTimeoutMinutes: 90,
        });
        assert.doesNotThrow(() => validateStackSettings(fleet, "ml"));
        const { result, resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }));
        const job = inputsOf(find(resources, TYPES.optimizationJob, "fleet/chat/llama3-8b-optimization"));
        assert.equal(job.deploymentInstanceType, "ml.g5.2xlarge", "the endpoint's type by default");
        assert.equal(job.waitTimeoutSeconds, 5400);
        assert.deepEqual(job.stoppingCondition, { maxRuntimeInSeconds: 3600 });
        assert.deepEqual(job.tags, { "cost-center": "ml", "fmfleet:estimated-hours": "1.5" });
        assert.equal(job.outputConfig.kmsKeyId, undefined);
        const model = inputsOf(find(resources, TYPES.model, "fleet/chat/llama3-8b-model"));
        const jobName = result.foundationModels.get("chat/llama3-8b")!.optimizationJob!.physicalName;
        assert.equal(job.outputConfig.s3OutputLocation, `s3://models/llama3-8b-fp8/${jobName}/`);
        assert.equal(model.primaryContainer.modelDataSource.s3DataSources[0].s3Uri, job.outputConfig.s3OutputLocation);
        assert.equal(model.primaryContainer.environment.OPTION_QUANTIZE, "fp8");
        assert.equal(model.tags["fmfleet:optimization-job"], jobName);
    });

    it("gives the model a new name when its job changes, so the new model is created before the old one goes", async () => {
        const modelName = async (fleet: any, costCenter = "ml") =>
            inputsOf(
                find(
                    (await underMocks(() => new Fleet("fleet", { fleet, costCenter }))).resources,
                    TYPES.model,
                    "fleet/chat/llama3-8b-model",
                ),
            ).name;
        const fp8 = await modelName(optimized({ quantization: "fp8" }));
        assert.notEqual(await modelName(optimized({ quantization: "awq" })), fp8);
        assert.notEqual(await modelName(optimized({ quantization: "fp8", maxRuntimeHours: 2 })), fp8);
        // What does not change the job's output does not rename it: the plan's estimate, the cost center.
        assert.equal(await modelName(optimized({ quantization: "fp8", estimatedHours: 2 })), fp8);
        assert.equal(await modelName(optimized({ quantization: "fp8" }), "research"), fp8);
    });

    it("rejects a job the API, the SageMaker Python SDK or the served model would reject, every problem at once", () => {
        assert.deepEqual(
            issuesOf(
                optimized(
                    {
                        quantization: "fp8",
                        sharding: { tensorParallelDegree: 3 },
                        compilation: {},
                        speculativeDecoding: {},
                        outputUrl: "s3://models/llama3-8b/fp8/",
                        instanceType: "ml.g6e.12xlarge",
                    },
                    (model) => {
                        model.quantization = "awq";
                        model.speculativeDecoding = { draftModelUrl: "s3://models/llama3-8b/draft/" };
                    },
                ),
            ),
            [
                `${FM}.optimization.sharding: cannot be combined with quantization, speculativeDecoding, compilation: sharding is an optimization of its own. Optimize in two steps, or drop one.`,
                `${FM}.optimization.speculativeDecoding: cannot be combined with compilation. Drop one of them.`,
                `${FM}.quantization: is "awq", but optimization.quantization makes the served weights "fp8". Remove quantization: the job's is served.`,
                `${FM}.speculativeDecoding: sets a draft model inside the weights, but the served weights are the optimization job's output, which does not carry it. Use optimization.speculativeDecoding (EAGLE, trained by the job), or remove optimization.`,
                `${FM}.optimization.outputUrl: is "s3://models/llama3-8b/fp8/", which overlaps modelDataUrl "s3://models/llama3-8b/": the job would write into the weights it reads. Give the optimized model a prefix of its own.`,
                `${FM}.optimization.sharding.tensorParallelDegree: is 3, which does not evenly divide the model's 1 accelerators per copy. Use a divisor of 1.`,
                `${FM}.optimization.instanceType: is ml.g6e.12xlarge, but endpoint "chat" serves on ml.g5.2xlarge: the job optimizes for the type it is told. Use one of those, or leave it out for the endpoint's.`,
            ],
        );
    });

    it("names the endpoint's type when the default deployment type is not one the API optimizes for", () => {
        assert.deepEqual(
            issuesOf(
                optimized({ quantization: "awq" }, (model, fleet) => {
                    fleet.endpoints[0].instanceType = "ml.m5.xlarge";
                    model.accelerators = 0;
                }),
            ),
            [
                `fleet.endpoints[0].instanceType: "ml.m5.xlarge" is not an instance type optimization jobs deploy to (the API's DeploymentInstanceType). Use an ml.g4dn, ml.g5, ml.g6, ml.g6e, ml.g7, ml.g7e, ml.inf2, ml.p4d, ml.p4de, ml.p5, ml.p5e, ml.p5en, ml.p6-b200, ml.trn1, ml.trn1n type, and serve the model on it.`,
            ],
        );
    });

    it("keeps quantization and speculative decoding to GPU types (Inferentia and Trainium compile)", () => {
        assert.deepEqual(
            issuesOf(
                optimized({ quantization: "awq", speculativeDecoding: {} }, (_model, fleet) => {
                    fleet.endpoints[0].instanceType = "ml.inf2.24xlarge";
                }),
            ),
            [
                `${FM}.optimization.quantization: is not available for ml.inf2.24xlarge (AWS Inferentia2): optimization jobs compile for Inferentia and Trainium, and quantize or train speculative decoding for GPUs. Use compilation, or a GPU instance type.`,
                `${FM}.optimization.speculativeDecoding: is not available for ml.inf2.24xlarge (AWS Inferentia2): optimization jobs compile for Inferentia and Trainium, and quantize or train speculative decoding for GPUs. Use compilation, or a GPU instance type.`,
            ],
        );
        const compiled = optimized(
            { compilation: { environment: { OPTION_N_POSITIONS: "8192" } } },
            (_model, fleet) => {
                fleet.endpoints[0].instanceType = "ml.inf2.24xlarge";
            },
        );
        assert.doesNotThrow(() => validateStackSettings(compiled, "ml"));
    });

    it("catches in the config what the job would reject mid-deployment: waits, environments, VPC sizes", () => {
        assert.deepEqual(
            issuesOf(
                optimized(
                    {
                        quantization: "awq",
                        maxRuntimeHours: 4,
                        waitTimeoutMinutes: 120,
                        environment: { " ": "x", OPTION_ROLLING_BATCH: "y".repeat(257) },
                    },
                    (_model, fleet) => {
                        fleet.vpc = { subnetIds: ["subnet-1"], securityGroupIds: ["a", "b", "c", "d", "e", "f"] };
                    },
                ),
            ),
            [
                "fleet.vpc.securityGroupIds: must list at most 5 security groups (the SageMaker API's limit). Drop some.",
                `${FM}.optimization.environment: has the key " ": keys must be 1-256 characters, not blank. Rename it.`,
                `${FM}.optimization.environment.OPTION_ROLLING_BATCH: is 257 characters, over the API's 256. Shorten it.`,
                `${FM}.optimization.waitTimeoutMinutes: is 120 minutes, shorter than the 4 hours maxRuntimeHours lets the job run: pulumi up would stop a healthy job. Raise it to at least 240, or lower maxRuntimeHours.`,
            ],
        );
    });

    it("reports the schema's problems with the field, the value and the fix", () => {
        assert.deepEqual(
            issuesOf(
                optimized({
                    quantization: "int4",
                    outputUrl: "s3://models/out.tar.gz",
                    speculativeDecoding: { trainingDataType: "Folder" },
                    maxRuntimeHours: 0,
                    estimatedHours: "two",
                    sharding: { tensorParallelDegree: 1.5 },
                    technique: "eagle",
                }),
            ),
            [
                `${FM}.optimization.outputUrl: must be an s3://<bucket>/<key> URL with a valid bucket name, ending in /, got "s3://models/out.tar.gz". Use s3://<bucket>/<model>-optimized/ (a prefix of its own).`,
                `${FM}.optimization.quantization: unknown job quantization "int4". Use awq or fp8 (OPTION_QUANTIZE of the optimization container).`,
                `${FM}.optimization.speculativeDecoding.trainingDataType: unknown data type "Folder". Use S3Prefix or ManifestFile.`,
                `${FM}.optimization.sharding.tensorParallelDegree: must be a whole number of devices, got 1.5. Round it.`,
                `${FM}.optimization.maxRuntimeHours: must be > 0, got 0. Give the hours the job may run, e.g. 10.`,
                `${FM}.optimization.estimatedHours: must be a number, got string "two". Set it to a number.`,
                `${FM}.optimization.technique: unknown key \`technique\`. Remove it or fix its spelling (known keys: outputUrl, quantization, speculativeDecoding, compilation, sharding, image, instanceType, maxInstanceCount, acceptEula, environment, maxRuntimeHours, waitTimeoutMinutes, estimatedHours).`,
                `${FM}.optimization.sharding: cannot be combined with quantization, speculativeDecoding: sharding is an optimization of its own. Optimize in two steps, or drop one.`,
            ],
        );
    });
});

describe("FoundationModel with an optimization", () => {
    const base: FoundationModelArgs = {
        endpointName: "chat-endpoint",
        variantName: "AllTraffic",
        executionRoleArn: "arn:aws:iam::123456789012:role/r",
        image: LMI_IMAGE,
        modelDataUrl: "s3://models/llama3-70b/",
        parametersBillions: 70,
        accelerators: 4,
        memoryMb: 65536,
        copies: { min: 1, max: 2 },
    };

    it("checks its optimization with the stack config's rules, before registering anything", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new FoundationModel("chat-llama", {
                        ...base,
                        quantization: "gptq",
                        optimization: {
                            outputUrl: "s3://models/llama3-70b-awq",
                            instanceType: "ml.m5.xlarge",
                            quantization: "awq",
                            maxRuntimeHours: -1,
                        },
                    }),
            ),
            [
                'args.quantization: is "gptq", but optimization.quantization makes the served weights "awq". Remove quantization: the job\'s is served.',
                'args.optimization.instanceType: "ml.m5.xlarge" is not an instance type optimization jobs deploy to (the API\'s DeploymentInstanceType). Use an ml.g4dn, ml.g5, ml.g6, ml.g6e, ml.g7, ml.g7e, ml.inf2, ml.p4d, ml.p4de, ml.p5, ml.p5e, ml.p5en, ml.p6-b200, ml.trn1, ml.trn1n type, and serve the model on it.',
                "args.optimization.maxRuntimeHours: must be a number > 0, got -1. Give a positive number.",
                'args.optimization.outputUrl: must be an s3://<bucket>/<key> URL with a valid bucket name, ending in /, got "s3://models/llama3-70b-awq". Use s3://<bucket>/<model>-optimized/ (a prefix).',
            ],
        );
    });
});
