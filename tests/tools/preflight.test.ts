import * as assert from "node:assert/strict";
import * as path from "path";
import { Fleet } from "../../components";
import { TYPES } from "../../lib/contract";
import { hasPinnedSchema, schemaProblems } from "../../tools/plan/preflight/cloudformation-schemas";
import { preflight } from "../../tools/plan/preflight/preflight";
import { ROOT, stackConfig } from "../helpers/configs";
import { planInProcess } from "../helpers/plan-cli";
import { underMocks } from "../helpers/pulumi";

function fleetOf(stack: string) {
    const config = stackConfig(stack);
    return () => new Fleet("fleet", { fleet: config["fm-fleet:fleet"], costCenter: config["fm-fleet:costCenter"] });
}

describe("deploy preflight (tools/plan/preflight)", function () {
    this.timeout(180_000);

    for (const stack of ["dev", "prod"]) {
        it(`finds nothing in the ${stack} stack, having validated every aws-native resource against its schema`, async () => {
            const { resources } = await underMocks(fleetOf(stack), stack);
            const validated = resources.filter((r) => hasPinnedSchema(r.type)).map((r) => r.type);
            assert.ok(validated.includes(TYPES.nativeEndpointConfig) && validated.includes(TYPES.nativeEndpoint));
            assert.ok(validated.filter((t) => t === TYPES.inferenceComponent).length >= 4);
            assert.deepEqual(preflight(resources), []);
        });
    }

    it("reads aws-native's names in CloudFormation's (volumeSizeInGb is VolumeSizeInGB) and names unknown properties", () => {
        const config = {
            productionVariants: [{ variantName: "AllTraffic", instanceType: "ml.inf2.xlarge", volumeSizeInGb: 100 }],
        };
        assert.deepEqual(schemaProblems(TYPES.nativeEndpointConfig, config), []);
        assert.deepEqual(
            schemaProblems(TYPES.nativeEndpointConfig, {
                ...config,
                instancePools: [{ instanceType: "ml.g5.2xlarge", priority: 1 }],
            }),
            ["/: unknown property instancePools (not in the AWS::SageMaker::EndpointConfig schema)"],
        );
        assert.deepEqual(
            schemaProblems(TYPES.inferenceComponent, {
                endpointName: "chat",
                inferenceComponentName: "x".repeat(64),
                specification: { container: { artifactUrl: "ftp://a/b.tar.gz" } },
            }),
            [
                `/InferenceComponentName: must NOT have more than 63 characters, got "${"x".repeat(64)}"`,
                '/Specification/Container/ArtifactUrl: must match pattern "^(https|s3)://([^/]+)/?(.*)$", got "ftp://a/b.tar.gz"',
            ],
        );
    });

    it("fails a hand-written program with every defect, naming each in the preflight and in the pack's verdict", async () => {
        const run = await planInProcess(
            ...["--cwd", path.join(ROOT, "tests/fixtures/defects"), "--stack", "defects", "--format", "json"],
        );
        assert.equal(run.code, 1, run.stderr);
        const plan = JSON.parse(run.stdout);
        assert.deepEqual(
            plan.deployPreflight.map((f: any) => [f.check, f.resource]),
            [
                ["duplicate-urn", "twice"],
                ["adapter-artifact-tarball", "prefix-adapter"],
                ["adapter-no-compute", "compute-adapter"],
                ["endpoint-kms-encryption", "chat-config"],
                ["endpoint-volume-size", "chat-config"],
                ["cloudformation-schema", "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base"],
                ["sagemaker-physical-names", "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base"],
                ["inference-component-model-data", "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base"],
            ],
        );
        assert.equal(plan.summary.wouldFailAtDeploy, 8);
        // Each of the two resources with one URN keeps its own physical name.
        assert.deepEqual(
            plan.resources.filter((r: any) => r.name === "twice").map((r: any) => r.physicalName),
            ["twice-a", "twice-b"],
        );
        assert.equal(
            plan.deployPreflight[6].message,
            'InferenceComponent "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base" has no name, so the provider autonames it ' +
                '"customer-support-assistants-east-llama-3-1-8b-instruct-v2-base-<7 characters>", which is 70 characters, over SageMaker\'s 63. ' +
                "The create call would fail: set the name explicitly, or use a logical name of at most 55 letters, digits and hyphens.",
        );
        // The pack, run as the CLI runs it, stops the same program on every API rule it can see.
        const mandatory = new Set(
            plan.violations.filter((v: any) => v.enforcementLevel === "mandatory").map((v: any) => v.policy),
        );
        for (const rule of [
            "sagemaker-physical-names",
            "endpoint-kms-encryption",
            "endpoint-volume-size",
            "inference-component-model-data",
            "adapter-artifact-tarball",
            "adapter-no-compute",
        ]) {
            assert.ok(mandatory.has(rule), `the pack reports ${rule}`);
        }
        assert.match(run.stdout, /"schemaVersion": 3/);
    });
});
