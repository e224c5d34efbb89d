import * as assert from "node:assert/strict";
import { endpointKmsEncryption, modelNetworkIsolation, privateImageRegistry } from "../../policies/security";
import { violations } from "../helpers/policy-args";
import { happyStack } from "../helpers/policy-fixtures";

describe("security policies", () => {
    describe("endpoint-kms-encryption", () => {
        it("passes a configuration with a KMS key", async () => {
            assert.deepEqual(await violations(endpointKmsEncryption, happyStack().config), []);
        });

        it("fails without one", async () => {
            const config = happyStack().config;
            delete config.props.kmsKeyArn;
            assert.deepEqual(await violations(endpointKmsEncryption, config), [
                'Endpoint configuration "chat-config" must set kmsKeyArn, got nothing. Set it to a customer-managed KMS key ARN (fm-fleet: fleet.kmsKeyArn).',
            ]);
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
