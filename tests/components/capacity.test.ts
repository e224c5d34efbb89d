import * as assert from "node:assert/strict";
import { ComponentArgsError, InferenceEndpoint } from "../../components";
import { TYPES } from "../../lib/contract";
import { endpointCost } from "../../lib/cost";
import { issuesOf, validFleet } from "../helpers/configs";
import { find, inputsOf, refused, underMocks } from "../helpers/pulumi";

const ROLE = "arn:aws:iam::123456789012:role/fleet-role";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/abc";

describe("capacity: fallback pools and scale-in", () => {
    it("turns fallback types into instance pools that replace the instance type, and states the scale-in", async () => {
        const { resources } = await underMocks(
            () =>
                new InferenceEndpoint("chat", {
                    instanceType: "ml.g5.12xlarge",
                    fallbackPools: [
                        { instanceType: "ml.g6.12xlarge", priority: 3 },
                        { instanceType: "ml.g6e.12xlarge", priority: 2 },
                    ],
                    provisionTimeoutSeconds: 900,
                    scaleIn: { strategy: "consolidation", cooldownMinutes: 30, maximumStep: 2 },
                    instances: { min: 1, max: 4 },
                    executionRoleArn: ROLE,
                    kmsKeyArn: KEY,
                }),
        );
        const config = inputsOf(find(resources, TYPES.nativeEndpointConfig, "chat-config"));
        const variant = config.productionVariants[0];
        assert.equal(variant.instanceType, undefined);
        assert.deepEqual(variant.instancePools, [
            { instanceType: "ml.g5.12xlarge", priority: 1 },
            { instanceType: "ml.g6e.12xlarge", priority: 2 },
            { instanceType: "ml.g6.12xlarge", priority: 3 },
        ]);
        assert.equal(variant.variantInstanceProvisionTimeoutInSeconds, 900);
        assert.deepEqual(variant.managedInstanceScaling.scaleInPolicy, {
            strategy: "CONSOLIDATION",
            cooldownInMinutes: 30,
            maximumStepSize: 2,
        });
        assert.equal(config.kmsKeyId, undefined, "local NVMe among the types: no key");
    });

    it("keeps the KMS key only when every pool type is EBS-only", async () => {
        const endpoint = (fallback: string) =>
            new InferenceEndpoint(`e-${fallback}`, {
                instanceType: "ml.inf2.24xlarge",
                fallbackPools: [{ instanceType: fallback, priority: 2 }],
                instances: { min: 1, max: 2 },
                executionRoleArn: ROLE,
                kmsKeyArn: KEY,
            });
        const { resources } = await underMocks(() => [endpoint("ml.inf2.48xlarge"), endpoint("ml.g5.12xlarge")]);
        assert.equal(inputsOf(find(resources, TYPES.nativeEndpointConfig, "e-ml.inf2.48xlarge-config")).kmsKeyId, KEY);
        assert.equal(
            inputsOf(find(resources, TYPES.nativeEndpointConfig, "e-ml.g5.12xlarge-config")).kmsKeyId,
            undefined,
        );
    });

    it("refuses a duplicate priority, an unknown type, its own type as a fallback and scale-in out of range", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () =>
                    new InferenceEndpoint("chat", {
                        instanceType: "ml.g5.12xlarge",
                        fallbackPools: [
                            { instanceType: "ml.g6e.12xlarge", priority: 2 },
                            { instanceType: "ml.g9.12xlarge", priority: 2 },
                            { instanceType: "ml.g5.12xlarge", priority: 6 },
                        ],
                        scaleIn: { strategy: "idle-release", cooldownMinutes: 2 },
                        instances: { min: 1, max: 2 },
                        executionRoleArn: ROLE,
                    }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    e.message ===
                        'Invalid arguments for InferenceEndpoint "chat" (5 errors):\n' +
                            '  - args.fallbackPools[1].instanceType: unknown instance type "ml.g9.12xlarge". Use one of the catalog\'s types, e.g. ml.g5.12xlarge, ml.g6.12xlarge, ml.g5.2xlarge.\n' +
                            "  - args.fallbackPools[1].priority: duplicates the priority 2 of args.fallbackPools[0]. Give each pool its own priority, 2 to 5.\n" +
                            "  - args.fallbackPools[2].priority: must be between 2 and 5 (1 is the endpoint's instanceType), got 6. Pick a value in that range.\n" +
                            "  - args.fallbackPools[2].instanceType: is the endpoint's own instanceType ml.g5.12xlarge (priority 1). Name another type as a fallback.\n" +
                            "  - args.scaleIn.cooldownMinutes: must be between 5 and 1440 minutes, got 2. Pick a value in that range.",
            ),
        );
        assert.equal(resources.length, 0);
    });

    it("refuses in the stack config a fallback type a model does not fit, a repeated type and an unknown one", () => {
        const fleet = validFleet();
        fleet.endpoints[0].instanceType = "ml.g5.12xlarge";
        fleet.endpoints[0].foundationModels[0].accelerators = 4;
        fleet.endpoints[0].fallbackInstanceTypes = ["ml.g6e.12xlarge", "ml.g6.2xlarge", "ml.g6e.12xlarge", "ml.x1.big"];
        fleet.endpoints[0].scaleIn = { strategy: "consolidation", maximumStep: 500 };
        assert.deepEqual(issuesOf(fleet), [
            'fleet.endpoints[0].fallbackInstanceTypes[3]: unknown instance type "ml.x1.big". Use one of the catalog\'s types, e.g. ml.m5.large, ml.c5.large, ml.r5.large.',
            "fleet.endpoints[0].fallbackInstanceTypes[2]: repeats ml.g6e.12xlarge (also at fleet.endpoints[0].fallbackInstanceTypes[0]). List each fallback type once.",
            "fleet.endpoints[0].scaleIn.maximumStep: must be between 1 and 100 instances, got 500. Pick a value in that range.",
            "fleet.endpoints[0].foundationModels[0].accelerators: asks for 4 accelerator devices per copy, but ml.g6.2xlarge (fallbackInstanceTypes[1]) has 1. Lower accelerators or pick an instance type with more devices.",
        ]);
    });

    it("refuses a provision timeout and a volume size outside the API's ranges, in config and in the component", async () => {
        // CreateEndpointConfig: VariantInstanceProvisionTimeoutInSeconds 300-3600, VolumeSizeInGB 1-512.
        const fleet = validFleet();
        fleet.endpoints[0].instanceType = "ml.inf2.24xlarge";
        fleet.endpoints[0].provisionTimeoutSeconds = 30;
        fleet.endpoints[0].volumeSizeInGb = 2000;
        assert.deepEqual(issuesOf(fleet), [
            "fleet.endpoints[0].provisionTimeoutSeconds: must be between 300 and 3600 seconds, got 30. Pick a value in that range.",
            "fleet.endpoints[0].volumeSizeInGb: must be between 1 and 512 GB, got 2000. Pick a value in that range.",
        ]);
        fleet.endpoints[0].provisionTimeoutSeconds = 300.5;
        fleet.endpoints[0].volumeSizeInGb = 512;
        assert.deepEqual(issuesOf(fleet), [
            "fleet.endpoints[0].provisionTimeoutSeconds: must be a whole number of seconds, got 300.5. Round it.",
        ]);

        assert.deepEqual(
            await refused(
                () =>
                    new InferenceEndpoint("neuron", {
                        instanceType: "ml.inf2.24xlarge",
                        instances: { min: 1, max: 2 },
                        executionRoleArn: ROLE,
                        provisionTimeoutSeconds: 3601,
                        volumeSizeInGb: 0,
                    }),
            ),
            [
                "args.volumeSizeInGb: must be between 1 and 512 GB, got 0. Pick a value in that range.",
                "args.provisionTimeoutSeconds: must be between 300 and 3600 seconds, got 3601. Pick a value in that range.",
            ],
        );
    });

    it("prices the idle floor on the first choice and the peak on the dearest fallback", () => {
        const cost = endpointCost({
            name: "chat",
            instanceType: "ml.g5.12xlarge",
            fallbackInstanceTypes: ["ml.g6e.12xlarge"],
            minInstances: 2,
            maxInstances: 4,
            models: 2,
            adapters: 0,
        });
        assert.equal(cost.idleFloorUsd, 2 * 7.09 * 730);
        assert.equal(cost.peakCeilingUsd, 4 * 13.1158 * 730);
    });
});
