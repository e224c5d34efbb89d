import * as assert from "node:assert/strict";
import { observabilityRequired } from "../../policies/observability";
import { TYPES } from "../../lib/contract";
import { stackViolations, UNKNOWN_STRING } from "../helpers/policy-args";
import { stackWith } from "../helpers/policy-fixtures";

const IC = "chat-llama-ic-1234567";

const MISSING_ALARM =
    `Inference component "${IC}" must have an alarm on a latency percentile (ModelLatency, namespace AWS/SageMaker, dimension InferenceComponentName=${IC}), got none. ` +
    "Add one with extendedStatistic p99 and a threshold from the model's SLO (fm-fleet: the Fleet's SLO alarms, from slo or fleet.alarms.latencyMs). @ chat-llama-ic";

describe("observability policies", () => {
    describe("observability-required", () => {
        // The happy stack has a dashboard and a ModelLatency p99 alarm on its base IC: what the rule asks for.
        it("passes a stack with a dashboard and a latency percentile alarm per base model (adapters need none)", async () => {
            assert.deepEqual(await stackViolations(observabilityRequired, stackWith()), []);
        });

        it("passes a stack without inference components", async () => {
            assert.deepEqual(
                await stackViolations(
                    observabilityRequired,
                    stackWith((s) => {
                        delete s.ic;
                        delete s.adapter;
                    }),
                ),
                [],
            );
        });

        it("fails a stack without a dashboard, and a base model without a latency alarm", async () => {
            const bare = stackWith((s) => {
                delete s.dashboard;
                delete s.latency;
            });
            assert.deepEqual(await stackViolations(observabilityRequired, bare), [
                "The stack must have a CloudWatch dashboard for its 1 base inference component, got none. " +
                    "Add an aws.cloudwatch.Dashboard with each base model's requests, errors, latency and copies (fm-fleet's Fleet declares one).",
                MISSING_ALARM,
            ]);
        });

        it("does not count an average latency alarm (a rollback alarm): averages hide the tail", async () => {
            const stack = stackWith((s) => {
                delete s.latency.props.extendedStatistic;
                s.latency.props.statistic = "Average";
            });
            assert.deepEqual(await stackViolations(observabilityRequired, stack), [MISSING_ALARM]);
        });

        it("counts a metric-math alarm of either provider and an aws-native dashboard", async () => {
            const aws = stackWith((s) => {
                s.latency.props = {
                    metricQueries: [
                        {
                            id: "m",
                            metric: {
                                namespace: "AWS/SageMaker",
                                metricName: "ModelLatency",
                                dimensions: { InferenceComponentName: IC },
                                stat: "p90",
                                period: 60,
                            },
                        },
                    ],
                };
            });
            assert.deepEqual(await stackViolations(observabilityRequired, aws), []);
            const native = stackWith((s) => {
                s.dashboard.type = "aws-native:cloudwatch:Dashboard";
                s.latency = {
                    type: TYPES.nativeAlarm,
                    name: "chat-llama-latency",
                    props: {
                        metrics: [
                            {
                                id: "m",
                                metricStat: {
                                    metric: {
                                        namespace: "AWS/SageMaker",
                                        metricName: "ModelLatency",
                                        dimensions: [{ name: "InferenceComponentName", value: IC }],
                                    },
                                    stat: "p99",
                                    period: 60,
                                },
                            },
                        ],
                    },
                };
            });
            assert.deepEqual(await stackViolations(observabilityRequired, native), []);
        });

        it("takes the latency metrics from its config (a container's TTFT metric)", async () => {
            const stack = stackWith((s) => {
                s.latency.props.metricName = "TimeToFirstToken";
            });
            assert.deepEqual(await stackViolations(observabilityRequired, stack), [MISSING_ALARM]);
            assert.deepEqual(
                await stackViolations(observabilityRequired, stack, {
                    latencyMetrics: ["ModelLatency", "TimeToFirstToken"],
                }),
                [],
            );
        });

        it("skips a model whose alarm's deciding values are unknown (preview) instead of failing it", async () => {
            const stack = stackWith((s) => {
                s.latency.props.dimensions = { InferenceComponentName: UNKNOWN_STRING };
            });
            assert.deepEqual(await stackViolations(observabilityRequired, stack), []);
        });
    });
});
