import * as assert from "node:assert/strict";
import { optimizationJobCost, stackCost } from "../../lib/cost";
import { PlannedEndpoint, PlannedOptimizationJob } from "../../tools/plan/fleet-view";
import type { PlanResult } from "../../tools/plan/plan";
import { renderTree } from "../../tools/plan/report/table";

const AWQ_JOB = {
    name: "chat-llama3-70b-opt-1a2b3c4d",
    instanceType: "ml.g5.12xlarge",
    instanceCount: 1,
    hours: 2,
    hoursSource: "tag fmfleet:estimated-hours",
    techniques: ["Quantization"],
};

describe("optimization job cost", () => {
    it("prices a quantization job once: the deployment type's hourly rate x instances x hours, dated", () => {
        assert.deepEqual(optimizationJobCost(AWQ_JOB), {
            ...AWQ_JOB,
            usdPerHour: 7.09,
            priceAsOf: "2024-03-26",
            oneTimeUsd: 7.09 * 2,
        });
        assert.equal(optimizationJobCost({ ...AWQ_JOB, instanceCount: 2, hours: 3 }).oneTimeUsd, 7.09 * 6);
    });

    it("leaves a job whose hours are not known unpriced, instead of pricing it at nothing", () => {
        const cost = stackCost([], [{ ...AWQ_JOB, hours: undefined, hoursSource: "unknown" }]);
        assert.equal(cost.optimizationJobs[0].oneTimeUsd, undefined);
        assert.deepEqual(cost.unpriced, [`${AWQ_JOB.name} (ml.g5.12xlarge)`]);
    });

    it("prices speculative decoding alone at nothing, and names a job whose type has no price", () => {
        assert.equal(optimizationJobCost({ ...AWQ_JOB, techniques: ["SpeculativeDecoding"] }).oneTimeUsd, 0);
        const cost = stackCost([], [AWQ_JOB, { ...AWQ_JOB, name: "odd", instanceType: "ml.g7.2xlarge" }]);
        assert.equal(cost.oneTimeUsd, 7.09 * 2);
        assert.deepEqual(cost.unpriced, ["odd (ml.g7.2xlarge)"]);
        assert.deepEqual(cost.priceDates, { "ml.g5.12xlarge": "2024-03-26" });
        assert.equal(cost.idleFloorUsd, 0, "a job adds nothing to the monthly figures");
    });
});

describe("the plan's tree with an optimization job", () => {
    const job: PlannedOptimizationJob = {
        resourceName: "fleet/chat/llama3-70b-optimization",
        optimizationJobName: AWQ_JOB.name,
        instanceType: "ml.g5.12xlarge",
        instanceCount: 1,
        techniques: ["Quantization"],
        quantization: "awq",
        sourceUrl: "s3://models/llama3-70b/",
        outputUrl: "s3://models/llama3-70b-awq/",
        hours: { value: 2, source: "tag fmfleet:estimated-hours" },
    };
    const endpoint: PlannedEndpoint = {
        kind: "inference-components",
        resourceName: "fleet/chat-endpoint",
        endpointName: "chat-1",
        endpointConfigName: "chat-2",
        modelName: undefined,
        instanceType: "ml.g5.12xlarge",
        fallbackInstanceTypes: [],
        scaleIn: undefined,
        instances: { min: 1, max: 2 },
        routing: "LEAST_OUTSTANDING_REQUESTS",
        models: [
            {
                resourceName: "fleet/chat/llama3-70b-ic",
                inferenceComponentName: "chat-llama3-70b-3",
                modelName: "chat-llama3-70b-4",
                parametersBillions: 70,
                quantization: "awq",
                accelerators: 4,
                copies: { min: 1, max: 2 },
                scalingMetric: undefined,
                wakeAlarm: false,
                rollout: undefined,
                placement: undefined,
                adapters: [],
                guard: undefined,
                optimizationJob: job,
                performance: {
                    ttftMs: 420,
                    tokensPerSecond: 12.5,
                    coldStartSeconds: 420,
                    source: "estimate",
                    measured: [],
                    reason: null,
                },
                slo: {},
            },
        ],
        modelCount: 1,
        adapterCount: 0,
    };

    it("shows input model -> job -> served model under the model it feeds, with its one-time cost", () => {
        const result = {
            stack: "prod",
            resources: [],
            fleet: [endpoint],
            optimizationJobs: [job],
            cost: stackCost([], [AWQ_JOB]),
        } as unknown as PlanResult;
        assert.deepEqual(renderTree(result, 10), [
            "Fleet (stack prod, 0 resources)",
            "└─ endpoint chat-1: ml.g5.12xlarge x 1-2, LEAST_OUTSTANDING_REQUESTS",
            "   │  config chat-2",
            "   └─ inference component chat-llama3-70b-3 (model chat-llama3-70b-4): 70B awq, 4 accelerators/copy, copies 1-2 on no autoscaling",
            "      ├─ latency: TTFT 420 ms, 12.5 tokens/s, cold start 420 s (estimate)",
            `      └─ weights from optimization job ${AWQ_JOB.name}: s3://models/llama3-70b/ -> Quantization (awq) for ml.g5.12xlarge -> s3://models/llama3-70b-awq/, one-time $14 (2 h)`,
        ]);
    });

    it("lists a job that no model serves on its own", () => {
        const result = {
            stack: "prod",
            resources: [],
            fleet: [],
            optimizationJobs: [job],
            cost: stackCost([], [AWQ_JOB]),
        } as unknown as PlanResult;
        assert.deepEqual(renderTree(result, 10), [
            "Fleet (stack prod, 0 resources)",
            `   optimization job ${AWQ_JOB.name} (no model serves its output): s3://models/llama3-70b/ -> Quantization (awq) for ml.g5.12xlarge -> s3://models/llama3-70b-awq/, one-time $14 (2 h)`,
        ]);
    });
});
