import * as assert from "node:assert/strict";
import { readdirSync } from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { Fleet } from "../../components";
import { OptimizationJob } from "../../components/optimization/optimization-job";
import { TYPES } from "../../lib/contract";
import { generatedFleet } from "../../tools/bench/generated-fleet";
import { preflight } from "../../tools/plan/preflight/preflight";
import { dependencyOrderProblems, ORDER_EXCEPTIONS, orderMessage } from "../../tools/plan/preflight/dependency-order";
import { runProgram } from "../../tools/plan/run-program";
import { readStack } from "../../tools/plan/stack-files";
import { parse } from "yaml";
import { readFileSync } from "fs";
import { ROOT, validFleet } from "../helpers/configs";
import { find, RecordedResource, underMocks } from "../helpers/pulumi";

const STACK_FILES = [
    ...readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f) && f !== "Pulumi.yaml"),
    ...readdirSync(path.join(ROOT, "tests/fixtures"))
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f) && f !== "Pulumi.broken.yaml")
        .map((f) => `tests/fixtures/${f}`),
];

/** The fleet of a stack file, under mocks. */
async function fleetOfFile(file: string): Promise<RecordedResource[]> {
    const config = parse(readFileSync(path.join(ROOT, file), "utf8")).config;
    const { resources } = await underMocks(
        () => new Fleet("fleet", { fleet: config["fm-fleet:fleet"], costCenter: config["fm-fleet:costCenter"] }),
        path.basename(file).split(".")[1],
    );
    return resources;
}

/** Every feature that references another resource at once: VPC, data capture, rollout, optimization, adapters. */
function everyReferenceFleet(): any {
    const prod = parse(readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config["fm-fleet:fleet"];
    const fleet = {
        ...prod,
        vpc: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] },
        endpoints: prod.endpoints.map((e: any) => ({
            ...e,
            dataCapture: { destinationS3Uri: "s3://fm-fleet-prod-capture/chat/", samplingPercentage: 5 },
        })),
        multiModelEndpoints: [
            ...prod.multiModelEndpoints.map((m: any) => ({
                ...m,
                dataCapture: { destinationS3Uri: "s3://fm-fleet-prod-capture/classic/" },
            })),
        ],
    };
    return fleet;
}

/** An optimization job that quantizes s3://models/llama/ to AWQ under s3://models/llama-awq/. */
const awqJob = () =>
    new OptimizationJob("job", {
        roleArn: "arn:aws:iam::123456789012:role/r",
        modelSource: { s3: { s3Uri: "s3://models/llama/" } },
        deploymentInstanceType: "ml.g5.12xlarge",
        optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
        outputConfig: { s3OutputLocation: "s3://models/llama-awq/" },
    });

const messages = (resources: readonly RecordedResource[]) => dependencyOrderProblems(resources).map(orderMessage);

describe("dependency order (tools/plan/preflight/dependency-order)", () => {
    for (const file of STACK_FILES) {
        it(`gives every reference between resources a dependency in ${file}`, async () => {
            assert.deepEqual(messages(await fleetOfFile(file)), []);
        });
    }

    it("gives every reference a dependency in the README's and tests' fleets: VPC, capture, rollout, optimization, adapters, many adapters", async () => {
        for (const fleet of [validFleet(), everyReferenceFleet(), generatedFleet(25)]) {
            const { resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }));
            assert.deepEqual(messages(resources), []);
        }
    });

    it("makes prod's AWQ model depend on the optimization job that writes its weights", async () => {
        const resources = await fleetOfFile("Pulumi.prod.yaml");
        const job = find(resources, TYPES.optimizationJob, "fleet/chat/llama3-70b-optimization");
        const model = find(resources, TYPES.model, "fleet/chat/llama3-70b-model");
        assert.ok(model.dependencies.includes(job.urn), `model depends on ${model.dependencies.join(", ")}`);
        assert.deepEqual(model.propertyDependencies.primaryContainer, [job.urn]);
    });

    it("keeps an optimization job's outputs after construction: they are declared, not class fields", async () => {
        await underMocks(() => {
            const job = awqJob();
            for (const key of [
                "optimizationJobName",
                "optimizationJobArn",
                "optimizationJobStatus",
                "recommendedInferenceImage",
                "optimizedModelUrl",
            ] as const) {
                assert.ok(pulumi.Output.isInstance(job[key]), `${key} is an Output`);
            }
        });
    });

    it("names a model that reads an optimization job's output by a plain string, with the fix", async () => {
        const { resources } = await underMocks(() => {
            const job = awqJob();
            const container = (s3Uri: pulumi.Input<string>) => ({
                image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
                modelDataSource: { s3DataSources: [{ s3Uri, s3DataType: "S3Prefix", compressionType: "None" }] },
            });
            new aws.sagemaker.Model("by-string", {
                executionRoleArn: "arn:aws:iam::123456789012:role/r",
                primaryContainer: container(`${job.outputUrl}sub/`),
                // The job's name in a tag is a label: excepted.
                tags: { job: job.physicalName },
            });
            new aws.sagemaker.Model("by-output", {
                executionRoleArn: "arn:aws:iam::123456789012:role/r",
                primaryContainer: container(job.optimizedModelUrl),
            });
        });
        assert.deepEqual(messages(resources), [
            'Model "by-string" names OptimizationJob "job" by its output prefix in `primaryContainer.modelDataSource.s3DataSources[0].s3Uri` ' +
                '("s3://models/llama-awq/sub/") without depending on it, so `pulumi up` may create both at once. ' +
                "Pass the resource's output (e.g. its name or URL as an Output) instead of a string, or add it to `dependsOn`.",
        ]);
    });

    it("names a scalable target that names its component inside a resource id, and accepts it with dependsOn", async () => {
        const { resources } = await underMocks(() => {
            const ic = new awsNative.sagemaker.InferenceComponent("ic", {
                inferenceComponentName: "chat-base",
                endpointName: "chat",
                specification: { modelName: "m", computeResourceRequirements: { minMemoryRequiredInMb: 1024 } },
                runtimeConfig: { copyCount: 1 },
            });
            const target = (name: string, opts: pulumi.CustomResourceOptions) =>
                new aws.appautoscaling.Target(
                    name,
                    {
                        serviceNamespace: "sagemaker",
                        resourceId: "inference-component/chat-base",
                        scalableDimension: "sagemaker:inference-component:DesiredCopyCount",
                        minCapacity: 0,
                        maxCapacity: 2,
                    },
                    opts,
                );
            target("unordered", {});
            target("ordered", { dependsOn: [ic] });
            // A folder of an S3 key that happens to carry the component's name refers to nothing.
            new aws.sagemaker.Model("weights-in-a-folder-named-like-it", {
                executionRoleArn: "arn:aws:iam::123456789012:role/r",
                primaryContainer: { image: "i", modelDataUrl: "s3://models/chat-base/model.tar.gz" },
            });
            // An alarm on the component's metric, named by dimension: excepted.
            new aws.cloudwatch.MetricAlarm("alarm", {
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                evaluationPeriods: 1,
                metricName: "NoCapacityInvocationFailures",
                namespace: "AWS/SageMaker",
                period: 60,
                statistic: "Maximum",
                threshold: 1,
                dimensions: { InferenceComponentName: "chat-base" },
            });
        });
        const found = dependencyOrderProblems(resources);
        assert.deepEqual(
            found.map((p) => [p.resource.name, p.referenced.name, p.path, p.what]),
            [["unordered", "ic", "resourceId", "name"]],
        );
        // The plan's deploy preflight reports the same, so `npm run plan` exits 1 on it.
        const findings = preflight(resources).filter((f) => f.check === "dependency-order");
        assert.deepEqual(
            findings.map((f) => [f.name, f.message]),
            [["unordered", orderMessage(found[0])]],
        );
    });

    it("excepts only inputs no API resolves, each with its reason", () => {
        assert.deepEqual(
            Object.fromEntries(Object.entries(ORDER_EXCEPTIONS).map(([type, keys]) => [type, Object.keys(keys)])),
            {
                "*": ["tags", "tagsAll"],
                [TYPES.metricAlarm]: ["dimensions", "metrics", "metricQueries"],
                [TYPES.nativeAlarm]: ["dimensions", "metrics", "metricQueries"],
                [TYPES.role]: ["assumeRolePolicy", "inlinePolicies"],
                [TYPES.rolePolicy]: ["policy"],
            },
        );
        for (const keys of Object.values(ORDER_EXCEPTIONS))
            for (const reason of Object.values(keys)) assert.match(reason, /(does not|do not|no API) resolve/);
    });

    it("finds the hand-written defects program's components that name their endpoint by a string", async () => {
        const dir = path.join(ROOT, "tests/fixtures/defects");
        const run = await runProgram(readStack(dir, "defects"), "defects");
        assert.deepEqual(
            dependencyOrderProblems(run.resources)
                .map((p) => [p.resource.name, p.referenced.name, p.path])
                .sort(),
            [
                ["compute-adapter", "chat-endpoint", "endpointName"],
                ["customer-support-assistants-east-llama-3-1-8b-instruct-v2-base", "chat-endpoint", "endpointName"],
                ["prefix-adapter", "chat-endpoint", "endpointName"],
            ],
        );
    });
});
