import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Fleet } from "../../components";
import { preflight, PREFLIGHT_CHECKS } from "../../tools/plan/preflight/preflight";
import { inferenceComponentPipelineRule, pipelineContainersRule } from "../../policies/support/deploy-rules";
import { ROOT } from "../helpers/configs";
import { underMocks } from "../helpers/pulumi";

const ROLE = "arn:aws:iam::123456789012:role/sagemaker";
const XGB = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";

/**
 * A program written by hand, without fm-fleet's components: a model of 16 containers, a pipeline with two
 * containers in MultiModel mode (aws-native), and an inference component that deploys a pipeline's model.
 */
function handWritten(): void {
    new aws.sagemaker.Model("sixteen", {
        name: "sixteen",
        executionRoleArn: ROLE,
        enableNetworkIsolation: true,
        containers: Array.from({ length: 16 }, () => ({ image: XGB })),
        inferenceExecutionConfig: { mode: "Serial" },
    });
    new awsNative.sagemaker.Model("two-multi-model", {
        modelName: "two-multi-model",
        executionRoleArn: ROLE,
        enableNetworkIsolation: true,
        containers: [
            { image: XGB },
            { image: XGB, mode: "MultiModel", modelDataUrl: "s3://models/a/" },
            { image: XGB, mode: "MultiModel", modelDataUrl: "s3://models/b/" },
        ],
        inferenceExecutionConfig: { mode: "Serial" },
    });
    const pipeline = new aws.sagemaker.Model("pipe", {
        name: "pipe",
        executionRoleArn: ROLE,
        enableNetworkIsolation: true,
        containers: [{ image: XGB }, { image: XGB }],
        inferenceExecutionConfig: { mode: "Serial" },
    });
    const config = new awsNative.sagemaker.EndpointConfig("chat-config", {
        endpointConfigName: "chat-config",
        executionRoleArn: ROLE,
        enableNetworkIsolation: true,
        productionVariants: [
            {
                variantName: "AllTraffic",
                instanceType: "ml.m5.xlarge",
                initialInstanceCount: 1,
                managedInstanceScaling: { status: "ENABLED", minInstanceCount: 1, maxInstanceCount: 1 },
            },
        ],
    });
    const endpoint = new awsNative.sagemaker.Endpoint("chat-endpoint", {
        endpointName: "chat",
        endpointConfigName: config.endpointConfigName.apply((n) => n ?? ""),
    });
    new awsNative.sagemaker.InferenceComponent("pipe-ic", {
        inferenceComponentName: "pipe-ic",
        endpointName: endpoint.endpointName.apply((n) => n ?? ""),
        variantName: "AllTraffic",
        specification: {
            modelName: pipeline.name,
            computeResourceRequirements: { numberOfCpuCoresRequired: 1, minMemoryRequiredInMb: 1024 },
        },
        runtimeConfig: { copyCount: 1 },
    });
}

describe("deploy preflight on serial inference pipelines", function () {
    this.timeout(60_000);

    it("names the API's rules a hand-written program breaks: the container limit, MultiModel twice, a pipeline in an IC", async () => {
        const { resources } = await underMocks(handWritten, "pipelines");
        const checks: string[] = [pipelineContainersRule.name, inferenceComponentPipelineRule.name];
        assert.ok(checks.every((c) => Object.values(PREFLIGHT_CHECKS).includes(c as never)));
        const findings = preflight(resources).filter((f) => checks.includes(f.check));
        // Registration order is asynchronous: by check, then resource name.
        const sorted = findings
            .map((f) => [f.check, f.name, f.message])
            .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
        assert.deepEqual(sorted, [
            [
                "inference-component-one-container",
                "pipe-ic",
                'Inference component "pipe-ic" deploys model "pipe", which must be a single-container model, got 2 containers (InferenceExecutionConfig mode Serial). An inference component hosts one model in one container: serve the pipeline from a classic endpoint whose production variant names the model (fm-fleet: pipelines[]), or deploy each container as its own inference component.',
            ],
            [
                "pipeline-model-containers",
                "sixteen",
                'Model "sixteen" must list at most 15 containers, got 16. CreateModel fails past 15 (an inference pipeline runs 2 to 15 containers): merge steps into fewer containers, or split the pipeline across two endpoints (fm-fleet: pipelines[].containers).',
            ],
            [
                "pipeline-model-containers",
                "two-multi-model",
                'Model "two-multi-model" must run at most one of its containers in MultiModel mode, got 2 (containers[1], containers[2]). CreateModel fails: "More than one container in MultiModel mode is not supported with inference pipeline." Keep MultiModel on the one container that loads models by TargetModel, or serve the models from a multi-model endpoint of their own (fm-fleet: multiModelEndpoints[]).',
            ],
        ]);
    });

    it("finds nothing in the pipelines fixture stack: the fleet's role grants what its containers need", async () => {
        const config = parse(readFileSync(path.join(ROOT, "tests/fixtures/Pulumi.pipelines.yaml"), "utf8")).config;
        const { resources } = await underMocks(
            () => new Fleet("fleet", { fleet: config["fm-fleet:fleet"], costCenter: config["fm-fleet:costCenter"] }),
            "pipelines",
        );
        assert.deepEqual(preflight(resources), []);
        // Without the role's policy, execution-role-permissions names each container's image and model data.
        const findings = preflight(resources.filter((r) => r.type !== "aws:iam/rolePolicy:RolePolicy"));
        const text = findings.map((f) => f.message).join("\n");
        assert.ok(findings.every((f) => f.check === "execution-role-permissions"));
        for (const needed of [
            "s3:GetObject on arn:aws:s3:::fm-fleet-prod-models/churn/preprocess/model.tar.gz",
            "s3:GetObject on arn:aws:s3:::fm-fleet-prod-models/churn/xgboost/model.tar.gz",
            "arn:aws:ecr:us-east-1:123456789012:repository/churn-postprocess",
            "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost",
        ]) {
            assert.ok(text.includes(needed), needed);
        }
    });
});
