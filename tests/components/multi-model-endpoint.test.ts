import * as assert from "node:assert/strict";
import { MultiModelEndpoint } from "../../components";
import { TYPES } from "../../lib/contract";
import { find, inputsOf, underMocks, unwrap } from "../helpers/pulumi";

describe("MultiModelEndpoint", () => {
    it("serves a MultiModel model from an S3 prefix and scales the variant on concurrency per model", async () => {
        const image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
        const { result, resources } = await underMocks(
            () =>
                new MultiModelEndpoint("classic", {
                    instanceType: "ml.m5.xlarge",
                    instances: { min: 1, max: 3 },
                    image,
                    modelsPrefix: "s3://models/mme/",
                    executionRoleArn: "arn:aws:iam::123456789012:role/r",
                }),
        );
        assert.equal(resources.length, 6);
        const component = find(resources, "fm-fleet:sagemaker:MultiModelEndpoint", "classic");
        for (const r of resources.slice(1)) assert.equal(r.parent, component.urn, r.name);
        const model = inputsOf(find(resources, TYPES.model, "classic-model"));
        assert.deepEqual(model.primaryContainer, { image, mode: "MultiModel", modelDataUrl: "s3://models/mme/" });
        assert.equal(model.enableNetworkIsolation, true);
        const variant = inputsOf(find(resources, TYPES.endpointConfiguration, "classic-config")).productionVariants[0];
        assert.deepEqual(variant, {
            variantName: "AllTraffic",
            modelName: await unwrap(result.model.name),
            instanceType: "ml.m5.xlarge",
            initialInstanceCount: 1,
            routingConfigs: [{ routingStrategy: "LEAST_OUTSTANDING_REQUESTS" }],
        });
        const endpointName = await unwrap(result.endpointName);
        assert.deepEqual(inputsOf(find(resources, TYPES.scalableTarget, "classic-target")), {
            serviceNamespace: "sagemaker",
            resourceId: `endpoint/${endpointName}/variant/AllTraffic`,
            scalableDimension: "sagemaker:variant:DesiredInstanceCount",
            minCapacity: 1,
            maxCapacity: 3,
        });
        const tracking = inputsOf(find(resources, TYPES.scalingPolicy, "classic-concurrency"));
        assert.equal(
            tracking.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType,
            "SageMakerVariantConcurrentRequestsPerModelHighResolution",
        );
        assert.equal(tracking.targetTrackingScalingPolicyConfiguration.targetValue, 10);
        assert.equal(model.vpcConfig, undefined);
    });

    it("runs the model in a VPC when given one", async () => {
        const { resources } = await underMocks(
            () =>
                new MultiModelEndpoint("classic", {
                    instanceType: "ml.m5.xlarge",
                    instances: { min: 2, max: 2 },
                    image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                    modelsPrefix: "s3://models/mme/",
                    executionRoleArn: "arn:aws:iam::123456789012:role/r",
                    vpc: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] },
                }),
        );
        assert.deepEqual(inputsOf(find(resources, TYPES.model, "classic-model")).vpcConfig, {
            subnets: ["subnet-a", "subnet-b"],
            securityGroupIds: ["sg-1"],
        });
    });
});
