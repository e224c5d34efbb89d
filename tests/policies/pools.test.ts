import * as assert from "node:assert/strict";
import { capacityFallback } from "../../policies/availability";
import { allowedInstanceFamilies, monthlyCostBudget } from "../../policies/cost";
import { weightsFitAcceleratorMemory } from "../../policies/optimization";
import { endpointKmsEncryption } from "../../policies/security";
import { stackViolations, TestResource, UNKNOWN_ARRAY, violations } from "../helpers/policy-args";
import { FIXTURE_KMS_KEY, happyStack, shadowVariant, stackWith } from "../helpers/policy-fixtures";

/** The happy endpoint config placed on instance pools instead of one type. */
function pooled(...types: string[]): TestResource {
    const config = happyStack().config;
    const variant = config.props.productionVariants[0];
    delete variant.instanceType;
    variant.instancePools = types.map((instanceType, i) => ({ instanceType, priority: i + 1 }));
    return config;
}

describe("instance pools in the rules that read instance types", () => {
    it("allowed-instance-families reads every pool type", async () => {
        assert.deepEqual(await violations(allowedInstanceFamilies, pooled("ml.g5.2xlarge", "ml.g6.2xlarge")), []);
        assert.deepEqual(await violations(allowedInstanceFamilies, pooled("ml.g5.2xlarge", "ml.p5.48xlarge")), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must use an allowed instance family (g5, g6, g6e, inf2, m5, c5), got ml.p5.48xlarge (family p5) in its instance pools. Pick a type from an allowed family, or ask the platform team to add p5 to allowed-instance-families.families.',
        ]);
    });

    it("weights-fit-accelerator-memory checks the model on every pool type", async () => {
        const stack = stackWith((s) => {
            s.config = pooled("ml.g5.2xlarge", "ml.g4dn.xlarge");
            s.ic.props.tags.push({ key: "fmfleet:parameters-billions", value: "8" });
        });
        const found = await stackViolations(weightsFitAcceleratorMemory, stack);
        assert.equal(found.length, 1);
        assert.match(
            found[0],
            /^Inference component "chat-llama-ic" must fit its weights in 0\.9 x 1 x 16 GiB = 14\.4 GiB of NVIDIA T4 memory on ml\.g4dn\.xlarge, got 14\.9 GiB/,
        );
    });

    it("endpoint-kms-encryption refuses a key when any pool type has local NVMe, and asks for one when all are EBS-only", async () => {
        const mixed = pooled("ml.inf2.xlarge", "ml.g5.2xlarge");
        mixed.props.kmsKeyId = FIXTURE_KMS_KEY;
        assert.deepEqual(await violations(endpointKmsEncryption, mixed), [
            `EndpointConfig "chat-config" must not set a KMS key for ml.g5.2xlarge (variant "AllTraffic"), got ${FIXTURE_KMS_KEY}. CreateEndpointConfig fails when KmsKeyId is given for an instance type with local NVMe storage, which the instance encrypts in hardware: remove the key (fm-fleet sets it only on EBS-only types).`,
        ]);
        assert.deepEqual(await violations(endpointKmsEncryption, pooled("ml.inf2.xlarge", "ml.inf2.8xlarge")), [
            'Endpoint configuration "chat-config" must set a customer-managed KMS key for ml.inf2.xlarge, ml.inf2.8xlarge (variant "AllTraffic", EBS storage), got nothing. Set kmsKeyId (aws-native) or kmsKeyArn (@pulumi/aws) to a KMS key ARN (fm-fleet: fleet.kmsKeyArn).',
        ]);
    });

    it("monthly-cost-budget prices the peak on the dearest pool type", async () => {
        const stack = stackWith((s) => {
            s.config = pooled("ml.g5.2xlarge", "ml.g6e.12xlarge");
        });
        const found = await stackViolations(monthlyCostBudget, stack, {
            maxIdleFloorUsd: 5000,
            maxPeakCeilingUsd: 10_000,
        });
        assert.deepEqual(found, [
            "Stack must peak under $10,000/month, got a peak ceiling of $19,149/month (chat-endpoint: 0-2 x ml.g5.2xlarge | ml.g6e.12xlarge). Lower max instances or pick a cheaper instance type, or raise monthly-cost-budget.maxPeakCeilingUsd.",
        ]);
    });

    describe("capacity-fallback", () => {
        it("passes a short family with a fallback pool, and families not listed", async () => {
            assert.deepEqual(await violations(capacityFallback, pooled("ml.g6e.12xlarge", "ml.g5.12xlarge")), []);
            assert.deepEqual(await violations(capacityFallback, happyStack().config), []);
        });

        it("fails a short family without a fallback, naming the fix", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].instanceType = "ml.g6e.12xlarge";
            assert.deepEqual(await violations(capacityFallback, config), [
                'Endpoint configuration "chat-config" variant "AllTraffic" runs on ml.g6e.12xlarge (family g6e, often short of capacity) and must list a fallback instance pool, got none. Add instancePools with another type the models fit (fm-fleet: endpoints[].fallbackInstanceTypes), or remove g6e from capacity-fallback.families.',
            ]);
            assert.equal((await violations(capacityFallback, happyStack().config, { families: ["g5"] })).length, 1);
        });

        it("fails a shadow variant on a short family without a fallback, naming it as the shadow", async () => {
            const config = happyStack().config;
            config.props.shadowProductionVariants = [shadowVariant({ instanceType: "ml.g6e.2xlarge" })];
            assert.deepEqual(await violations(capacityFallback, config), [
                'Endpoint configuration "chat-config" shadow variant "Shadow" runs on ml.g6e.2xlarge (family g6e, often short of capacity) and must list a fallback instance pool, got none. Add instancePools with another type the models fit (fm-fleet: endpoints[].fallbackInstanceTypes), or remove g6e from capacity-fallback.families.',
            ]);
        });

        it("skips unknown pools", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].instanceType = "ml.g6e.12xlarge";
            config.props.productionVariants[0].instancePools = UNKNOWN_ARRAY;
            assert.deepEqual(await violations(capacityFallback, config), []);
        });
    });
});
