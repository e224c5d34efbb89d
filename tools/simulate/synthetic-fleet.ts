import { findInstanceType } from "../../lib/catalog";
import { IC_CONCURRENCY_METRIC } from "../../lib/contract";
import type { SimFleet } from "./declared-fleet";
import { STAND_IN_PERFORMANCE } from "./performance";
import { SCALING_RULES } from "./scaling-rules";

/**
 * A fleet of `models` scale-to-zero models as fm-fleet declares them (one per endpoint, target 4
 * concurrent requests per copy, 300 s cooldowns, the wake alarm of the scale-to-zero guide), for the
 * benchmark and the invariant tests, without running a program.
 */
export function syntheticFleet(
    models: number,
    options: { instanceType?: string; copiesMin?: number; copiesMax?: number; instancesMax?: number } = {},
): SimFleet {
    const instanceType = options.instanceType ?? "ml.g6.2xlarge";
    const entry = findInstanceType(instanceType);
    return {
        endpoints: Array.from({ length: models }, (_, i) => ({
            name: `endpoint-${i}`,
            endpointName: `endpoint-${i}`,
            kind: "inference-components" as const,
            instanceType,
            usdPerHour: entry?.usdPerHour,
            slotsPerInstance: Math.max(1, entry?.acceleratorCount ?? 1),
            instances: { min: 0, max: options.instancesMax ?? options.copiesMax ?? 2 },
            scaleIn: { strategy: "IDLE_RELEASE", cooldownMinutes: 20, maximumStep: 1 },
            // One model per endpoint, of unknown size: its dedicated endpoint is one instance of this type.
            dedicatedUsdPerHour: entry?.usdPerHour,
            models: [
                {
                    name: `model-${i}`,
                    inferenceComponentName: `model-${i}-ic`,
                    acceleratorsPerCopy: 1,
                    copies: { min: options.copiesMin ?? 0, max: options.copiesMax ?? 2 },
                    targetTracking: {
                        metric: IC_CONCURRENCY_METRIC,
                        targetValue: 4,
                        scaleInCooldownSeconds: SCALING_RULES.defaultCooldownSeconds,
                        scaleOutCooldownSeconds: SCALING_RULES.defaultCooldownSeconds,
                        highResolution: true,
                    },
                    wake:
                        (options.copiesMin ?? 0) === 0
                            ? {
                                  alarmPeriodSeconds: 60,
                                  evaluationPeriods: 1,
                                  datapointsToAlarm: 1,
                                  threshold: 1,
                                  cooldownSeconds: 60,
                                  adjustment: 1,
                              }
                            : undefined,
                    adapters: [],
                    performance: STAND_IN_PERFORMANCE({
                        endpointName: `endpoint-${i}`,
                        inferenceComponentName: `model-${i}-ic`,
                        instanceType,
                        parametersBillions: 8,
                        quantization: "none",
                        accelerators: 1,
                        kind: "inference-components",
                    }),
                    slo: undefined,
                },
            ],
        })),
    };
}
