import * as assert from "node:assert/strict";
import { optimizationJobInstanceAllowed } from "../../policies/optimization-jobs";
import { costAllocationTags } from "../../policies/cost";
import { sageMakerPhysicalNames } from "../../policies/deployability";
import { quantizationRequiredAboveSize, weightsFitAcceleratorMemory } from "../../policies/optimization";
import { stackViolations, UNKNOWN_STRING, violations } from "../helpers/policy-args";
import { happyStack, stackWith } from "../helpers/policy-fixtures";

describe("optimization job policies", () => {
    describe("optimization-job-instance-allowed", () => {
        it("passes a job that optimizes for an allowed family, and skips one whose type is not known yet", async () => {
            assert.deepEqual(await violations(optimizationJobInstanceAllowed, happyStack().job), []);
            const unknown = happyStack().job;
            unknown.props.deploymentInstanceType = UNKNOWN_STRING;
            assert.deepEqual(await violations(optimizationJobInstanceAllowed, unknown), []);
        });

        it("fails a job on a family the platform team does not allow, and one with no type", async () => {
            const p4d = happyStack().job;
            p4d.props.deploymentInstanceType = "ml.p4d.24xlarge";
            assert.deepEqual(await violations(optimizationJobInstanceAllowed, p4d), [
                'Optimization job "chat-llama-optimization" must optimize for an allowed instance family (g5, g6, g6e, inf2), got ml.p4d.24xlarge (family p4d). ' +
                    "Set deploymentInstanceType to a type of an allowed family (fm-fleet: optimization.instanceType, or the endpoint's instanceType), or ask the platform team to add p4d to optimization-job-instance-allowed.families.",
            ]);
            const none = happyStack().job;
            delete none.props.deploymentInstanceType;
            assert.deepEqual(await violations(optimizationJobInstanceAllowed, none), [
                'Optimization job "chat-llama-optimization" must optimize for an allowed instance family (g5, g6, g6e, inf2), got no deploymentInstanceType. ' +
                    "Set deploymentInstanceType to a type of an allowed family (fm-fleet: optimization.instanceType, or the endpoint's instanceType), or ask the platform team to add it to optimization-job-instance-allowed.families.",
            ]);
        });

        it("reads the allowed families from its config", async () => {
            const job = happyStack().job;
            assert.equal((await violations(optimizationJobInstanceAllowed, job, { families: ["inf2"] })).length, 1);
            job.props.deploymentInstanceType = "ml.inf2.48xlarge";
            assert.deepEqual(await violations(optimizationJobInstanceAllowed, job, { families: ["inf2"] }), []);
        });
    });

    it("cost-allocation-tags and sagemaker-physical-names check jobs like other SageMaker resources", async () => {
        const untagged = happyStack().job;
        untagged.props.tags = { "fmfleet:estimated-hours": "2" };
        assert.deepEqual(await violations(costAllocationTags, untagged), [
            'OptimizationJob "chat-llama-optimization" must carry the tags cost-center, got none for cost-center. Add cost-center=<value> (fm-fleet sets cost-center from fm-fleet:costCenter).',
        ]);
        const long = happyStack().job;
        long.props.optimizationJobName = "j".repeat(64);
        assert.deepEqual(await violations(sageMakerPhysicalNames, long), [
            `OptimizationJob "chat-llama-optimization" must have a SageMaker name of at most 63 characters matching ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, got "${"j".repeat(64)}", which is 64 characters, over SageMaker's 63. The create call would fail: shorten the name (fm-fleet derives bounded names from the config).`,
        ]);
    });

    describe("weights-fit-accelerator-memory with a quantizing job", () => {
        /** A 70B model on one L40S (48 GiB): bf16 cannot fit, AWQ (39.1 GiB) can. */
        const seventyBOnL40S = (serveJobOutput: boolean) =>
            stackWith((s) => {
                s.ic.props.tags[1].value = "70";
                s.config.props.productionVariants[0].instanceType = "ml.g6e.2xlarge";
                s.job.props.deploymentInstanceType = "ml.g6e.2xlarge";
                if (serveJobOutput) {
                    s.model.props.primaryContainer.modelDataSource = {
                        s3DataSources: [
                            { s3Uri: "s3://m/llama-awq/", s3DataType: "S3Prefix", compressionType: "None" },
                        ],
                    };
                }
            });

        it("counts the quantization of the job whose output the model serves", async () => {
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, seventyBOnL40S(true)), []);
        });

        it("quantization-required-above-size counts it the same way", async () => {
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, seventyBOnL40S(true)), []);
            assert.deepEqual(await stackViolations(quantizationRequiredAboveSize, seventyBOnL40S(false)), [
                'Inference component "chat-llama-ic" serves a 70B-parameter model (from tag fmfleet:parameters-billions) and must be quantized above 20B, got no quantization. Serve AWQ or FP8 weights (OPTION_QUANTIZE=awq|fp8, tag fmfleet:quantization; fm-fleet: quantization: awq): 130.4 GiB in bf16 becomes 39.1 GiB with AWQ. @ chat-llama-ic',
            ]);
        });

        it("still fails the same model when it serves other weights", async () => {
            assert.deepEqual(await stackViolations(weightsFitAcceleratorMemory, seventyBOnL40S(false)), [
                'Inference component "chat-llama-ic" must fit its weights in 0.9 x 1 x 48 GiB = 43.2 GiB of NVIDIA L40S memory on ml.g6e.2xlarge, got 130.4 GiB (70B parameters x 2 bytes, bf16). Quantize to awq (39.1 GiB) with 1 accelerator per copy, or move to ml.g6e.12xlarge (4 x 48 GiB, $13.1158/h) with enough accelerators per copy. @ chat-llama-ic',
            ]);
        });
    });
});
