import * as assert from "node:assert/strict";
import { autoscalingRequired, minCopies, prodInstanceCount, scaleToZeroCanWake } from "../../policies/availability";
import { TYPES } from "../../lib/contract";
import { stackViolations, UNKNOWN_NUMBER, UNKNOWN_STRING, violations } from "../helpers/policy-args";
import { happyStack, shadowVariant, stackWith, withNativeScaling } from "../helpers/policy-fixtures";

const DEV = { minCopiesAtMost: 0, minInstancesAtMost: 0 };
const PROD = { minCopiesAtLeast: 1, minInstancesAtLeast: 2 };

describe("availability policies", () => {
    describe("min-copies", () => {
        it("passes a dev fleet that scales to zero", async () => {
            const s = happyStack();
            assert.deepEqual(await violations(minCopies, s.target, DEV), []);
            assert.deepEqual(await violations(minCopies, s.config, DEV), []);
            assert.deepEqual(await stackViolations(minCopies, stackWith(), DEV), []);
        });

        it("fails in dev when copies or instances stay up", async () => {
            const s = happyStack();
            s.target.props.minCapacity = 1;
            s.config.props.productionVariants[0].managedInstanceScaling.minInstanceCount = 1;
            assert.deepEqual(await violations(minCopies, s.target, DEV), [
                'Scalable target "chat-llama-scaling-target" (inference-component/chat-llama-ic-1234567) must keep at most 0 copies when idle, got 1. Set minCapacity (fm-fleet: copies.min) accordingly so it scales to zero, or change min-copies.minCopiesAtLeast/minCopiesAtMost for this stack.',
            ]);
            assert.deepEqual(await violations(minCopies, s.config, DEV), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must keep at most 0 instances when idle, got 1. Set managedInstanceScaling.minInstanceCount (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack.',
            ]);
        });

        it("fails in prod when a fleet could scale to zero", async () => {
            const s = happyStack();
            assert.deepEqual(await violations(minCopies, s.target, PROD), [
                'Scalable target "chat-llama-scaling-target" (inference-component/chat-llama-ic-1234567) must keep at least 1 copies when idle, got 0. Set minCapacity (fm-fleet: copies.min) accordingly, or change min-copies.minCopiesAtLeast/minCopiesAtMost for this stack.',
            ]);
            assert.equal((await violations(minCopies, s.config, PROD)).length, 1);
        });

        it("holds a shadow variant to the idle ceiling (dev) but not to the availability floor (prod)", async () => {
            const config = happyStack().config;
            config.props.shadowProductionVariants = [shadowVariant()];
            assert.deepEqual(await violations(minCopies, config, DEV), [
                'Endpoint configuration "chat-config" shadow variant "Shadow" must keep at most 0 instances when idle, got 1. Set initialInstanceCount (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack. Only inference-component endpoints (managed instance scaling) can scale to zero.',
            ]);
            config.props.productionVariants[0].managedInstanceScaling.minInstanceCount = 2;
            assert.deepEqual(await violations(minCopies, config, PROD), []);
        });

        it("checks the copy count of a base inference component without autoscaling over the stack", async () => {
            const stack = stackWith((s) => {
                delete s.target;
                s.ic.props.runtimeConfig.copyCount = 2;
            });
            assert.deepEqual(await stackViolations(minCopies, stack, DEV), [
                'Inference component "chat-llama-ic" (no autoscaling) must keep at most 0 copies when idle, got 2. Set runtimeConfig.copyCount (fm-fleet: copies.min) accordingly so it scales to zero, or change min-copies.minCopiesAtLeast/minCopiesAtMost for this stack. @ chat-llama-ic',
            ]);
        });
    });

    describe("min-copies (a classic variant under Application Auto Scaling)", () => {
        /** A multi-model endpoint's variant target, as fm-fleet declares it (either provider's type). */
        const variantTarget = (type: string, minCapacity: unknown) => ({
            type,
            name: "classic-scaling-target",
            props: {
                serviceNamespace: "sagemaker",
                resourceId: "endpoint/classic-1234567/variant/AllTraffic",
                scalableDimension: "sagemaker:variant:DesiredInstanceCount",
                minCapacity,
                maxCapacity: 4,
            },
        });

        it("reads the variant target's minCapacity against the instance bounds, from either provider", async () => {
            for (const type of [TYPES.scalableTarget, TYPES.nativeScalableTarget]) {
                assert.deepEqual(await violations(minCopies, variantTarget(type, 2), PROD), []);
                assert.deepEqual(await violations(minCopies, variantTarget(type, 1), PROD), [
                    'Scalable target "classic-scaling-target" (endpoint/classic-1234567/variant/AllTraffic) must keep at least 2 instances when idle, got 1. Set minCapacity (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack.',
                ]);
                assert.deepEqual(await violations(minCopies, variantTarget(type, 1), DEV), [
                    'Scalable target "classic-scaling-target" (endpoint/classic-1234567/variant/AllTraffic) must keep at most 0 instances when idle, got 1. Set minCapacity (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack. Only inference-component endpoints (managed instance scaling) can scale to zero.',
                ]);
                assert.deepEqual(await violations(minCopies, variantTarget(type, UNKNOWN_NUMBER), PROD), []);
            }
        });
    });

    describe("min-copies (aws-native autoscaling)", () => {
        it("reads an aws-native scalable target, one by one and over the stack", async () => {
            const s = withNativeScaling(happyStack());
            assert.deepEqual(await violations(minCopies, s.target, PROD), [
                'Scalable target "chat-llama-scaling-target" (inference-component/chat-llama-ic-1234567) must keep at least 1 copies when idle, got 0. Set minCapacity (fm-fleet: copies.min) accordingly, or change min-copies.minCopiesAtLeast/minCopiesAtMost for this stack.',
            ]);
            // Scaled by its aws-native target, the IC's own copy count is not its idle count.
            s.ic.props.runtimeConfig.copyCount = 2;
            assert.deepEqual(await stackViolations(minCopies, Object.values(s), DEV), []);
        });
    });

    describe("prod-instance-count", () => {
        it("passes two instances", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].managedInstanceScaling.minInstanceCount = 2;
            assert.deepEqual(await violations(prodInstanceCount, config), []);
        });

        it("fails on a single instance, and on zero", async () => {
            const config = happyStack().config;
            assert.deepEqual(await violations(prodInstanceCount, config), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must keep at least 2 instances for availability, got 0. Raise managedInstanceScaling.minInstanceCount (fm-fleet: instances.min) to 2.',
            ]);
            delete config.props.productionVariants[0].managedInstanceScaling;
            assert.deepEqual(await violations(prodInstanceCount, config, { minInstances: 3 }), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must keep at least 3 instances for availability, got 1. Raise initialInstanceCount (fm-fleet: instances.min) to 3.',
            ]);
        });
    });

    describe("prod-instance-count (production variants only)", () => {
        it("ignores a single-instance shadow variant, which serves no response", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].managedInstanceScaling.minInstanceCount = 2;
            config.props.shadowProductionVariants = [shadowVariant()];
            assert.deepEqual(await violations(prodInstanceCount, config), []);
        });
    });

    describe("scale-to-zero-can-wake", () => {
        const FIX =
            "Add a StepScaling policy (ChangeInCapacity +1) on inference-component/chat-llama-ic-1234567 and a CloudWatch alarm on AWS/SageMaker NoCapacityInvocationFailures (dimension InferenceComponentName=chat-llama-ic-1234567, Maximum >= 1) whose action is that policy (fm-fleet's CopyAutoscaling does both), or keep at least 1 copy.";
        const WHAT =
            'Inference component "chat-llama-ic-1234567" scales to zero (scalable target "chat-llama-scaling-target" has minCapacity 0)';

        it("passes a component at zero with its alarm wired to its step policy", async () => {
            assert.deepEqual(await stackViolations(scaleToZeroCanWake, stackWith()), []);
        });

        it("fails without the step policy", async () => {
            assert.deepEqual(
                await stackViolations(
                    scaleToZeroCanWake,
                    stackWith((s) => delete s.wake),
                ),
                [
                    `${WHAT} but has no step scaling policy that adds a copy, so it can never wake up. ${FIX} @ chat-llama-scaling-target`,
                ],
            );
        });

        it("fails without the alarm, or with an alarm on another component", async () => {
            assert.deepEqual(
                await stackViolations(
                    scaleToZeroCanWake,
                    stackWith((s) => delete s.alarm),
                ),
                [
                    `${WHAT} but no NoCapacityInvocationFailures alarm watches it, so it can never wake up. ${FIX} @ chat-llama-scaling-target`,
                ],
            );
            const other = stackWith((s) => (s.alarm.props.dimensions = { InferenceComponentName: "other-ic" }));
            assert.equal((await stackViolations(scaleToZeroCanWake, other)).length, 1);
        });

        it("fails when the alarm does not trigger the step policy", async () => {
            assert.deepEqual(
                await stackViolations(
                    scaleToZeroCanWake,
                    stackWith((s) => (s.alarm.props.alarmActions = ["arn:aws:sns:us-east-1:1:topic"])),
                ),
                [
                    `${WHAT} but its NoCapacityInvocationFailures alarm "chat-llama-scaling-wake-alarm" does not trigger the step scaling policy "chat-llama-scaling-wake", so it can never wake up. Set the alarm's alarmActions to the step policy's ARN. @ chat-llama-scaling-target`,
                ],
            );
        });

        it("passes the happy stack with its autoscaling declared with aws-native", async () => {
            assert.deepEqual(
                await stackViolations(scaleToZeroCanWake, Object.values(withNativeScaling(happyStack()))),
                [],
            );
        });

        it("fails aws-native shapes without the step policy, with an alarm on another component, or unwired", async () => {
            const native = (change: (s: ReturnType<typeof happyStack>) => void) => {
                const s = withNativeScaling(happyStack());
                change(s);
                return stackViolations(scaleToZeroCanWake, Object.values(s));
            };
            assert.deepEqual(await native((s) => delete s.wake), [
                `${WHAT} but has no step scaling policy that adds a copy, so it can never wake up. ${FIX} @ chat-llama-scaling-target`,
            ]);
            assert.deepEqual(
                await native(
                    (s) => (s.alarm.props.dimensions = [{ name: "InferenceComponentName", value: "other-ic" }]),
                ),
                [
                    `${WHAT} but no NoCapacityInvocationFailures alarm watches it, so it can never wake up. ${FIX} @ chat-llama-scaling-target`,
                ],
            );
            assert.deepEqual(await native((s) => (s.alarm.props.alarmActions = ["arn:aws:sns:us-east-1:1:topic"])), [
                `${WHAT} but its NoCapacityInvocationFailures alarm "chat-llama-scaling-wake-alarm" does not trigger the step scaling policy "chat-llama-scaling-wake", so it can never wake up. Set the alarm's alarmActions to the step policy's ARN. @ chat-llama-scaling-target`,
            ]);
        });

        it("finds an aws-native step policy's target through what its scalingTargetId depends on", async () => {
            const unwired = (targetId: unknown, dependsOn: string[]) => {
                const s = withNativeScaling(happyStack());
                s.wake.props.scalingTargetId = targetId;
                s.wake.propertyDependencies = { scalingTargetId: dependsOn };
                s.alarm.props.alarmActions = ["arn:aws:sns:us-east-1:1:topic"];
                return stackViolations(scaleToZeroCanWake, Object.values(s));
            };
            // A new target's id is unknown in preview, but the policy depends on it.
            assert.deepEqual(await unwired(UNKNOWN_STRING, ["chat-llama-scaling-target"]), [
                `${WHAT} but its NoCapacityInvocationFailures alarm "chat-llama-scaling-wake-alarm" does not trigger the step scaling policy "chat-llama-scaling-wake", so it can never wake up. Set the alarm's alarmActions to the step policy's ARN. @ chat-llama-scaling-target`,
            ]);
            // Neither the id nor a target it depends on: not knowable, so skipped rather than failed.
            assert.deepEqual(await unwired(UNKNOWN_STRING, []), []);
            assert.deepEqual(await unwired("a-target-outside-the-stack", []), []);
        });

        it("ignores components that keep a copy", async () => {
            assert.deepEqual(
                await stackViolations(
                    scaleToZeroCanWake,
                    stackWith((s) => {
                        s.target.props.minCapacity = 1;
                        delete s.wake;
                        delete s.alarm;
                    }),
                ),
                [],
            );
        });
    });

    describe("autoscaling-required", () => {
        it("passes a base component with high-resolution target tracking, ignoring adapters", async () => {
            assert.deepEqual(await stackViolations(autoscalingRequired, stackWith()), []);
        });

        it("passes the happy stack with its target and policies declared with aws-native", async () => {
            assert.deepEqual(
                await stackViolations(autoscalingRequired, Object.values(withNativeScaling(happyStack()))),
                [],
            );
        });

        it("fails an aws-native target without a high-resolution tracking policy", async () => {
            const s = withNativeScaling(happyStack());
            delete s.tracking;
            assert.deepEqual(await stackViolations(autoscalingRequired, Object.values(s)), [
                'Inference component "chat-llama-ic" must scale on a high-resolution metric (SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution), got no such target tracking policy on inference-component/chat-llama-ic-1234567. Add a TargetTrackingScaling policy with predefinedMetricType SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution: it reacts up to 6x faster than 1-minute metrics. @ chat-llama-ic',
            ]);
        });

        it("skips a component whose target's resource id is unknown (preview)", async () => {
            const stack = stackWith((s) => (s.target.props.resourceId = UNKNOWN_STRING));
            assert.deepEqual(await stackViolations(autoscalingRequired, stack), []);
        });

        it("fails without a scalable target", async () => {
            assert.deepEqual(
                await stackViolations(
                    autoscalingRequired,
                    stackWith((s) => delete s.target),
                ),
                [
                    'Inference component "chat-llama-ic" must have copy autoscaling, got no scalable target on inference-component/chat-llama-ic-1234567. Add an Application Auto Scaling target on sagemaker:inference-component:DesiredCopyCount with a SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution target tracking policy (fm-fleet\'s CopyAutoscaling). @ chat-llama-ic',
                ],
            );
        });

        it("fails when tracking a low-resolution metric", async () => {
            const stack = stackWith(
                (s) =>
                    (s.tracking.props.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType =
                        "SageMakerInferenceComponentInvocationsPerCopy"),
            );
            assert.deepEqual(await stackViolations(autoscalingRequired, stack), [
                'Inference component "chat-llama-ic" must scale on a high-resolution metric (SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution), got no such target tracking policy on inference-component/chat-llama-ic-1234567. Add a TargetTrackingScaling policy with predefinedMetricType SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution: it reacts up to 6x faster than 1-minute metrics. @ chat-llama-ic',
            ]);
        });
    });
});
