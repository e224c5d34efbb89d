import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IC_ERRORS_METRIC, IC_LATENCY_METRIC, PLACEMENT_RANGES, ROLLING_UPDATE_RANGES } from "../lib/contract";
import { ALARM_NAME_MAX } from "../lib/names";
import { ArgsCheck } from "./args-check";
import { ChildNames } from "./naming";

/**
 * Rolling updates of an inference component with automatic rollback, and where its copies are placed.
 * Ranges are the API's (UpdateInferenceComponent DeploymentConfig, InferenceComponentSchedulingConfig).
 */

/** A batch of copies: a count, or a share of the component's copies. */
export interface BatchSize {
    readonly type: "copies" | "percent";
    readonly value: number;
}

/** Defaults of {@link RolloutArgs}, in one place. */
export const ROLLOUT_DEFAULTS = {
    waitSeconds: 300,
    timeoutSeconds: 3600,
    errorsPerMinute: 1,
    latencyMs: 10_000,
} as const;

/** Rolling update of a base inference component: a new image, weights or environment roll out in batches. */
export interface RolloutArgs {
    /** Copies updated per batch: `percent` 5-50 of the copies, or a `copies` count >= 1. */
    readonly maxBatch: BatchSize;
    /** Seconds each batch bakes while the rollback alarms watch it, 0-3600. @default 300 */
    readonly waitSeconds?: number;
    /** Limit of the whole update, 600-28800 seconds. @default 3600 */
    readonly timeoutSeconds?: number;
    /** Copies restored per batch on rollback: `percent` 5-100 or `copies`. @default none - the API's: all at once */
    readonly rollbackBatch?: BatchSize;
    /** Rollback alarms: 5xx answers per minute and model latency (average, ms) that roll an update back. */
    readonly alarms?: { readonly errorsPerMinute?: number; readonly latencyMs?: number };
}

/** Copy placement across instances and Availability Zones. */
export interface PlacementArgs {
    /** `spread` across instances and zones, or `binpack` onto as few instances as possible. */
    readonly strategy: "spread" | "binpack";
    /** Largest difference in copies between two Availability Zones, 0-100. @default none - the API's */
    readonly maxImbalance?: number;
}

export const CAPACITY_SIZE_TYPES = { copies: "COPY_COUNT", percent: "CAPACITY_PERCENT" } as const;
export const PLACEMENT_STRATEGIES = { spread: "SPREAD", binpack: "BINPACK" } as const;

const capacitySize = (b: BatchSize) => ({ type: CAPACITY_SIZE_TYPES[b.type], value: b.value });

/** The inference component's `deploymentConfig` for a rollout watched by `alarmNames`. */
export function deploymentConfig(rollout: RolloutArgs, alarmNames: readonly string[]) {
    const d = ROLLOUT_DEFAULTS;
    return {
        rollingUpdatePolicy: {
            maximumBatchSize: capacitySize(rollout.maxBatch),
            waitIntervalInSeconds: rollout.waitSeconds ?? d.waitSeconds,
            maximumExecutionTimeoutInSeconds: rollout.timeoutSeconds ?? d.timeoutSeconds,
            rollbackMaximumBatchSize: rollout.rollbackBatch && capacitySize(rollout.rollbackBatch),
        },
        autoRollbackConfiguration: { alarms: alarmNames.map((alarmName) => ({ alarmName })) },
    };
}

/** The inference component's `specification.schedulingConfig`; AZ balance is PERMISSIVE, the API's only mode. */
export function schedulingConfig(placement: PlacementArgs) {
    return {
        placementStrategy: PLACEMENT_STRATEGIES[placement.strategy],
        availabilityZoneBalance: { enforcementMode: "PERMISSIVE" as const, maxImbalance: placement.maxImbalance },
    };
}

/**
 * The physical names of the rollback alarms, known before they exist: the execution role grants
 * cloudwatch:DescribeAlarms on exactly these (SageMaker reads them during a rollout).
 */
export function rollbackAlarmNames(names: ChildNames): string[] {
    return ["errors", "latency"].map((what) =>
        names.name(`rollback-${what}`, { extra: ["rollback", what], maxLength: ALARM_NAME_MAX }),
    );
}

/**
 * The CloudWatch alarms that roll an update back: 5xx answers of the inference component and its model
 * latency over a bound (AWS/SageMaker metrics with dimension InferenceComponentName). Tagged like the fleet.
 */
export function rollbackAlarms(
    parent: pulumi.Resource,
    name: string,
    names: ChildNames,
    inferenceComponentName: string,
    rollout: RolloutArgs,
    tags: Readonly<Record<string, string>>,
): { alarms: aws.cloudwatch.MetricAlarm[]; alarmNames: string[] } {
    const d = ROLLOUT_DEFAULTS;
    const alarmNames = rollbackAlarmNames(names);
    const common = {
        namespace: "AWS/SageMaker",
        dimensions: { InferenceComponentName: inferenceComponentName },
        period: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        tags: { ...tags },
    };
    const alarms = [
        new aws.cloudwatch.MetricAlarm(
            `${name}-errors`,
            {
                ...common,
                name: alarmNames[0],
                alarmDescription: "Rolls an update of the inference component back when it answers with 5xx errors.",
                metricName: IC_ERRORS_METRIC,
                statistic: "Sum",
                threshold: rollout.alarms?.errorsPerMinute ?? d.errorsPerMinute,
            },
            { parent },
        ),
        new aws.cloudwatch.MetricAlarm(
            `${name}-latency`,
            {
                ...common,
                name: alarmNames[1],
                alarmDescription: "Rolls an update of the inference component back when its model slows down.",
                metricName: IC_LATENCY_METRIC,
                statistic: "Average",
                // ModelLatency is reported in microseconds.
                threshold: (rollout.alarms?.latencyMs ?? d.latencyMs) * 1000,
            },
            { parent },
        ),
    ];
    return { alarms, alarmNames };
}

/** Checks a rollout and a placement, with the API's ranges. */
export function checkRolloutAndPlacement(
    check: ArgsCheck,
    path: string,
    rollout: RolloutArgs | undefined,
    placement: PlacementArgs | undefined,
): ArgsCheck {
    if (rollout) {
        const r = ROLLING_UPDATE_RANGES;
        checkBatch(check, `${path}.rollout.maxBatch`, rollout.maxBatch, r.batchPercent);
        if (rollout.rollbackBatch) {
            checkBatch(check, `${path}.rollout.rollbackBatch`, rollout.rollbackBatch, r.rollbackPercent);
        }
        check
            .range(`${path}.rollout.waitSeconds`, rollout.waitSeconds, ...r.waitSeconds, "seconds")
            .range(`${path}.rollout.timeoutSeconds`, rollout.timeoutSeconds, ...r.timeoutSeconds, "seconds");
    }
    if (placement) {
        const at = `${path}.placement.maxImbalance`;
        check.range(at, placement.maxImbalance, ...PLACEMENT_RANGES.maxImbalance, "copies");
    }
    return check;
}

function checkBatch(check: ArgsCheck, path: string, batch: BatchSize, percent: readonly [number, number]): void {
    if (batch.type === "percent") check.range(`${path}.value`, batch.value, ...percent, "percent of the copies");
    else check.count(`${path}.value`, batch.value, 1, "copies");
}
