import * as assert from "node:assert/strict";
import { endpointKmsEncryption, modelNetworkIsolation, privateImageRegistry } from "../../policies/security";
import { violations } from "../helpers/policy-args";
import { FIXTURE_KMS_KEY, happyStack, perInstanceType, shadowVariant } from "../helpers/policy-fixtures";
import { TYPES } from "../../lib/contract";

describe("security policies", () => {
    describe("endpoint-kms-encryption", () => {
        it("passes no key on ml.g5 (local NVMe) and a key on ml.inf2 (EBS only)", async () => {
            assert.deepEqual(await violations(endpointKmsEncryption, happyStack().config), []);
            const inf2 = happyStack().config;
            inf2.props.productionVariants[0].instanceType = "ml.inf2.xlarge";
            inf2.props.kmsKeyId = FIXTURE_KMS_KEY;
            assert.deepEqual(await violations(endpointKmsEncryption, inf2), []);
        });

        it("fails a key on ml.g5, where CreateEndpointConfig would fail", async () => {
            const config = happyStack().config;
            config.props.kmsKeyId = FIXTURE_KMS_KEY;
            assert.deepEqual(await violations(endpointKmsEncryption, config), [
                `EndpointConfig "chat-config" must not set a KMS key for ml.g5.2xlarge (variant "AllTraffic"), got ${FIXTURE_KMS_KEY}. ` +
                    "CreateEndpointConfig fails when KmsKeyId is given for an instance type with local NVMe storage, which the instance encrypts in hardware: remove the key (fm-fleet sets it only on EBS-only types).",
            ]);
        });

        it("fails no key on ml.inf2, in either provider's shape", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].instanceType = "ml.inf2.xlarge";
            const message =
                'Endpoint configuration "chat-config" must set a customer-managed KMS key for ml.inf2.xlarge (variant "AllTraffic", EBS storage), got nothing. ' +
                "Set kmsKeyId (aws-native) or kmsKeyArn (@pulumi/aws) to a KMS key ARN (fm-fleet: fleet.kmsKeyArn).";
            assert.deepEqual(await violations(endpointKmsEncryption, config), [message]);
            const classic = { ...config, type: TYPES.endpointConfiguration };
            assert.deepEqual(await violations(endpointKmsEncryption, classic), [message]);
            classic.props = { ...classic.props, kmsKeyArn: FIXTURE_KMS_KEY };
            assert.deepEqual(await violations(endpointKmsEncryption, classic), []);
        });

        it("reads shadow variants: no key for their EBS-only type, and a key on their local NVMe type", async () => {
            const ebs = happyStack().config;
            ebs.props.shadowProductionVariants = [shadowVariant({ instanceType: "ml.inf2.xlarge" })];
            assert.deepEqual(await violations(endpointKmsEncryption, ebs), [
                'Endpoint configuration "chat-config" must set a customer-managed KMS key for ml.inf2.xlarge (shadow variant "Shadow", EBS storage), got nothing. ' +
                    "Set kmsKeyId (aws-native) or kmsKeyArn (@pulumi/aws) to a KMS key ARN (fm-fleet: fleet.kmsKeyArn).",
            ]);
            const nvme = happyStack().config;
            nvme.props.productionVariants[0].instanceType = "ml.inf2.xlarge";
            nvme.props.kmsKeyId = FIXTURE_KMS_KEY;
            nvme.props.shadowProductionVariants = [shadowVariant()];
            assert.deepEqual(await violations(endpointKmsEncryption, nvme), [
                `EndpointConfig "chat-config" must not set a KMS key for ml.g5.2xlarge (shadow variant "Shadow"), got ${FIXTURE_KMS_KEY}. ` +
                    "CreateEndpointConfig fails when KmsKeyId is given for an instance type with local NVMe storage, which the instance encrypts in hardware: remove the key (fm-fleet sets it only on EBS-only types).",
            ]);
        });

        it("skips a type the catalog does not know, and an unknown key", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].instanceType = "ml.x9.huge";
            assert.deepEqual(await violations(endpointKmsEncryption, config), []);
        });
    });

    describe("model-network-isolation", () => {
        it("passes an isolated model", async () => {
            assert.deepEqual(await violations(modelNetworkIsolation, happyStack().model), []);
        });

        it("fails when isolation is off or unset", async () => {
            const model = happyStack().model;
            model.props.enableNetworkIsolation = false;
            assert.deepEqual(await violations(modelNetworkIsolation, model), [
                'Model "chat-llama-model" must set enableNetworkIsolation to true, got false. Turn it on (fm-fleet does by default): the container then cannot reach the network, and artifacts still load from S3.',
            ]);
            delete model.props.enableNetworkIsolation;
            assert.match((await violations(modelNetworkIsolation, model))[0], /got nothing\./);
        });
    });

    describe("private-image-registry", () => {
        it("passes ECR images on models and inference components", async () => {
            const s = happyStack();
            s.ic.props.specification.container = {
                image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vllm@sha256:" + "a".repeat(64),
            };
            assert.deepEqual(await violations(privateImageRegistry, s.model), []);
            assert.deepEqual(await violations(privateImageRegistry, s.ic), []);
        });

        it("checks the image of every per-instance-type specification, naming each that is public", async () => {
            const ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vllm:0.9";
            const ic = perInstanceType(["ml.g5.2xlarge", "ml.g6.2xlarge"], (entry, type) => {
                entry.container = { image: type === "ml.g5.2xlarge" ? ecr : "docker.io/vllm/vllm-openai:latest" };
            });
            assert.deepEqual(await violations(privateImageRegistry, ic), [
                'Inference component "chat-llama-ic" specification for ml.g6.2xlarge must pull its image from a private ECR registry, got docker.io/vllm/vllm-openai:latest. Push the image to ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repo>) or add its registry to private-image-registry.allowedRegistryPrefixes.',
            ]);
            ic.props.specification = { container: { image: "docker.io/vllm/vllm-openai:latest" } };
            assert.equal((await violations(privateImageRegistry, ic)).length, 2);
        });

        it("fails on a public registry image, unless its prefix is allowed", async () => {
            const model = happyStack().model;
            model.props.primaryContainer.image = "docker.io/vllm/vllm-openai:latest";
            assert.deepEqual(await violations(privateImageRegistry, model), [
                'Model "chat-llama-model" must pull its image from a private ECR registry, got docker.io/vllm/vllm-openai:latest. Push the image to ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repo>) or add its registry to private-image-registry.allowedRegistryPrefixes.',
            ]);
            assert.deepEqual(
                await violations(privateImageRegistry, model, { allowedRegistryPrefixes: ["docker.io/vllm/"] }),
                [],
            );
        });
    });
});
