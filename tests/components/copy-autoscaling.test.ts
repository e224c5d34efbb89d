import * as assert from "node:assert/strict";
import { CopyAutoscaling } from "../../components";
import { TYPES } from "../../lib/contract";
import { find, inputsOf, namesOf, underMocks, unwrap } from "../helpers/pulumi";

describe("CopyAutoscaling", () => {
    it("tracks high-resolution concurrency per copy and wakes a component at zero with a step policy and alarm", async () => {
        const { result, resources } = await underMocks(
            () => new CopyAutoscaling("llm", { inferenceComponentName: "llm-ic-1234567", minCopies: 0, maxCopies: 3 }),
        );
        const component = find(resources, "fm-fleet:autoscaling:CopyAutoscaling", "llm");
        assert.equal(resources.length, 5);
        for (const r of resources.slice(1)) assert.equal(r.parent, component.urn, r.name);

        assert.deepEqual(inputsOf(find(resources, TYPES.scalableTarget, "llm-target")), {
            serviceNamespace: "sagemaker",
            resourceId: "inference-component/llm-ic-1234567",
            scalableDimension: "sagemaker:inference-component:DesiredCopyCount",
            minCapacity: 0,
            maxCapacity: 3,
        });
        const tracking = inputsOf(find(resources, TYPES.scalingPolicy, "llm-concurrency"));
        assert.match(tracking.name, /^llm-concurrency-[0-9a-f]{8}$/);
        assert.deepEqual(tracking, {
            name: tracking.name,
            serviceNamespace: "sagemaker",
            resourceId: "inference-component/llm-ic-1234567",
            scalableDimension: "sagemaker:inference-component:DesiredCopyCount",
            policyType: "TargetTrackingScaling",
            targetTrackingScalingPolicyConfiguration: {
                predefinedMetricSpecification: {
                    predefinedMetricType: "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
                },
                targetValue: 4,
                scaleInCooldown: 300,
                scaleOutCooldown: 300,
            },
        });
        const wake = find(resources, TYPES.scalingPolicy, "llm-wake");
        assert.deepEqual(inputsOf(wake).stepScalingPolicyConfiguration, {
            adjustmentType: "ChangeInCapacity",
            metricAggregationType: "Maximum",
            cooldown: 60,
            stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
        });
        assert.equal(inputsOf(wake).policyType, "StepScaling");
        assert.match(inputsOf(wake).name, /^llm-wake-[0-9a-f]{8}$/);
        const alarm = inputsOf(find(resources, TYPES.metricAlarm, "llm-wake-alarm"));
        assert.match(alarm.name, /^llm-wake-[0-9a-f]{8}$/);
        assert.notEqual(alarm.name, inputsOf(wake).name);
        assert.equal(alarm.namespace, "AWS/SageMaker");
        assert.equal(alarm.metricName, "NoCapacityInvocationFailures");
        assert.deepEqual(alarm.dimensions, { InferenceComponentName: "llm-ic-1234567" });
        assert.equal(alarm.statistic, "Maximum");
        assert.equal(alarm.period, 60);
        assert.equal(alarm.evaluationPeriods, 1);
        assert.equal(alarm.datapointsToAlarm, 1);
        assert.equal(alarm.threshold, 1);
        assert.equal(alarm.comparisonOperator, "GreaterThanOrEqualToThreshold");
        assert.equal(alarm.treatMissingData, "missing");
        assert.deepEqual(alarm.alarmActions, [await unwrap(result.wakePolicy!.arn)]);
        assert.match(
            alarm.alarmActions[0],
            /^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:.*policyName\/llm-wake-/,
        );
    });

    it("adds no wake-up path when copies never reach zero, and honours overrides", async () => {
        const { result, resources } = await underMocks(
            () =>
                new CopyAutoscaling("llm", {
                    inferenceComponentName: "llm-ic",
                    minCopies: 1,
                    maxCopies: 2,
                    targetConcurrentRequestsPerCopy: 8,
                    scaleInCooldownSeconds: 600,
                }),
        );
        assert.deepEqual(namesOf(resources, TYPES.scalingPolicy), ["llm-concurrency"]);
        assert.deepEqual(namesOf(resources, TYPES.metricAlarm), []);
        assert.equal(result.wakePolicy, undefined);
        assert.equal(result.wakeAlarm, undefined);
        const tracking = inputsOf(find(resources, TYPES.scalingPolicy, "llm-concurrency"));
        assert.equal(tracking.targetTrackingScalingPolicyConfiguration.targetValue, 8);
        assert.equal(tracking.targetTrackingScalingPolicyConfiguration.scaleInCooldown, 600);
        assert.equal(inputsOf(find(resources, TYPES.scalableTarget, "llm-target")).minCapacity, 1);
    });
});
