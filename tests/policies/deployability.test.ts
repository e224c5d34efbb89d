import * as assert from "node:assert/strict";
import { TYPES } from "../../lib/contract";
import {
    adapterArtifactTarball,
    adapterNoCompute,
    endpointVolumeSize,
    inferenceComponentModelData,
    sageMakerPhysicalNames,
    targetTrackingValue,
} from "../../policies/deployability";
import { stackViolations, UNKNOWN_ARRAY, UNKNOWN_NUMBER, UNKNOWN_STRING, violations } from "../helpers/policy-args";
import { happyStack, perInstanceType, shadowVariant, stackWith, withNativeScaling } from "../helpers/policy-fixtures";

describe("deployability policies (the SageMaker API's rules)", () => {
    describe("sagemaker-physical-names", () => {
        it("passes every named resource of the happy stack, in both providers' shapes", async () => {
            for (const r of Object.values(happyStack()))
                assert.deepEqual(await violations(sageMakerPhysicalNames, r), [], r.name);
            const classic = { type: TYPES.endpointConfiguration, name: "c", props: { name: "chat-config-1" } };
            assert.deepEqual(await violations(sageMakerPhysicalNames, classic), []);
        });

        it("fails a 64-character name, an underscore, and an autoname that would overflow", async () => {
            const ic = happyStack().ic;
            ic.props.inferenceComponentName = "x".repeat(64);
            assert.deepEqual(await violations(sageMakerPhysicalNames, ic), [
                `InferenceComponent "chat-llama-ic" must have a SageMaker name of at most 63 characters matching ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, got "${"x".repeat(64)}", which is 64 characters, over SageMaker's 63. The create call would fail: shorten the name (fm-fleet derives bounded names from the config).`,
            ]);
            const model = { type: TYPES.model, name: "m", props: { name: "llama_3" } };
            assert.deepEqual(await violations(sageMakerPhysicalNames, model), [
                'Model "m" must have a SageMaker name of at most 63 characters matching ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, got "llama_3", which does not match SageMaker\'s pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$. The create call would fail: shorten the name (fm-fleet derives bounded names from the config).',
            ]);
            const autonamed = {
                type: TYPES.nativeEndpoint,
                name: "fleet/chat-endpoint",
                props: { endpointConfigName: "c" },
            };
            assert.deepEqual(await violations(sageMakerPhysicalNames, autonamed), [
                `Endpoint "fleet/chat-endpoint" has no name, so the provider autonames it "fleet/chat-endpoint-<7 characters>", which does not match SageMaker's pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$. The create call would fail: set the name explicitly, or use a logical name of at most 55 letters, digits and hyphens.`,
            ]);
        });

        it("skips an unknown name and other types", async () => {
            const ic = happyStack().ic;
            ic.props.inferenceComponentName = UNKNOWN_STRING;
            assert.deepEqual(await violations(sageMakerPhysicalNames, ic), []);
            assert.deepEqual(await violations(sageMakerPhysicalNames, happyStack().alarm), []);
        });
    });

    describe("endpoint-volume-size", () => {
        it("passes a volume on an EBS-only type and none on local NVMe", async () => {
            assert.deepEqual(await violations(endpointVolumeSize, happyStack().config), []);
            const inf2 = happyStack().config;
            inf2.props.productionVariants[0].instanceType = "ml.inf2.xlarge";
            inf2.props.productionVariants[0].volumeSizeInGb = 200;
            assert.deepEqual(await violations(endpointVolumeSize, inf2), []);
        });

        it("fails a volume on ml.g5", async () => {
            const config = happyStack().config;
            config.props.productionVariants[0].volumeSizeInGb = 200;
            assert.deepEqual(await violations(endpointVolumeSize, config), [
                'EndpointConfig "chat-config" variant "AllTraffic" must not set volumeSizeInGb on ml.g5.2xlarge, got 200. The instance serves from its local NVMe storage and SageMaker attaches no EBS volume to it: remove volumeSizeInGb (fm-fleet: endpoints[].volumeSizeInGb), or pick an EBS-only type.',
            ]);
        });
    });

    describe("endpoint-volume-size on shadow variants", () => {
        it("fails a volume on a shadow variant's local NVMe type, naming it as the shadow", async () => {
            const config = happyStack().config;
            config.props.shadowProductionVariants = [shadowVariant({ volumeSizeInGb: 100 })];
            assert.deepEqual(await violations(endpointVolumeSize, config), [
                'EndpointConfig "chat-config" shadow variant "Shadow" must not set volumeSizeInGb on ml.g5.2xlarge, got 100. The instance serves from its local NVMe storage and SageMaker attaches no EBS volume to it: remove volumeSizeInGb (fm-fleet: endpoints[].volumeSizeInGb), or pick an EBS-only type.',
            ]);
        });
    });

    describe("adapter-artifact-tarball and adapter-no-compute", () => {
        it("pass the happy adapter and ignore base components", async () => {
            for (const r of [happyStack().adapter, happyStack().ic]) {
                assert.deepEqual(await violations(adapterArtifactTarball, r), []);
                assert.deepEqual(await violations(adapterNoCompute, r), []);
            }
        });

        it("fail a prefix artifact, a missing one, and compute on an adapter; skip unknowns", async () => {
            const adapter = happyStack().adapter;
            adapter.props.specification.container.artifactUrl = "s3://m/adapters/bot/";
            assert.deepEqual(await violations(adapterArtifactTarball, adapter), [
                'Adapter inference component "chat-llama-adapters-support" must point specification.container.artifactUrl at a .tar.gz archive, got s3://m/adapters/bot/. Pack the adapter directory into s3://<bucket>/<adapter>.tar.gz (fm-fleet: adapters[].artifactUrl).',
            ]);
            delete adapter.props.specification.container;
            assert.equal((await violations(adapterArtifactTarball, adapter)).length, 1);
            adapter.props.specification.container = { artifactUrl: UNKNOWN_STRING };
            assert.deepEqual(await violations(adapterArtifactTarball, adapter), []);

            const computing = happyStack().adapter;
            computing.props.specification.computeResourceRequirements = { minMemoryRequiredInMb: 1024 };
            assert.deepEqual(await violations(adapterNoCompute, computing), [
                'Adapter inference component "chat-llama-adapters-support" (base chat-llama-ic-1234567) must not set specification.computeResourceRequirements, got {"minMemoryRequiredInMb":1024}. Remove it: an adapter runs on its base\'s copies and scales with them.',
            ]);
        });
    });

    describe("inference-component-model-data", () => {
        it("passes models with one data source", async () => {
            assert.deepEqual(await stackViolations(inferenceComponentModelData, stackWith()), []);
        });

        it("fails the model of an inference component that carries a draft as an additional data source", async () => {
            const stack = stackWith((s) => {
                s.model.props.primaryContainer.additionalModelDataSources = [
                    { channelName: "draft_model", s3DataSources: [{ s3Uri: "s3://m/draft/" }] },
                ];
            });
            assert.deepEqual(await stackViolations(inferenceComponentModelData, stack), [
                'Inference component "chat-llama-ic" deploys model "chat-llama-model", which must not carry additionalModelDataSources, got channel draft_model. Inference components reject such models: ship the extra data (e.g. a draft model) inside the model data prefix and point the serving environment at /opt/ml/model/<folder> (fm-fleet: speculativeDecoding.draftModelUrl inside modelDataUrl). @ chat-llama-ic',
            ]);
        });

        it("checks the model of every per-instance-type specification, naming each", async () => {
            const stack = stackWith((s) => {
                s.ic = perInstanceType(["ml.g5.2xlarge", "ml.g6.2xlarge"], (entry, type) => {
                    if (type === "ml.g6.2xlarge") entry.modelName = "chat-draft-model-1234567";
                });
                s.draftModel = {
                    type: TYPES.model,
                    name: "chat-draft-model",
                    props: {
                        name: "chat-draft-model-1234567",
                        primaryContainer: {
                            image: "i",
                            additionalModelDataSources: [{ channelName: "draft_model", s3DataSource: {} }],
                        },
                    },
                };
            });
            assert.deepEqual(await stackViolations(inferenceComponentModelData, stack), [
                'Inference component "chat-llama-ic" specification for ml.g6.2xlarge deploys model "chat-draft-model", which must not carry additionalModelDataSources, got channel draft_model. Inference components reject such models: ship the extra data (e.g. a draft model) inside the model data prefix and point the serving environment at /opt/ml/model/<folder> (fm-fleet: speculativeDecoding.draftModelUrl inside modelDataUrl). @ chat-llama-ic',
            ]);
        });

        it("never throws on unknown or odd shapes", async () => {
            const stack = stackWith((s) => {
                s.model.props.primaryContainer = UNKNOWN_STRING;
                s.model.props.containers = UNKNOWN_ARRAY;
            });
            assert.deepEqual(await stackViolations(inferenceComponentModelData, stack), []);
        });
    });

    describe("target-tracking-value", () => {
        it("passes the happy target tracking policy, from either provider, and step policies", async () => {
            const s = happyStack();
            assert.deepEqual(await violations(targetTrackingValue, s.tracking), []);
            assert.deepEqual(await violations(targetTrackingValue, s.wake), []);
            assert.deepEqual(await violations(targetTrackingValue, withNativeScaling(happyStack()).tracking), []);
        });

        it("fails a TargetValue beyond 2^360 either way, from either provider", async () => {
            for (const [tracking, kind] of [
                [happyStack().tracking, "Policy"],
                [withNativeScaling(happyStack()).tracking, "ScalingPolicy"],
            ] as const) {
                tracking.props.targetTrackingScalingPolicyConfiguration.targetValue = -1e200;
                assert.deepEqual(await violations(targetTrackingValue, tracking), [
                    `${kind} "chat-llama-scaling-concurrency" must set targetTrackingScalingPolicyConfiguration.targetValue between -2^360 and 2^360, got -1e+200. ` +
                        "PutScalingPolicy would fail: set the value the metric should hold per copy or instance (fm-fleet: copies.targetConcurrentRequestsPerCopy, multiModelEndpoints[].targetConcurrentRequestsPerModel).",
                ]);
            }
        });

        it("skips an unknown TargetValue", async () => {
            const { tracking } = happyStack();
            tracking.props.targetTrackingScalingPolicyConfiguration.targetValue = UNKNOWN_NUMBER;
            assert.deepEqual(await violations(targetTrackingValue, tracking), []);
        });
    });
});
