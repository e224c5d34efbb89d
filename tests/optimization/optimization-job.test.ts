import * as assert from "node:assert/strict";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    credentialKeysTheJobIgnores,
    OptimizationJob,
    OptimizationJobArgs,
} from "../../components/optimization/optimization-job";
import { TYPES } from "../../lib/contract";
import { OPTIMIZATION_DEPLOYMENT_INSTANCE_TYPES } from "../../lib/optimization";
import { FakeSageMakerControlPlane } from "../../tools/loopback/sagemaker-control-server";
import { DynamicProviderHost } from "../helpers/dynamic-provider-host";
import { find, inputsOf, refused, underMocks } from "../helpers/pulumi";

const ARGS: OptimizationJobArgs = {
    roleArn: "arn:aws:iam::123456789012:role/fm-fleet-execution",
    modelSource: { s3: { s3Uri: "s3://fm-fleet-models/llama3-70b/" } },
    deploymentInstanceType: "ml.g5.12xlarge",
    optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
    outputConfig: { s3OutputLocation: "s3://fm-fleet-models/llama3-70b-awq/" },
    region: "us-east-1",
    tags: { "cost-center": "ml-platform" },
};

describe("OptimizationJob", () => {
    it("registers a dynamic resource with the API's fields, the SageMaker Python SDK's stopping default and a stable name", async () => {
        const { result, resources } = await underMocks(() => new OptimizationJob("chat/llama3-70b/awq", ARGS));
        const job = find(resources, TYPES.optimizationJob, "chat/llama3-70b/awq");
        const { __provider, ...inputs } = inputsOf(job);
        assert.equal(typeof __provider, "string");
        assert.match(result.physicalName, /^chat-llama3-70b-awq-[0-9a-f]{8}$/);
        assert.deepEqual(inputs, {
            optimizationJobName: result.physicalName,
            roleArn: ARGS.roleArn,
            modelSource: { s3: { s3Uri: "s3://fm-fleet-models/llama3-70b/" } },
            deploymentInstanceType: "ml.g5.12xlarge",
            optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
            outputConfig: { s3OutputLocation: "s3://fm-fleet-models/llama3-70b-awq/" },
            stoppingCondition: { maxRuntimeInSeconds: 36000 },
            region: "us-east-1",
            tags: { "cost-center": "ml-platform" },
        });
    });

    it("takes its region from the stack's aws:region, and leaves it out with no region in config", async () => {
        const { region, ...withoutRegion } = ARGS;
        assert.equal(region, "us-east-1");
        const regionOf = async (config?: Record<string, string>) => {
            const { resources } = await underMocks(() => {
                if (config) pulumi.runtime.setAllConfig(config);
                return new OptimizationJob("chat/llama3-70b/awq", withoutRegion);
            });
            return inputsOf(find(resources, TYPES.optimizationJob, "chat/llama3-70b/awq")).region;
        };
        assert.equal(await regionOf({ "aws:region": "eu-west-1" }), "eu-west-1");
        // A program run earlier in the process (as tests/runtime runs the prod stack) leaves its config set:
        // each program under mocks starts, like a fresh process, without it.
        pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1" });
        const saved = process.env.AWS_REGION;
        delete process.env.AWS_REGION;
        try {
            assert.equal(await regionOf(), undefined);
        } finally {
            if (saved !== undefined) process.env.AWS_REGION = saved;
        }
    });

    it("calls SageMaker with the stack's aws:profile, the aws provider's, without renaming the job", async () => {
        const jobOf = async (config: Record<string, string>) => {
            const { result, resources } = await underMocks(() => {
                pulumi.runtime.setAllConfig(config);
                return new OptimizationJob("chat/llama3-70b/awq", ARGS);
            });
            return {
                name: result.physicalName,
                inputs: inputsOf(find(resources, TYPES.optimizationJob, "chat/llama3-70b/awq")),
            };
        };
        const plain = await jobOf({});
        const profiled = await jobOf({ "aws:profile": "ml-deploy" });
        assert.equal(plain.inputs.profile, undefined);
        assert.equal(profiled.inputs.profile, "ml-deploy");
        assert.equal(profiled.name, plain.name);
    });

    it("names the aws provider's credential settings the job's provider cannot share", async () => {
        await underMocks(() => {
            pulumi.runtime.setAllConfig({ "aws:region": "us-east-1", "aws:profile": "ml-deploy" });
            assert.deepEqual(credentialKeysTheJobIgnores(new pulumi.Config("aws")), []);
            pulumi.runtime.setAllConfig({ "aws:accessKey": "AKID", "aws:secretKey": "s", "aws:assumeRoles": "[]" }, [
                "aws:secretKey",
            ]);
            assert.deepEqual(credentialKeysTheJobIgnores(new pulumi.Config("aws")), [
                "accessKey",
                "secretKey",
                "assumeRoles",
            ]);
        });
    });

    it("names a changed job anew when what it makes changes, but not for what updates it in place", async () => {
        const name = async (args: OptimizationJobArgs) =>
            (await underMocks(() => new OptimizationJob("chat/llama3-70b/awq", args))).result.physicalName;
        const base = await name(ARGS);
        assert.notEqual(await name({ ...ARGS, deploymentInstanceType: "ml.g6e.12xlarge" }), base);
        assert.notEqual(await name({ ...ARGS, stoppingCondition: { maxRuntimeInSeconds: 7200 } }), base);
        assert.notEqual(
            await name({ ...ARGS, outputConfig: { s3OutputLocation: "s3://fm-fleet-models/other/" } }),
            base,
        );
        // What the provider's diff updates in place: the wait, the role, the tags, the output's key.
        assert.equal(await name({ ...ARGS, waitTimeoutSeconds: 60 }), base);
        assert.equal(
            await name({
                ...ARGS,
                roleArn: "arn:aws:iam::123456789012:role/other",
                tags: { team: "llm" },
                outputConfig: { ...ARGS.outputConfig, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k2" },
            }),
            base,
        );
    });

    it("rejects arguments the API would reject, naming every field at once, before registering anything", async () => {
        const bad: OptimizationJobArgs = {
            ...ARGS,
            optimizationJobName: "-bad_name",
            modelSource: {},
            deploymentInstanceType: "ml.m5.xlarge",
            maxInstanceCount: 0,
            optimizationConfigs: [
                {
                    modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } },
                    modelShardingConfig: {},
                },
            ],
            outputConfig: { s3OutputLocation: "s3://fm-fleet-models/out.tar.gz" },
            vpcConfig: { securityGroupIds: [], subnets: ["subnet-1"] },
        };
        assert.deepEqual(await refused(() => new OptimizationJob("chat/llama3-70b/awq", bad)), [
            'args.optimizationJobName: must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit, got "-bad_name". Rename it, or leave it out for a generated name.',
            "args.modelSource: must set exactly one of s3 and sageMakerModel. Keep the one the job reads.",
            'args.deploymentInstanceType: "ml.m5.xlarge" is not an instance type optimization jobs deploy to (the API\'s DeploymentInstanceType). Use an ml.g4dn, ml.g5, ml.g6, ml.g6e, ml.g7, ml.g7e, ml.inf2, ml.p4d, ml.p4de, ml.p5, ml.p5e, ml.p5en, ml.p6-b200, ml.trn1, ml.trn1n type, and serve the model on it.',
            "args.maxInstanceCount: must be >= 1, got 0. Use 1 or more instances.",
            "args.optimizationConfigs[0]: must set exactly one of modelQuantizationConfig, modelCompilationConfig, modelShardingConfig, modelSpeculativeDecodingConfig (the API's union), got modelQuantizationConfig, modelShardingConfig. Split it into one entry per config.",
            'args.outputConfig.s3OutputLocation: must be an s3://<bucket>/<key> URL with a valid bucket name, ending in /, got "s3://fm-fleet-models/out.tar.gz". Use s3://<bucket>/<optimized>/.',
            "args.vpcConfig.securityGroupIds: must be between 1 and 5 security groups, got 0. Pick a value in that range.",
        ]);
    });

    it("reports arguments of the wrong shape from plain JavaScript instead of throwing a TypeError", async () => {
        const issues = await refused(
            () =>
                new OptimizationJob("chat/llama3-70b/awq", {
                    roleArn: "arn:aws:iam::123456789012:role/r",
                    deploymentInstanceType: "ml.g5.12xlarge",
                    optimizationConfigs: [null],
                } as unknown as OptimizationJobArgs),
        );
        assert.deepEqual(
            issues.map((line) => line.slice(0, line.indexOf(": "))),
            ["args.modelSource", "args.optimizationConfigs[0]", "args.outputConfig.s3OutputLocation"],
        );
    });

    it("keeps its copy of the API's deployment instance types equal to the SDK's enum", () => {
        const { OptimizationJobDeploymentInstanceType } = require("@aws-sdk/client-sagemaker");
        assert.deepEqual(
            [...OPTIMIZATION_DEPLOYMENT_INSTANCE_TYPES].sort(),
            (Object.values(OptimizationJobDeploymentInstanceType) as string[]).sort(),
        );
    });

    describe("serialized, in the SDK's dynamic provider host, as pulumi up runs it", () => {
        const server = new FakeSageMakerControlPlane();
        let host: DynamicProviderHost;

        before(async () => {
            const url = await server.start();
            host = await DynamicProviderHost.start(path.resolve(__dirname, "../.."), {
                ...process.env,
                // The SDK's own service-specific endpoint variable, and static test credentials.
                AWS_ENDPOINT_URL_SAGEMAKER: url,
                AWS_ACCESS_KEY_ID: "AKIDFMFLEETTEST",
                AWS_SECRET_ACCESS_KEY: "test-secret",
                AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            });
        });
        after(async () => {
            await host?.stop();
            await server.stop();
        });

        it("creates the job, returns its outputs, fails with the job's reason, and deletes it", async () => {
            const { result, resources } = await underMocks(() => new OptimizationJob("chat/llama3-70b/awq", ARGS));
            const job = find(resources, TYPES.optimizationJob, "chat/llama3-70b/awq");
            const inputs = inputsOf(job) as Record<string, unknown>;
            const name = result.physicalName;
            server.scripts.set(name, {
                recommendedImage: "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
            });

            const created = await host.create(job.urn, inputs);
            assert.equal(created.id, name);
            assert.equal(created.outs.optimizationJobStatus, "COMPLETED");
            assert.equal(created.outs.optimizedModelUrl, "s3://fm-fleet-models/llama3-70b-awq/");
            assert.equal(
                created.outs.recommendedInferenceImage,
                "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
            );
            assert.equal(created.outs.__provider, inputs.__provider);
            assert.deepEqual(server.operations(), ["CreateOptimizationJob", "DescribeOptimizationJob"]);
            assert.equal(server.calls[0].body.OptimizationJobName, name);

            await host.delete(job.urn, name, created.outs);
            assert.equal(server.hasJob(name), false);

            server.reset();
            server.scripts.set(name, { outcome: "FAILED", failureReason: "ClientError: no such key" });
            await assert.rejects(host.create(job.urn, inputs), {
                message: `2 UNKNOWN: Optimization job "${name}" ended FAILED: ClientError: no such key. Fix the cause and run pulumi up again (its record was deleted so the same job can run again).`,
            });
        });
    });
});
