import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetConfigError, validateStackSettings } from "../../components";
import { issuesOf, validFleet } from "../helpers/configs";
import { underMocks } from "../helpers/pulumi";

/** A valid fleet with one change applied. */
function fleetWith(change: (fleet: any) => void): any {
    const fleet = validFleet();
    change(fleet);
    return fleet;
}

const EP = "fleet.endpoints[0]";
const FM = `${EP}.foundationModels[0]`;

describe("stack config validation", () => {
    it("accepts the valid fleet and the project's own stacks", () => {
        assert.equal(validateStackSettings(validFleet(), "ml").costCenter, "ml");
    });

    it("fails on an unknown instance type, suggesting types of the same family", () => {
        assert.deepEqual(issuesOf(fleetWith((f) => (f.endpoints[0].instanceType = "ml.g5.13xlarge"))), [
            `${EP}.instanceType: unknown instance type "ml.g5.13xlarge". Use one of the catalog's types, e.g. ml.g5.12xlarge, ml.g5.16xlarge, ml.g5.xlarge.`,
        ]);
    });

    it("fails when min > max, for instances and copies", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].instances = { min: 3, max: 1 };
                    f.endpoints[0].foundationModels[0].copies = { min: 0, max: 2 };
                    f.multiModelEndpoints[0].instances = { min: 3, max: 2 };
                }),
            ),
            [
                `${EP}.instances: \`min\` must be <= \`max\`, got 3 > 1. Lower min or raise max instances.`,
                "fleet.multiModelEndpoints[0].instances: `min` must be <= `max`, got 3 > 2. Lower min or raise max instances.",
            ],
        );
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].instances = { min: 1, max: 2 };
                    f.endpoints[0].foundationModels[0].copies = { min: 2, max: 1 };
                }),
            ),
            [`${FM}.copies: \`min\` must be <= \`max\`, got 2 > 1. Lower min or raise max copies.`],
        );
    });

    it("fails on negative or fractional counts", () => {
        assert.deepEqual(
            issuesOf(fleetWith((f) => (f.endpoints[0].foundationModels[0].copies = { min: -1, max: 1.5 }))),
            [
                `${FM}.copies.min: must be >= 0, got -1. Use 0 or more copies.`,
                `${FM}.copies.max: must be a whole number of copies, got 1.5. Round it.`,
            ],
        );
    });

    it("fails when an endpoint at min 0 instances has a model that keeps copies", () => {
        assert.deepEqual(issuesOf(fleetWith((f) => (f.endpoints[0].foundationModels[0].copies.min = 1))), [
            `${FM}.copies.min: is 1, but endpoint "chat" has instances.min 0: it can never reach zero instances while this model keeps copies. Set copies.min to 0 to scale to zero, or raise instances.min to 1 or more.`,
        ]);
    });

    it("fails when a multi-model endpoint asks for min 0 instances", () => {
        assert.deepEqual(issuesOf(fleetWith((f) => (f.multiModelEndpoints[0].instances.min = 0))), [
            "fleet.multiModelEndpoints[0].instances.min: is 0, but only inference-component endpoints scale to zero: a multi-model endpoint needs at least 1 instance. Set instances.min to 1, or move the models to an inference-component endpoint.",
        ]);
    });

    it("fails on adapter names over 63 characters or duplicated", () => {
        const long = "a".repeat(64);
        assert.deepEqual(
            issuesOf(
                fleetWith((f) =>
                    f.endpoints[0].foundationModels[0].adapters.push(
                        { name: long, artifactUrl: "s3://models/a.tar.gz" },
                        { name: "sql-helper", artifactUrl: "s3://models/b.tar.gz" },
                    ),
                ),
            ),
            [
                `${FM}.adapters[2].name: must be at most 63 characters (the SageMaker limit), got 64. Shorten it.`,
                `${FM}.adapters[3].name: duplicate adapter name "sql-helper" (also at ${FM}.adapters[1]). Give each adapter its own name.`,
            ],
        );
    });

    it("fails on LoRA capacities that are not whole, a host cache below maxLoras and LoRA off with adapters", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    Object.assign(f.endpoints[0].foundationModels[0], { maxLoras: 0, maxCpuLoras: 2.5 });
                }),
            ),
            [
                `${FM}.maxLoras: must be >= 1, got 0. Use 1 or more adapters.`,
                `${FM}.maxCpuLoras: must be a whole number of adapters, got 2.5. Round it.`,
            ],
        );
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    Object.assign(f.endpoints[0].foundationModels[0], {
                        enableLora: false,
                        maxLoras: 16,
                        maxCpuLoras: 12,
                    });
                }),
            ),
            [
                `${FM}.maxCpuLoras: must be >= maxLoras (the host cache holds every adapter a batch uses), got 12 < maxLoras 16. Raise maxCpuLoras to 16 or more, or lower maxLoras.`,
                `${FM}.enableLora: is false, but the model has 2 adapters, which need LoRA serving. Remove enableLora (or set it to true), or remove the adapters.`,
            ],
        );
    });

    it("fails on non-s3 artifact URLs and a models prefix without a trailing slash", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].foundationModels[0].adapters[0].artifactUrl = "https://hub/adapter";
                    f.endpoints[0].foundationModels[0].modelDataUrl = "/local/weights";
                    f.multiModelEndpoints[0].modelsPrefix = "s3://models/mme";
                }),
            ),
            [
                `${FM}.modelDataUrl: must be an s3://<bucket>/<key> URL with a valid bucket name, got "/local/weights". Use s3://<bucket>/<model>/ (a prefix) or s3://<bucket>/<model>.tar.gz.`,
                `${FM}.adapters[0].artifactUrl: must be an s3://<bucket>/<key> URL with a valid bucket name, got "https://hub/adapter". Use s3://<bucket>/<adapter>.tar.gz.`,
                `fleet.multiModelEndpoints[0].modelsPrefix: must be an s3://<bucket>/<key> URL with a valid bucket name, ending in /, got "s3://models/mme". Use s3://<bucket>/<prefix>/ holding one .tar.gz per model.`,
            ],
        );
    });

    it("fails on a draft model outside the weights, and on a draft with tarball weights", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith(
                    (f) =>
                        (f.endpoints[0].foundationModels[0].speculativeDecoding = {
                            draftModelUrl: "s3://models/draft/",
                        }),
                ),
            ),
            [
                `${FM}.speculativeDecoding.draftModelUrl: must be a folder inside modelDataUrl "s3://models/llama3-8b/" (an inference component cannot mount a second data source), got "s3://models/draft/". Copy the draft model to s3://models/llama3-8b/draft/ and set draftModelUrl to it.`,
            ],
        );
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].foundationModels[0].modelDataUrl = "s3://models/llama3-8b.tar.gz";
                    f.endpoints[0].foundationModels[0].speculativeDecoding = {
                        draftModelUrl: "s3://models/llama3-8b/draft/",
                    };
                }),
            ),
            [
                `${FM}.speculativeDecoding: needs the weights as an S3 prefix to carry the draft model inside them, got modelDataUrl "s3://models/llama3-8b.tar.gz". Serve the weights uncompressed from s3://<bucket>/<model>/ with the draft in a sub-folder.`,
            ],
        );
        assert.equal(
            validateStackSettings(
                fleetWith(
                    (f) =>
                        (f.endpoints[0].foundationModels[0].speculativeDecoding = {
                            draftModelUrl: "s3://models/llama3-8b/draft/",
                        }),
                ),
                "ml",
            ).fleet.endpoints![0].foundationModels[0].speculativeDecoding?.draftModelUrl,
            "s3://models/llama3-8b/draft/",
        );
    });

    it("fails on an adapter prefix, an unknown container family and a volume on local NVMe", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].foundationModels[0].adapters[0].artifactUrl = "s3://models/adapters/support-bot/";
                    f.endpoints[0].foundationModels[0].image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1";
                    f.endpoints[0].volumeSizeInGb = 100;
                }),
            ),
            [
                `${FM}.adapters[0].artifactUrl: must be a single .tar.gz archive (an inference component's ArtifactUrl cannot be a prefix), got "s3://models/adapters/support-bot/". Pack the adapter directory into s3://<bucket>/<adapter>.tar.gz and point artifactUrl at it.`,
                `${EP}.volumeSizeInGb: is 100, but ml.g5.2xlarge serves from its local NVMe storage: SageMaker attaches no EBS volume to it (VolumeSizeInGB supports EBS gp2 volumes only). Remove volumeSizeInGb, or pick an EBS-only instance type.`,
                `${FM}.containerFamily: is not set, and the image "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" is neither LMI (djl-inference) nor the SageMaker vLLM DLC (vllm). Set it to "lmi" or "vllm", the family whose environment names the container reads.`,
            ],
        );
        assert.deepEqual(issuesOf(fleetWith((f) => (f.endpoints[0].foundationModels[0].containerFamily = "tgi"))), [
            `${FM}.containerFamily: unknown container family "tgi". Use lmi or vllm.`,
        ]);
    });

    it("fails a rollout outside the API's ranges, at the fleet and at a model", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.rollout = { maxBatch: { type: "percent", value: 60 }, timeoutSeconds: 300 };
                    f.endpoints[0].foundationModels[0].rollout = {
                        maxBatch: { type: "copies", value: 0 },
                        waitSeconds: 4000,
                        rollbackBatch: { type: "percent", value: 2 },
                    };
                    f.endpoints[0].foundationModels[0].placement = { strategy: "pack" };
                }),
            ),
            [
                `${FM}.placement.strategy: unknown placement strategy "pack". Use spread or binpack.`,
                "fleet.rollout.maxBatch.value: must be between 5 and 50 percent of the copies, got 60. Pick a value in that range.",
                "fleet.rollout.timeoutSeconds: must be between 600 and 28800 seconds, got 300. Pick a value in that range.",
                `${FM}.rollout.maxBatch.value: must be >= 1, got 0. Use 1 or more copies.`,
                `${FM}.rollout.rollbackBatch.value: must be between 5 and 100 percent of the copies, got 2. Pick a value in that range.`,
                `${FM}.rollout.waitSeconds: must be between 0 and 3600 seconds, got 4000. Pick a value in that range.`,
            ],
        );
    });

    it("accepts prefix-aware routing, the data cache, metrics, alarms, a reservation and an AMI version", () => {
        const fleet = validateStackSettings(
            fleetWith((f) => {
                f.metrics = { enhanced: true, detailed: false, publishFrequencySeconds: 10 };
                f.alarms = { topicArn: "arn:aws:sns:us-east-1:123456789012:fm-fleet-oncall" };
                Object.assign(f.endpoints[0], {
                    routing: "prefix-aware",
                    prefixRouting: { prefixLength: 8192, concurrencyThreshold: 32 },
                    capacityReservation: {
                        preference: "capacity-reservations-only",
                        mlReservationArn: "arn:aws:sagemaker:us-east-1:123456789012:ml-reservation/r-0a1b2c",
                    },
                    inferenceAmiVersion: "al2023-ami-sagemaker-inference-gpu-4-1",
                });
                f.endpoints[0].foundationModels[0].dataCache = true;
            }),
            "ml",
        ).fleet;
        assert.equal(fleet.endpoints?.[0].routing, "prefix-aware");
        assert.equal(fleet.endpoints?.[0].foundationModels[0].dataCache, true);
    });

    it("fails prefix lengths, publish frequencies, reservation ARNs and AMI versions the API does not take", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.metrics = { enhanced: "yes", publishFrequencySeconds: 15 };
                    f.alarms = { topicArn: "fm-fleet-oncall" };
                    Object.assign(f.endpoints[0], {
                        routing: "prefix-aware",
                        prefixRouting: { prefixLength: 512, concurrencyThreshold: 2048 },
                        capacityReservation: {
                            preference: "open",
                            mlReservationArn: "arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-1",
                        },
                        inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-9",
                    });
                    f.endpoints[0].foundationModels[0].dataCache = "on";
                }),
            ),
            [
                'fleet.metrics.enhanced: must be a boolean, got string "yes". Write true or false: YAML reads yes as a string.',
                "fleet.metrics.publishFrequencySeconds: must be one of 10, 30, 60, 120, 180, 240, 300 seconds (the API's MetricPublishFrequencyInSeconds), got 15. Pick one of them, e.g. 10 to scale and alarm fastest.",
                'fleet.alarms.topicArn: must be an SNS topic ARN, got "fm-fleet-oncall". Use arn:aws:sns:<region>:<account>:<topic>.',
                `${EP}.prefixRouting.prefixLength: must be between 1024 and 65536 bytes (the API's PrefixLength), got 512. Pick a value in that range.`,
                `${EP}.prefixRouting.concurrencyThreshold: must be between 1 and 1024 requests in flight (the API's ConcurrencyThreshold), got 2048. Pick a value in that range.`,
                `${EP}.capacityReservation.preference: unknown capacity reservation preference "open". Use capacity-reservations-only (the API's only value).`,
                `${EP}.capacityReservation.mlReservationArn: must be the ARN of an ML capacity reservation (20-258 characters), got "arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-1". Use arn:aws:sagemaker:<region>:<account>:ml-reservation/<id>, as the reservation's details show it.`,
                `${EP}.inferenceAmiVersion: unknown inference AMI version "al2-ami-sagemaker-inference-gpu-9". Use one of al2-ami-sagemaker-inference-gpu-2, al2-ami-sagemaker-inference-gpu-2-1, al2-ami-sagemaker-inference-gpu-3-1, al2-ami-sagemaker-inference-neuron-2, al2023-ami-sagemaker-inference-gpu-4-1 (the API's InferenceAmiVersion values).`,
                `${FM}.dataCache: must be a boolean, got string "on". Write true or false: YAML reads on as a string.`,
            ],
        );
    });

    it("fails prefixRouting on an endpoint that does not route by prefix", () => {
        assert.deepEqual(issuesOf(fleetWith((f) => (f.endpoints[0].prefixRouting = { prefixLength: 4096 }))), [
            `${EP}.prefixRouting: applies only to routing prefix-aware, got routing unset (least-outstanding-requests). Set routing: prefix-aware, or remove prefixRouting.`,
        ]);
    });

    it("fails a placement imbalance outside the API's range, at the fleet and at a model", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.placement = { strategy: "spread", maxImbalance: 101 };
                    f.endpoints[0].foundationModels[0].placement = { strategy: "binpack", maxImbalance: 500 };
                }),
            ),
            [
                "fleet.placement.maxImbalance: must be between 0 and 100 copies, got 101. Pick a value in that range.",
                `${FM}.placement.maxImbalance: must be between 0 and 100 copies, got 500. Pick a value in that range.`,
            ],
        );
    });

    it("fails a target tracking target that is not > 0 or beyond the API's TargetValue range (2^360)", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].foundationModels[0].copies.targetConcurrentRequestsPerCopy = 0;
                    f.multiModelEndpoints[0].targetConcurrentRequestsPerModel = 1e200;
                }),
            ),
            [
                `${FM}.copies.targetConcurrentRequestsPerCopy: must be > 0, got 0. Use the concurrent requests one copy serves well, e.g. 4.`,
                "fleet.multiModelEndpoints[0].targetConcurrentRequestsPerModel: must be at most 2^360 (the API's TargetValue range), got 1e+200. Use the concurrent requests one model serves well, e.g. 4.",
            ],
        );
        const atBound = fleetWith(
            (f) => (f.endpoints[0].foundationModels[0].copies.targetConcurrentRequestsPerCopy = 2 ** 360),
        );
        assert.equal(validateStackSettings(atBound, "ml").costCenter, "ml");
    });

    it("fails on an unknown quantization", () => {
        assert.deepEqual(issuesOf(fleetWith((f) => (f.endpoints[0].foundationModels[0].quantization = "q4_k_m"))), [
            `${FM}.quantization: unknown quantization "q4_k_m". Use one of none, awq, gptq, fp8, int8.`,
        ]);
    });

    it("fails on unknown keys, suggesting the key a typo meant", () => {
        assert.deepEqual(
            issuesOf(
                fleetWith((f) => {
                    f.endpoints[0].instanceTyp = "ml.g5.xlarge";
                    f.endpoints[0].foundationModels[0].copies.mni = 0;
                    f.replicas = 3;
                }),
            ),
            [
                `${FM}.copies.mni: unknown key \`mni\`. Did you mean \`min\`? Remove it or fix its spelling (known keys: min, max, targetConcurrentRequestsPerCopy).`,
                `${EP}.instanceTyp: unknown key \`instanceTyp\`. Did you mean \`instanceType\`? Remove it or fix its spelling (known keys: name, instanceType, fallbackInstanceTypes, provisionTimeoutSeconds, scaleIn, instances, routing, prefixRouting, capacityReservation, inferenceAmiVersion, networkIsolation, volumeSizeInGb, dataCapture, foundationModels, guard).`,
                "fleet.replicas: unknown key `replicas`. Remove it or fix its spelling (known keys: kmsKeyArn, rollout, placement, vpc, metrics, alarms, endpoints, multiModelEndpoints, pipelines).",
            ],
        );
    });

    it("fails on keys of the fm-fleet namespace that are a typo of a key it reads, naming the key meant, beside the key it misses", () => {
        assert.throws(
            () =>
                validateStackSettings(validFleet(), undefined, [
                    "fleet",
                    "costCentre",
                    "team",
                    "fleeet",
                    "region",
                    "COSTCENTER",
                ]),
            {
                name: "FleetConfigError",
                message:
                    "Invalid fm-fleet stack config (4 errors):\n" +
                    "  - costCentre: unknown config key `fm-fleet:costCentre`. Did you mean `fm-fleet:costCenter`? Remove it or fix its spelling (this project reads fm-fleet:fleet, fm-fleet:costCenter).\n" +
                    "  - fleeet: unknown config key `fm-fleet:fleeet`. Did you mean `fm-fleet:fleet`? Remove it or fix its spelling (this project reads fm-fleet:fleet, fm-fleet:costCenter).\n" +
                    "  - COSTCENTER: unknown config key `fm-fleet:COSTCENTER`. Did you mean `fm-fleet:costCenter`? Remove it or fix its spelling (this project reads fm-fleet:fleet, fm-fleet:costCenter).\n" +
                    '  - costCenter: must name the cost center every resource is tagged with, got nothing. Set fm-fleet:costCenter, e.g. "ml-platform".',
            },
        );
    });

    it("returns the other keys of the fm-fleet namespace as unread (kept for other tooling), not as errors", () => {
        // Edit distance 3 from costCenter (costCentreXY) and from fleet (fleetXYZ) is no typo.
        const settings = validateStackSettings(validFleet(), "ml", [
            "fleet",
            "costCenter",
            "team",
            "region",
            "costCentreXY",
            "fleetXYZ",
        ]);
        assert.deepEqual(settings.unreadConfigKeys, ["team", "region", "costCentreXY", "fleetXYZ"]);
        assert.deepEqual(validateStackSettings(validFleet(), "ml").unreadConfigKeys, []);
    });

    it("warns from the Fleet, once per key, about a key of the namespace it does not read, and registers the fleet", async () => {
        const warnings: { message: string; resource: unknown }[] = [];
        const log = pulumi.log as { warn: typeof pulumi.log.warn };
        const warn = log.warn;
        log.warn = (message: string, resource?: pulumi.Resource) => {
            warnings.push({ message, resource });
            return Promise.resolve();
        };
        try {
            const { result, resources } = await underMocks(
                () =>
                    new Fleet("fleet", {
                        fleet: validFleet(),
                        costCenter: "ml",
                        configKeys: ["fleet", "team", "costCenter", "owner"],
                    }),
            );
            assert.ok(resources.length > 1);
            assert.deepEqual(warnings, [
                {
                    message:
                        "config key `fm-fleet:team` is not read by this program (it reads fm-fleet:fleet, fm-fleet:costCenter), so it changes nothing here. Leave it if other tooling reads it; otherwise remove it.",
                    resource: result,
                },
                {
                    message:
                        "config key `fm-fleet:owner` is not read by this program (it reads fm-fleet:fleet, fm-fleet:costCenter), so it changes nothing here. Leave it if other tooling reads it; otherwise remove it.",
                    resource: result,
                },
            ]);
        } finally {
            log.warn = warn;
        }
    });

    it("fails on a missing cost center, a quoted number and a bad name, reporting everything at once", () => {
        const issues = issuesOf(
            fleetWith((f) => {
                f.endpoints[0].name = "Chat_1";
                f.endpoints[0].instances.max = "2";
                f.endpoints[0].foundationModels[0].accelerators = 8;
            }),
            "",
        );
        assert.deepEqual(issues, [
            'costCenter: must name the cost center every resource is tagged with, got "". Set fm-fleet:costCenter, e.g. "ml-platform".',
            `${EP}.name: must use lowercase letters, digits and hyphens, starting and ending with a letter or digit, got "Chat_1". Rename it, e.g. "chat-1".`,
            `${EP}.instances.max: must be a number, got string "2". Write 2 without quotes.`,
            `${FM}.accelerators: asks for 8 accelerator devices per copy, but ml.g5.2xlarge has 1. Lower accelerators or pick an instance type with more devices.`,
        ]);
    });

    it("says what YAML did: an unquoted yes, a list where a mapping goes, a cost center written as a mapping", () => {
        const issues = issuesOf(
            fleetWith((f) => {
                f.endpoints[0].foundationModels[0].stickySessions = "yes";
                f.endpoints[0].instances = [0, 2];
                f.endpoints[0].foundationModels[0].copies.max = "two";
            }),
            '{"team":"ml"}',
        );
        assert.deepEqual(issues, [
            'costCenter: must name the cost center every resource is tagged with as one string, got a mapping or list {"team":"ml"}. Set fm-fleet:costCenter to a name, e.g. "ml-platform".',
            `${EP}.instances: must be an object, got array [0,2]. Set it to an object.`,
            `${FM}.copies.max: must be a number, got string "two". Set it to a number.`,
            `${FM}.stickySessions: must be a boolean, got string "yes". Write true or false: YAML reads yes as a string.`,
        ]);
    });

    it("renders every issue in the error message", () => {
        assert.throws(() => validateStackSettings(undefined, "ml"), {
            name: "FleetConfigError",
            message:
                "Invalid fm-fleet stack config (1 error):\n  - fleet: is missing. Set fm-fleet:fleet with at least one endpoint.",
        });
    });

    it("registers no resource at all from an invalid config", async () => {
        const { resources } = await underMocks(() => {
            assert.throws(
                () =>
                    new Fleet("fleet", {
                        fleet: fleetWith((f) => (f.endpoints[0].instances.min = -1)),
                        costCenter: "ml",
                    }),
                FleetConfigError,
            );
            return pulumi.output(0);
        });
        assert.deepEqual(resources, []);
    });
});
