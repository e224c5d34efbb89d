import * as assert from "node:assert/strict";
import {
    CopyAutoscaling,
    ExecutionRole,
    FineTunedAdapters,
    FoundationModel,
    InferenceEndpoint,
    MultiModelEndpoint,
} from "../../components";
import { LMI_IMAGE } from "../helpers/configs";
import { refused } from "../helpers/pulumi";

const ROLE = "arn:aws:iam::123456789012:role/r";

describe("component arguments (used on their own)", () => {
    it("InferenceEndpoint refuses an unknown type, min > max and out-of-range timeouts, all at once", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new InferenceEndpoint("chat", {
                        instanceType: "ml.g5.3xlarge",
                        instances: { min: 3, max: 1 },
                        executionRoleArn: ROLE,
                        modelDataDownloadTimeoutInSeconds: 7200,
                        dataCapture: { destinationS3Uri: "capture/", samplingPercentage: 0 },
                    }),
            ),
            [
                'args.instanceType: unknown instance type "ml.g5.3xlarge". Use one of the catalog\'s types, e.g. ml.g5.xlarge, ml.g5.2xlarge, ml.g5.4xlarge.',
                "args.instances: `min` must be <= `max`, got 3 > 1. Lower min or raise max instances.",
                "args.modelDataDownloadTimeoutInSeconds: must be between 60 and 3600 seconds, got 7200. Pick a value in that range.",
                'args.dataCapture.destinationS3Uri: must be an s3://<bucket>/<key> URL with a valid bucket name, got "capture/". Use s3://<bucket>/<prefix>/.',
                "args.dataCapture.samplingPercentage: must be between 1 and 100 percent, got 0. Pick a value in that range.",
            ],
        );
    });

    it("CopyAutoscaling refuses fractional copies, min > max and an alarm period CloudWatch rejects", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new CopyAutoscaling("s", {
                        inferenceComponentName: "ic",
                        minCopies: 3,
                        maxCopies: 2,
                        targetConcurrentRequestsPerCopy: 0,
                        wakeAlarmPeriodSeconds: 45,
                    }),
            ),
            [
                "args: `minCopies` must be <= `maxCopies`, got 3 > 2. Lower minCopies or raise maxCopies.",
                "args.targetConcurrentRequestsPerCopy: must be > 0, got 0. Use the concurrent requests one copy serves well, e.g. 4.",
                "args.wakeAlarmPeriodSeconds: must be 10, 30 or a multiple of 60 (CloudWatch alarm periods), got 45. Use 60: SageMaker publishes the metric each minute.",
            ],
        );
        assert.deepEqual(
            await refused(
                () => new CopyAutoscaling("s", { inferenceComponentName: "ic", minCopies: 0.5, maxCopies: 0 }),
            ),
            [
                "args.minCopies: must be a whole number of copies, got 0.5. Round it.",
                "args.maxCopies: must be >= 1, got 0. Use 1 or more copies.",
            ],
        );
    });

    it("CopyAutoscaling refuses a target beyond the API's TargetValue range (2^360)", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new CopyAutoscaling("s", {
                        inferenceComponentName: "ic",
                        minCopies: 0,
                        maxCopies: 2,
                        targetConcurrentRequestsPerCopy: 1e200,
                    }),
            ),
            [
                "args.targetConcurrentRequestsPerCopy: must be at most 2^360 (the API's TargetValue range), got 1e+200. Use the concurrent requests one copy serves well, e.g. 4.",
            ],
        );
    });

    it("FoundationModel refuses bad weights, sizes and adapters before registering the model", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new FoundationModel("m", {
                        endpointName: "e",
                        variantName: "AllTraffic",
                        executionRoleArn: ROLE,
                        image: LMI_IMAGE,
                        modelDataUrl: "hf://meta-llama/Llama-3-8B",
                        parametersBillions: 0,
                        accelerators: 1,
                        memoryMb: 512,
                        copies: { min: 0, max: 1 },
                        adapters: [
                            { name: "a", artifactUrl: "s3://models/a.tar.gz" },
                            { name: "a", artifactUrl: "s3://models/b.tar.gz" },
                        ],
                    }),
            ),
            [
                'args.modelDataUrl: must be an s3://<bucket>/<key> URL with a valid bucket name, got "hf://meta-llama/Llama-3-8B". Use s3://<bucket>/<model>/ (a prefix) or s3://<bucket>/<model>.tar.gz.',
                "args.memoryMb: must be >= 1024, got 512. Use 1024 or more MiB.",
                "args.parametersBillions: must be > 0, got 0. Give the size in billions, e.g. 8 or 70.",
                'args.adapters[1].name: duplicate adapter name "a" (also at args.adapters[0]). Give each adapter its own name.',
            ],
        );
    });

    it("FineTunedAdapters refuses names SageMaker would reject", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new FineTunedAdapters("set", {
                        endpointName: "e",
                        baseInferenceComponentName: "b",
                        adapters: [{ name: "Support_Bot", artifactUrl: "s3://models/a.tar.gz" }],
                    }),
            ),
            [
                'args.adapters[0].name: must use lowercase letters, digits and hyphens, starting and ending with a letter or digit, got "Support_Bot". Rename it, e.g. "support-bot".',
            ],
        );
    });

    it("MultiModelEndpoint refuses zero instances, a prefix without a slash and a data capture the API would refuse", async () => {
        assert.deepEqual(
            await refused(
                () =>
                    new MultiModelEndpoint("classic", {
                        instanceType: "ml.m5.xlarge",
                        instances: { min: 0, max: 2 },
                        image: LMI_IMAGE,
                        modelsPrefix: "s3://models/mme",
                        executionRoleArn: ROLE,
                        dataCapture: { destinationS3Uri: "capture/", samplingPercentage: 101 },
                    }),
            ),
            [
                'args.modelsPrefix: must be an s3://<bucket>/<key> URL with a valid bucket name, ending in /, got "s3://models/mme". Use s3://<bucket>/<prefix>/ holding one .tar.gz per model.',
                "args.instances.min: is 0, but only inference-component endpoints scale to zero: a multi-model endpoint needs at least 1 instance. Set it to 1.",
                'args.dataCapture.destinationS3Uri: must be an s3://<bucket>/<key> URL with a valid bucket name, got "capture/". Use s3://<bucket>/<prefix>/.',
                "args.dataCapture.samplingPercentage: must be between 1 and 100 percent, got 101. Pick a value in that range.",
            ],
        );
    });

    it("ExecutionRole refuses no artifacts and non-S3 ones", async () => {
        assert.deepEqual(await refused(() => new ExecutionRole("r", { artifactUrls: [], images: [] })), [
            "args.artifactUrls: is empty. Give the S3 URLs of the model data and adapters the role serves.",
        ]);
        assert.deepEqual(await refused(() => new ExecutionRole("r", { artifactUrls: ["/tmp/model"], images: [] })), [
            'args.artifactUrls[0]: must be an s3://<bucket>/<key> URL with a valid bucket name, got "/tmp/model". Use s3://<bucket>/<prefix>/.',
        ]);
    });

    it("names the component and its resource name in the error", () => {
        assert.throws(() => new ExecutionRole("fleet-role", { artifactUrls: [], images: [] }), {
            name: "ComponentArgsError",
            message:
                'Invalid arguments for ExecutionRole "fleet-role" (1 error):\n  - args.artifactUrls: is empty. Give the S3 URLs of the model data and adapters the role serves.',
        });
    });
});
