import * as assert from "node:assert/strict";
import { ComponentArgsError, FoundationModel, FoundationModelArgs } from "../../components";
import { TYPES } from "../../lib/contract";
import { LMI_IMAGE } from "../helpers/configs";
import { find, inputsOf, underMocks } from "../helpers/pulumi";

const base: FoundationModelArgs = {
    endpointName: "chat-1234abcd",
    variantName: "AllTraffic",
    executionRoleArn: "arn:aws:iam::123456789012:role/fleet-role",
    image: LMI_IMAGE,
    modelDataUrl: "s3://models/llama3-70b/",
    parametersBillions: 70,
    quantization: "awq",
    accelerators: 4,
    memoryMb: 65536,
    copies: { min: 1, max: 4 },
    nameParts: ["chat", "llama"],
    tags: { "cost-center": "ml" },
};

describe("FoundationModel rollout and placement", () => {
    it("rolls out in batches, rolling back on alarms it creates on the component's 5xx errors and latency", async () => {
        const { result, resources } = await underMocks(
            () =>
                new FoundationModel("m", {
                    ...base,
                    rollout: {
                        maxBatch: { type: "percent", value: 25 },
                        waitSeconds: 120,
                        timeoutSeconds: 1800,
                        rollbackBatch: { type: "copies", value: 2 },
                        alarms: { errorsPerMinute: 3, latencyMs: 8000 },
                    },
                    placement: { strategy: "spread", maxImbalance: 1 },
                }),
        );
        const icName = result.physicalNames.inferenceComponent;
        const errors = find(resources, TYPES.metricAlarm, "m-rollback-errors");
        const latency = find(resources, TYPES.metricAlarm, "m-rollback-latency");
        const alarmNames = [inputsOf(errors).name, inputsOf(latency).name];
        assert.match(alarmNames[0], /^chat-llama-rollback-errors-[0-9a-f]{8}$/);
        assert.match(alarmNames[1], /^chat-llama-rollback-latency-[0-9a-f]{8}$/);
        const common = {
            namespace: "AWS/SageMaker",
            dimensions: { InferenceComponentName: icName },
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            tags: { "cost-center": "ml" },
        };
        assert.deepEqual(inputsOf(errors), {
            ...common,
            name: alarmNames[0],
            alarmDescription: "Rolls an update of the inference component back when it answers with 5xx errors.",
            metricName: "Invocation5XXErrors",
            statistic: "Sum",
            threshold: 3,
        });
        assert.deepEqual(inputsOf(latency), {
            ...common,
            name: alarmNames[1],
            alarmDescription: "Rolls an update of the inference component back when its model slows down.",
            metricName: "ModelLatency",
            statistic: "Average",
            threshold: 8_000_000,
        });
        const ic = find(resources, TYPES.inferenceComponent, "m-ic");
        assert.deepEqual(inputsOf(ic).deploymentConfig, {
            rollingUpdatePolicy: {
                maximumBatchSize: { type: "CAPACITY_PERCENT", value: 25 },
                waitIntervalInSeconds: 120,
                maximumExecutionTimeoutInSeconds: 1800,
                rollbackMaximumBatchSize: { type: "COPY_COUNT", value: 2 },
            },
            autoRollbackConfiguration: { alarms: alarmNames.map((alarmName) => ({ alarmName })) },
        });
        assert.deepEqual(inputsOf(ic).specification.schedulingConfig, {
            placementStrategy: "SPREAD",
            availabilityZoneBalance: { enforcementMode: "PERMISSIVE", maxImbalance: 1 },
        });
        // The alarms exist before the component names them.
        for (const alarm of [errors, latency]) assert.ok(ic.dependencies.includes(alarm.urn), alarm.name);
    });

    it("states the defaults and leaves both out when not asked", async () => {
        const defaults = await underMocks(
            () =>
                new FoundationModel("m", {
                    ...base,
                    rollout: { maxBatch: { type: "copies", value: 1 } },
                    placement: { strategy: "binpack" },
                }),
        );
        const ic = inputsOf(find(defaults.resources, TYPES.inferenceComponent, "m-ic"));
        assert.deepEqual(ic.deploymentConfig.rollingUpdatePolicy, {
            maximumBatchSize: { type: "COPY_COUNT", value: 1 },
            waitIntervalInSeconds: 300,
            maximumExecutionTimeoutInSeconds: 3600,
        });
        assert.equal(inputsOf(find(defaults.resources, TYPES.metricAlarm, "m-rollback-errors")).threshold, 1);
        assert.equal(inputsOf(find(defaults.resources, TYPES.metricAlarm, "m-rollback-latency")).threshold, 10_000_000);
        assert.deepEqual(ic.specification.schedulingConfig, {
            placementStrategy: "BINPACK",
            availabilityZoneBalance: { enforcementMode: "PERMISSIVE" },
        });
        const none = await underMocks(() => new FoundationModel("m", base));
        const plain = inputsOf(find(none.resources, TYPES.inferenceComponent, "m-ic"));
        assert.equal(plain.deploymentConfig, undefined);
        assert.equal(plain.specification.schedulingConfig, undefined);
        assert.equal(none.resources.filter((r) => r.type === TYPES.metricAlarm).length, 0);
    });

    it("refuses batches, waits and timeouts outside the API's ranges, registering nothing", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () =>
                    new FoundationModel("m", {
                        ...base,
                        rollout: { maxBatch: { type: "percent", value: 60 }, timeoutSeconds: 300, waitSeconds: -1 },
                        placement: { strategy: "spread", maxImbalance: 101 },
                    }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    e.message ===
                        'Invalid arguments for FoundationModel "m" (4 errors):\n' +
                            "  - args.rollout.maxBatch.value: must be between 5 and 50 percent of the copies, got 60. Pick a value in that range.\n" +
                            "  - args.rollout.waitSeconds: must be between 0 and 3600 seconds, got -1. Pick a value in that range.\n" +
                            "  - args.rollout.timeoutSeconds: must be between 600 and 28800 seconds, got 300. Pick a value in that range.\n" +
                            "  - args.placement.maxImbalance: must be between 0 and 100 copies, got 101. Pick a value in that range.",
            ),
        );
        assert.equal(resources.length, 0);
    });
});
