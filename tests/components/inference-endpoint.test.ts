import * as assert from "node:assert/strict";
import { InferenceEndpoint } from "../../components";
import { TYPES } from "../../lib/contract";
import { find, inputsOf, underMocks, unwrap } from "../helpers/pulumi";

const ROLE = "arn:aws:iam::123456789012:role/fleet-role";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/abc";

describe("InferenceEndpoint", () => {
    it("declares a model-less variant with managed scaling down to zero and load-aware routing", async () => {
        const { result, resources } = await underMocks(
            () =>
                new InferenceEndpoint("chat", {
                    instanceType: "ml.g5.12xlarge",
                    instances: { min: 0, max: 3 },
                    executionRoleArn: ROLE,
                    kmsKeyArn: KEY,
                    tags: { "cost-center": "ml" },
                }),
        );
        const component = find(resources, "fm-fleet:sagemaker:InferenceEndpoint", "chat");
        const config = find(resources, TYPES.endpointConfiguration, "chat-config");
        const endpoint = find(resources, TYPES.endpoint, "chat-endpoint");
        assert.equal(resources.length, 3);
        assert.equal(config.parent, component.urn);
        assert.equal(endpoint.parent, component.urn);

        const inputs = inputsOf(config);
        assert.equal(inputs.executionRoleArn, ROLE);
        assert.equal(inputs.kmsKeyArn, KEY);
        assert.deepEqual(inputs.tags, { "cost-center": "ml" });
        assert.deepEqual(inputs.productionVariants, [
            {
                variantName: "AllTraffic",
                instanceType: "ml.g5.12xlarge",
                initialInstanceCount: 1,
                managedInstanceScaling: { status: "ENABLED", minInstanceCount: 0, maxInstanceCount: 3 },
                routingConfigs: [{ routingStrategy: "LEAST_OUTSTANDING_REQUESTS" }],
                containerStartupHealthCheckTimeoutInSeconds: 900,
                modelDataDownloadTimeoutInSeconds: 900,
            },
        ]);
        assert.equal("modelName" in inputs.productionVariants[0], false);
        assert.equal(inputsOf(endpoint).endpointConfigName, await unwrap(result.configuration.name));
        assert.equal(await unwrap(result.endpointName), await unwrap(result.endpoint.name));
        assert.match(await unwrap(result.endpointName), /^chat-endpoint-[0-9a-f]{7}$/);
    });

    it("starts with min instances when min > 0, routes randomly on request and captures data", async () => {
        const { resources } = await underMocks(
            () =>
                new InferenceEndpoint("batch", {
                    instanceType: "ml.g6.xlarge",
                    instances: { min: 2, max: 4 },
                    routing: "random",
                    executionRoleArn: ROLE,
                    dataCapture: { destinationS3Uri: "s3://capture/batch/", samplingPercentage: 20 },
                    containerStartupHealthCheckTimeoutInSeconds: 600,
                    volumeSizeInGb: 200,
                }),
        );
        const inputs = inputsOf(find(resources, TYPES.endpointConfiguration, "batch-config"));
        const variant = inputs.productionVariants[0];
        assert.equal(variant.initialInstanceCount, 2);
        assert.deepEqual(variant.managedInstanceScaling, {
            status: "ENABLED",
            minInstanceCount: 2,
            maxInstanceCount: 4,
        });
        assert.deepEqual(variant.routingConfigs, [{ routingStrategy: "RANDOM" }]);
        assert.equal(variant.containerStartupHealthCheckTimeoutInSeconds, 600);
        assert.equal(variant.volumeSizeInGb, 200);
        assert.equal(inputs.kmsKeyArn, undefined);
        assert.deepEqual(inputs.dataCaptureConfig, {
            enableCapture: true,
            destinationS3Uri: "s3://capture/batch/",
            initialSamplingPercentage: 20,
            captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
        });
    });
});
