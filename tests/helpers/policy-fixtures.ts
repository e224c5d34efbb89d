import { TYPES } from "../../lib/contract";
import { LMI_IMAGE } from "./configs";
import { TestResource } from "./policy-args";

/** The KMS key of the fixtures. */
export const FIXTURE_KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/k1";

/**
 * A passing happy-path stack, in the shape the providers give (outputs): an aws-native IC endpoint on ml.g5
 * (local NVMe: no KMS key) that scales to zero, with one base model, one adapter and the complete copy
 * autoscaling, a dashboard and a latency alarm, and an AWQ optimization job that no model serves yet. Tests change
 * one field per case.
 */
export function happyStack(): Record<string, TestResource> {
    const tags = { "cost-center": "ml" };
    const icName = "chat-llama-ic-1234567";
    const resourceId = `inference-component/${icName}`;
    const dimension = "sagemaker:inference-component:DesiredCopyCount";
    const wakeArn = `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:resource/sagemaker/${resourceId}:policyName/wake`;
    return {
        config: {
            type: TYPES.nativeEndpointConfig,
            name: "chat-config",
            props: {
                endpointConfigName: "chat-config-1234567",
                executionRoleArn: "arn:aws:iam::123456789012:role/r",
                enableNetworkIsolation: true,
                productionVariants: [
                    {
                        variantName: "AllTraffic",
                        instanceType: "ml.g5.2xlarge",
                        initialInstanceCount: 1,
                        managedInstanceScaling: { status: "ENABLED", minInstanceCount: 0, maxInstanceCount: 2 },
                        routingConfig: { routingStrategy: "LEAST_OUTSTANDING_REQUESTS" },
                    },
                ],
                tags: [{ key: "cost-center", value: "ml" }],
            },
        },
        endpoint: {
            type: TYPES.nativeEndpoint,
            name: "chat-endpoint",
            props: {
                endpointName: "chat-endpoint-1234567",
                endpointConfigName: "chat-config-1234567",
                tags: [{ key: "cost-center", value: "ml" }],
            },
        },
        model: {
            type: TYPES.model,
            name: "chat-llama-model",
            props: {
                name: "chat-llama-model-1234567",
                enableNetworkIsolation: true,
                primaryContainer: { image: LMI_IMAGE, environment: { OPTION_TENSOR_PARALLEL_DEGREE: "1" } },
                tags,
            },
        },
        ic: {
            type: TYPES.inferenceComponent,
            name: "chat-llama-ic",
            props: {
                inferenceComponentName: icName,
                endpointName: "chat-endpoint-1234567",
                variantName: "AllTraffic",
                specification: {
                    modelName: "chat-llama-model-1234567",
                    computeResourceRequirements: {
                        numberOfAcceleratorDevicesRequired: 1,
                        minMemoryRequiredInMb: 16384,
                    },
                },
                runtimeConfig: { copyCount: 1 },
                tags: [
                    { key: "cost-center", value: "ml" },
                    { key: "fmfleet:parameters-billions", value: "8" },
                ],
            },
        },
        adapter: {
            type: TYPES.inferenceComponent,
            name: "chat-llama-adapters-support",
            props: {
                inferenceComponentName: "chat-llama-adapters-support-1234567",
                endpointName: "chat-endpoint-1234567",
                specification: { baseInferenceComponentName: icName, container: { artifactUrl: "s3://m/a.tar.gz" } },
                tags: [{ key: "cost-center", value: "ml" }],
            },
        },
        target: {
            type: TYPES.scalableTarget,
            name: "chat-llama-scaling-target",
            props: {
                serviceNamespace: "sagemaker",
                resourceId,
                scalableDimension: dimension,
                minCapacity: 0,
                maxCapacity: 2,
            },
        },
        tracking: {
            type: TYPES.scalingPolicy,
            name: "chat-llama-scaling-concurrency",
            props: {
                resourceId,
                scalableDimension: dimension,
                policyType: "TargetTrackingScaling",
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
                    },
                    targetValue: 4,
                },
                arn: "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:2",
            },
        },
        wake: {
            type: TYPES.scalingPolicy,
            name: "chat-llama-scaling-wake",
            props: {
                resourceId,
                scalableDimension: dimension,
                policyType: "StepScaling",
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
                },
                arn: wakeArn,
            },
        },
        job: {
            type: TYPES.optimizationJob,
            name: "chat-llama-optimization",
            props: {
                optimizationJobName: "chat-llama-opt-1234567",
                roleArn: "arn:aws:iam::123456789012:role/r",
                modelSource: { s3: { s3Uri: "s3://m/llama/" } },
                deploymentInstanceType: "ml.g5.2xlarge",
                optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
                outputConfig: { s3OutputLocation: "s3://m/llama-awq/" },
                stoppingCondition: { maxRuntimeInSeconds: 36000 },
                tags: { "cost-center": "ml", "fmfleet:estimated-hours": "2" },
                __provider: "exports.handler = () => ({});",
            },
        },
        alarm: {
            type: TYPES.metricAlarm,
            name: "chat-llama-scaling-wake-alarm",
            props: {
                namespace: "AWS/SageMaker",
                metricName: "NoCapacityInvocationFailures",
                dimensions: { InferenceComponentName: icName },
                alarmActions: [wakeArn],
            },
        },
        // What observability-required asks for: a dashboard, and a latency percentile alarm on the base IC.
        dashboard: {
            type: "aws:cloudwatch/dashboard:Dashboard",
            name: "fleet-dashboard",
            props: { dashboardName: "fleet-1234567", dashboardBody: "{}" },
        },
        latency: {
            type: TYPES.metricAlarm,
            name: "chat-llama-slo-latency",
            props: {
                namespace: "AWS/SageMaker",
                metricName: "ModelLatency",
                dimensions: { InferenceComponentName: icName },
                extendedStatistic: "p99",
                threshold: 13_300_000,
            },
        },
    };
}

/**
 * The happy stack's copy autoscaling declared with aws-native instead of @pulumi/aws: the target and the
 * tracking policy as they are, the wake policy naming its target by `scalingTargetId` (the target's
 * CloudFormation id), and the wake alarm with `alarmName` and a list of dimensions.
 */
export function withNativeScaling(stack: Record<string, TestResource>): Record<string, TestResource> {
    const { resourceId, scalableDimension, serviceNamespace } = stack.target.props;
    stack.target.type = TYPES.nativeScalableTarget;
    stack.tracking.type = TYPES.nativeScalingPolicy;
    stack.tracking.props.policyName = "chat-llama-concurrency";
    stack.wake.type = TYPES.nativeScalingPolicy;
    delete stack.wake.props.resourceId;
    delete stack.wake.props.scalableDimension;
    stack.wake.props.policyName = "chat-llama-wake";
    stack.wake.props.scalingTargetId = `${resourceId}|${scalableDimension}|${serviceNamespace}`;
    const { dimensions, ...alarm } = stack.alarm.props;
    stack.alarm.type = TYPES.nativeAlarm;
    stack.alarm.props = {
        ...alarm,
        alarmName: "chat-llama-wake-alarm",
        dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })),
    };
    return stack;
}

/** The happy stack as a list, after `change` edits it. */
export function stackWith(change: (s: Record<string, TestResource>) => void = () => {}): TestResource[] {
    const stack = happyStack();
    change(stack);
    return Object.values(stack);
}

/**
 * A shadow variant of the happy stack's endpoint configuration: one ml.g5.2xlarge that gets a copy of
 * production traffic. `shadowProductionVariants` has the same shape in both providers.
 */
export function shadowVariant(change: Record<string, unknown> = {}): Record<string, any> {
    return {
        variantName: "Shadow",
        modelName: "chat-llama-model-1234567",
        instanceType: "ml.g5.2xlarge",
        initialInstanceCount: 1,
        routingConfig: { routingStrategy: "LEAST_OUTSTANDING_REQUESTS" },
        ...change,
    };
}

/**
 * The happy base IC with its `specification` moved to aws-native's per-instance-type `specifications`: one
 * copy of it per instance type, each changed by `change` (given the entry and its instance type).
 */
export function perInstanceType(
    instanceTypes: string[],
    change: (entry: Record<string, any>, instanceType: string) => void = () => {},
): TestResource {
    const ic = happyStack().ic;
    const { specification } = ic.props;
    delete ic.props.specification;
    ic.props.specifications = instanceTypes.map((instanceType) => {
        const entry = { ...structuredClone(specification), instanceType };
        change(entry, instanceType);
        return entry;
    });
    return ic;
}
