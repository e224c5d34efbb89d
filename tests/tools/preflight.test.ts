import * as assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Fleet } from "../../components";
import { TYPES } from "../../lib/contract";
import { hasPinnedSchema, schemaProblems } from "../../tools/plan/preflight/cloudformation-schemas";
import { preflight } from "../../tools/plan/preflight/preflight";
import { ROOT, stackConfig } from "../helpers/configs";
import { planInProcess } from "../helpers/plan-cli";
import { find, inputsOf, underMocks } from "../helpers/pulumi";

/** A fleet of a stack file of the project (`dev`), or of a fixture (`tests/fixtures/Pulumi.guarded.yaml`). */
function fleetOf(stack: string) {
    const config = stack.endsWith(".yaml")
        ? parse(readFileSync(path.join(ROOT, stack), "utf8")).config
        : stackConfig(stack);
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

    it("checks the 2025-26 endpoint fields against the API's ranges: prefix routing, metrics, reservation, AMI", () => {
        const variant = (extra: Record<string, unknown>) => ({
            productionVariants: [{ variantName: "AllTraffic", instanceType: "ml.g5.2xlarge", ...extra }],
        });
        const good = {
            ...variant({
                routingConfig: {
                    routingStrategy: "PREFIX_AWARE",
                    prefixAwareRoutingConfig: { prefixLength: 4096, concurrencyThreshold: 16 },
                },
                capacityReservationConfig: {
                    capacityReservationPreference: "capacity-reservations-only",
                    mlReservationArn: "arn:aws:sagemaker:us-east-1:123456789012:ml-reservation/r-1",
                },
                inferenceAmiVersion: "al2023-ami-sagemaker-inference-gpu-4-1",
            }),
            metricsConfig: { enableEnhancedMetrics: true, metricPublishFrequencyInSeconds: 10 },
        };
        assert.deepEqual(schemaProblems(TYPES.nativeEndpointConfig, good), []);
        assert.deepEqual(
            schemaProblems(TYPES.nativeEndpointConfig, {
                ...variant({
                    routingConfig: {
                        routingStrategy: "PREFIX_AWARE",
                        prefixAwareRoutingConfig: { prefixLength: 512, concurrencyThreshold: 2048 },
                    },
                    capacityReservationConfig: {
                        capacityReservationPreference: "open",
                        mlReservationArn: "arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-1",
                    },
                    inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-9",
                }),
                metricsConfig: { metricPublishFrequencyInSeconds: 15 },
            }),
            [
                "/ProductionVariants/0/RoutingConfig/PrefixAwareRoutingConfig/ConcurrencyThreshold: must be <= 1024, got 2048",
                "/ProductionVariants/0/RoutingConfig/PrefixAwareRoutingConfig/PrefixLength: must be >= 1024, got 512",
                '/ProductionVariants/0/InferenceAmiVersion: must be equal to one of the allowed values (al2-ami-sagemaker-inference-gpu-2, al2-ami-sagemaker-inference-gpu-2-1, al2-ami-sagemaker-inference-gpu-3-1, al2-ami-sagemaker-inference-neuron-2, al2023-ami-sagemaker-inference-gpu-4-1), got "al2-ami-sagemaker-inference-gpu-9"',
                '/ProductionVariants/0/CapacityReservationConfig/CapacityReservationPreference: must be equal to one of the allowed values (capacity-reservations-only), got "open"',
                '/ProductionVariants/0/CapacityReservationConfig/MlReservationArn: must match pattern "^arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:ml-reservation/.*$", got "arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-1"',
                "/MetricsConfig/MetricPublishFrequencyInSeconds: must be equal to one of the allowed values (10, 30, 60, 120, 180, 240, 300), got 15",
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
                ["dependency-order", "prefix-adapter"],
                ["dependency-order", "compute-adapter"],
                ["dependency-order", "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base"],
                ["inference-component-model-data", "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base"],
            ],
        );
        assert.equal(plan.summary.wouldFailAtDeploy, 11);
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
        assert.match(run.stdout, /"schemaVersion": 4/);
    });
    const GUARDED = "tests/fixtures/Pulumi.guarded.yaml";
    const ROLE_CHECK = "execution-role-permissions";

    it("finds nothing in a fleet in a VPC that rolls out and captures its traffic: its role grants each of those", async () => {
        const { resources } = await underMocks(fleetOf(GUARDED), "guarded");
        assert.deepEqual(preflight(resources), []);
        const document = JSON.parse(inputsOf(find(resources, TYPES.rolePolicy, "fleet-execution-policy")).policy);
        const sid = (s: string) => document.Statement.find((x: any) => x.Sid === s);
        assert.equal(sid("ManageVpcNetworkInterfaces").Resource, "*");
        // Scoped to the alarms the rollouts create, by name (no aws:region in the mocks' config: any region).
        // SageMaker reads the rollback alarms only: the SLO alarms notify people and need no grant.
        const alarms = resources
            .filter((r) => r.type === TYPES.metricAlarm && !r.name.startsWith("fleet-observability/"))
            .map((r) => inputsOf(r).name);
        assert.equal(alarms.length, 4);
        assert.deepEqual(
            sid("DescribeRollbackAlarms").Resource,
            [...alarms].sort().map((a) => `arn:aws:cloudwatch:*:*:alarm:${a}`),
        );
        // Captures are written, never read.
        assert.deepEqual(sid("WriteCapturedData"), {
            Sid: "WriteCapturedData",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: ["arn:aws:s3:::fm-fleet-prod-capture/chat/*", "arn:aws:s3:::fm-fleet-prod-capture/classic/*"],
        });
        assert.ok(!JSON.stringify(sid("ReadArtifacts")).includes("capture"));
    });

    for (const stack of ["dev", "prod", GUARDED]) {
        it(`holds the ${stack} fleet's role to ${ROLE_CHECK}: without its policy, the check names what is missing`, async () => {
            const { resources } = await underMocks(fleetOf(stack), "check");
            const withoutPolicy = resources.filter((r) => r.type !== TYPES.rolePolicy);
            const findings = preflight(withoutPolicy).filter((f) => f.check === ROLE_CHECK);
            assert.ok(findings.length > 0);
            assert.ok(findings.every((f) => f.name === "fleet-execution-role"));
            const text = findings.map((f) => f.message).join("\n");
            for (const action of ["s3:GetObject", "ecr:BatchGetImage"]) assert.ok(text.includes(action), action);
            if (stack !== "dev") assert.ok(text.includes("cloudwatch:DescribeAlarms"));
            if (stack === GUARDED) {
                for (const action of ["ec2:CreateNetworkInterface", "s3:PutObject", "kms:GenerateDataKey"])
                    assert.ok(text.includes(action), action);
            }
        });
    }

    it("fails a hand-written program whose role a narrowed policy leaves without the VPC and capture grants (exit 1)", async () => {
        const run = await planInProcess(
            ...["--cwd", path.join(ROOT, "tests/fixtures/narrowed-role"), "--stack", "narrowed", "--format", "json"],
        );
        assert.equal(run.code, 1, run.stderr);
        const plan = JSON.parse(run.stdout);
        const fix =
            "in the role's policy (fm-fleet's ExecutionRole does: see docs/execution-role.md), or the create or rollout fails at pulumi up.";
        const expected = [
            'Role "narrowed-role" must allow ec2:CreateNetworkInterface, ec2:CreateNetworkInterfacePermission, ec2:DeleteNetworkInterface, ec2:DeleteNetworkInterfacePermission, ec2:DescribeNetworkInterfaces, ec2:DescribeVpcs, ec2:DescribeDhcpOptions, ec2:DescribeSubnets, ec2:DescribeSecurityGroups on * (EndpointConfig "chat-config" runs in a VPC (vpcConfig): SageMaker manages its network interfaces), got no statement that allows them. Grant them ' +
                fix,
            'Role "narrowed-role" must allow s3:PutObject on arn:aws:s3:::capture/chat/* (EndpointConfig "chat-config" captures requests and responses to s3://capture/chat/), got no statement that allows it. Grant it ' +
                fix,
        ];
        assert.deepEqual(
            plan.deployPreflight.map((f: any) => [f.check, f.resource, f.message]),
            expected.map((m) => [ROLE_CHECK, "narrowed-role", m]),
        );
        // The pack, as the CLI runs it, stops the program on the same grants, and on nothing else.
        assert.deepEqual(
            plan.violations.map((v: any) => [v.policy, v.enforcementLevel, v.message]),
            expected.map((m) => [ROLE_CHECK, "mandatory", m]),
        );
    });
});
