import * as assert from "node:assert/strict";
import { TYPES } from "../../lib/contract";
import { availabilityZoneBalance, rollingUpdateSafe } from "../../policies/availability";
import { stackViolations, TestResource, UNKNOWN_NUMBER, UNKNOWN_STRING, violations } from "../helpers/policy-args";
import { happyStack, perInstanceType } from "../helpers/policy-fixtures";

const IC = "chat-llama-ic-1234567";

/** The happy stack with the base IC rolling out 25% per batch, watched by two alarms on it. */
function rolledOut(): Record<string, TestResource> {
    const stack = happyStack();
    stack.ic.props.deploymentConfig = {
        rollingUpdatePolicy: {
            maximumBatchSize: { type: "CAPACITY_PERCENT", value: 25 },
            waitIntervalInSeconds: 300,
            maximumExecutionTimeoutInSeconds: 3600,
        },
        autoRollbackConfiguration: { alarms: [{ alarmName: "chat-errors" }, { alarmName: "chat-latency" }] },
    };
    for (const [key, metricName] of [
        ["errors", "Invocation5XXErrors"],
        ["latency", "ModelLatency"],
    ]) {
        stack[`${key}Alarm`] = {
            type: TYPES.metricAlarm,
            name: `chat-llama-rollback-${key}`,
            props: {
                name: `chat-${key}`,
                namespace: "AWS/SageMaker",
                metricName,
                dimensions: { InferenceComponentName: IC },
            },
        };
    }
    return stack;
}

const run = (stack: Record<string, TestResource>, config: Record<string, unknown> = {}) =>
    stackViolations(rollingUpdateSafe, Object.values(stack), { requireRollout: false, ...config });

describe("rollout rules", () => {
    describe("rolling-update-safe", () => {
        it("passes a component without a rollout, and one rolling out within range on its own alarms", async () => {
            assert.deepEqual(await run(happyStack()), []);
            assert.deepEqual(await run(rolledOut(), { requireRollout: true }), []);
        });

        it("fails a base component without a rollout where one is required", async () => {
            assert.deepEqual(await run(happyStack(), { requireRollout: true }), [
                'Inference component "chat-llama-ic" must roll out in batches with rollback alarms, got no deploymentConfig.rollingUpdatePolicy. Set one with autoRollbackConfiguration alarms (fm-fleet: rollout in the stack config), or set rolling-update-safe.requireRollout to false for this stack. @ chat-llama-ic',
            ]);
        });

        it("fails a batch, a wait and a timeout outside the API's ranges", async () => {
            const stack = rolledOut();
            const policy = stack.ic.props.deploymentConfig.rollingUpdatePolicy;
            policy.maximumBatchSize.value = 60;
            policy.waitIntervalInSeconds = 4000;
            policy.maximumExecutionTimeoutInSeconds = 300;
            assert.deepEqual(await run(stack), [
                'Inference component "chat-llama-ic" must update 5-50% of its copies per batch, got 60%. Set rollingUpdatePolicy.maximumBatchSize.value within that range (fm-fleet: rollout.maxBatch). @ chat-llama-ic',
                'Inference component "chat-llama-ic" must set rollingUpdatePolicy.waitIntervalInSeconds between 0 and 3600 seconds, got 4000. Pick a value in that range (fm-fleet: rollout.waitSeconds). @ chat-llama-ic',
                'Inference component "chat-llama-ic" must set rollingUpdatePolicy.maximumExecutionTimeoutInSeconds between 600 and 28800 seconds, got 300. Pick a value in that range (fm-fleet: rollout.timeoutSeconds). @ chat-llama-ic',
            ]);
        });

        it("fails a rollback alarm the stack lacks, and one that watches another component", async () => {
            const stack = rolledOut();
            delete stack.errorsAlarm;
            stack.latencyAlarm.props.dimensions = { InferenceComponentName: "other-ic" };
            assert.deepEqual(await run(stack), [
                'Inference component "chat-llama-ic" rolls back on alarm "chat-errors", which the stack does not declare, got no CloudWatch alarm of that name. Declare it, or name one that exists: a missing alarm never rolls back. @ chat-llama-ic',
                `Inference component "chat-llama-ic" rolls back on alarm "chat-latency", which must watch this component (InferenceComponentName=${IC}), got other-ic. Point the alarm's dimension at this component. @ chat-llama-ic`,
            ]);
        });

        it("passes rollback alarms declared as aws-native:cloudwatch:Alarm, and fails one that watches another component", async () => {
            const stack = rolledOut();
            for (const key of ["errorsAlarm", "latencyAlarm"]) {
                const { name, dimensions, ...props } = stack[key].props;
                stack[key].type = TYPES.nativeAlarm;
                stack[key].props = {
                    ...props,
                    alarmName: name,
                    dimensions: Object.entries(dimensions).map(([n, value]) => ({ name: n, value })),
                };
            }
            assert.deepEqual(await run(stack, { requireRollout: true }), []);
            stack.latencyAlarm.props.dimensions = [{ name: "InferenceComponentName", value: "other-ic" }];
            assert.deepEqual(await run(stack), [
                `Inference component "chat-llama-ic" rolls back on alarm "chat-latency", which must watch this component (InferenceComponentName=${IC}), got other-ic. Point the alarm's dimension at this component. @ chat-llama-ic`,
            ]);
        });

        it("skips an alarm that may be the rollback alarm: its name or its dimension unknown", async () => {
            const stack = rolledOut();
            stack.errorsAlarm.props.name = UNKNOWN_STRING;
            stack.latencyAlarm.type = TYPES.nativeAlarm;
            stack.latencyAlarm.props = {
                alarmName: "chat-latency",
                dimensions: [{ name: UNKNOWN_STRING, value: "other-ic" }],
            };
            assert.deepEqual(await run(stack), []);
        });

        it("skips what is unknown during preview", async () => {
            const stack = rolledOut();
            stack.ic.props.deploymentConfig.rollingUpdatePolicy.maximumBatchSize.value = UNKNOWN_NUMBER;
            stack.latencyAlarm.props.dimensions = { InferenceComponentName: UNKNOWN_STRING };
            assert.deepEqual(await run(stack), []);
        });
    });

    describe("availability-zone-balance", () => {
        const withScheduling = (scheduling: unknown) => {
            const ic = happyStack().ic;
            ic.props.specification.schedulingConfig = scheduling;
            return ic;
        };
        const fix =
            "Set specification.schedulingConfig to SPREAD with availabilityZoneBalance.maxImbalance <= 1 (fm-fleet: placement: { strategy: spread, maxImbalance: 1 }).";

        it("passes SPREAD with a bounded imbalance, and adapters", async () => {
            const spread = withScheduling({
                placementStrategy: "SPREAD",
                availabilityZoneBalance: { enforcementMode: "PERMISSIVE", maxImbalance: 1 },
            });
            assert.deepEqual(await violations(availabilityZoneBalance, spread, { maxImbalance: 1 }), []);
            assert.deepEqual(await violations(availabilityZoneBalance, happyStack().adapter, { maxImbalance: 1 }), []);
        });

        it("fails no placement, BINPACK, and an unbounded or too large imbalance", async () => {
            const spreadMust = "must spread its copies across Availability Zones";
            const boundMust = "must bound its copies' imbalance between Availability Zones to 1";
            const cases: [scheduling: unknown, expected: string][] = [
                [undefined, `${spreadMust}, got no schedulingConfig.`],
                [
                    { placementStrategy: "BINPACK", availabilityZoneBalance: { enforcementMode: "PERMISSIVE" } },
                    `${spreadMust}, got placement BINPACK.`,
                ],
                [
                    { placementStrategy: "SPREAD", availabilityZoneBalance: { enforcementMode: "PERMISSIVE" } },
                    `${boundMust}, got no maxImbalance.`,
                ],
                [
                    {
                        placementStrategy: "SPREAD",
                        availabilityZoneBalance: { enforcementMode: "PERMISSIVE", maxImbalance: 3 },
                    },
                    `${boundMust}, got 3.`,
                ],
            ];
            for (const [scheduling, expected] of cases) {
                assert.deepEqual(
                    await violations(availabilityZoneBalance, withScheduling(scheduling), { maxImbalance: 1 }),
                    [`Inference component "chat-llama-ic" ${expected} ${fix}`],
                    JSON.stringify(scheduling),
                );
            }
        });

        it("checks every per-instance-type specification, naming each that does not spread", async () => {
            const spread = {
                placementStrategy: "SPREAD",
                availabilityZoneBalance: { enforcementMode: "PERMISSIVE", maxImbalance: 1 },
            };
            const ic = perInstanceType(["ml.g5.2xlarge", "ml.g6.2xlarge", "ml.g6e.2xlarge"], (entry, type) => {
                if (type === "ml.g5.2xlarge") entry.schedulingConfig = spread;
                if (type === "ml.g6e.2xlarge") entry.schedulingConfig = { ...spread, placementStrategy: "BINPACK" };
            });
            assert.deepEqual(await violations(availabilityZoneBalance, ic, { maxImbalance: 1 }), [
                'Inference component "chat-llama-ic" specification for ml.g6.2xlarge must spread its copies across Availability Zones, got no schedulingConfig. Set specifications[1].schedulingConfig to SPREAD with availabilityZoneBalance.maxImbalance <= 1 (fm-fleet: placement: { strategy: spread, maxImbalance: 1 }).',
                'Inference component "chat-llama-ic" specification for ml.g6e.2xlarge must spread its copies across Availability Zones, got placement BINPACK. Set specifications[2].schedulingConfig to SPREAD with availabilityZoneBalance.maxImbalance <= 1 (fm-fleet: placement: { strategy: spread, maxImbalance: 1 }).',
            ]);
            const allSpread = perInstanceType(["ml.g5.2xlarge"], (entry) => (entry.schedulingConfig = spread));
            assert.deepEqual(await violations(availabilityZoneBalance, allSpread, { maxImbalance: 1 }), []);
        });

        it("skips an unknown placement", async () => {
            assert.deepEqual(
                await violations(availabilityZoneBalance, withScheduling(UNKNOWN_STRING), { maxImbalance: 1 }),
                [],
            );
            assert.deepEqual(
                await violations(availabilityZoneBalance, withScheduling({ placementStrategy: UNKNOWN_STRING }), {
                    maxImbalance: 1,
                }),
                [],
            );
        });
    });
});
