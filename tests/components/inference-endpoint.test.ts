import * as assert from "node:assert/strict";
import { ComponentArgsError, InferenceEndpoint } from "../../components";
import { TYPES } from "../../lib/contract";
import { find, inputsOf, underMocks, unwrap } from "../helpers/pulumi";

const ROLE = "arn:aws:iam::123456789012:role/fleet-role";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/abc";

describe("InferenceEndpoint", () => {
    it("declares an aws-native model-less variant with managed scaling to zero, isolation and no key on local NVMe", async () => {
        const { result, resources } = await underMocks(
            () =>
                new InferenceEndpoint("fleet/chat", {
                    instanceType: "ml.g5.12xlarge",
                    instances: { min: 0, max: 3 },
                    executionRoleArn: ROLE,
                    kmsKeyArn: KEY,
                    vpc: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
                    nameParts: ["chat"],
                    tags: { "cost-center": "ml" },
                }),
        );
        const component = find(resources, "fm-fleet:sagemaker:InferenceEndpoint", "fleet/chat");
        const config = find(resources, TYPES.nativeEndpointConfig, "fleet/chat-config");
        const endpoint = find(resources, TYPES.nativeEndpoint, "fleet/chat-endpoint");
        assert.equal(resources.length, 3);
        assert.equal(config.parent, component.urn);
        assert.equal(endpoint.parent, component.urn);

        const names = result.physicalNames;
        assert.match(names.endpoint, /^chat-[0-9a-f]{8}$/);
        assert.match(names.endpointConfig, /^chat-[0-9a-f]{8}$/);
        assert.notEqual(names.endpoint, names.endpointConfig);
        assert.deepEqual(inputsOf(config), {
            endpointConfigName: names.endpointConfig,
            // IC endpoints carry the role, isolation and VPC on the configuration.
            executionRoleArn: ROLE,
            enableNetworkIsolation: true,
            vpcConfig: { subnets: ["subnet-1"], securityGroupIds: ["sg-1"] },
            // ml.g5 has local NVMe storage: CreateEndpointConfig refuses a KMS key for it.
            productionVariants: [
                {
                    variantName: "AllTraffic",
                    instanceType: "ml.g5.12xlarge",
                    initialInstanceCount: 1,
                    managedInstanceScaling: { status: "ENABLED", minInstanceCount: 0, maxInstanceCount: 3 },
                    routingConfig: { routingStrategy: "LEAST_OUTSTANDING_REQUESTS" },
                    containerStartupHealthCheckTimeoutInSeconds: 900,
                    modelDataDownloadTimeoutInSeconds: 900,
                },
            ],
            tags: [{ key: "cost-center", value: "ml" }],
        });
        assert.deepEqual(inputsOf(endpoint), {
            endpointName: names.endpoint,
            endpointConfigName: names.endpointConfig,
            tags: [{ key: "cost-center", value: "ml" }],
        });
        assert.equal(await unwrap(result.endpointName), names.endpoint);
    });

    it("sets the KMS key on an EBS-only type (inf2) and keeps it for data capture on any type", async () => {
        const { resources } = await underMocks(() => [
            new InferenceEndpoint("neuron", {
                instanceType: "ml.inf2.24xlarge",
                instances: { min: 1, max: 2 },
                executionRoleArn: ROLE,
                kmsKeyArn: KEY,
                volumeSizeInGb: 200,
            }),
            new InferenceEndpoint("gpu", {
                instanceType: "ml.g6.xlarge",
                instances: { min: 2, max: 4 },
                routing: "random",
                executionRoleArn: ROLE,
                kmsKeyArn: KEY,
                networkIsolation: false,
                dataCapture: { destinationS3Uri: "s3://capture/batch/", samplingPercentage: 20 },
                containerStartupHealthCheckTimeoutInSeconds: 600,
            }),
        ]);
        const neuron = inputsOf(find(resources, TYPES.nativeEndpointConfig, "neuron-config"));
        assert.equal(neuron.kmsKeyId, KEY);
        assert.equal(neuron.productionVariants[0].volumeSizeInGb, 200);

        const gpu = inputsOf(find(resources, TYPES.nativeEndpointConfig, "gpu-config"));
        assert.equal(gpu.kmsKeyId, undefined);
        assert.equal(gpu.enableNetworkIsolation, false);
        const variant = gpu.productionVariants[0];
        assert.equal(variant.initialInstanceCount, 2);
        assert.deepEqual(variant.managedInstanceScaling, {
            status: "ENABLED",
            minInstanceCount: 2,
            maxInstanceCount: 4,
        });
        assert.deepEqual(variant.routingConfig, { routingStrategy: "RANDOM" });
        assert.equal(variant.containerStartupHealthCheckTimeoutInSeconds, 600);
        assert.deepEqual(gpu.dataCaptureConfig, {
            enableCapture: true,
            destinationS3Uri: "s3://capture/batch/",
            initialSamplingPercentage: 20,
            captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
            kmsKeyId: KEY,
        });
    });

    it("names a changed configuration anew and keeps the endpoint's name", async () => {
        const args = { instanceType: "ml.g6.xlarge", instances: { min: 0, max: 1 }, executionRoleArn: ROLE };
        const first = await underMocks(() => new InferenceEndpoint("chat", args));
        const again = await underMocks(() => new InferenceEndpoint("chat", args));
        const bigger = await underMocks(
            () => new InferenceEndpoint("chat", { ...args, instances: { min: 0, max: 2 } }),
        );
        assert.deepEqual(again.result.physicalNames, first.result.physicalNames);
        assert.equal(bigger.result.physicalNames.endpoint, first.result.physicalNames.endpoint);
        assert.notEqual(bigger.result.physicalNames.endpointConfig, first.result.physicalNames.endpointConfig);
    });

    it("refuses a volume size on an instance type with local NVMe storage, before registering anything", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () =>
                    new InferenceEndpoint("chat", {
                        instanceType: "ml.g5.2xlarge",
                        instances: { min: 0, max: 1 },
                        executionRoleArn: ROLE,
                        volumeSizeInGb: 100,
                    }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    e.message ===
                        'Invalid arguments for InferenceEndpoint "chat" (1 error):\n' +
                            "  - args.volumeSizeInGb: is 100, but ml.g5.2xlarge serves from its local NVMe storage: SageMaker attaches no EBS volume to it " +
                            "(VolumeSizeInGB supports EBS gp2 volumes only). Remove volumeSizeInGb, or pick an EBS-only instance type.",
            ),
        );
        assert.equal(resources.length, 0);
    });

    it("routes by prompt prefix with the documented defaults, and sets metrics, a reservation and an AMI version", async () => {
        const { resources } = await underMocks(
            () =>
                new InferenceEndpoint("chat", {
                    instanceType: "ml.g5.2xlarge",
                    instances: { min: 1, max: 2 },
                    executionRoleArn: ROLE,
                    routing: "prefix-aware",
                    prefixRouting: { concurrencyThreshold: 8 },
                    metrics: { enhanced: true, publishFrequencySeconds: 10 },
                    capacityReservation: {
                        mlReservationArn: "arn:aws:sagemaker:us-east-1:123456789012:ml-reservation/r-1",
                    },
                    inferenceAmiVersion: "al2023-ami-sagemaker-inference-gpu-4-1",
                }),
        );
        const config = inputsOf(find(resources, TYPES.nativeEndpointConfig, "chat-config"));
        const variant = config.productionVariants[0];
        assert.deepEqual(variant.routingConfig, {
            routingStrategy: "PREFIX_AWARE",
            prefixAwareRoutingConfig: { prefixLength: 4096, concurrencyThreshold: 8 },
        });
        assert.deepEqual(variant.capacityReservationConfig, {
            capacityReservationPreference: "capacity-reservations-only",
            mlReservationArn: "arn:aws:sagemaker:us-east-1:123456789012:ml-reservation/r-1",
        });
        assert.equal(variant.inferenceAmiVersion, "al2023-ami-sagemaker-inference-gpu-4-1");
        assert.deepEqual(config.metricsConfig, { enableEnhancedMetrics: true, metricPublishFrequencyInSeconds: 10 });
    });

    it("refuses prefix settings, publish frequencies, reservation ARNs and AMI versions the API does not take", async () => {
        const { resources } = await underMocks(() =>
            assert.throws(
                () =>
                    new InferenceEndpoint("chat", {
                        instanceType: "ml.g5.2xlarge",
                        instances: { min: 0, max: 1 },
                        executionRoleArn: ROLE,
                        prefixRouting: { prefixLength: 100_000, concurrencyThreshold: 0 },
                        metrics: { publishFrequencySeconds: 5 },
                        capacityReservation: { mlReservationArn: "r-1" },
                        inferenceAmiVersion: "al2-gpu" as never,
                    }),
                (e: unknown) =>
                    e instanceof ComponentArgsError &&
                    assert.equal(
                        e.message,
                        'Invalid arguments for InferenceEndpoint "chat" (6 errors):\n' +
                            '  - args.prefixRouting: applies only to routing "prefix-aware", got routing "least-outstanding-requests". Set routing to "prefix-aware", or remove prefixRouting.\n' +
                            "  - args.prefixRouting.prefixLength: must be between 1024 and 65536 bytes, got 100000. Pick a value in that range.\n" +
                            "  - args.prefixRouting.concurrencyThreshold: must be between 1 and 1024 requests, got 0. Pick a value in that range.\n" +
                            "  - args.metrics.publishFrequencySeconds: must be one of 10, 30, 60, 120, 180, 240, 300 seconds (the API's MetricPublishFrequencyInSeconds), got 5. Pick one of them.\n" +
                            '  - args.capacityReservation.mlReservationArn: must be the ARN of an ML capacity reservation (20-258 characters), got "r-1". Use arn:aws:sagemaker:<region>:<account>:ml-reservation/<id>, as the reservation\'s details show it.\n' +
                            '  - args.inferenceAmiVersion: unknown inference AMI version "al2-gpu". Use one of al2-ami-sagemaker-inference-gpu-2, al2-ami-sagemaker-inference-gpu-2-1, al2-ami-sagemaker-inference-gpu-3-1, al2-ami-sagemaker-inference-neuron-2, al2023-ami-sagemaker-inference-gpu-4-1.',
                    ) === undefined,
            ),
        );
        assert.equal(resources.length, 0);
    });
});
