import * as assert from "node:assert/strict";
import { dashboardBody, Fleet, FleetObservability, latencyBudget, sustainedWakeMinutes } from "../../components";
import { validFleet } from "../helpers/configs";
import { find, inputsOf, namesOf, underMocks } from "../helpers/pulumi";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:fm-fleet-oncall";

/** The valid fleet with many adapters, an SLO on its model and an alarm topic. */
function observedFleet(adapters = 40): any {
    const fleet = validFleet();
    const model = fleet.endpoints[0].foundationModels[0];
    model.adapters = Array.from({ length: adapters }, (_, i) => ({
        name: `team-${i}`,
        artifactUrl: `s3://models/adapters/team-${i}.tar.gz`,
    }));
    model.slo = { ttftMs: 500, tokensPerSecond: 20, maxColdStartSeconds: 300 };
    fleet.alarms = { topicArn: TOPIC };
    fleet.metrics = { enhanced: true, publishFrequencySeconds: 10 };
    return fleet;
}

describe("FleetObservability", () => {
    it("gives a stack one dashboard whose widgets cover each endpoint and base model, adapters summed", async () => {
        const { result, resources } = await underMocks(
            () => new Fleet("fleet", { fleet: observedFleet(), costCenter: "ml" }),
        );
        assert.deepEqual(namesOf(resources, DASHBOARD), ["fleet-observability-dashboard"]);
        const inputs = inputsOf(find(resources, DASHBOARD, "fleet-observability-dashboard"));
        assert.equal(inputs.dashboardName, result.observability!.dashboardName);
        assert.match(inputs.dashboardName, /^fleet-[0-9a-f]{8}$/);
        assert.equal(
            result.dashboardUrl,
            `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/${inputs.dashboardName}`,
        );
        const body = JSON.parse(inputs.dashboardBody);
        const titles = body.widgets.filter((w: any) => w.type === "metric").map((w: any) => w.properties.title);
        assert.deepEqual(titles, [
            "chat: instances",
            "chat: GPU utilization and memory (%)",
            "chat/llama3-8b: requests and errors",
            "chat/llama3-8b: model latency",
            "chat/llama3-8b: overhead latency",
            "chat/llama3-8b: copies and no-capacity failures",
            "chat/llama3-8b: GPU utilization and memory per copy (%)",
        ]);
        // Every metric widget plots at the fleet's publish frequency, in the stack's region.
        for (const w of body.widgets.filter((x: any) => x.type === "metric")) {
            assert.equal(w.properties.period, 10);
            assert.equal(w.properties.region, "us-east-1");
        }
        const requests = body.widgets.find((w: any) => w.properties.title === "chat/llama3-8b: requests and errors");
        const visible = requests.properties.metrics.filter((m: any[]) => m[m.length - 1]?.visible !== false);
        assert.deepEqual(
            visible.map((m: any[]) => (m[0].expression ? m[0].label : m[1])),
            [
                "Invocations",
                "Invocation4XXErrors",
                "Invocation5XXErrors",
                "adapters (40): Invocations",
                "adapters (40): Invocation5XXErrors",
            ],
        );
        const latency = body.widgets.find((w: any) => w.properties.title === "chat/llama3-8b: model latency");
        const ic = result.endpointNames.chat.models["llama3-8b"].inferenceComponentName;
        assert.deepEqual(latency.properties.metrics, [
            [
                "AWS/SageMaker",
                "ModelLatency",
                "InferenceComponentName",
                ic,
                { stat: "p50", label: "ModelLatency p50 (µs)" },
            ],
            [
                "AWS/SageMaker",
                "ModelLatency",
                "InferenceComponentName",
                ic,
                { stat: "p90", label: "ModelLatency p90 (µs)" },
            ],
            [
                "AWS/SageMaker",
                "ModelLatency",
                "InferenceComponentName",
                ic,
                { stat: "p99", label: "ModelLatency p99 (µs)" },
            ],
        ]);
    });

    it("alarms per base model on ModelLatency p99 over the SLO's budget, the 5xx share, and a wake that never ends", async () => {
        const { result, resources } = await underMocks(
            () => new Fleet("fleet", { fleet: observedFleet(), costCenter: "ml" }),
        );
        const ic = result.endpointNames.chat.models["llama3-8b"].inferenceComponentName;
        const alarms = namesOf(resources, ALARM).filter((n) => n.startsWith("fleet-observability/"));
        assert.deepEqual(alarms.sort(), [
            "fleet-observability/chat/llama3-8b-errors",
            "fleet-observability/chat/llama3-8b-latency",
            "fleet-observability/chat/llama3-8b-no-capacity",
        ]);
        const latency = inputsOf(find(resources, ALARM, "fleet-observability/chat/llama3-8b-latency"));
        assert.deepEqual(
            { ...latency, name: undefined, tags: undefined },
            {
                name: undefined,
                tags: undefined,
                alarmDescription:
                    "chat/llama3-8b: ModelLatency p99 above 13300 ms (SLO TTFT 500 ms + 256 tokens at 20 tokens/s) in 3 of 5 minutes.",
                namespace: "AWS/SageMaker",
                metricName: "ModelLatency",
                dimensions: { InferenceComponentName: ic },
                extendedStatistic: "p99",
                period: 60,
                threshold: 13_300_000,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [TOPIC],
                okActions: [TOPIC],
            },
        );
        assert.deepEqual(latency.tags, { "cost-center": "ml" });
        const errors = inputsOf(find(resources, ALARM, "fleet-observability/chat/llama3-8b-errors"));
        assert.equal(errors.threshold, 1);
        assert.deepEqual(
            errors.metricQueries.map((q: any) => q.expression ?? q.metric.metricName),
            ["Invocation5XXErrors", "Invocations", "100 * errors / requests"],
        );
        const wake = inputsOf(find(resources, ALARM, "fleet-observability/chat/llama3-8b-no-capacity"));
        // A 300 s cold start fails requests for up to 5 minutes: 6 breaching minutes in a row are an outage.
        assert.deepEqual(
            [
                wake.metricName,
                wake.statistic,
                wake.period,
                wake.evaluationPeriods,
                wake.datapointsToAlarm,
                wake.threshold,
            ],
            ["NoCapacityInvocationFailures", "Sum", 60, 6, 6, 1],
        );
    });

    it("alarms a model that keeps copies on latency and errors only, with the fleet's defaults", async () => {
        const fleet = validFleet();
        fleet.endpoints[0].instances.min = 1;
        fleet.endpoints[0].foundationModels[0].copies.min = 1;
        const { resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }));
        assert.deepEqual(
            namesOf(resources, ALARM)
                .filter((n) => n.startsWith("fleet-observability/"))
                .sort(),
            ["fleet-observability/chat/llama3-8b-errors", "fleet-observability/chat/llama3-8b-latency"],
        );
        const latency = inputsOf(find(resources, ALARM, "fleet-observability/chat/llama3-8b-latency"));
        assert.equal(latency.threshold, 30_000_000);
        assert.equal(latency.alarmActions, undefined);
    });

    it("declares no dashboard for a stack without inference-component endpoints", async () => {
        const fleet = validFleet();
        delete fleet.endpoints;
        const { result, resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }));
        assert.deepEqual(namesOf(resources, DASHBOARD), []);
        assert.equal(result.dashboardUrl, undefined);
    });

    it("derives budgets and wake windows from the SLO, and keeps widgets per model whatever the adapter count", () => {
        assert.deepEqual(latencyBudget({ ttftMs: 1000 }, 30_000), { ms: 1000, basis: "SLO TTFT 1000 ms" });
        assert.deepEqual(latencyBudget({ maxColdStartSeconds: 60 }, 30_000), {
            ms: 30_000,
            basis: "no TTFT or tokens/s SLO: the fleet's default of 30000 ms",
        });
        assert.equal(sustainedWakeMinutes(undefined), 11);
        const widgetsFor = (adapters: number) =>
            dashboardBody({
                endpoints: [{ endpoint: "chat", endpointName: "chat-1", variantName: "AllTraffic" }],
                models: [
                    {
                        endpoint: "chat",
                        model: "m",
                        inferenceComponentName: "chat-m-1",
                        adapterComponentNames: Array.from({ length: adapters }, (_, i) => `chat-m-a${i}`),
                        scalesToZero: false,
                    },
                ],
                region: "eu-west-1",
                periodSeconds: 60,
            }).widgets.length;
        assert.equal(widgetsFor(0), 8);
        assert.equal(widgetsFor(200), 8);
        // Past 200 adapters a graph would pass CloudWatch's 500 metrics: the graph says they are not summed.
        const many = dashboardBody({
            endpoints: [{ endpoint: "chat", endpointName: "chat-1", variantName: "AllTraffic" }],
            models: [
                {
                    endpoint: "chat",
                    model: "m",
                    inferenceComponentName: "chat-m-1",
                    adapterComponentNames: Array.from({ length: 201 }, (_, i) => `chat-m-a${i}`),
                    scalesToZero: false,
                },
            ],
            region: "eu-west-1",
            periodSeconds: 60,
        }).widgets.find((w: any) => String(w.properties.title).startsWith("chat/m: requests")) as any;
        assert.equal(many.properties.title, "chat/m: requests and errors (its 201 adapters not summed: over 200)");
        assert.equal(many.properties.metrics.length, 3);
    });

    it("refuses an error rate outside 0-100 percent before registering anything", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () => new FleetObservability("obs", { endpoints: [], models: [], errorRatePercent: 150 }),
                (e: unknown) =>
                    e instanceof Error &&
                    e.message ===
                        'Invalid arguments for FleetObservability "obs" (1 error):\n' +
                            "  - args.errorRatePercent: must be between 0 and 100 percent, got 150. Pick a value in that range.",
            ),
        );
        assert.equal(resources.length, 0);
    });
});
