import { PolicyResource, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
    IC_CONCURRENCY_METRIC,
    IC_COPY_DIMENSION,
    NO_CAPACITY_METRIC,
    PLACEMENT_RANGES,
    ROLLING_UPDATE_RANGES,
    SAGEMAKER_TYPES,
    SCALING_TYPES,
    TYPES,
    VARIANT_INSTANCE_DIMENSION,
} from "../lib/contract";
import { instanceFamily } from "../lib/catalog";
import { Fit, gibText, HOST_RESERVE, Resources, times } from "../lib/capacity";
import { configOf } from "./support/config";
import { isOneOf, ofType, ofTypes } from "./support/of-type";
import { arr, num, plain, shown, UNKNOWN, Unknown } from "./support/props";
import { endpointCapacities } from "./support/capacity";
import { alarmDimensionOf, alarmNameOf } from "./support/scaling-views";
import { Node, StackGraph } from "./support/stack-graph";
import {
    inferenceComponentOf,
    isAdapter,
    minInstancesOf,
    provisionedVariantsOf,
    specificationSubject,
    variantLabel,
    variantsOf,
} from "./support/views";

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
        if (isOneOf(SCALING_TYPES.scalableTarget, args.type) && props.scalableDimension === IC_COPY_DIMENSION) {
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
        } else if (
            isOneOf(SCALING_TYPES.scalableTarget, args.type) &&
            props.scalableDimension === VARIANT_INSTANCE_DIMENSION
        ) {
            // A variant under Application Auto Scaling (a multi-model or other classic endpoint) idles at its
            // target's minCapacity, whatever its initialInstanceCount (monthly-cost-budget reads it the same way).
            const min = num(props.minCapacity);
            const bound =
                typeof min === "number" ? outOfBounds(min, c.minInstancesAtLeast, c.minInstancesAtMost) : undefined;
            if (bound && typeof min === "number") {
                reportViolation(
                    `Scalable target "${args.name}" (${shown(props.resourceId)}) must keep ${bound} instances when idle, got ${min}. ` +
                        `Set minCapacity (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack.` +
                        (bound === "at most 0"
                            ? " Only inference-component endpoints (managed instance scaling) can scale to zero."
                            : ""),
                );
            }
        } else if (isOneOf(SAGEMAKER_TYPES.endpointConfig, args.type)) {
            // A shadow variant keeps billed instances when idle but serves no response: it counts against the
            // ceiling (dev scales to zero), never toward the floor, which is there for availability.
            for (const v of provisionedVariantsOf(props)) {
                const min = minInstancesOf(v);
                if (typeof min !== "number") continue;
                const bound = outOfBounds(min, v.shadow ? 0 : c.minInstancesAtLeast, c.minInstancesAtMost);
                if (!bound) continue;
                const field = v.managed ? "managedInstanceScaling.minInstanceCount" : "initialInstanceCount";
                const zeroHint = v.managed
                    ? ""
                    : " Only inference-component endpoints (managed instance scaling) can scale to zero.";
                reportViolation(
                    `Endpoint configuration "${args.name}" ${variantLabel(v)} must keep ${bound} instances when idle, got ${min}. ` +
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
            // A target whose resource id is unknown (preview) may scale it: skip rather than fail.
            const targets = graph.scalableTargetsOn(`inference-component/${ic.inferenceComponentName}`);
            const scaled = [...targets.on, ...targets.maybeOn].some(
                (t) => t.props.scalableDimension === IC_COPY_DIMENSION,
            );
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

/** The nodes a three-valued test says yes to, and those it cannot decide (UNKNOWN): each tested once. */
function byVerdict(nodes: Node[], test: (node: Node) => boolean | Unknown): { yes: Node[]; maybe: Node[] } {
    const yes: Node[] = [];
    const maybe: Node[] = [];
    for (const node of nodes) {
        const verdict = test(node);
        if (verdict === true) yes.push(node);
        else if (verdict === UNKNOWN) maybe.push(node);
    }
    return { yes, maybe };
}

/** Whether a scaling policy adds capacity by a step: true, false, or UNKNOWN when a deciding value is. */
function addsCopy(policy: Node): boolean | Unknown {
    const policyType = policy.props.policyType;
    if (policyType !== "StepScaling" && policyType !== UNKNOWN) return false;
    const config = policy.props.stepScalingPolicyConfiguration;
    const adjustments = config === UNKNOWN ? UNKNOWN : arr(config?.stepAdjustments);
    if (adjustments === UNKNOWN) return UNKNOWN;
    const adds = adjustments.some((a: any) => {
        const step = num(a?.scalingAdjustment);
        return step === UNKNOWN || (typeof step === "number" && step > 0);
    });
    return adds && policyType === UNKNOWN ? UNKNOWN : adds;
}

/** Whether an alarm (either provider) watches an IC's NoCapacityInvocationFailures: true, false, or UNKNOWN. */
function watchesNoCapacity(alarm: Node, icName: string): boolean | Unknown {
    const got = [
        alarm.props.metricName,
        alarm.props.namespace,
        alarmDimensionOf(alarm.props, "InferenceComponentName"),
    ];
    const wanted = [NO_CAPACITY_METRIC, "AWS/SageMaker", icName];
    if (got.some((value, i) => value !== wanted[i] && value !== UNKNOWN)) return false;
    return got.includes(UNKNOWN) ? UNKNOWN : true;
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
        for (const target of graph.allOf(SCALING_TYPES.scalableTarget)) {
            const icName = icNameOf(target.props.resourceId);
            if (!icName || target.props.scalableDimension !== IC_COPY_DIMENSION || num(target.props.minCapacity) !== 0)
                continue;
            const what = `Inference component "${icName}" scales to zero (scalable target "${target.name}" has minCapacity 0)`;
            // A policy or alarm that a deciding value leaves unknown (preview) may be the one: then skip.
            const policies = graph.scalingPoliciesOn(target.props.resourceId);
            const known = byVerdict(policies.on, addsCopy);
            const unsure = byVerdict(policies.maybeOn, addsCopy);
            const steps = known.yes;
            const maybeSteps = [...known.maybe, ...unsure.yes, ...unsure.maybe];
            const { yes: alarms, maybe: maybeAlarms } = byVerdict(graph.allOf(SCALING_TYPES.alarm), (a) =>
                watchesNoCapacity(a, icName),
            );
            const fix =
                `Add a StepScaling policy (ChangeInCapacity +1) on inference-component/${icName} and a CloudWatch alarm on ` +
                `AWS/SageMaker ${NO_CAPACITY_METRIC} (dimension InferenceComponentName=${icName}, Maximum >= 1) whose action is that policy ` +
                `(fm-fleet's CopyAutoscaling does both), or keep at least 1 copy.`;
            if (steps.length === 0) {
                if (maybeSteps.length > 0) continue;
                reportViolation(
                    `${what} but has no step scaling policy that adds a copy, so it can never wake up. ${fix}`,
                    urnOf(target.resource),
                );
                continue;
            }
            if (alarms.length === 0) {
                if (maybeAlarms.length > 0) continue;
                reportViolation(
                    `${what} but no ${NO_CAPACITY_METRIC} alarm watches it, so it can never wake up. ${fix}`,
                    urnOf(target.resource),
                );
                continue;
            }
            const stepArns = [...steps, ...maybeSteps].map((s) => s.props.arn);
            if (stepArns.some((a) => a === UNKNOWN || a === undefined)) continue;
            const wired = [...alarms, ...maybeAlarms].some((a) => {
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
            const targets = graph.scalableTargetsOn(resourceId);
            const onCopies = (t: Node) => t.props.scalableDimension === IC_COPY_DIMENSION;
            if (!targets.on.some(onCopies)) {
                // A target whose resource id is unknown (preview) may be this one's.
                if (targets.maybeOn.some(onCopies)) continue;
                reportViolation(
                    `Inference component "${node.name}" must have copy autoscaling, got no scalable target on ${resourceId}. ` +
                        `Add an Application Auto Scaling target on ${IC_COPY_DIMENSION} with a ${metrics[0]} target tracking policy (fm-fleet's CopyAutoscaling).`,
                    node.resource.urn,
                );
                continue;
            }
            const policies = graph.scalingPoliciesOn(resourceId);
            const tracked = [...policies.on, ...policies.maybeOn].some((p) => {
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

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link rollingUpdateSafe}. */
export interface RollingUpdateSafeConfig {
    requireRollout: boolean;
}

/**
 * A rolling update outside the API's ranges fails at `pulumi up`; one whose rollback alarms do not exist or
 * watch another component rolls out blind. With `requireRollout`, every base component must roll out in
 * batches with rollback alarms (prod).
 */
export const rollingUpdateSafe: StackValidationPolicy = {
    name: "rolling-update-safe",
    description:
        "Checks whether inference components roll out in batches within the API's ranges, watched by rollback alarms that exist in the stack and watch that component.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { requireRollout: { type: "boolean", default: false } } },
    validateStack: (args, reportViolation) => {
        const { requireRollout } = configOf<RollingUpdateSafeConfig>(rollingUpdateSafe, args);
        const graph = new StackGraph(args.resources);
        // By name, the first of each name (as a lookup by name finds it): components times alarms grows fast.
        const alarmNamed = new Map<unknown, Node>();
        for (const alarm of graph.allOf(SCALING_TYPES.alarm)) {
            const name = alarmNameOf(alarm.resource.type, alarm.props);
            if (!alarmNamed.has(name)) alarmNamed.set(name, alarm);
        }
        // An alarm whose name is unknown (preview) may be the one a component names: it is not reported missing.
        const someAlarmUnnamed = alarmNamed.has(UNKNOWN);
        for (const { node, ic } of graph.inferenceComponents()) {
            if (isAdapter(ic) || ic.deploymentConfig === UNKNOWN) continue;
            const what = `Inference component "${node.name}"`;
            const report = (message: string) => reportViolation(`${what} ${message}`, node.resource.urn);
            const policy = ic.deploymentConfig?.rollingUpdatePolicy;
            const rollbackAlarms = arr(ic.deploymentConfig?.autoRollbackConfiguration?.alarms);
            if (!policy) {
                if (requireRollout) {
                    report(
                        "must roll out in batches with rollback alarms, got no deploymentConfig.rollingUpdatePolicy. " +
                            "Set one with autoRollbackConfiguration alarms (fm-fleet: rollout in the stack config), or set rolling-update-safe.requireRollout to false for this stack.",
                    );
                }
                continue;
            }
            const batch = policy.maximumBatchSize;
            const value = num(batch?.value);
            if (batch?.type === "CAPACITY_PERCENT" && typeof value === "number") {
                const [low, high] = ROLLING_UPDATE_RANGES.batchPercent;
                if (value < low || value > high) {
                    report(
                        `must update ${low}-${high}% of its copies per batch, got ${value}%. Set rollingUpdatePolicy.maximumBatchSize.value within that range (fm-fleet: rollout.maxBatch).`,
                    );
                }
            } else if (batch?.type === "COPY_COUNT" && typeof value === "number" && value < 1) {
                report(
                    `must update at least 1 copy per batch, got ${value}. Raise rollingUpdatePolicy.maximumBatchSize.value.`,
                );
            }
            for (const [field, key, [low, high]] of [
                ["waitIntervalInSeconds", "wait", ROLLING_UPDATE_RANGES.waitSeconds],
                ["maximumExecutionTimeoutInSeconds", "timeout", ROLLING_UPDATE_RANGES.timeoutSeconds],
            ] as const) {
                const seconds = num(policy[field]);
                if (typeof seconds === "number" && (seconds < low || seconds > high)) {
                    report(
                        `must set rollingUpdatePolicy.${field} between ${low} and ${high} seconds, got ${seconds}. Pick a value in that range (fm-fleet: rollout.${key}Seconds).`,
                    );
                }
            }
            if (rollbackAlarms === UNKNOWN) continue;
            if (rollbackAlarms.length === 0 && requireRollout) {
                report(
                    "must name rollback alarms in deploymentConfig.autoRollbackConfiguration, got none. Add alarms on its 5xx errors and model latency (fm-fleet creates them with a rollout).",
                );
            }
            for (const alarm of rollbackAlarms) {
                const alarmName = alarm?.alarmName;
                if (typeof alarmName !== "string") continue;
                const found = alarmNamed.get(alarmName);
                const watched = found && alarmDimensionOf(found.props, "InferenceComponentName");
                if (!found) {
                    if (someAlarmUnnamed) continue;
                    report(
                        `rolls back on alarm "${alarmName}", which the stack does not declare, got no CloudWatch alarm of that name. Declare it, or name one that exists: a missing alarm never rolls back.`,
                    );
                } else if (
                    typeof ic.inferenceComponentName === "string" &&
                    watched !== UNKNOWN &&
                    watched !== ic.inferenceComponentName
                ) {
                    report(
                        `rolls back on alarm "${alarmName}", which must watch this component (InferenceComponentName=${ic.inferenceComponentName}), got ${shown(watched)}. Point the alarm's dimension at this component.`,
                    );
                }
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link availabilityZoneBalance}. */
export interface AvailabilityZoneBalanceConfig {
    maxImbalance: number;
}

/** Copies packed into one Availability Zone go down with it: prod spreads them, with a bounded imbalance. */
export const availabilityZoneBalance: ResourceValidationPolicy = {
    name: "availability-zone-balance",
    description:
        "Checks whether base inference components spread their copies across Availability Zones (SPREAD) with a bounded imbalance.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            maxImbalance: {
                type: "integer",
                minimum: PLACEMENT_RANGES.maxImbalance[0],
                maximum: PLACEMENT_RANGES.maxImbalance[1],
                default: 1,
            },
        },
    },
    validateResource: ofType(TYPES.inferenceComponent, (args, reportViolation) => {
        const ic = inferenceComponentOf(plain(args.props));
        if (isAdapter(ic)) return;
        const { maxImbalance } = configOf<AvailabilityZoneBalanceConfig>(availabilityZoneBalance, args);
        // Each per-instance-type specification places its copies by its own schedulingConfig.
        for (const spec of ic.specifications) {
            const scheduling = spec.schedulingConfig;
            if (scheduling === UNKNOWN) continue;
            const strategy = scheduling?.placementStrategy;
            const imbalance = num(scheduling?.availabilityZoneBalance?.maxImbalance);
            if (strategy === UNKNOWN || imbalance === UNKNOWN) continue;
            const what = specificationSubject(args.name, spec);
            const fix = `Set ${spec.path}.schedulingConfig to SPREAD with availabilityZoneBalance.maxImbalance <= ${maxImbalance} (fm-fleet: placement: { strategy: spread, maxImbalance: ${maxImbalance} }).`;
            if (strategy !== "SPREAD") {
                reportViolation(
                    `${what} must spread its copies across Availability Zones, got ${strategy === undefined ? "no schedulingConfig" : `placement ${shown(strategy)}`}. ${fix}`,
                );
            } else if (typeof imbalance !== "number" || imbalance > maxImbalance) {
                reportViolation(
                    `${what} must bound its copies' imbalance between Availability Zones to ${maxImbalance}, got ${imbalance === undefined ? "no maxImbalance" : imbalance}. ${fix}`,
                );
            }
        }
    }),
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link capacityFallback}. */
export interface CapacityFallbackConfig {
    families: string[];
}

/**
 * An endpoint on a GPU family that often runs out of capacity cannot scale out, or come back from zero,
 * when the family is short: a fallback instance pool lets SageMaker provision another type instead.
 */
export const capacityFallback: ResourceValidationPolicy = {
    name: "capacity-fallback",
    description:
        "Checks whether endpoints on GPU families known for capacity shortages list at least one fallback instance pool.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            families: { type: "array", items: { type: "string" }, default: ["g6e", "p4d", "p4de", "p5", "p5e"] },
        },
    },
    validateResource: ofTypes(SAGEMAKER_TYPES.endpointConfig, (args, reportViolation) => {
        const { families } = configOf<CapacityFallbackConfig>(capacityFallback, args);
        // A shadow variant's instances are provisioned with the endpoint's: a shortage fails its update too.
        for (const v of provisionedVariantsOf(plain(args.props))) {
            if (v.hasFallback || typeof v.instanceType !== "string") continue;
            const family = instanceFamily(v.instanceType);
            if (family === undefined || !families.includes(family)) continue;
            reportViolation(
                `Endpoint configuration "${args.name}" ${variantLabel(v)} runs on ${v.instanceType} (family ${family}, often short of capacity) and must list a fallback instance pool, got none. ` +
                    `Add instancePools with another type the models fit (fm-fleet: endpoints[].fallbackInstanceTypes), or remove ${family} from capacity-fallback.families.`,
            );
        }
    }),
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link copiesFitEndpoint}: what each instance keeps for SageMaker and the OS (lib/capacity HOST_RESERVE). */
export interface CopiesFitEndpointConfig {
    reservedMemoryMbPerInstance: number;
    reservedCpuCoresPerInstance: number;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `24 accelerators: 3 copies of 4, 4 of 1; 112 GiB memory; 6 CPU cores`: what the copies need. */
function needText(fit: Fit): string {
    const { need } = fit.packing;
    const parts: string[] = [];
    if (need.accelerators > 0 || fit.perInstance.accelerators > 0) {
        const groups = fit.groups.filter((g) => g.count > 0 && g.perCopy.accelerators > 0);
        const list = groups.map((g, i) =>
            i === 0
                ? `${plural(g.count, "copy", "copies")} of ${g.perCopy.accelerators}`
                : `${g.count} of ${g.perCopy.accelerators}`,
        );
        parts.push(
            `${plural(need.accelerators, "accelerator", "accelerators")}${list.length > 0 ? `: ${list.join(", ")}` : ""}`,
        );
    }
    parts.push(`${gibText(need.memoryMib)} memory`);
    if (need.cpuCores > 0) parts.push(plural(need.cpuCores, "CPU core", "CPU cores"));
    return parts.join("; ");
}

/**
 * `16 accelerators, 768 GiB memory`: resources in the dimensions the copies use (accelerators when the
 * copies or the type have any, cores when a copy asks for some); an instance's cores are its vCPUs.
 */
function resourcesText(fit: Fit, r: Resources, cores: "vCPU" | "CPU core"): string {
    const parts: string[] = [];
    if (fit.packing.need.accelerators > 0 || fit.perInstance.accelerators > 0) {
        parts.push(plural(r.accelerators, "accelerator", "accelerators"));
    }
    parts.push(`${gibText(r.memoryMib)} memory`);
    if (fit.packing.need.cpuCores > 0) parts.push(plural(r.cpuCores, cores, `${cores}s`));
    return parts.join(", ");
}

/** What `n` instances offer. */
const roomText = (fit: Fit, n: number) => resourcesText(fit, times(fit.perInstance, n), "vCPU");

/**
 * Copies that cannot be placed never serve: scale-out stalls with copies pending, and a copy larger than one
 * instance never places at all. SageMaker places a copy's accelerators, memory and cores on ONE instance
 * (ComputeResourceRequirements), so the rule packs copies onto instances (first-fit decreasing, lib/capacity)
 * rather than summing. At the minimum, managed instance scaling keeps every instance that hosts a copy
 * (ScaleInPolicy IDLE_RELEASE "releases instances that have no hosted inference component copies", API
 * reference ProductionVariantManagedInstanceScalingScaleInPolicy): minimum copies that need more than the
 * minimum instances raise the real idle floor, and any copy at all keeps an endpoint from scaling to zero.
 */
export const copiesFitEndpoint: StackValidationPolicy = {
    name: "copies-fit-endpoint",
    description:
        "Checks whether the copies of every inference-component endpoint's base models fit its max instances at peak and its min instances at the minimum, on the smallest of its instance types.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            reservedMemoryMbPerInstance: { type: "number", minimum: 0, default: HOST_RESERVE.memoryMib },
            reservedCpuCoresPerInstance: { type: "number", minimum: 0, default: HOST_RESERVE.cpuCores },
        },
    },
    validateStack: (args, reportViolation) => {
        const c = configOf<CopiesFitEndpointConfig>(copiesFitEndpoint, args);
        const reserve = {
            accelerators: 0,
            memoryMib: c.reservedMemoryMbPerInstance,
            cpuCores: c.reservedCpuCoresPerInstance,
        };
        for (const e of endpointCapacities(new StackGraph(args.resources), reserve)) {
            const what = `Endpoint configuration "${e.config.name}" ${variantLabel(e.variant)}`;
            const urn = e.config.resource.urn;
            const managed = e.variant.managed !== undefined;
            const tooLarge = new Set<string>();
            for (const fit of [e.peak, e.min]) {
                for (const g of fit?.packing.unplaceable ?? []) {
                    const key = `${g.name} ${fit!.instanceType}`;
                    if (tooLarge.has(key)) continue;
                    tooLarge.add(key);
                    const copy: Fit = { ...fit!, packing: { instances: 1, need: g.perCopy, unplaceable: [] } };
                    reportViolation(
                        `${what} must hold each copy on one instance of ${fit!.instanceType} (${roomText(copy, 1)}), got inference component "${g.name}" with copies of ${resourcesText(copy, g.perCopy, "CPU core")}. ` +
                            `A copy's accelerators, memory and cores sit on one instance: lower its computeResourceRequirements (fm-fleet: accelerators, memoryMb, cpuCores) or pick a larger type.`,
                        urn,
                    );
                }
            }
            const peak = e.peak;
            if (peak && !peak.fits && peak.packing.unplaceable.length === 0) {
                const n = peak.packing.instances;
                reportViolation(
                    `${what} must fit its copies at peak on its max instances, got copies that need ${plural(n, "instance", "instances")} of ${peak.instanceType} (${needText(peak)}), max ${peak.instances} (${roomText(peak, peak.instances)}). ` +
                        `Raise ${managed ? "managedInstanceScaling.maxInstanceCount" : "initialInstanceCount"} (fm-fleet: instances.max) to ${n}, lower copies.max (the scalable targets' maxCapacity), or pick a larger type.`,
                    urn,
                );
            }
            const min = e.min;
            if (min && !min.fits && min.packing.unplaceable.length === 0) {
                const n = min.packing.instances;
                const minField = managed ? "managedInstanceScaling.minInstanceCount" : "initialInstanceCount";
                const fix =
                    min.instances === 0
                        ? `so it never scales to zero: lower copies.min (the scalable targets' minCapacity) to 0 on every inference component, or raise ${minField} (fm-fleet: instances.min) to ${n}.`
                        : `so it idles at ${n}, not ${min.instances}: raise ${minField} (fm-fleet: instances.min) to ${n}, or lower copies.min (the scalable targets' minCapacity).`;
                reportViolation(
                    `${what} must fit its copies at the minimum on its min instances, got copies that need ${plural(n, "instance", "instances")} of ${min.instanceType} (${needText(min)}), min ${min.instances} (${roomText(min, min.instances)}). ` +
                        `SageMaker keeps every instance that hosts a copy, ${fix}`,
                    urn,
                );
            }
        }
    },
};
