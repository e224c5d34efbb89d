import { TYPES } from "../../lib/contract";
import { str, UNKNOWN, Unknown } from "./props";

/**
 * Where @pulumi/aws and aws-native differ on Application Auto Scaling policies and CloudWatch alarms. Scalable
 * targets have the same fields in both (`resourceId`, `scalableDimension`, `minCapacity`, `maxCapacity`), and
 * so do the policy configurations, `arn`, `alarmActions`, `metricName` and `namespace`.
 */

/** A CloudWatch alarm's name: `name` in @pulumi/aws, `alarmName` in aws-native. */
export function alarmNameOf(type: string, props: any): string | Unknown | undefined {
    return str(type === TYPES.nativeAlarm ? props?.alarmName : props?.name);
}

/**
 * The value of one dimension of a CloudWatch alarm: @pulumi/aws has a map (`{InferenceComponentName: x}`),
 * aws-native a list (`[{name, value}]`). UNKNOWN when an unknown entry may be that dimension.
 */
export function alarmDimensionOf(props: any, dimension: string): string | Unknown | undefined {
    const dimensions = props?.dimensions;
    if (dimensions === UNKNOWN) return UNKNOWN;
    if (!Array.isArray(dimensions)) return str(dimensions?.[dimension]);
    const entry = dimensions.find((d) => d !== UNKNOWN && d?.name === dimension);
    if (entry) return str(entry.value);
    return dimensions.some((d) => d === UNKNOWN || d?.name === UNKNOWN) ? UNKNOWN : undefined;
}

/**
 * The resource id in a scalable target's CloudFormation id (what an aws-native ScalingPolicy's
 * `scalingTargetId` holds): `<resourceId>|<scalableDimension>|<serviceNamespace>`.
 */
export function resourceIdInTargetId(targetId: unknown): string | undefined {
    if (typeof targetId !== "string") return undefined;
    const parts = targetId.split("|");
    return parts.length === 3 && parts[0] !== "" ? parts[0] : undefined;
}
