import * as assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import {
    loadAwareRouting,
    modelSizeKnown,
    quantizationRequiredAboveSize,
    weightsFitAcceleratorMemory,
} from "../../policies/optimization";
import { ROOT } from "../helpers/configs";
import { stackViolations, violations } from "../helpers/policy-args";
import { happyStack, perInstanceType, shadowVariant, stackWith } from "../helpers/policy-fixtures";

/** The happy stack's base IC as a 70B model. */
function seventyB(s: ReturnType<typeof happyStack>) {
    s.ic.props.tags[1].value = "70";
    return s;
}

describe("optimization policies", () => {
    describe("quantization-required-above-size", () => {
        const UNQUANTIZED_70B =
            'Inference component "chat-llama-ic" serves a 70B-parameter model (from tag fmfleet:parameters-billions) and must be quantized above 20B, got no quantization. Serve AWQ or FP8 weights (OPTION_QUANTIZE=awq|fp8, tag fmfleet:quantization; fm-fleet: quantization: awq): 130.4 GiB in bf16 becomes 39.1 GiB with AWQ. @ chat-llama-ic';

        it("passes a small model unquantized and a large one quantized (env or tag)", async () => {
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, stackWith()), []);
            const tagged = stackWith((s) => {
                seventyB(s);
                s.ic.props.tags.push({ key: "fmfleet:quantization", value: "awq" });
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, tagged), []);
            const env = stackWith((s) => {
                seventyB(s);
                s.ic.props.specification.container = { environment: { OPTION_QUANTIZE: "fp8" } };
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, env), []);
        });

        it("fails on a 70B model served unquantized", async () => {
            assert.deepEqual(
                await stackViolations(
                    quantizationRequiredAboveSize,
                    stackWith((s) => seventyB(s)),
                ),
                [UNQUANTIZED_70B],
            );
        });

        it("passes a 70B model whose SageMaker model sets the quantization, in primaryContainer or containers[0]", async () => {
            const primary = stackWith((s) => {
                seventyB(s);
                s.model.props.primaryContainer.environment.OPTION_QUANTIZE = "awq";
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, primary), []);
            const containers = stackWith((s) => {
                seventyB(s);
                const { image } = s.model.props.primaryContainer;
                delete s.model.props.primaryContainer;
                s.model.props.containers = [{ image, environment: { OPTION_QUANTIZE: "awq" } }];
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, containers), []);
            // The model's env counts only for the component that deploys that model.
            const otherModel = stackWith((s) => {
                seventyB(s);
                s.model.props.primaryContainer.environment.OPTION_QUANTIZE = "awq";
                s.ic.props.specification.modelName = "another-model";
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, otherModel), [UNQUANTIZED_70B]);
        });

        it("reads the size from the model id when there is no tag, and honours the configured size", async () => {
            const stack = stackWith((s) => {
                s.ic.props.tags = [{ key: "cost-center", value: "ml" }];
                s.ic.props.specification = {
                    container: { image: "x", environment: { HF_MODEL_ID: "meta-llama/Meta-Llama-3-70B-Instruct" } },
                };
            });
            const [message] = await stackViolations(quantizationRequiredAboveSize, stack);
            assert.match(message, /serves a 70B-parameter model \(from env HF_MODEL_ID\)/);
            assert.deepEqual(
                await stackViolations(quantizationRequiredAboveSize, stack, { maxUnquantizedBillions: 80 }),
                [],
            );
        });

        it("skips adapters and models of unknown size (model-size-known reports those)", async () => {
            const unsized = stackWith((s) => {
                seventyB(s);
                s.ic.props.tags = [{ key: "cost-center", value: "ml" }];
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, unsized), []);
            const adapterOnly = stackWith((s) => {
                delete s.ic;
                s.adapter.props.tags.push({ key: "fmfleet:parameters-billions", value: "70" });
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, adapterOnly), []);
            const untagged = (s: ReturnType<typeof happyStack>) =>
                (s.ic.props.tags = [{ key: "cost-center", value: "ml" }]);
            assert.deepEqual(await stackViolations(modelSizeKnown, stackWith(untagged)), [
                'Inference component "chat-llama-ic" must state its model size, got no fmfleet:parameters-billions tag and no size in its model name or image. Tag it fmfleet:parameters-billions=<billions> so quantization-required-above-size and weights-fit-accelerator-memory can check it. @ chat-llama-ic',
            ]);
            assert.deepEqual(await stackViolations(modelSizeKnown, stackWith()), []);
            // The size in the env of the model the component deploys is its size too.
            const sizedByModel = stackWith((s) => {
                untagged(s);
                s.model.props.primaryContainer.environment.HF_MODEL_ID = "meta-llama/Meta-Llama-3-8B-Instruct";
            });
            assert.deepEqual(await stackViolations(modelSizeKnown, sizedByModel), []);
        });
    });

    describe("weights-fit-accelerator-memory", () => {
        it("passes an 8B model in bf16 on one A10G (14.9 of 21.6 GiB)", async () => {
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, stackWith()), []);
        });

        it("fails a 70B model in bf16 on one A10G, proposing quantization or a larger type", async () => {
            assert.deepEqual(
                await stackViolations(
                    weightsFitAcceleratorMemory,
                    stackWith((s) => seventyB(s)),
                ),
                [
                    'Inference component "chat-llama-ic" must fit its weights in 0.9 x 1 x 24 GiB = 21.6 GiB of NVIDIA A10G memory on ml.g5.2xlarge, got 130.4 GiB (70B parameters x 2 bytes, bf16). Move to ml.g6e.12xlarge (4 x 48 GiB, $13.1158/h) with enough accelerators per copy. @ chat-llama-ic',
                ],
            );
        });

        it("reads the quantization from the model's environment and the accelerators from the IC", async () => {
            const stack = stackWith((s) => {
                seventyB(s);
                s.model.props.primaryContainer.environment.OPTION_QUANTIZE = "awq";
                s.ic.props.specification.computeResourceRequirements.numberOfAcceleratorDevicesRequired = 4;
                s.config.props.productionVariants[0].instanceType = "ml.g5.12xlarge";
            });
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, stack), []);
            const tight = stackWith((s) => {
                seventyB(s);
                s.model.props.primaryContainer.environment.OPTION_QUANTIZE = "awq";
                s.ic.props.specification.computeResourceRequirements.numberOfAcceleratorDevicesRequired = 2;
                s.config.props.productionVariants[0].instanceType = "ml.g5.12xlarge";
            });
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, tight, { memoryFraction: 0.8 }), [
                'Inference component "chat-llama-ic" must fit its weights in 0.8 x 2 x 24 GiB = 38.4 GiB of NVIDIA A10G memory on ml.g5.12xlarge, got 39.1 GiB (70B parameters x 0.6 bytes, awq). Give each copy 3 accelerators (ml.g5.12xlarge has 4), or move to ml.g6.12xlarge (4 x 24 GiB, $5.752/h) with enough accelerators per copy. @ chat-llama-ic',
            ]);
        });

        it("proposes only a type of the families the stack's own config allows (dev forbids g6e)", async () => {
            // 13B in bf16 (24.2 GiB) on one L4: the cheapest NVIDIA type that holds it is ml.g6e.xlarge, which dev forbids.
            const thirteenB = stackWith((s) => {
                s.ic.props.tags[1].value = "13";
                s.config.props.productionVariants[0].instanceType = "ml.g6.2xlarge";
            });
            const dev = JSON.parse(readFileSync(path.join(ROOT, "policies", "config", "dev.json"), "utf8"));
            assert.deepEqual(
                await stackViolations(weightsFitAcceleratorMemory, thirteenB, dev["weights-fit-accelerator-memory"]),
                [
                    'Inference component "chat-llama-ic" must fit its weights in 0.9 x 1 x 24 GiB = 21.6 GiB of NVIDIA L4 memory on ml.g6.2xlarge, got 24.2 GiB (13B parameters x 2 bytes, bf16). Quantize to fp8 (12.1 GiB) with 1 accelerator per copy, or move to ml.g6.12xlarge (4 x 24 GiB, $5.752/h) with enough accelerators per copy. @ chat-llama-ic',
                ],
            );
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, thirteenB), [
                'Inference component "chat-llama-ic" must fit its weights in 0.9 x 1 x 24 GiB = 21.6 GiB of NVIDIA L4 memory on ml.g6.2xlarge, got 24.2 GiB (13B parameters x 2 bytes, bf16). Quantize to fp8 (12.1 GiB) with 1 accelerator per copy, or move to ml.g6e.xlarge (1 x 48 GiB, $2.61/h) with enough accelerators per copy. @ chat-llama-ic',
            ]);
        });

        it("reads the quantization from a model declared with containers[] instead of primaryContainer", async () => {
            const onContainers = (s: ReturnType<typeof happyStack>) => {
                seventyB(s);
                const { image } = s.model.props.primaryContainer;
                delete s.model.props.primaryContainer;
                s.model.props.containers = [{ image, environment: { OPTION_QUANTIZE: "awq" } }];
                s.ic.props.specification.computeResourceRequirements.numberOfAcceleratorDevicesRequired = 2;
                s.config.props.productionVariants[0].instanceType = "ml.g5.12xlarge";
            };
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, stackWith(onContainers)), []);
            assert.deepEqual(
                await stackViolations(weightsFitAcceleratorMemory, stackWith(onContainers), { memoryFraction: 0.8 }),
                [
                    'Inference component "chat-llama-ic" must fit its weights in 0.8 x 2 x 24 GiB = 38.4 GiB of NVIDIA A10G memory on ml.g5.12xlarge, got 39.1 GiB (70B parameters x 0.6 bytes, awq). Give each copy 3 accelerators (ml.g5.12xlarge has 4), or move to ml.g6.12xlarge (4 x 24 GiB, $5.752/h) with enough accelerators per copy. @ chat-llama-ic',
                ],
            );
        });
    });

    describe("load-aware-routing", () => {
        it("passes least outstanding requests", async () => {
            assert.deepEqual(await violations(loadAwareRouting, happyStack().config), []);
        });

        it("passes prefix-aware routing, which spills over by load past its concurrency threshold", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].routingConfig = {
                routingStrategy: "PREFIX_AWARE",
                prefixAwareRoutingConfig: { prefixLength: 4096, concurrencyThreshold: 16 },
            };
            assert.deepEqual(await violations(loadAwareRouting, config), []);
        });

        it("fails on RANDOM and on no routing config (the service default)", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].routingConfig = { routingStrategy: "RANDOM" };
            assert.deepEqual(await violations(loadAwareRouting, config), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must route with LEAST_OUTSTANDING_REQUESTS or PREFIX_AWARE, got RANDOM. Set routingConfig.routingStrategy (aws-native) or routingConfigs[0].routingStrategy (@pulumi/aws) (fm-fleet: routing: least-outstanding-requests).',
            ]);
            delete config.props.productionVariants[0].routingConfig;
            assert.deepEqual(await violations(loadAwareRouting, config), [
                'Endpoint configuration "chat-config" variant "AllTraffic" must route with LEAST_OUTSTANDING_REQUESTS or PREFIX_AWARE, got RANDOM (no routingConfig, the service default). Set routingConfig.routingStrategy (aws-native) or routingConfigs[0].routingStrategy (@pulumi/aws) (fm-fleet: routing: least-outstanding-requests).',
            ]);
        });

        it("fails a shadow variant that routes randomly, naming it as the shadow", async () => {
            const config = happyStack().config;
            config.props.shadowProductionVariants = [shadowVariant({ routingConfig: undefined })];
            assert.deepEqual(await violations(loadAwareRouting, config), [
                'Endpoint configuration "chat-config" shadow variant "Shadow" must route with LEAST_OUTSTANDING_REQUESTS or PREFIX_AWARE, got RANDOM (no routingConfig, the service default). Set routingConfig.routingStrategy (aws-native) or routingConfigs[0].routingStrategy (@pulumi/aws) (fm-fleet: routing: least-outstanding-requests).',
            ]);
        });
    });

    describe("per-instance-type specifications (aws-native specifications[])", () => {
        /** The happy base IC as a 70B model declared per instance type, each entry changed by `change`. */
        const seventyBPerType = (types: string[], change: (entry: Record<string, any>, type: string) => void) =>
            stackWith((s) => {
                s.ic = perInstanceType(types, change);
                seventyB(s);
            });

        it("quantization-required-above-size reads each entry's container env, naming the entry", async () => {
            const stack = seventyBPerType(["ml.g5.2xlarge", "ml.g6.2xlarge"], (entry, type) => {
                entry.container = { environment: type === "ml.g5.2xlarge" ? { OPTION_QUANTIZE: "awq" } : {} };
            });
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, stack), [
                'Inference component "chat-llama-ic" specification for ml.g6.2xlarge serves a 70B-parameter model (from tag fmfleet:parameters-billions) and must be quantized above 20B, got no quantization. Serve AWQ or FP8 weights (OPTION_QUANTIZE=awq|fp8, tag fmfleet:quantization; fm-fleet: quantization: awq): 130.4 GiB in bf16 becomes 39.1 GiB with AWQ. @ chat-llama-ic',
            ]);
        });

        it("weights-fit-accelerator-memory judges each entry on its own type with its own accelerators", async () => {
            const stack = seventyBPerType(["ml.g5.12xlarge", "ml.g6e.12xlarge"], (entry, type) => {
                entry.container = { environment: { OPTION_QUANTIZE: "fp8" } };
                entry.computeResourceRequirements.numberOfAcceleratorDevicesRequired =
                    type === "ml.g5.12xlarge" ? 4 : 1;
            });
            const found = await stackViolations(weightsFitAcceleratorMemory, stack);
            assert.equal(found.length, 1);
            assert.match(
                found[0],
                /^Inference component "chat-llama-ic" specification for ml\.g6e\.12xlarge must fit its weights in 0\.9 x 1 x 48 GiB = 43\.2 GiB of NVIDIA L40S memory on ml\.g6e\.12xlarge, got 65\.2 GiB \(70B parameters x 1 bytes, fp8\)\. /,
            );
        });

        it("model-size-known reads the model id in each entry's env", async () => {
            const stack = stackWith((s) => {
                s.ic = perInstanceType(["ml.g5.2xlarge"], (entry) => {
                    entry.container = { environment: { HF_MODEL_ID: "meta-llama/Meta-Llama-3-8B-Instruct" } };
                });
                s.ic.props.tags = [{ key: "cost-center", value: "ml" }];
            });
            assert.deepEqual(await stackViolations(modelSizeKnown, stack), []);
        });
    });
});
