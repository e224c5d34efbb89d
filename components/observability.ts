import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IC_ERRORS_METRIC, IC_LATENCY_METRIC, NO_CAPACITY_METRIC } from "../lib/contract";
import { ALARM_NAME_MAX } from "../lib/names";
import { DEFAULT_OUTPUT_TOKENS } from "../lib/performance/prefill";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";

/*
 * Metric names, namespaces and dimensions: SageMaker developer guide, "Amazon SageMaker AI metrics in Amazon
 * CloudWatch" (monitoring-cloudwatch) and "enhanced metrics for inference endpoints"
 * (monitoring-cloudwatch-enhanced-metrics), read 2026-12-06:
 * - AWS/SageMaker, dimension InferenceComponentName: Invocations, Invocation4XXErrors, Invocation5XXErrors,
 *   ModelLatency and OverheadLatency (microseconds; percentiles valid on ModelLatency), and
 *   NoCapacityInvocationFailures (the scale-to-zero guide).
 * - /aws/sagemaker/InferenceComponents, dimension InferenceComponentName: CPUUtilizationNormalized,
 *   GPUUtilizationNormalized, GPUMemoryUtilizationNormalized, "reported by each copy": their SampleCount per
 *   publish interval counts the copies.
 * - /aws/sagemaker/Endpoints, dimensions EndpointName and VariantName: CPUUtilization per instance (its
 *   SampleCount per interval counts the instances), GPUUtilizationNormalized, GPUMemoryUtilizationNormalized.
 * Enhanced metrics add InstanceId, ContainerId and AcceleratorId dimensions and publish invocation metrics at
 * MetricPublishFrequencyInSeconds; without them invocation metrics come every 60 s.
 * Time to first token: neither LMI nor the SageMaker vLLM container publishes a CloudWatch metric for it;
 * detailed observability sends the container's own metrics as OpenTelemetry data (queried with PromQL, not a
 * metric widget). The dashboard says so in a text widget instead of drawing an empty graph.
 */

/** Defaults of {@link FleetObservabilityArgs}, in one place. */
export const OBSERVABILITY_DEFAULTS = {
    /** Latency budget of a model without an SLO: ModelLatency p99 of a whole response, ms. */
    latencyMs: 30_000,
    /** Share of requests answered 5xx that fires the error-rate alarm, percent. */
    errorRatePercent: 1,
    /** How long no-capacity failures may last (a wake), seconds, when the model's SLO gives no budget. */
    wakeSeconds: 600,
    /** Minutes a latency or error alarm looks back, and how many of them must breach. */
    evaluationMinutes: 5,
    breachingMinutes: 3,
    /** Seconds between metric publications when the fleet does not set MetricPublishFrequencyInSeconds. */
    periodSeconds: 60,
} as const;

/** A model's latency targets (stack config `slo`). */
export interface ObservedSlo {
    readonly ttftMs?: number;
    readonly tokensPerSecond?: number;
    readonly maxColdStartSeconds?: number;
}

/** One base model the dashboard shows and the alarms watch. */
export interface ObservedModel {
    /** Config name of its endpoint, e.g. `chat`. */
    readonly endpoint: string;
    /** Config name of the model, e.g. `llama3-8b`. */
    readonly model: string;
    /** Physical name of its base inference component. */
    readonly inferenceComponentName: string;
    /** Physical names of its adapter inference components (shown summed, never one widget each). */
    readonly adapterComponentNames: readonly string[];
    /** Whether its copies may reach 0 (then no-capacity failures are its wake signal, alarmed only when sustained). */
    readonly scalesToZero: boolean;
    readonly slo?: ObservedSlo;
}

/** One inference-component endpoint of the dashboard. */
export interface ObservedEndpoint {
    /** Config name, e.g. `chat`. */
    readonly endpoint: string;
    readonly endpointName: string;
    readonly variantName: string;
}

/** Arguments of {@link FleetObservability}. */
export interface FleetObservabilityArgs {
    readonly endpoints: readonly ObservedEndpoint[];
    readonly models: readonly ObservedModel[];
    /** Region the metrics live in. @default the `aws:region` config, else AWS_REGION */
    readonly region?: string;
    /** Seconds between metric publications (the fleet's MetricPublishFrequencyInSeconds). @default 60 */
    readonly periodSeconds?: number;
    /** SNS topic the SLO alarms notify. @default none - the alarms only change state */
    readonly topicArn?: string;
    /** ModelLatency p99 budget (ms) of models whose SLO gives none. @default 30000 */
    readonly latencyMs?: number;
    /** 5xx share that fires the error alarm, percent, 0-100. @default 1 */
    readonly errorRatePercent?: number;
    /** Readable parts the physical names start with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    readonly tags?: Readonly<Record<string, string>>;
}

/** What the latency alarm of one model watches and why. */
export interface LatencyBudget {
    /** ModelLatency p99 threshold, ms. */
    readonly ms: number;
    /** How the threshold was derived, for the alarm's description and the docs. */
    readonly basis: string;
}

/**
 * A model's end-to-end latency budget: ModelLatency is the whole response (not its first token), so a TTFT
 * and a reading speed make a budget of `ttftMs + DEFAULT_OUTPUT_TOKENS / tokensPerSecond` for the typical
 * response lib/performance estimates; a model with neither gets the fleet's default.
 */
export function latencyBudget(slo: ObservedSlo | undefined, fallbackMs: number): LatencyBudget {
    const ttft = slo?.ttftMs;
    const tps = slo?.tokensPerSecond;
    if (ttft === undefined && tps === undefined) {
        return { ms: fallbackMs, basis: `no TTFT or tokens/s SLO: the fleet's default of ${fallbackMs} ms` };
    }
    const decodeMs = tps === undefined ? 0 : (DEFAULT_OUTPUT_TOKENS / tps) * 1000;
    const ms = Math.round((ttft ?? 0) + decodeMs);
    const parts = [
        ...(ttft === undefined ? [] : [`TTFT ${ttft} ms`]),
        ...(tps === undefined ? [] : [`${DEFAULT_OUTPUT_TOKENS} tokens at ${tps} tokens/s`]),
    ];
    return { ms, basis: `SLO ${parts.join(" + ")}` };
}

/** Consecutive minutes of no-capacity failures that mean a model failed to wake, not that it is waking. */
export function sustainedWakeMinutes(slo: ObservedSlo | undefined): number {
    const seconds = slo?.maxColdStartSeconds ?? OBSERVABILITY_DEFAULTS.wakeSeconds;
    return Math.ceil(seconds / 60) + 1;
}

/** The CloudWatch console's address of a dashboard. */
export const dashboardUrl = (region: string, name: string) =>
    `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;

/**
 * Adapters summed by name in one graph: each adds two hidden metrics, and a CloudWatch graph takes at most
 * 500 (metric widget limits, CloudWatch dashboard body structure). Past this, the graph says they are not summed.
 */
export const ADAPTER_SUM_LIMIT = 200;

type Widget = Record<string, unknown>;

const SM = "AWS/SageMaker";
const IC_NS = "/aws/sagemaker/InferenceComponents";
const EP_NS = "/aws/sagemaker/Endpoints";

/**
 * The dashboard body: per endpoint a header and its instances; per base model its requests and errors
 * (adapters summed by metric math), ModelLatency and OverheadLatency at p50/p90/p99, copies and no-capacity
 * failures, and GPU utilization and memory. Plain data, so tests and the docs read it directly.
 */
export function dashboardBody(args: {
    endpoints: readonly ObservedEndpoint[];
    models: readonly ObservedModel[];
    region: string;
    periodSeconds: number;
}): { widgets: Widget[] } {
    const { region, periodSeconds: period } = args;
    const widgets: Widget[] = [];
    let y = 0;
    const row = (items: Widget[], height = 6) => {
        const width = Math.floor(24 / Math.max(1, items.length));
        items.forEach((w, i) => widgets.push({ ...w, x: i * width, y, width, height }));
        y += height;
    };
    const graph = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}): Widget => ({
        type: "metric",
        properties: { title, region, period, view: "timeSeries", stacked: false, metrics, ...extra },
    });
    for (const e of args.endpoints) {
        const ep = ["EndpointName", e.endpointName, "VariantName", e.variantName];
        row(
            [
                {
                    type: "text",
                    properties: {
                        markdown:
                            `## Endpoint ${e.endpoint} (${e.endpointName})\n` +
                            "Time to first token: the serving containers publish no CloudWatch metric for it; ModelLatency is the whole response.",
                    },
                },
            ],
            2,
        );
        row([
            graph(`${e.endpoint}: instances`, [
                [EP_NS, "CPUUtilization", ...ep, { stat: "SampleCount", label: "instances (samples per period)" }],
            ]),
            graph(
                `${e.endpoint}: GPU utilization and memory (%)`,
                [
                    [EP_NS, "GPUUtilizationNormalized", ...ep, { stat: "Average" }],
                    [EP_NS, "GPUMemoryUtilizationNormalized", ...ep, { stat: "Average" }],
                ],
                { yAxis: { left: { min: 0, max: 100 } } },
            ),
        ]);
        for (const m of args.models.filter((x) => x.endpoint === e.endpoint)) {
            const ic = ["InferenceComponentName", m.inferenceComponentName];
            const summed = m.adapterComponentNames.length <= ADAPTER_SUM_LIMIT;
            const adapters = summed ? m.adapterComponentNames : [];
            // Adapters share the base model's copies: their requests are summed into one line each.
            const adapterSum = (metric: string, id: string, label: string): unknown[] =>
                adapters.length === 0
                    ? []
                    : [
                          ...adapters.map((a, k) => [
                              SM,
                              metric,
                              "InferenceComponentName",
                              a,
                              { id: `${id}${k}`, stat: "Sum", visible: false },
                          ]),
                          [{ expression: `SUM([${adapters.map((_, k) => `${id}${k}`).join(",")}])`, label }],
                      ];
            const percentiles = (metric: string) =>
                ["p50", "p90", "p99"].map((stat) => [SM, metric, ...ic, { stat, label: `${metric} ${stat} (µs)` }]);
            row([
                graph(
                    summed
                        ? `${m.endpoint}/${m.model}: requests and errors`
                        : `${m.endpoint}/${m.model}: requests and errors (its ${m.adapterComponentNames.length} adapters not summed: over ${ADAPTER_SUM_LIMIT})`,
                    [
                        [SM, "Invocations", ...ic, { stat: "Sum" }],
                        [SM, "Invocation4XXErrors", ...ic, { stat: "Sum" }],
                        [SM, IC_ERRORS_METRIC, ...ic, { stat: "Sum" }],
                        ...adapterSum("Invocations", "ai", `adapters (${adapters.length}): Invocations`),
                        ...adapterSum(IC_ERRORS_METRIC, "ae", `adapters (${adapters.length}): ${IC_ERRORS_METRIC}`),
                    ],
                ),
                graph(`${m.endpoint}/${m.model}: model latency`, percentiles(IC_LATENCY_METRIC)),
                graph(`${m.endpoint}/${m.model}: overhead latency`, percentiles("OverheadLatency")),
            ]);
            row([
                graph(`${m.endpoint}/${m.model}: copies and no-capacity failures`, [
                    [
                        IC_NS,
                        "CPUUtilizationNormalized",
                        ...ic,
                        { stat: "SampleCount", label: "copies (samples per period)" },
                    ],
                    [SM, NO_CAPACITY_METRIC, ...ic, { stat: "Sum", yAxis: "right" }],
                ]),
                graph(
                    `${m.endpoint}/${m.model}: GPU utilization and memory per copy (%)`,
                    [
                        [IC_NS, "GPUUtilizationNormalized", ...ic, { stat: "Average" }],
                        [IC_NS, "GPUMemoryUtilizationNormalized", ...ic, { stat: "Average" }],
                    ],
                    { yAxis: { left: { min: 0, max: 100 } } },
                ),
            ]);
        }
    }
    return { widgets };
}

/**
 * A stack's CloudWatch dashboard (one, whatever the fleet's size) and each base model's SLO alarms: ModelLatency
 * p99 over its budget, the 5xx share of its requests over a bound, and, for a model that scales to zero,
 * no-capacity failures that outlast a wake. Alarms notify `topicArn` when one is given.
 */
export class FleetObservability extends pulumi.ComponentResource {
    public readonly dashboard: aws.cloudwatch.Dashboard;
    /** The dashboard's address in the CloudWatch console, known before deployment. */
    public readonly dashboardUrl: string;
    public readonly dashboardName: string;
    /** `<endpoint>/<model>` -> its SLO alarms. */
    public readonly alarms: ReadonlyMap<string, aws.cloudwatch.MetricAlarm[]>;

    constructor(name: string, args: FleetObservabilityArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const d = OBSERVABILITY_DEFAULTS;
        new ArgsCheck("FleetObservability", name)
            .range("args.errorRatePercent", args.errorRatePercent, 0, 100, "percent")
            .range("args.latencyMs", args.latencyMs, 1, Number.MAX_SAFE_INTEGER, "ms")
            .done();
        super("fm-fleet:cloudwatch:FleetObservability", name, {}, opts);
        const region = args.region ?? new pulumi.Config("aws").get("region") ?? process.env.AWS_REGION ?? "us-east-1";
        const period = args.periodSeconds ?? d.periodSeconds;
        const names = new ChildNames("fm-fleet:cloudwatch:FleetObservability", name, args.nameParts ?? partsOf(name));
        // Dashboard names: up to 255 letters, digits, hyphens and underscores (PutDashboard).
        this.dashboardName = names.name("dashboard", { maxLength: 255 });
        this.dashboardUrl = dashboardUrl(region, this.dashboardName);
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: this.dashboardName,
                dashboardBody: JSON.stringify(
                    dashboardBody({ endpoints: args.endpoints, models: args.models, region, periodSeconds: period }),
                ),
            },
            { parent: this },
        );

        const actions = args.topicArn ? { alarmActions: [args.topicArn], okActions: [args.topicArn] } : {};
        const alarms = new Map<string, aws.cloudwatch.MetricAlarm[]>();
        for (const m of args.models) {
            const key = `${m.endpoint}/${m.model}`;
            const alarmName = (what: string) =>
                names.name(`${key}/${what}`, { extra: [m.endpoint, m.model, what], maxLength: ALARM_NAME_MAX });
            const ic = { InferenceComponentName: m.inferenceComponentName };
            const common = {
                treatMissingData: "notBreaching",
                evaluationPeriods: d.evaluationMinutes,
                datapointsToAlarm: d.breachingMinutes,
                comparisonOperator: "GreaterThanThreshold",
                tags: { ...args.tags },
                ...actions,
            };
            const budget = latencyBudget(m.slo, args.latencyMs ?? d.latencyMs);
            const errorRate = args.errorRatePercent ?? d.errorRatePercent;
            const list = [
                new aws.cloudwatch.MetricAlarm(
                    `${name}/${key}-latency`,
                    {
                        ...common,
                        name: alarmName("slo-latency"),
                        alarmDescription: `${key}: ModelLatency p99 above ${budget.ms} ms (${budget.basis}) in ${d.breachingMinutes} of ${d.evaluationMinutes} minutes.`,
                        namespace: SM,
                        metricName: IC_LATENCY_METRIC,
                        dimensions: ic,
                        extendedStatistic: "p99",
                        period: 60,
                        // ModelLatency is reported in microseconds.
                        threshold: budget.ms * 1000,
                    },
                    { parent: this },
                ),
                new aws.cloudwatch.MetricAlarm(
                    `${name}/${key}-errors`,
                    {
                        ...common,
                        name: alarmName("slo-errors"),
                        alarmDescription: `${key}: more than ${errorRate}% of requests answered 5xx in ${d.breachingMinutes} of ${d.evaluationMinutes} minutes.`,
                        threshold: errorRate,
                        metricQueries: [
                            {
                                id: "errors",
                                metric: {
                                    namespace: SM,
                                    metricName: IC_ERRORS_METRIC,
                                    dimensions: ic,
                                    stat: "Sum",
                                    period: 60,
                                },
                            },
                            {
                                id: "requests",
                                metric: {
                                    namespace: SM,
                                    metricName: "Invocations",
                                    dimensions: ic,
                                    stat: "Sum",
                                    period: 60,
                                },
                            },
                            {
                                id: "rate",
                                expression: "100 * errors / requests",
                                label: "5xx share of requests (%)",
                                returnData: true,
                            },
                        ],
                    },
                    { parent: this },
                ),
            ];
            if (m.scalesToZero) {
                // A wake fails requests for as long as a cold start takes; only failures beyond it are an outage.
                const minutes = sustainedWakeMinutes(m.slo);
                list.push(
                    new aws.cloudwatch.MetricAlarm(
                        `${name}/${key}-no-capacity`,
                        {
                            ...common,
                            name: alarmName("slo-no-capacity"),
                            alarmDescription: `${key}: requests found no copy in each of ${minutes} consecutive minutes, longer than a wake (${m.slo?.maxColdStartSeconds ?? d.wakeSeconds} s).`,
                            namespace: SM,
                            metricName: NO_CAPACITY_METRIC,
                            dimensions: ic,
                            statistic: "Sum",
                            period: 60,
                            evaluationPeriods: minutes,
                            datapointsToAlarm: minutes,
                            comparisonOperator: "GreaterThanOrEqualToThreshold",
                            threshold: 1,
                        },
                        { parent: this },
                    ),
                );
            }
            alarms.set(key, list);
        }
        this.alarms = alarms;
        this.registerOutputs({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl });
    }
}
