import * as assert from "node:assert/strict";
import { ExecutionRole, executionPolicy } from "../../components";
import { TYPES } from "../../lib/contract";
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
});
