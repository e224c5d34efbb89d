import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    IC_CONCURRENCY_METRIC,
    IC_COPY_DIMENSION,
    NO_CAPACITY_METRIC,
    TARGET_TRACKING_RANGES,
    TARGET_VALUE_BOUND_TEXT,
} from "../lib/contract";
import { ALARM_NAME_MAX, SCALING_POLICY_NAME_MAX } from "../lib/names";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";

/** Defaults of {@link CopyAutoscalingArgs}, from the SageMaker scale-to-zero guidance, in one place. */
export const COPY_AUTOSCALING_DEFAULTS = {
    targetConcurrentRequestsPerCopy: 4,
    scaleInCooldownSeconds: 300,
    scaleOutCooldownSeconds: 300,
    wakeCooldownSeconds: 60,
    // SageMaker publishes NoCapacityInvocationFailures each minute: a 10 or 30 s period makes a
    // high-resolution alarm (charged more) over a one-minute metric, which CloudWatch says may lapse into
    // INSUFFICIENT_DATA; AWS's scale-to-zero guide uses 60.
    wakeAlarmPeriodSeconds: 60,
} as const;

/** Arguments of {@link CopyAutoscaling}. */
export interface CopyAutoscalingArgs {
    /** Name of the inference component whose copy count is scaled. */
    readonly inferenceComponentName: pulumi.Input<string>;
    /** Fewest copies, >= 0. 0 lets the component scale to zero, and adds the alarm that wakes it. */
    readonly minCopies: number;
    /** Most copies, >= 1 and >= `minCopies`. */
    readonly maxCopies: number;
    /**
     * Concurrent (in-flight + queued) requests per copy that target tracking aims for: > 0 and at most 2^360
     * (the API's TargetValue range). @default 4
     */
    readonly targetConcurrentRequestsPerCopy?: number;
    /** Seconds between scale-in steps. @default 300 */
    readonly scaleInCooldownSeconds?: number;
    /** Seconds between scale-out steps. @default 300 */
    readonly scaleOutCooldownSeconds?: number;
    /** Cooldown of the wake-from-zero step policy, in seconds. @default 60 */
    readonly wakeCooldownSeconds?: number;
    /** Period of the wake alarm, 10 or 30 (high-resolution) or a multiple of 60 seconds. @default 60 */
    readonly wakeAlarmPeriodSeconds?: number;
    /** Readable parts the policy and alarm names start with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for the alarm. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Scales an inference component's copy count on high-resolution concurrency. When `minCopies` is 0 it also
 * adds what scale-out from zero needs: target tracking cannot wake a component with no copies (no copy emits
 * the concurrency metric), so a step policy fires on the `NoCapacityInvocationFailures` alarm.
 */
export class CopyAutoscaling extends pulumi.ComponentResource {
    /** The scalable target on `sagemaker:inference-component:DesiredCopyCount`. */
    public readonly target: aws.appautoscaling.Target;
    /** The target tracking policy. */
    public readonly targetTracking: aws.appautoscaling.Policy;
    /** The step policy that adds a copy when the component is at zero; only when `minCopies` is 0. */
    public readonly wakePolicy: aws.appautoscaling.Policy | undefined;
    /** The alarm that triggers {@link wakePolicy}; only when `minCopies` is 0. */
    public readonly wakeAlarm: aws.cloudwatch.MetricAlarm | undefined;

    constructor(name: string, args: CopyAutoscalingArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:autoscaling:CopyAutoscaling", name, {}, opts);
        const d = COPY_AUTOSCALING_DEFAULTS;
        const names = new ChildNames("fm-fleet:autoscaling:CopyAutoscaling", name, args.nameParts ?? partsOf(name));

        this.target = new aws.appautoscaling.Target(
            `${name}-target`,
            {
                serviceNamespace: "sagemaker",
                resourceId: pulumi.interpolate`inference-component/${args.inferenceComponentName}`,
                scalableDimension: IC_COPY_DIMENSION,
                minCapacity: args.minCopies,
                maxCapacity: args.maxCopies,
            },
            { parent: this },
        );
        const scaled = {
            serviceNamespace: this.target.serviceNamespace,
            resourceId: this.target.resourceId,
            scalableDimension: this.target.scalableDimension,
        };
        this.targetTracking = new aws.appautoscaling.Policy(
            `${name}-concurrency`,
            {
                ...scaled,
                name: names.name("concurrency", { extra: ["concurrency"], maxLength: SCALING_POLICY_NAME_MAX }),
                policyType: "TargetTrackingScaling",
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: IC_CONCURRENCY_METRIC },
                    targetValue: args.targetConcurrentRequestsPerCopy ?? d.targetConcurrentRequestsPerCopy,
                    scaleInCooldown: args.scaleInCooldownSeconds ?? d.scaleInCooldownSeconds,
                    scaleOutCooldown: args.scaleOutCooldownSeconds ?? d.scaleOutCooldownSeconds,
                },
            },
            { parent: this },
        );

        if (args.minCopies === 0) {
            this.wakePolicy = new aws.appautoscaling.Policy(
                `${name}-wake`,
                {
                    ...scaled,
                    name: names.name("wake", { extra: ["wake"], maxLength: SCALING_POLICY_NAME_MAX }),
                    policyType: "StepScaling",
                    stepScalingPolicyConfiguration: {
                        adjustmentType: "ChangeInCapacity",
                        metricAggregationType: "Maximum",
                        cooldown: args.wakeCooldownSeconds ?? d.wakeCooldownSeconds,
                        stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
                    },
                },
                { parent: this },
            );
            this.wakeAlarm = new aws.cloudwatch.MetricAlarm(
                `${name}-wake-alarm`,
                {
                    name: names.name("wake-alarm", { extra: ["wake"], maxLength: ALARM_NAME_MAX }),
                    alarmDescription: "Adds a copy when a request reaches the inference component at zero copies.",
                    namespace: "AWS/SageMaker",
                    metricName: NO_CAPACITY_METRIC,
                    dimensions: { InferenceComponentName: args.inferenceComponentName },
                    statistic: "Maximum",
                    period: args.wakeAlarmPeriodSeconds ?? d.wakeAlarmPeriodSeconds,
                    evaluationPeriods: 1,
                    datapointsToAlarm: 1,
                    threshold: 1,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    treatMissingData: "missing",
                    alarmActions: [this.wakePolicy.arn],
                    tags: { ...args.tags },
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}

/** Checks the plain arguments; throws one error naming every problem. */
function checkArgs(name: string, args: CopyAutoscalingArgs): void {
    const check = new ArgsCheck("CopyAutoscaling", name)
        .count("args.minCopies", args.minCopies, 0, "copies")
        .count("args.maxCopies", args.maxCopies, 1, "copies");
    if (Number.isInteger(args.minCopies) && Number.isInteger(args.maxCopies) && args.minCopies > args.maxCopies) {
        check.fail(
            "args",
            `\`minCopies\` must be <= \`maxCopies\`, got ${args.minCopies} > ${args.maxCopies}. Lower minCopies or raise maxCopies.`,
        );
    }
    const target = args.targetConcurrentRequestsPerCopy;
    if (target !== undefined && !(target > 0 && target <= TARGET_TRACKING_RANGES.targetValue[1])) {
        check.fail(
            "args.targetConcurrentRequestsPerCopy",
            `${target > 0 ? `must be at most ${TARGET_VALUE_BOUND_TEXT} (the API's TargetValue range)` : "must be > 0"}, got ${target}. Use the concurrent requests one copy serves well, e.g. 4.`,
        );
    }
    const period = args.wakeAlarmPeriodSeconds;
    if (
        period !== undefined &&
        period !== 10 &&
        period !== 30 &&
        !(Number.isInteger(period) && period > 0 && period % 60 === 0)
    ) {
        check.fail(
            "args.wakeAlarmPeriodSeconds",
            `must be 10, 30 or a multiple of 60 (CloudWatch alarm periods), got ${period}. Use 60: SageMaker publishes the metric each minute.`,
        );
    }
    check.done();
}
