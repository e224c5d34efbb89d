import * as assert from "node:assert/strict";
import { ExecutionRole, executionPolicy, rollbackAlarmPatterns } from "../../components";
import { TYPES } from "../../lib/contract";
import { ROLE_INLINE_POLICY_MAX, VPC_ACTIONS } from "../../lib/iam";
import * as pulumi from "@pulumi/pulumi";
import { LMI_IMAGE } from "../helpers/configs";
import { find, inputsOf, underMocks } from "../helpers/pulumi";

describe("ExecutionRole", () => {
    const args = {
        artifactUrls: [
            "s3://models/llama3-8b/",
            "s3://models/adapters/a.tar.gz",
            "s3://models/adapters/b.tar.gz",
            "s3://models/adapters/team/c.tar.gz",
            "s3://capture/chat/",
        ],
        images: [LMI_IMAGE, "public.ecr.aws/some/image:1"],
    };

    it("is trusted by SageMaker and grants only its artifacts' prefixes, repositories and key", async () => {
        const key = "arn:aws:kms:us-east-1:123456789012:key/k1";
        const { resources } = await underMocks(() => new ExecutionRole("fleet", { ...args, kmsKeyArn: key }));
        const component = find(resources, "fm-fleet:iam:ExecutionRole", "fleet");
        const role = find(resources, TYPES.role, "fleet-role");
        const policy = find(resources, TYPES.rolePolicy, "fleet-policy");
        assert.equal(role.parent, component.urn);
        assert.equal(policy.parent, component.urn);
        assert.deepEqual(JSON.parse(inputsOf(role).assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
        });
        const document = JSON.parse(inputsOf(policy).policy);
        const sid = (s: string) => document.Statement.find((x: any) => x.Sid === s);
        assert.deepEqual(sid("ReadArtifacts").Resource, [
            "arn:aws:s3:::capture/chat/*",
            "arn:aws:s3:::models/adapters/*",
            "arn:aws:s3:::models/llama3-8b/*",
        ]);
        assert.deepEqual(sid("ListArtifactPrefixes").Resource, ["arn:aws:s3:::capture", "arn:aws:s3:::models"]);
        assert.deepEqual(sid("ListArtifactPrefixes").Condition, {
            StringLike: { "s3:prefix": ["chat/*", "adapters/*", "llama3-8b/*"] },
        });
        assert.deepEqual(sid("PullImages").Resource, ["arn:aws:ecr:us-east-1:763104351884:repository/djl-inference"]);
        assert.deepEqual(sid("DecryptWithFleetKey").Resource, key);
        for (const statement of document.Statement) {
            if (statement.Action.some((a: string) => a.startsWith("s3:"))) {
                assert.ok(!JSON.stringify(statement.Resource).includes('"*"'), "no wildcard S3 resource");
            }
        }
    });

    it("grants no KMS and no ECR access when there is no key and no ECR image", () => {
        const document = executionPolicy({ artifactUrls: ["s3://m/x/"], images: ["quay.io/x/y:1"] }, undefined);
        const sids = (document.Statement as any[]).map((s) => s.Sid);
        assert.deepEqual(sids, ["ReadArtifacts", "ListArtifactPrefixes", "WriteLogs", "WriteMetrics"]);
    });
    it("writes captures and optimized models as folders, manages VPC interfaces and describes its rollback alarms", () => {
        const key = "arn:aws:kms:us-east-1:123456789012:key/k1";
        const document = executionPolicy(
            {
                artifactUrls: ["s3://models/llama3-8b/"],
                outputUrls: ["s3://models/opt"],
                captureUrls: ["s3://capture/chat/", "s3://capture/classic"],
                images: [],
                vpc: true,
                rollbackAlarmNames: ["b-rollback-latency", "a-rollback-errors", "a-rollback-errors"],
                region: "us-east-1",
            },
            key,
        );
        const sid = (s: string) => (document.Statement as any[]).find((x) => x.Sid === s);
        assert.deepEqual(sid("WriteOptimizedModels").Resource, ["arn:aws:s3:::models/opt/*"]);
        assert.deepEqual(sid("WriteCapturedData"), {
            Sid: "WriteCapturedData",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: ["arn:aws:s3:::capture/chat/*", "arn:aws:s3:::capture/classic/*"],
        });
        assert.deepEqual(sid("ManageVpcNetworkInterfaces"), {
            Sid: "ManageVpcNetworkInterfaces",
            Effect: "Allow",
            Action: [...VPC_ACTIONS],
            Resource: "*",
        });
        assert.deepEqual(sid("DescribeRollbackAlarms"), {
            Sid: "DescribeRollbackAlarms",
            Effect: "Allow",
            Action: ["cloudwatch:DescribeAlarms"],
            Resource: [
                "arn:aws:cloudwatch:us-east-1:*:alarm:a-rollback-errors",
                "arn:aws:cloudwatch:us-east-1:*:alarm:b-rollback-latency",
            ],
        });
        // The data key of what it writes encrypted.
        assert.ok(sid("DecryptWithFleetKey").Action.includes("kms:GenerateDataKey"));
    });

    it("scopes the rollback alarms to the stack's aws:region", async () => {
        const { resources } = await underMocks(() => {
            pulumi.runtime.setConfig("aws:region", "eu-west-1");
            return new ExecutionRole("fleet", { ...args, rollbackAlarmNames: ["x-rollback-errors"] });
        });
        const document = JSON.parse(inputsOf(find(resources, TYPES.rolePolicy, "fleet-policy")).policy);
        const alarms = document.Statement.find((x: any) => x.Sid === "DescribeRollbackAlarms");
        assert.deepEqual(alarms.Resource, ["arn:aws:cloudwatch:eu-west-1:*:alarm:x-rollback-errors"]);
    });

    it("stays under IAM's inline size limit with 3,000 adapters, 100 rollback alarms and a VPC", () => {
        const names = Array.from({ length: 100 }, (_, i) => `chat-model-${i}-rollback-errors-1234abcd`);
        const document = executionPolicy(
            {
                artifactUrls: [
                    "s3://models/llama3-8b/",
                    ...Array.from({ length: 3000 }, (_, i) => `s3://models/adapters/a-${i}.tar.gz`),
                ],
                outputUrls: ["s3://models/opt/"],
                captureUrls: ["s3://capture/chat/"],
                images: [LMI_IMAGE],
                vpc: true,
                rollbackAlarmNames: [...names, "classic-x-rollback-latency-1"],
                region: "us-east-1",
            },
            "arn:aws:kms:us-east-1:123456789012:key/k1",
        );
        const size = JSON.stringify(document).length;
        assert.ok(size < ROLE_INLINE_POLICY_MAX, `${size} characters`);
        // Past 20 alarms, one pattern per endpoint; up to 20, each alarm by name.
        assert.deepEqual(rollbackAlarmPatterns([...names, "classic-x-rollback-latency-1"]), [
            "chat-*rollback-*",
            "classic-*rollback-*",
        ]);
        assert.deepEqual(rollbackAlarmPatterns(names.slice(0, 20)), [...names.slice(0, 20)].sort());
    });
});
