import * as assert from "node:assert/strict";
import { MultiModelEndpoint } from "../../components";
import { TYPES } from "../../lib/contract";
import { find, inputsOf, RecordedResource, underMocks, unwrap } from "../helpers/pulumi";

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

/** Inputs whose change makes the engine replace a resource (ForceNew in @pulumi/aws's schema) rather than update it. */
const REPLACE_ON = {
    [TYPES.model]: "*",
    [TYPES.endpointConfiguration]: "*",
    [TYPES.endpoint]: ["name"],
    [TYPES.scalableTarget]: ["serviceNamespace", "resourceId", "scalableDimension"],
    [TYPES.scalingPolicy]: ["name", "serviceNamespace", "resourceId", "scalableDimension"],
} as Record<string, "*" | string[]>;

/**
 * The steps `pulumi up` takes from `before` to `after`, in order, as the engine orders them by default
 * (create-before-delete): creates, replacements' creates and updates in dependency order, then the replaced
 * and removed resources' deletes in reverse dependency order. Custom resources only.
 */
function upSteps(before: readonly RecordedResource[], after: readonly RecordedResource[]): string[] {
    const old = new Map(before.filter((r) => r.custom).map((r) => [r.urn, r]));
    const steps: string[] = [];
    const deletes: string[] = [];
    for (const r of after.filter((x) => x.custom)) {
        const was = old.get(r.urn);
        const kind = r.type.split(":").pop();
        if (!was) {
            steps.push(`create ${kind} ${r.name}`);
            continue;
        }
        const a = inputsOf(was);
        const b = inputsOf(r);
        const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
            (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
        );
        if (changed.length === 0) continue;
        const replaceOn = REPLACE_ON[r.type];
        if (replaceOn === "*" || changed.some((k) => replaceOn.includes(k))) {
            steps.push(`create ${kind} ${r.name} (replacement)`);
            deletes.unshift(`delete ${kind} ${r.name} (replaced)`);
        } else steps.push(`update ${kind} ${r.name}: ${changed.join(", ")}`);
    }
    return [...steps, ...deletes];
}

describe("MultiModelEndpoint: a new instance type in one pulumi up", () => {
    const endpoint = (instanceType: string) => () =>
        new MultiModelEndpoint("classic", {
            instanceType,
            instances: { min: 1, max: 3 },
            image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            modelsPrefix: "s3://models/mme/",
            executionRoleArn: "arn:aws:iam::123456789012:role/r",
        });

    it("serves the new type from a new endpoint with its own scalable target, never updating a registered variant's type", async () => {
        const before = await underMocks(endpoint("ml.m5.xlarge"));
        const after = await underMocks(endpoint("ml.c5.xlarge"));
        // Registration order follows dependencies: model -> config -> endpoint -> target -> policy.
        assert.deepEqual(upSteps(before.resources, after.resources), [
            "create EndpointConfiguration classic-config (replacement)",
            "create Endpoint classic-endpoint (replacement)",
            "create Target classic-target (replacement)",
            "create Policy classic-concurrency (replacement)",
            "delete Policy classic-concurrency (replaced)",
            "delete Target classic-target (replaced)",
            "delete Endpoint classic-endpoint (replaced)",
            "delete EndpointConfiguration classic-config (replaced)",
        ]);
        const [oldName, newName] = await Promise.all([
            unwrap(before.result.endpointName),
            unwrap(after.result.endpointName),
        ]);
        assert.notEqual(newName, oldName);
        assert.match(newName, /^classic-[0-9a-f]{8}$/);
        // The new target names the new endpoint's variant, and waits for it.
        const target = find(after.resources, TYPES.scalableTarget, "classic-target");
        assert.equal(inputsOf(target).resourceId, `endpoint/${newName}/variant/AllTraffic`);
        assert.ok(target.dependencies.includes(find(after.resources, TYPES.endpoint, "classic-endpoint").urn));
    });

    it("keeps the endpoint, its target and its policy when only the instance counts change", async () => {
        const before = await underMocks(endpoint("ml.m5.xlarge"));
        const after = await underMocks(
            () =>
                new MultiModelEndpoint("classic", {
                    instanceType: "ml.m5.xlarge",
                    instances: { min: 2, max: 4 },
                    image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                    modelsPrefix: "s3://models/mme/",
                    executionRoleArn: "arn:aws:iam::123456789012:role/r",
                }),
        );
        assert.deepEqual(upSteps(before.resources, after.resources), [
            "create EndpointConfiguration classic-config (replacement)",
            "update Endpoint classic-endpoint: endpointConfigName",
            "update Target classic-target: maxCapacity, minCapacity",
            "delete EndpointConfiguration classic-config (replaced)",
        ]);
    });
});
