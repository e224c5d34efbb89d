import { PolicyResource, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { IC_CONCURRENCY_METRIC, IC_COPY_DIMENSION, NO_CAPACITY_METRIC, SAGEMAKER_TYPES, TYPES } from "../lib/contract";
import { configOf } from "./support/config";
import { ofTypes } from "./support/of-type";
import { arr, num, plain, shown, UNKNOWN } from "./support/props";
import { StackGraph } from "./support/stack-graph";
import { isAdapter, minInstancesOf, variantsOf } from "./support/views";

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link minCopies}: bounds on the capacity a fleet keeps when nobody calls it. */
export interface MinCopiesConfig {
    minCopiesAtLeast: number;
    minCopiesAtMost?: number;
    minInstancesAtLeast: number;
    minInstancesAtMost?: number;
}

const minCopiesSchema = {
    properties: {
        minCopiesAtLeast: { type: "integer" as const, minimum: 0, default: 0 },
        minCopiesAtMost: { type: "integer" as const, minimum: 0 },
        minInstancesAtLeast: { type: "integer" as const, minimum: 0, default: 0 },
        minInstancesAtMost: { type: "integer" as const, minimum: 0 },
    },
};

function outOfBounds(value: number, atLeast: number, atMost: number | undefined): string | undefined {
    if (value < atLeast) return `at least ${atLeast}`;
    if (atMost !== undefined && value > atMost) return `at most ${atMost}`;
    return undefined;
}

function copiesViolation(what: string, got: number, bound: string, field: string): string {
    return (
        `${what} must keep ${bound} copies when idle, got ${got}. ` +
        `Set ${field} (fm-fleet: copies.min) accordingly${bound === "at most 0" ? " so it scales to zero" : ""}, ` +
        `or change min-copies.minCopiesAtLeast/minCopiesAtMost for this stack.`
    );
}

/**
 * Idle capacity bounds per stack: dev must scale to zero (at most 0 copies and instances), prod must keep
 * enough for availability (at least 1 copy, 2 instances). Scalable targets and endpoint configurations are
 * checked one by one; base inference components without autoscaling are checked over the stack.
 */
export const minCopies: ResourceValidationPolicy & StackValidationPolicy = {
    name: "min-copies",
    description:
        "Checks whether the copies and instances kept when idle stay within the stack's bounds (dev: scale to zero; prod: enough for availability).",
    enforcementLevel: "mandatory",
    configSchema: minCopiesSchema,
    validateResource: (args, reportViolation) => {
        const c = configOf<MinCopiesConfig>(minCopies, args);
        const props = plain(args.props);
        if (args.type === TYPES.scalableTarget && props.scalableDimension === IC_COPY_DIMENSION) {
            const min = num(props.minCapacity);
            const bound = typeof min === "number" ? outOfBounds(min, c.minCopiesAtLeast, c.minCopiesAtMost) : undefined;
            if (bound && typeof min === "number") {
                reportViolation(
                    copiesViolation(
                        `Scalable target "${args.name}" (${shown(props.resourceId)})`,
                        min,
                        bound,
                        "minCapacity",
                    ),
                );
            }
        } else if ((SAGEMAKER_TYPES.endpointConfig as readonly string[]).includes(args.type)) {
            for (const v of variantsOf(props)) {
                const min = minInstancesOf(v);
                if (typeof min !== "number") continue;
                const bound = outOfBounds(min, c.minInstancesAtLeast, c.minInstancesAtMost);
                if (!bound) continue;
                const field = v.managed ? "managedInstanceScaling.minInstanceCount" : "initialInstanceCount";
                const zeroHint = v.managed
                    ? ""
                    : " Only inference-component endpoints (managed instance scaling) can scale to zero.";
                reportViolation(
                    `Endpoint configuration "${args.name}" variant "${shown(v.variantName)}" must keep ${bound} instances when idle, got ${min}. ` +
                        `Set ${field} (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack.${zeroHint}`,
                );
            }
        }
    },
    validateStack: (args, reportViolation) => {
        const c = configOf<MinCopiesConfig>(minCopies, args);
        const graph = new StackGraph(args.resources);
        for (const { node, ic } of graph.inferenceComponents()) {
            if (isAdapter(ic) || typeof ic.inferenceComponentName !== "string") continue;
            const scaled = graph
                .scaling(TYPES.scalableTarget, `inference-component/${ic.inferenceComponentName}`)
                .some((t) => t.props.scalableDimension === IC_COPY_DIMENSION);
            if (scaled || typeof ic.copyCount !== "number") continue;
            const bound = outOfBounds(ic.copyCount, c.minCopiesAtLeast, c.minCopiesAtMost);
            if (bound) {
                reportViolation(
                    copiesViolation(
                        `Inference component "${node.name}" (no autoscaling)`,
                        ic.copyCount,
                        bound,
                        "runtimeConfig.copyCount",
                    ),
                    node.resource.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link prodInstanceCount}. */
export interface ProdInstanceCountConfig {
    minInstances: number;
}

/** Security Hub SageMaker.4 / AWS Config sagemaker-endpoint-config-prod-instance-count. */
export const prodInstanceCount: ResourceValidationPolicy = {
    name: "prod-instance-count",
    description:
        "Checks whether production variants keep more than one instance, across Availability Zones (Security Hub SageMaker.4, AWS Config sagemaker-endpoint-config-prod-instance-count).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minInstances: { type: "integer", minimum: 1, default: 2 } } },
    validateResource: ofTypes(SAGEMAKER_TYPES.endpointConfig, (args, reportViolation) => {
        const { minInstances } = configOf<ProdInstanceCountConfig>(prodInstanceCount, args);
        for (const v of variantsOf(plain(args.props))) {
            const min = minInstancesOf(v);
            if (typeof min === "number" && min < minInstances) {
                reportViolation(
                    `Endpoint configuration "${args.name}" variant "${shown(v.variantName)}" must keep at least ${minInstances} instances for availability, got ${min}. ` +
                        `Raise ${v.managed ? "managedInstanceScaling.minInstanceCount" : "initialInstanceCount"} (fm-fleet: instances.min) to ${minInstances}.`,
                );
            }
        }
    }),
};

// ---------------------------------------------------------------------------------------------------------

/** The inference component name in an Application Auto Scaling resource id. */
function icNameOf(resourceId: unknown): string | undefined {
    return typeof resourceId === "string" && resourceId.startsWith("inference-component/")
        ? resourceId.slice("inference-component/".length)
        : undefined;
}

function urnOf(resource: PolicyResource): string {
    return resource.urn;
}

/**
 * A component at zero copies emits no concurrency metric, so target tracking can never add the first
 * copy: only a NoCapacityInvocationFailures alarm wired to a step policy wakes it.
 */
export const scaleToZeroCanWake: StackValidationPolicy = {
    name: "scale-to-zero-can-wake",
    description:
        "Checks whether every inference component that scales to zero copies has the NoCapacityInvocationFailures alarm and step scaling policy that wake it.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, reportViolation) => {
        const graph = new StackGraph(args.resources);
        for (const target of graph.all(TYPES.scalableTarget)) {
            const icName = icNameOf(target.props.resourceId);
            if (!icName || target.props.scalableDimension !== IC_COPY_DIMENSION || num(target.props.minCapacity) !== 0)
                continue;
            const what = `Inference component "${icName}" scales to zero (scalable target "${target.name}" has minCapacity 0)`;
            const steps = graph.scaling(TYPES.scalingPolicy, target.props.resourceId).filter((p) => {
                const adjustments = arr(p.props.stepScalingPolicyConfiguration?.stepAdjustments);
                return (
                    p.props.policyType === "StepScaling" &&
                    adjustments !== UNKNOWN &&
                    adjustments.some((a: any) => {
                        const step = num(a?.scalingAdjustment);
                        return step === UNKNOWN || (typeof step === "number" && step > 0);
                    })
                );
            });
            const alarms = graph
                .all(TYPES.metricAlarm)
                .filter(
                    (a) =>
                        a.props.metricName === NO_CAPACITY_METRIC &&
                        a.props.namespace === "AWS/SageMaker" &&
                        a.props.dimensions?.InferenceComponentName === icName,
                );
            const fix =
                `Add a StepScaling policy (ChangeInCapacity +1) on inference-component/${icName} and a CloudWatch alarm on ` +
                `AWS/SageMaker ${NO_CAPACITY_METRIC} (dimension InferenceComponentName=${icName}, Maximum >= 1) whose action is that policy ` +
                `(fm-fleet's CopyAutoscaling does both), or keep at least 1 copy.`;
            if (steps.length === 0) {
                reportViolation(
                    `${what} but has no step scaling policy that adds a copy, so it can never wake up. ${fix}`,
                    urnOf(target.resource),
                );
                continue;
            }
            if (alarms.length === 0) {
                reportViolation(
                    `${what} but no ${NO_CAPACITY_METRIC} alarm watches it, so it can never wake up. ${fix}`,
                    urnOf(target.resource),
                );
                continue;
            }
            const stepArns = steps.map((s) => s.props.arn);
            if (stepArns.some((a) => a === UNKNOWN || a === undefined)) continue;
            const wired = alarms.some((a) => {
                const actions = arr(a.props.alarmActions);
                return actions === UNKNOWN || actions.some((x: unknown) => x === UNKNOWN || stepArns.includes(x));
            });
            if (!wired) {
                reportViolation(
                    `${what} but its ${NO_CAPACITY_METRIC} alarm "${alarms[0].name}" does not trigger the step scaling policy "${steps[0].name}", so it can never wake up. ` +
                        `Set the alarm's alarmActions to the step policy's ARN.`,
                    urnOf(target.resource),
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link autoscalingRequired}. */
export interface AutoscalingRequiredConfig {
    metrics: string[];
}

/** Fixed copy counts either waste money idle or drop requests under load. */
export const autoscalingRequired: StackValidationPolicy = {
    name: "autoscaling-required",
    description:
        "Checks whether every base inference component has a scalable target with a high-resolution target tracking policy on its copy count.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { metrics: { type: "array", items: { type: "string" }, default: [IC_CONCURRENCY_METRIC] } },
    },
    validateStack: (args, reportViolation) => {
        const { metrics } = configOf<AutoscalingRequiredConfig>(autoscalingRequired, args);
        const graph = new StackGraph(args.resources);
        for (const { node, ic } of graph.inferenceComponents()) {
            if (isAdapter(ic) || typeof ic.inferenceComponentName !== "string") continue;
            const resourceId = `inference-component/${ic.inferenceComponentName}`;
            const target = graph
                .scaling(TYPES.scalableTarget, resourceId)
                .find((t) => t.props.scalableDimension === IC_COPY_DIMENSION);
            if (!target) {
                reportViolation(
                    `Inference component "${node.name}" must have copy autoscaling, got no scalable target on ${resourceId}. ` +
                        `Add an Application Auto Scaling target on ${IC_COPY_DIMENSION} with a ${metrics[0]} target tracking policy (fm-fleet's CopyAutoscaling).`,
                    node.resource.urn,
                );
                continue;
            }
            const tracked = graph.scaling(TYPES.scalingPolicy, resourceId).some((p) => {
                const metric =
                    p.props.targetTrackingScalingPolicyConfiguration?.predefinedMetricSpecification
                        ?.predefinedMetricType;
                return (
                    p.props.policyType === "TargetTrackingScaling" && (metric === UNKNOWN || metrics.includes(metric))
                );
            });
            if (!tracked) {
                reportViolation(
                    `Inference component "${node.name}" must scale on a high-resolution metric (${metrics.join(", ")}), got no such target tracking policy on ${resourceId}. ` +
                        `Add a TargetTrackingScaling policy with predefinedMetricType ${metrics[0]}: it reacts up to 6x faster than 1-minute metrics.`,
                    node.resource.urn,
                );
            }
        }
    },
};
