import * as assert from "node:assert/strict";
import { executionPolicy, ExecutionRoleArgs } from "../../components";
import { TYPES } from "../../lib/contract";
import { executionRolePermissions } from "../../policies/security";
import { LMI_IMAGE } from "../helpers/configs";
import { stackViolations, TestResource, UNKNOWN_STRING } from "../helpers/policy-args";

const ROLE_ARN = "arn:aws:iam::123456789012:role/fleet-exec";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/k1";
const ALARM = "chat-llama-rollback-errors";
const VPC = { subnets: ["subnet-1"], securityGroupIds: ["sg-1"] };

/** What fm-fleet's ExecutionRole grants for the stack below: the happy path holds it to the rule. */
const ROLE_ARGS: ExecutionRoleArgs = {
    artifactUrls: ["s3://models/llama/", "s3://models/adapters/a.tar.gz", "s3://models/src/"],
    outputUrls: ["s3://models/opt/"],
    captureUrls: ["s3://capture/chat/"],
    images: [LMI_IMAGE],
    vpc: true,
    rollbackAlarmNames: [ALARM],
    region: "us-east-1",
};
const grants = (args: Partial<ExecutionRoleArgs> = {}, key: string | null = KEY) =>
    executionPolicy({ ...ROLE_ARGS, ...args }, key ?? undefined);

/**
 * A passing stack: a role with fm-fleet's policy, a model in a VPC, an aws-native endpoint configuration in
 * the VPC that captures data encrypted with a key, a base inference component rolling out under an alarm,
 * an adapter, and an optimization job in the VPC.
 */
function stackWith(edit?: (s: Record<string, TestResource>) => void): TestResource[] {
    const s: Record<string, TestResource> = {
        role: { type: TYPES.role, name: "exec-role", props: { name: "fleet-exec", assumeRolePolicy: "{}" } },
        policy: {
            type: TYPES.rolePolicy,
            name: "exec-policy",
            props: { role: "fleet-exec", policy: JSON.stringify(grants()) },
        },
        model: {
            type: TYPES.model,
            name: "llama-model",
            props: {
                name: "llama",
                executionRoleArn: ROLE_ARN,
                primaryContainer: {
                    image: LMI_IMAGE,
                    modelDataSource: {
                        s3DataSources: [
                            { s3Uri: "s3://models/llama/", s3DataType: "S3Prefix", compressionType: "None" },
                        ],
                    },
                },
                vpcConfig: VPC,
            },
        },
        config: {
            type: TYPES.nativeEndpointConfig,
            name: "chat-config",
            props: {
                endpointConfigName: "chat-config-1",
                executionRoleArn: ROLE_ARN,
                vpcConfig: VPC,
                dataCaptureConfig: {
                    destinationS3Uri: "s3://capture/chat/",
                    kmsKeyId: KEY,
                    initialSamplingPercentage: 20,
                    captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
                },
                productionVariants: [{ variantName: "AllTraffic", instanceType: "ml.g5.2xlarge" }],
            },
        },
        endpoint: {
            type: TYPES.nativeEndpoint,
            name: "chat-endpoint",
            props: { endpointName: "chat", endpointConfigName: "chat-config-1" },
        },
        ic: {
            type: TYPES.inferenceComponent,
            name: "llama-ic",
            props: {
                inferenceComponentName: "llama-ic-1",
                endpointName: "chat",
                variantName: "AllTraffic",
                specification: { modelName: "llama" },
                deploymentConfig: { autoRollbackConfiguration: { alarms: [{ alarmName: ALARM }] } },
            },
        },
        adapter: {
            type: TYPES.inferenceComponent,
            name: "bot-ic",
            props: {
                inferenceComponentName: "bot-ic-1",
                endpointName: "chat",
                specification: {
                    baseInferenceComponentName: "llama-ic-1",
                    container: { artifactUrl: "s3://models/adapters/a.tar.gz" },
                },
            },
        },
        job: {
            type: TYPES.optimizationJob,
            name: "llama-opt",
            props: {
                optimizationJobName: "llama-opt-1",
                roleArn: ROLE_ARN,
                modelSource: { s3: { s3Uri: "s3://models/src/" } },
                outputConfig: { s3OutputLocation: "s3://models/opt/llama-opt-1/", kmsKeyId: KEY },
                optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
                vpcConfig: VPC,
            },
        },
    };
    edit?.(s);
    return Object.values(s);
}

const check = (resources: TestResource[]) => stackViolations(executionRolePermissions, resources);
const FIX =
    "Grant it in the role's policy (fm-fleet's ExecutionRole does: see docs/execution-role.md), or the create or rollout fails at pulumi up.";
const FIX_MANY = FIX.replace("Grant it", "Grant them");

describe("execution-role-permissions (the role allows what SageMaker does with it)", () => {
    it("passes a role with fm-fleet's policy for a VPC, a rollout, data capture, adapters and an optimization job", async () => {
        assert.deepEqual(await check(stackWith()), []);
    });

    it("reads the same grants from every form of both providers", async () => {
        const doc = grants();
        const forms: Record<string, (s: Record<string, TestResource>) => void> = {
            "aws inlinePolicies": (s) => {
                delete s.policy;
                s.role.props.inlinePolicies = [{ name: "p", policy: JSON.stringify(doc) }];
            },
            "aws RolePolicyAttachment + Policy": (s) => {
                s.policy = {
                    type: TYPES.iamPolicy,
                    name: "exec-managed",
                    props: { arn: "arn:aws:iam::123456789012:policy/exec", policy: JSON.stringify(doc) },
                };
                s.attachment = {
                    type: TYPES.rolePolicyAttachment,
                    name: "exec-attach",
                    props: { role: "fleet-exec", policyArn: "arn:aws:iam::123456789012:policy/exec" },
                };
            },
            "aws-native Role policies": (s) => {
                delete s.policy;
                s.role = {
                    type: TYPES.nativeRole,
                    name: "exec-role",
                    props: { roleName: "fleet-exec", policies: [{ policyName: "p", policyDocument: doc }] },
                };
            },
            "aws-native RolePolicy": (s) => {
                s.role = { type: TYPES.nativeRole, name: "exec-role", props: { roleName: "fleet-exec" } };
                s.policy = {
                    type: TYPES.nativeRolePolicy,
                    name: "exec-policy",
                    props: { roleName: "fleet-exec", policyName: "p", policyDocument: doc },
                };
            },
            "aws-native ManagedPolicy roles": (s) => {
                s.policy = {
                    type: TYPES.nativeManagedPolicy,
                    name: "exec-managed",
                    props: { roles: ["fleet-exec"], policyDocument: doc },
                };
            },
        };
        for (const [form, edit] of Object.entries(forms)) {
            assert.deepEqual(await check(stackWith(edit)), [], form);
        }
    });

    it("fails a role without the VPC grant, naming the nine actions and every resource in the VPC", async () => {
        const stack = stackWith((s) => (s.policy.props.policy = JSON.stringify(grants({ vpc: false }))));
        assert.deepEqual(await check(stack), [
            'Role "exec-role" must allow ec2:CreateNetworkInterface, ec2:CreateNetworkInterfacePermission, ec2:DeleteNetworkInterface, ec2:DeleteNetworkInterfacePermission, ec2:DescribeNetworkInterfaces, ec2:DescribeVpcs, ec2:DescribeDhcpOptions, ec2:DescribeSubnets, ec2:DescribeSecurityGroups on * (Model "llama-model" runs in a VPC (vpcConfig): SageMaker manages its network interfaces; EndpointConfig "chat-config" runs in a VPC (vpcConfig): SageMaker manages its network interfaces; OptimizationJob "llama-opt" runs in a VPC (vpcConfig): SageMaker manages its network interfaces), got no statement that allows them. ' +
                FIX_MANY +
                " @ exec-role",
        ]);
    });

    it("fails a role that may only read the capture destination (the defect: captures were granted s3:GetObject)", async () => {
        const stack = stackWith(
            (s) =>
                (s.policy.props.policy = JSON.stringify(
                    grants({ captureUrls: [], artifactUrls: [...ROLE_ARGS.artifactUrls, "s3://capture/chat/"] }),
                )),
        );
        assert.deepEqual(await check(stack), [
            'Role "exec-role" must allow s3:PutObject on arn:aws:s3:::capture/chat/* (EndpointConfig "chat-config" captures requests and responses to s3://capture/chat/), got no statement that allows it. ' +
                FIX +
                " @ exec-role",
        ]);
    });

    it("fails a role without the key's data key, for the captures and the optimized model it encrypts", async () => {
        const stack = stackWith((s) => (s.policy.props.policy = JSON.stringify(grants({}, null))));
        assert.deepEqual(await check(stack), [
            `Role "exec-role" must allow kms:GenerateDataKey on ${KEY} (EndpointConfig "chat-config" captures requests and responses to s3://capture/chat/; OptimizationJob "llama-opt" writes the optimized model to s3://models/opt/llama-opt-1/), got no statement that allows it. ` +
                FIX +
                " @ exec-role",
        ]);
    });

    it("fails a role without DescribeAlarms on a rollback alarm, by the alarm's ARN when the stack knows it", async () => {
        const noAlarms = (s: Record<string, TestResource>) =>
            (s.policy.props.policy = JSON.stringify(grants({ rollbackAlarmNames: [] })));
        assert.deepEqual(await check(stackWith(noAlarms)), [
            `Role "exec-role" must allow cloudwatch:DescribeAlarms on arn:aws:cloudwatch:<region>:123456789012:alarm:${ALARM} (InferenceComponent "llama-ic" rolls back on alarm "${ALARM}" (deploymentConfig.autoRollbackConfiguration)), got no statement that allows it. ` +
                FIX +
                " @ exec-role",
        ]);
        // A grant for another region does not cover the alarm the stack declares in us-east-1.
        const elsewhere = stackWith((s) => {
            s.policy.props.policy = JSON.stringify(grants({ region: "eu-west-1" }));
            s.alarm = {
                type: TYPES.metricAlarm,
                name: "errors-alarm",
                props: { name: ALARM, arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM}` },
            };
        });
        assert.deepEqual(await check(elsewhere), [
            `Role "exec-role" must allow cloudwatch:DescribeAlarms on arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM} (InferenceComponent "llama-ic" rolls back on alarm "${ALARM}" (deploymentConfig.autoRollbackConfiguration)), got no statement that allows it. ` +
                FIX +
                " @ exec-role",
        ]);
    });

    it("fails a hand-narrowed role on the model data, the image and the optimization job's output", async () => {
        const narrowed = {
            Version: "2012-10-17",
            Statement: (grants().Statement as any[]).filter(
                (st) => !["ReadArtifacts", "PullImages", "WriteOptimizedModels"].includes(st.Sid),
            ),
        };
        const stack = stackWith((s) => (s.policy.props.policy = JSON.stringify(narrowed)));
        assert.deepEqual(await check(stack), [
            'Role "exec-role" must allow s3:GetObject on arn:aws:s3:::models/llama/* (Model "llama-model" loads its model data from s3://models/llama/), got no statement that allows it. ' +
                FIX +
                " @ exec-role",
            'Role "exec-role" must allow ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability on arn:aws:ecr:us-east-1:763104351884:repository/djl-inference (Model "llama-model" pulls its image ' +
                LMI_IMAGE +
                "), got no statement that allows them. " +
                FIX_MANY +
                " @ exec-role",
            'Role "exec-role" must allow s3:GetObject on arn:aws:s3:::models/adapters/a.tar.gz (InferenceComponent "bot-ic" loads its adapter from s3://models/adapters/a.tar.gz), got no statement that allows it. ' +
                FIX +
                " @ exec-role",
            'Role "exec-role" must allow s3:GetObject on arn:aws:s3:::models/src/* (OptimizationJob "llama-opt" reads the model it optimizes from s3://models/src/), got no statement that allows it. ' +
                FIX +
                " @ exec-role",
            'Role "exec-role" must allow s3:PutObject on arn:aws:s3:::models/opt/llama-opt-1/* (OptimizationJob "llama-opt" writes the optimized model to s3://models/opt/llama-opt-1/), got no statement that allows it. ' +
                FIX +
                " @ exec-role",
        ]);
    });

    it("honours a Deny over an Allow, and credits an Allow with NotAction", async () => {
        const denied = stackWith((s) => {
            const doc = grants();
            (doc.Statement as any[]).push({
                Sid: "NoCaptures",
                Effect: "Deny",
                Action: "s3:Put*",
                Resource: "arn:aws:s3:::capture/*",
            });
            s.policy.props.policy = JSON.stringify(doc);
        });
        assert.deepEqual(await check(denied), [
            'Role "exec-role" must allow s3:PutObject on arn:aws:s3:::capture/chat/* (EndpointConfig "chat-config" captures requests and responses to s3://capture/chat/), got a Deny statement (NoCaptures). ' +
                FIX +
                " @ exec-role",
        ]);
        const broad = stackWith(
            (s) =>
                (s.policy.props.policy = JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
                })),
        );
        assert.deepEqual(await check(broad), []);
    });

    it("judges a role named by an ARN unknown in preview through the property's dependencies", async () => {
        const narrowed = (s: Record<string, TestResource>) => {
            s.policy.props.policy = JSON.stringify(grants({ vpc: false }));
            for (const r of [s.config, s.job]) r.props.vpcConfig = undefined;
        };
        const unknown = stackWith((s) => {
            narrowed(s);
            s.model.props.executionRoleArn = UNKNOWN_STRING;
            s.model.propertyDependencies = { executionRoleArn: ["exec-role", "exec-policy"] };
        });
        assert.equal((await check(unknown)).length, 1);
        // Without dependencies the role cannot be told: nothing is said.
        const unknowable = stackWith((s) => {
            narrowed(s);
            s.model.props.executionRoleArn = UNKNOWN_STRING;
        });
        assert.deepEqual(await check(unknowable), []);
    });

    it("says nothing of a role the stack does not declare, or whose policies it cannot read", async () => {
        const narrowed = JSON.stringify(grants({ vpc: false }));
        const cases: Record<string, (s: Record<string, TestResource>) => void> = {
            "an imported role": (s) => {
                delete s.role;
                s.policy.props.policy = narrowed;
            },
            "a policy unknown in preview": (s) => (s.policy.props.policy = UNKNOWN_STRING),
            "an AWS managed policy beside the narrowed one": (s) => {
                s.policy.props.policy = narrowed;
                s.role.props.managedPolicyArns = ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"];
            },
            "a policy that is not JSON": (s) => (s.policy.props.policy = "{not json"),
            "a role policy whose role is unknown": (s) => {
                s.extra = { type: TYPES.rolePolicy, name: "more", props: { role: UNKNOWN_STRING, policy: narrowed } };
                s.policy.props.policy = narrowed;
            },
        };
        for (const [what, edit] of Object.entries(cases)) {
            assert.deepEqual(await check(stackWith(edit)), [], what);
        }
    });
});
