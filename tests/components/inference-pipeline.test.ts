import * as assert from "node:assert/strict";
import {
    executionPolicy,
    Fleet,
    InferencePipeline,
    PipelineContainerArgs,
    validateStackSettings,
} from "../../components";
import { COST_CENTER_TAG, TYPES } from "../../lib/contract";
import { issuesOf, validFleet } from "../helpers/configs";
import { find, inputsOf, refused, underMocks, unwrap } from "../helpers/pulumi";

const PRE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-preprocess:1.4.0";
const XGB = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
const POST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-postprocess:1.4.0";
const ROLE = "arn:aws:iam::123456789012:role/r";

/** Pre-processing, a model, post-processing: the containers of the pipelines below, in order. */
const containers = (): PipelineContainerArgs[] => [
    { image: PRE, modelDataUrl: "s3://models/churn/pre/model.tar.gz", environment: { SAGEMAKER_PROGRAM: "pre.py" } },
    { image: XGB, modelDataUrl: "s3://models/churn/xgb/model.tar.gz" },
    { image: POST, environment: { THRESHOLD: "0.5" } },
];

/** The valid fleet with one pipeline, changed by `change`. */
function withPipeline(change: (pipeline: any, fleet: any) => void = () => {}): any {
    const fleet = validFleet();
    const pipeline = { name: "churn", instanceType: "ml.m5.xlarge", instances: 2, containers: containers() };
    fleet.pipelines = [pipeline];
    change(pipeline, fleet);
    return fleet;
}

describe("InferencePipeline", () => {
    it("runs its containers in order (Serial) on a one-variant classic endpoint of a fixed size", async () => {
        const { result, resources } = await underMocks(
            () =>
                new InferencePipeline("churn", {
                    instanceType: "ml.m5.xlarge",
                    instances: 2,
                    containers: containers(),
                    executionRoleArn: ROLE,
                    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
                    tags: { [COST_CENTER_TAG]: "ml" },
                }),
        );
        assert.deepEqual(
            resources.map((r) => [r.type, r.name]),
            [
                ["fm-fleet:sagemaker:InferencePipeline", "churn"],
                [TYPES.model, "churn-model"],
                [TYPES.endpointConfiguration, "churn-config"],
                [TYPES.endpoint, "churn-endpoint"],
            ],
        );
        const component = find(resources, "fm-fleet:sagemaker:InferencePipeline", "churn");
        for (const r of resources.slice(1)) assert.equal(r.parent, component.urn, r.name);
        const model = inputsOf(find(resources, TYPES.model, "churn-model"));
        assert.deepEqual(model, {
            name: result.physicalNames.model,
            containers: [
                {
                    image: PRE,
                    modelDataUrl: "s3://models/churn/pre/model.tar.gz",
                    environment: { SAGEMAKER_PROGRAM: "pre.py" },
                },
                { image: XGB, modelDataUrl: "s3://models/churn/xgb/model.tar.gz" },
                { image: POST, environment: { THRESHOLD: "0.5" } },
            ],
            inferenceExecutionConfig: { mode: "Serial" },
            enableNetworkIsolation: true,
            executionRoleArn: ROLE,
            tags: { [COST_CENTER_TAG]: "ml" },
        });
        const config = inputsOf(find(resources, TYPES.endpointConfiguration, "churn-config"));
        assert.deepEqual(config, {
            name: result.physicalNames.endpointConfig,
            // ml.m5 is EBS-only: its volume takes the key.
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
            productionVariants: [
                {
                    variantName: "AllTraffic",
                    modelName: result.physicalNames.model,
                    instanceType: "ml.m5.xlarge",
                    initialInstanceCount: 2,
                    routingConfigs: [{ routingStrategy: "LEAST_OUTSTANDING_REQUESTS" }],
                },
            ],
            tags: { [COST_CENTER_TAG]: "ml" },
        });
        assert.deepEqual(inputsOf(find(resources, TYPES.endpoint, "churn-endpoint")), {
            name: result.physicalNames.endpoint,
            endpointConfigName: result.physicalNames.endpointConfig,
            tags: { [COST_CENTER_TAG]: "ml" },
        });
        assert.equal(await unwrap(result.endpointName), result.physicalNames.endpoint);
        assert.match(result.physicalNames.model, /^churn-[0-9a-f]{8}$/);
    });

    it("names a new model when a container changes, and keeps the endpoint's name", async () => {
        const build = (env: string) => () =>
            new InferencePipeline("churn", {
                instanceType: "ml.m5.xlarge",
                instances: 1,
                containers: [{ image: PRE, environment: { THRESHOLD: env } }, { image: XGB }],
                executionRoleArn: ROLE,
            });
        const a = (await underMocks(build("0.5"))).result.physicalNames;
        const b = (await underMocks(build("0.6"))).result.physicalNames;
        assert.notEqual(a.model, b.model);
        assert.notEqual(a.endpointConfig, b.endpointConfig);
        assert.equal(a.endpoint, b.endpoint);
    });

    it("refuses 16 containers, none, a non-tarball model data URL and no instances, all at once", async () => {
        const sixteen = Array.from({ length: 16 }, () => ({ image: XGB }));
        assert.deepEqual(
            await refused(
                () =>
                    new InferencePipeline("churn", {
                        instanceType: "ml.m5.xlarge",
                        instances: 0,
                        containers: [...sixteen.slice(1), { image: XGB, modelDataUrl: "s3://models/churn/xgb/" }],
                        executionRoleArn: ROLE,
                    }),
            ),
            [
                "args.instances: must be >= 1, got 0. Use 1 or more instances.",
                "args.containers: must list at most 15 containers (CreateModel's limit for an inference pipeline), got 16. Merge steps into fewer containers, or split the pipeline into two endpoints.",
                "args.containers[15].modelDataUrl: must be a single .tar.gz archive (a container's ModelDataUrl, which SageMaker unpacks into /opt/ml/model), got \"s3://models/churn/xgb/\". Pack the container's model files into s3://<bucket>/<step>/model.tar.gz, or leave modelDataUrl out.",
            ],
        );
        assert.deepEqual(
            await refused(
                () =>
                    new InferencePipeline("churn", {
                        instanceType: "ml.m5.xlarge",
                        instances: 1,
                        containers: [],
                        executionRoleArn: ROLE,
                    }),
            ),
            [
                "args.containers: must list at least one container, in the order a request runs through them. Add the containers (e.g. pre-processing, model, post-processing), or remove the pipeline.",
            ],
        );
    });
});

describe("pipelines config", () => {
    const AT = "fleet.pipelines[0]";

    it("accepts a pipeline of 1 to 15 containers", () => {
        for (const n of [1, 15]) {
            const fleet = withPipeline((p) => (p.containers = Array.from({ length: n }, () => ({ image: XGB }))));
            assert.equal(validateStackSettings(fleet, "ml").fleet.pipelines?.[0].containers.length, n);
        }
    });

    it("fails on 16 containers, naming the API's limit", () => {
        assert.deepEqual(
            issuesOf(withPipeline((p) => (p.containers = Array.from({ length: 16 }, () => ({ image: XGB }))))),
            [
                `${AT}.containers: must list at most 15 containers (CreateModel's limit for an inference pipeline), got 16. Merge steps into fewer containers, or split the pipeline into two endpoints.`,
            ],
        );
    });

    it("fails on no container", () => {
        assert.deepEqual(issuesOf(withPipeline((p) => (p.containers = []))), [
            `${AT}.containers: must list at least one container, in the order a request runs through them. Add the containers (e.g. pre-processing, model, post-processing), or remove the pipeline.`,
        ]);
    });

    it("reports every problem at once: duplicate names, a name of an endpoint, an unknown type, bad model data", () => {
        assert.deepEqual(
            issuesOf(
                withPipeline((p, f) => {
                    p.instanceType = "ml.m5.xlargee";
                    p.containers[0].modelDataUrl = "s3://models/churn/pre/";
                    p.containers[1].modelDataUrl = "/tmp/model.tar.gz";
                    f.pipelines.push({ ...p, containers: containers() }, { ...p, name: "chat", containers: [] });
                    f.pipelines[1].instanceType = "ml.m5.xlarge";
                    f.pipelines[2].instanceType = "ml.m5.xlarge";
                    f.pipelines.push({
                        name: "classic",
                        instanceType: "ml.m5.xlarge",
                        instances: 1,
                        containers: containers(),
                    });
                }),
            ),
            [
                `${AT}.instanceType: unknown instance type "ml.m5.xlargee". Use one of the catalog's types, e.g. ml.m5.xlarge, ml.m5.large, ml.m5.2xlarge.`,
                `${AT}.containers[1].modelDataUrl: must be an s3://<bucket>/<key> URL with a valid bucket name, got "/tmp/model.tar.gz". Use s3://<bucket>/<step>/model.tar.gz.`,
                `fleet.pipelines[1].name: duplicate pipeline name "churn" (also at fleet.pipelines[0]). Give each pipeline its own name.`,
                `${AT}.containers[0].modelDataUrl: must be a single .tar.gz archive (a container's ModelDataUrl, which SageMaker unpacks into /opt/ml/model), got "s3://models/churn/pre/". Pack the container's model files into s3://<bucket>/<step>/model.tar.gz, or leave modelDataUrl out.`,
                `fleet.pipelines[2].name: "chat" is also the name of an inference-component endpoint (fleet.endpoints[0]). Endpoint names must be unique: rename one.`,
                `fleet.pipelines[2].containers: must list at least one container, in the order a request runs through them. Add the containers (e.g. pre-processing, model, post-processing), or remove the pipeline.`,
                `fleet.pipelines[3].name: "classic" is also the name of a multi-model endpoint (fleet.multiModelEndpoints[0]). Endpoint names must be unique: rename one.`,
            ],
        );
    });

    it("fails on instances below 1 or not a count, and creates nothing", async () => {
        assert.deepEqual(issuesOf(withPipeline((p) => (p.instances = 0))), [
            `${AT}.instances: must be >= 1, got 0. Use 1 or more instances.`,
        ]);
        assert.deepEqual(issuesOf(withPipeline((p) => (p.instances = { min: 1, max: 2 }))), [
            `${AT}.instances: must be a number, got object {"min":1,"max":2}. Set it to a number.`,
        ]);
        const { resources } = await underMocks(() => {
            assert.throws(
                () => new Fleet("fleet", { fleet: withPipeline((p) => (p.containers = [])), costCenter: "ml" }),
                { name: "FleetConfigError" },
            );
        });
        assert.deepEqual(resources, []);
    });
});

describe("Fleet with a pipeline", () => {
    it("deploys it beside the endpoints, with the fleet's role granted its images and model data", async () => {
        const { result, resources } = await underMocks(
            () => new Fleet("fleet", { fleet: withPipeline(), costCenter: "ml" }),
            "dev",
        );
        const pipeline = find(resources, "fm-fleet:sagemaker:InferencePipeline", "fleet/churn");
        assert.equal(pipeline.parent, find(resources, "fm-fleet:index:Fleet", "fleet").urn);
        const model = inputsOf(find(resources, TYPES.model, "fleet/churn-model"));
        assert.deepEqual(
            model.containers.map((c: any) => c.image),
            [PRE, XGB, POST],
        );
        assert.equal(model.executionRoleArn, await unwrap(result.role.arn));
        assert.deepEqual(model.tags, { [COST_CENTER_TAG]: "ml" });
        assert.deepEqual(result.pipelineNames, {
            churn: {
                endpointName: result.pipelines.get("churn")!.physicalNames.endpoint,
                endpointConfigName: result.pipelines.get("churn")!.physicalNames.endpointConfig,
                modelName: result.pipelines.get("churn")!.physicalNames.model,
            },
        });
        const policy = JSON.parse(inputsOf(find(resources, TYPES.rolePolicy, "fleet-execution-policy")).policy);
        const statement = (sid: string) => policy.Statement.find((s: any) => s.Sid === sid);
        assert.ok(statement("ReadArtifacts").Resource.includes("arn:aws:s3:::models/churn/pre/*"));
        assert.ok(statement("ReadArtifacts").Resource.includes("arn:aws:s3:::models/churn/xgb/*"));
        for (const repository of [
            "arn:aws:ecr:us-east-1:123456789012:repository/churn-preprocess",
            "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost",
            "arn:aws:ecr:us-east-1:123456789012:repository/churn-postprocess",
        ]) {
            assert.ok(statement("PullImages").Resource.includes(repository), repository);
        }
    });

    it("runs a fleet of pipelines alone, whose containers load no model data: the role reads nothing from S3", async () => {
        const fleet = {
            pipelines: [
                {
                    name: "filter",
                    instanceType: "ml.c5.xlarge",
                    instances: 1,
                    containers: [{ image: PRE }, { image: POST }],
                },
            ],
        };
        const { resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }), "dev");
        const policy = JSON.parse(inputsOf(find(resources, TYPES.rolePolicy, "fleet-execution-policy")).policy);
        assert.deepEqual(
            policy.Statement.map((s: any) => s.Sid),
            ["PullImages", "EcrLogin", "WriteLogs", "WriteMetrics"],
        );
        assert.deepEqual(
            (executionPolicy({ artifactUrls: [], images: [PRE] }, undefined).Statement as any[]).map((s) => s.Sid),
            ["PullImages", "EcrLogin", "WriteLogs", "WriteMetrics"],
        );
    });
});
