import * as assert from "node:assert/strict";
import {
    allowedInstanceFamilies,
    costAllocationTags,
    maxInstancesPerEndpoint,
    monthlyCostBudget,
} from "../../policies/cost";
import { TYPES } from "../../lib/contract";
import { stackViolations, violations } from "../helpers/policy-args";
import { happyStack, shadowVariant, stackWith } from "../helpers/policy-fixtures";

describe("cost policies", () => {
    describe("allowed-instance-families", () => {
        it("passes an allowed family", async () => {
            assert.deepEqual(await violations(allowedInstanceFamilies, happyStack().config), []);
        });

        it("fails on a family outside the list, naming it and the fix", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].instanceType = "ml.p4d.24xlarge";
            assert.deepEqual(await violations(allowedInstanceFamilies, config), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must use an allowed instance family (g5, g6, g6e, inf2, m5, c5), got ml.p4d.24xlarge (family p4d). Pick a type from an allowed family, or ask the platform team to add p4d to allowed-instance-families.families.',
            ]);
        });

        it("fails a shadow variant outside the list, in either provider's shape, naming it as the shadow", async () => {
            const native = happyStack().config;
            native.props.shadowProductionVariants = [shadowVariant({ instanceType: "ml.p5.48xlarge" })];
            assert.deepEqual(await violations(allowedInstanceFamilies, native), [
                'Endpoint configuration "chat-config" shadow variant "Shadow" must use an allowed instance family (g5, g6, g6e, inf2, m5, c5), got ml.p5.48xlarge (family p5). Pick a type from an allowed family, or ask the platform team to add p5 to allowed-instance-families.families.',
            ]);
            const classic = {
                type: TYPES.endpointConfiguration,
                name: "classic-config",
                props: {
                    name: "classic-config-1234567",
                    productionVariants: [
                        { variantName: "a", modelName: "m", instanceType: "ml.g5.2xlarge", initialInstanceCount: 1 },
                    ],
                    shadowProductionVariants: [
                        { variantName: "s", modelName: "m", instanceType: "ml.p4d.24xlarge", initialInstanceCount: 1 },
                    ],
                },
            };
            assert.deepEqual(await violations(allowedInstanceFamilies, classic), [
                'Endpoint configuration "classic-config" shadow variant "s" must use an allowed instance family (g5, g6, g6e, inf2, m5, c5), got ml.p4d.24xlarge (family p4d). Pick a type from an allowed family, or ask the platform team to add p4d to allowed-instance-families.families.',
            ]);
        });

        it("uses the configured list", async () => {
            const config = happyStack().config;
            assert.equal((await violations(allowedInstanceFamilies, config, { families: ["g6"] })).length, 1);
        });
    });

    describe("max-instances-per-endpoint", () => {
        it("passes counts within the maximum", async () => {
            assert.deepEqual(await violations(maxInstancesPerEndpoint, happyStack().config, { maxInstances: 2 }), []);
        });

        it("fails when managed scaling may exceed the maximum", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].managedInstanceScaling.maxInstanceCount = 8;
            assert.deepEqual(await violations(maxInstancesPerEndpoint, config), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must have managedInstanceScaling.maxInstanceCount <= 4, got 8. Lower it, or raise max-instances-per-endpoint.maxInstances (4).',
            ]);
        });

        it("fails when a shadow variant's counts exceed the maximum, naming it as the shadow", async () => {
            const config = happyStack().config;
            config.props.shadowProductionVariants = [
                shadowVariant({
                    initialInstanceCount: 6,
                    managedInstanceScaling: { status: "ENABLED", minInstanceCount: 1, maxInstanceCount: 8 },
                }),
            ];
            assert.deepEqual(await violations(maxInstancesPerEndpoint, config), [
                'Endpoint configuration "chat-config" shadow variant "Shadow" must have initialInstanceCount <= 4, got 6. Lower it, or raise max-instances-per-endpoint.maxInstances (4).',
                'Endpoint configuration "chat-config" shadow variant "Shadow" must have managedInstanceScaling.maxInstanceCount <= 4, got 8. Lower it, or raise max-instances-per-endpoint.maxInstances (4).',
            ]);
        });

        it("fails when a variant's scalable target may exceed the maximum", async () => {
            const target = {
                type: TYPES.scalableTarget,
                name: "classic-target",
                props: {
                    resourceId: "endpoint/classic/variant/AllTraffic",
                    scalableDimension: "sagemaker:variant:DesiredInstanceCount",
                    maxCapacity: 6,
                },
            };
            assert.deepEqual(await violations(maxInstancesPerEndpoint, target, { maxInstances: 5 }), [
                'Scalable target "classic-target" (endpoint/classic/variant/AllTraffic) must have maxCapacity <= 5 instances, got 6. Lower it, or raise max-instances-per-endpoint.maxInstances (5).',
            ]);
        });
    });

    describe("max-instances-per-endpoint (aws-native autoscaling)", () => {
        it("fails when an aws-native scalable target may exceed the maximum", async () => {
            const target = {
                type: TYPES.nativeScalableTarget,
                name: "classic-target",
                props: {
                    serviceNamespace: "sagemaker",
                    resourceId: "endpoint/classic/variant/AllTraffic",
                    scalableDimension: "sagemaker:variant:DesiredInstanceCount",
                    minCapacity: 1,
                    maxCapacity: 6,
                },
            };
            assert.deepEqual(await violations(maxInstancesPerEndpoint, target, { maxInstances: 5 }), [
                'Scalable target "classic-target" (endpoint/classic/variant/AllTraffic) must have maxCapacity <= 5 instances, got 6. Lower it, or raise max-instances-per-endpoint.maxInstances (5).',
            ]);
        });
    });

    describe("monthly-cost-budget", () => {
        it("passes a stack under budget (idle $0, peak 2 x ml.g5.2xlarge = $2,212)", async () => {
            assert.deepEqual(
                await stackViolations(monthlyCostBudget, stackWith(), { maxIdleFloorUsd: 0, maxPeakCeilingUsd: 2300 }),
                [],
            );
        });

        it("fails on the idle floor and the peak ceiling, with the figures", async () => {
            const stack = stackWith(
                (s) => (s.config.props.productionVariants[0].managedInstanceScaling.minInstanceCount = 1),
            );
            assert.deepEqual(
                await stackViolations(monthlyCostBudget, stack, { maxIdleFloorUsd: 1000, maxPeakCeilingUsd: 2000 }),
                [
                    "Stack must idle under $1,000/month, got an idle floor of $1,106/month (chat-endpoint: 1-2 x ml.g5.2xlarge). Lower min instances (scale to zero where latency allows), or raise monthly-cost-budget.maxIdleFloorUsd.",
                    "Stack must peak under $2,000/month, got a peak ceiling of $2,212/month (chat-endpoint: 1-2 x ml.g5.2xlarge). Lower max instances or pick a cheaper instance type, or raise monthly-cost-budget.maxPeakCeilingUsd.",
                ],
            );
        });

        it("counts the peak of a managed variant without minInstanceCount, naming its idle floor as not counted", async () => {
            const stack = stackWith((s) => {
                const variant = s.config.props.productionVariants[0];
                variant.instanceType = "ml.g5.48xlarge";
                variant.managedInstanceScaling = { status: "ENABLED", maxInstanceCount: 40 };
            });
            // 40 x $20.36 x 730 = $594,512 at peak; no idle floor can be priced without a minimum.
            assert.deepEqual(
                await stackViolations(monthlyCostBudget, stack, { maxIdleFloorUsd: 50, maxPeakCeilingUsd: 2000 }),
                [
                    "Stack must peak under $2,000/month, got a peak ceiling of $594,512/month (chat-endpoint: up to 40 x ml.g5.48xlarge; idle floor not counted: chat-endpoint (no managedInstanceScaling.minInstanceCount)). Lower max instances or pick a cheaper instance type, or raise monthly-cost-budget.maxPeakCeilingUsd.",
                ],
            );
        });

        it("idles and peaks a variant under Application Auto Scaling at its target's minimum and maximum, in either provider", async () => {
            const autoscaled = (native: boolean) => [
                {
                    type: native ? TYPES.nativeEndpointConfig : TYPES.endpointConfiguration,
                    name: "classic-config",
                    props: {
                        [native ? "endpointConfigName" : "name"]: "classic-cfg",
                        productionVariants: [
                            { variantName: "AllTraffic", instanceType: "ml.g5.2xlarge", initialInstanceCount: 2 },
                        ],
                    },
                },
                {
                    type: native ? TYPES.nativeEndpoint : TYPES.endpoint,
                    name: "classic-endpoint",
                    props: { [native ? "endpointName" : "name"]: "classic-ep", endpointConfigName: "classic-cfg" },
                },
                {
                    type: native ? TYPES.nativeScalableTarget : TYPES.scalableTarget,
                    name: "classic-target",
                    props: {
                        serviceNamespace: "sagemaker",
                        resourceId: "endpoint/classic-ep/variant/AllTraffic",
                        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
                        minCapacity: 4,
                        maxCapacity: 6,
                    },
                },
            ];
            // 4 x $1.515 x 730 = $4,424 idle and 6 x = $6,636 at peak, though the variant starts with 2 instances.
            for (const native of [false, true]) {
                assert.deepEqual(
                    await stackViolations(monthlyCostBudget, autoscaled(native), {
                        maxIdleFloorUsd: 3000,
                        maxPeakCeilingUsd: 5000,
                    }),
                    [
                        "Stack must idle under $3,000/month, got an idle floor of $4,424/month (classic-endpoint: 4-6 x ml.g5.2xlarge). Lower min instances (scale to zero where latency allows), or raise monthly-cost-budget.maxIdleFloorUsd.",
                        "Stack must peak under $5,000/month, got a peak ceiling of $6,636/month (classic-endpoint: 4-6 x ml.g5.2xlarge). Lower max instances or pick a cheaper instance type, or raise monthly-cost-budget.maxPeakCeilingUsd.",
                    ],
                    native ? "aws-native" : "@pulumi/aws",
                );
            }
        });

        it("counts shadow variants in the idle floor and the peak, naming each", async () => {
            const stack = stackWith((s) => (s.config.props.shadowProductionVariants = [shadowVariant()]));
            // Shadow: 1 x $1.515 x 730 = $1,106 idle and at peak, beside production's 0-2.
            assert.deepEqual(
                await stackViolations(monthlyCostBudget, stack, { maxIdleFloorUsd: 1000, maxPeakCeilingUsd: 3000 }),
                [
                    'Stack must idle under $1,000/month, got an idle floor of $1,106/month (chat-endpoint: 0-2 x ml.g5.2xlarge; chat-endpoint shadow variant "Shadow": 1-1 x ml.g5.2xlarge). Lower min instances (scale to zero where latency allows), or raise monthly-cost-budget.maxIdleFloorUsd.',
                    'Stack must peak under $3,000/month, got a peak ceiling of $3,318/month (chat-endpoint: 0-2 x ml.g5.2xlarge; chat-endpoint shadow variant "Shadow": 1-1 x ml.g5.2xlarge). Lower max instances or pick a cheaper instance type, or raise monthly-cost-budget.maxPeakCeilingUsd.',
                ],
            );
        });

        it("uses the schema defaults when the host gives no config", async () => {
            const stack = stackWith(
                (s) =>
                    (s.config.props.productionVariants[0].managedInstanceScaling = {
                        status: "ENABLED",
                        minInstanceCount: 4,
                        maxInstanceCount: 4,
                    }),
            );
            // 4 x $1.515 x 730 = $4,424: under the default $5,000 idle floor.
            assert.deepEqual(await stackViolations(monthlyCostBudget, stack), []);
        });
    });

    describe("cost-allocation-tags", () => {
        it("passes tagged resources of both providers' tag shapes", async () => {
            const s = happyStack();
            for (const r of [s.config, s.endpoint, s.model, s.ic, s.adapter]) {
                assert.deepEqual(await violations(costAllocationTags, r), [], r.name);
            }
        });

        it("fails on a missing tag, naming the key", async () => {
            const ic = happyStack().ic;
            ic.props.tags = [{ key: "team", value: "a" }];
            assert.deepEqual(await violations(costAllocationTags, ic), [
                'InferenceComponent "chat-llama-ic" must carry the tags cost-center, got none for cost-center. Add cost-center=<value> (fm-fleet sets cost-center from fm-fleet:costCenter).',
            ]);
            const model = happyStack().model;
            delete model.props.tags;
            assert.deepEqual(await violations(costAllocationTags, model, { requiredTags: ["cost-center", "owner"] }), [
                'Model "chat-llama-model" must carry the tags cost-center, owner, got none for cost-center, owner. Add cost-center=<value>, owner=<value> (fm-fleet sets cost-center from fm-fleet:costCenter).',
            ]);
        });
    });
});
