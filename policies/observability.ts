import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { DASHBOARD_TYPES, SCALING_TYPES } from "../lib/contract";
import { configOf } from "./support/config";
import { arr, UNKNOWN, Unknown } from "./support/props";
import { alarmDimensionOf } from "./support/scaling-views";
import { Node, StackGraph } from "./support/stack-graph";
import { isAdapter } from "./support/views";

/** Config of {@link observabilityRequired}. */
export interface ObservabilityRequiredConfig {
    /** Metrics (namespace AWS/SageMaker, dimension InferenceComponentName) whose percentile counts as a latency alarm. */
    latencyMetrics: string[];
}

const PERCENTILE = /^p\d+(\.\d+)?$/;

/**
 * One metric an alarm watches, from either provider's shape: a plain alarm, @pulumi/aws `metricQueries[]`
 * (`metric.{namespace, metricName, dimensions, stat}`) or aws-native `metrics[]`
 * (`metricStat.{metric.{namespace, metricName, dimensions}, stat}`).
 */
interface WatchedMetric {
    readonly namespace: unknown;
    readonly metricName: unknown;
    readonly icName: string | Unknown | undefined;
    readonly stat: unknown;
}

function watchedMetrics(props: any): WatchedMetric[] | Unknown {
    const own: WatchedMetric[] =
        props?.metricName === undefined
            ? []
            : [
                  {
                      namespace: props.namespace,
                      metricName: props.metricName,
                      icName: alarmDimensionOf(props, "InferenceComponentName"),
                      stat: props.extendedStatistic ?? props.statistic,
                  },
              ];
    const queries = arr(props?.metricQueries ?? props?.metrics);
    if (queries === UNKNOWN) return UNKNOWN;
    const fromQueries = queries.flatMap((q: any): WatchedMetric[] => {
        const metric = q?.metric ?? q?.metricStat?.metric;
        if (metric === undefined) return [];
        return [
            {
                namespace: metric.namespace,
                metricName: metric.metricName,
                icName: alarmDimensionOf(metric, "InferenceComponentName"),
                stat: q?.metric?.stat ?? q?.metricStat?.stat,
            },
        ];
    });
    return [...own, ...fromQueries];
}

/** Whether an alarm watches a percentile of a latency metric of `icName` (`UNKNOWN` when a deciding value is). */
function watchesLatencyPercentile(alarm: Node, icName: string, metrics: readonly string[]): boolean | Unknown {
    const watched = watchedMetrics(alarm.props);
    if (watched === UNKNOWN) return UNKNOWN;
    let unsure = false;
    for (const m of watched) {
        const got = [m.namespace, m.metricName, m.icName, m.stat];
        if (got.some((v) => v === UNKNOWN)) {
            unsure = true;
            continue;
        }
        if (
            m.namespace === "AWS/SageMaker" &&
            typeof m.metricName === "string" &&
            metrics.includes(m.metricName) &&
            m.icName === icName &&
            typeof m.stat === "string" &&
            PERCENTILE.test(m.stat)
        )
            return true;
    }
    return unsure ? UNKNOWN : false;
}

const urnOf = (resource: PolicyResource): string => resource.urn;

/**
 * A fleet nobody can see is a fleet nobody can run: a dashboard shows every base model, and a latency
 * percentile alarm per base model says when one misses its SLO (averages hide the slow tail users feel).
 */
export const observabilityRequired: StackValidationPolicy = {
    name: "observability-required",
    description:
        "Checks whether a stack with inference components has a CloudWatch dashboard and, for each base inference component, an alarm on a latency percentile (e.g. ModelLatency p99).",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            latencyMetrics: { type: "array", items: { type: "string" }, default: ["ModelLatency"] },
        },
    },
    validateStack: (args: StackValidationArgs, reportViolation) => {
        const { latencyMetrics } = configOf<ObservabilityRequiredConfig>(observabilityRequired, args);
        const graph = new StackGraph(args.resources);
        const bases = graph.inferenceComponents().filter(({ ic }) => !isAdapter(ic));
        if (bases.length === 0) return;
        if (graph.allOf(DASHBOARD_TYPES).length === 0) {
            reportViolation(
                `The stack must have a CloudWatch dashboard for its ${bases.length} base inference component${bases.length === 1 ? "" : "s"}, got none. ` +
                    "Add an aws.cloudwatch.Dashboard with each base model's requests, errors, latency and copies (fm-fleet's Fleet declares one).",
            );
        }
        const alarms = graph.allOf(SCALING_TYPES.alarm);
        for (const { node, ic } of bases) {
            const icName = ic.inferenceComponentName;
            if (icName === UNKNOWN) continue;
            const name = typeof icName === "string" ? icName : node.name;
            const verdicts = alarms.map((a) => watchesLatencyPercentile(a, name, latencyMetrics));
            if (verdicts.some((v) => v !== false)) continue;
            reportViolation(
                `Inference component "${name}" must have an alarm on a latency percentile (${latencyMetrics.join(" or ")}, namespace AWS/SageMaker, dimension InferenceComponentName=${name}), got none. ` +
                    "Add one with extendedStatistic p99 and a threshold from the model's SLO (fm-fleet: the Fleet's SLO alarms, from slo or fleet.alarms.latencyMs).",
                urnOf(node.resource),
            );
        }
    },
};
