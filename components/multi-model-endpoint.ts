import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { takesVolumeKey } from "../lib/catalog";
import { ROUTING_STRATEGIES, Routing, VARIANT_CONCURRENCY_METRIC, VARIANT_INSTANCE_DIMENSION } from "../lib/contract";
import {
    checkDataCapture,
    DataCaptureArgs,
    dataCaptureConfig,
    INFERENCE_ENDPOINT_DEFAULTS,
    VpcArgs,
    vpcConfig,
} from "./inference-endpoint";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";
import { SCALING_POLICY_NAME_MAX } from "../lib/names";

/** Defaults of {@link MultiModelEndpointArgs}, in one place. */
export const MULTI_MODEL_ENDPOINT_DEFAULTS = {
    targetConcurrentRequestsPerModel: 10,
    networkIsolation: true,
    scaleInCooldownSeconds: 300,
    scaleOutCooldownSeconds: 60,
} as const;

/** Arguments of {@link MultiModelEndpoint}. */
export interface MultiModelEndpointArgs {
    /** Instance type, e.g. `ml.m5.xlarge`. */
    readonly instanceType: string;
    /** Instance bounds of the variant. `min` >= 1: only inference-component endpoints scale to zero. */
    readonly instances: { readonly min: number; readonly max: number };
    /** ECR URI of a container that supports multi-model serving. */
    readonly image: string;
    /** `s3://` prefix (ending in `/`) holding one `.tar.gz` per model; invoke with `TargetModel`. */
    readonly modelsPrefix: string;
    /** Role the container runs with. */
    readonly executionRoleArn: pulumi.Input<string>;
    /** Request routing across instances. @default "least-outstanding-requests" */
    readonly routing?: Routing;
    /** Concurrent requests per model that variant autoscaling aims for. @default 10 */
    readonly targetConcurrentRequestsPerModel?: number;
    /**
     * KMS key for the instances' storage volume, set only on EBS-only instance types (the API refuses one
     * for types with local NVMe storage); data capture always uses it. @default none - AWS-managed encryption
     */
    readonly kmsKeyArn?: string;
    /** Data capture. @default none - no capture */
    readonly dataCapture?: DataCaptureArgs;
    /** Runs the container without network access. @default true */
    readonly networkIsolation?: boolean;
    /** VPC the container runs in. @default none - SageMaker's network */
    readonly vpc?: VpcArgs;
    /** Readable parts the physical names start with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for every taggable child. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A classic multi-model endpoint: one `MultiModel` SageMaker model over an S3 prefix, its endpoint, and
 * variant autoscaling on high-resolution concurrency per model.
 */
export class MultiModelEndpoint extends pulumi.ComponentResource {
    /** The multi-model SageMaker model. */
    public readonly model: aws.sagemaker.Model;
    /** The endpoint configuration. */
    public readonly configuration: aws.sagemaker.EndpointConfiguration;
    /** The endpoint. */
    public readonly endpoint: aws.sagemaker.Endpoint;
    /** The endpoint's name, for clients. */
    public readonly endpointName: pulumi.Output<string>;
    /** The physical names, known before deployment. */
    public readonly physicalNames: {
        readonly model: string;
        readonly endpointConfig: string;
        readonly endpoint: string;
    };
    /** The variant's scalable target. */
    public readonly target: aws.appautoscaling.Target;
    /** The variant's target tracking policy. */
    public readonly targetTracking: aws.appautoscaling.Policy;

    constructor(name: string, args: MultiModelEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:sagemaker:MultiModelEndpoint", name, {}, opts);
        const d = MULTI_MODEL_ENDPOINT_DEFAULTS;
        const variantName = INFERENCE_ENDPOINT_DEFAULTS.variantName;
        const tags = { ...args.tags };

        const names = new ChildNames("fm-fleet:sagemaker:MultiModelEndpoint", name, args.nameParts ?? partsOf(name));
        const model = {
            enableNetworkIsolation: args.networkIsolation ?? d.networkIsolation,
            primaryContainer: { image: args.image, mode: "MultiModel", modelDataUrl: args.modelsPrefix },
            vpcConfig: vpcConfig(args.vpc),
        };
        const modelName = names.name("model", { content: model });
        const config = {
            kmsKeyArn: takesVolumeKey([args.instanceType]) ? args.kmsKeyArn : undefined,
            productionVariants: [
                {
                    variantName,
                    modelName,
                    instanceType: args.instanceType,
                    initialInstanceCount: args.instances.min,
                    routingConfigs: [
                        { routingStrategy: ROUTING_STRATEGIES[args.routing ?? INFERENCE_ENDPOINT_DEFAULTS.routing] },
                    ],
                },
            ],
            dataCaptureConfig: args.dataCapture && dataCaptureConfig(args.dataCapture, args.kmsKeyArn),
        };
        // Models and endpoint configurations are immutable: their names hash their inputs. The endpoint's
        // name hashes its instance type: UpdateEndpoint fails when it changes the instance type of a variant
        // registered with Application Auto Scaling ("deregister the variant first", SageMaker developer guide,
        // endpoint-scaling-update). A new type is a new endpoint instead, created beside the old one with
        // its own scalable target; the old target, then the old endpoint, are deleted once it serves.
        this.physicalNames = {
            model: modelName,
            endpointConfig: names.name("config", { content: config }),
            endpoint: names.name("endpoint", { content: { instanceType: args.instanceType } }),
        };
        this.model = new aws.sagemaker.Model(
            `${name}-model`,
            { ...model, name: modelName, executionRoleArn: args.executionRoleArn, tags },
            { parent: this },
        );
        this.configuration = new aws.sagemaker.EndpointConfiguration(
            `${name}-config`,
            {
                ...config,
                name: this.physicalNames.endpointConfig,
                // Depend on the model resource, not just its name.
                productionVariants: config.productionVariants.map((v) => ({ ...v, modelName: this.model.name })),
                tags,
            },
            { parent: this },
        );
        this.endpoint = new aws.sagemaker.Endpoint(
            `${name}-endpoint`,
            { name: this.physicalNames.endpoint, endpointConfigName: this.configuration.name, tags },
            { parent: this },
        );
        this.endpointName = this.endpoint.name;

        this.target = new aws.appautoscaling.Target(
            `${name}-target`,
            {
                serviceNamespace: "sagemaker",
                resourceId: pulumi.interpolate`endpoint/${this.endpoint.name}/variant/${variantName}`,
                scalableDimension: VARIANT_INSTANCE_DIMENSION,
                minCapacity: args.instances.min,
                maxCapacity: args.instances.max,
            },
            { parent: this },
        );
        this.targetTracking = new aws.appautoscaling.Policy(
            `${name}-concurrency`,
            {
                serviceNamespace: this.target.serviceNamespace,
                resourceId: this.target.resourceId,
                scalableDimension: this.target.scalableDimension,
                name: names.name("concurrency", { extra: ["concurrency"], maxLength: SCALING_POLICY_NAME_MAX }),
                policyType: "TargetTrackingScaling",
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: VARIANT_CONCURRENCY_METRIC },
                    targetValue: args.targetConcurrentRequestsPerModel ?? d.targetConcurrentRequestsPerModel,
                    scaleInCooldown: d.scaleInCooldownSeconds,
                    scaleOutCooldown: d.scaleOutCooldownSeconds,
                },
            },
            { parent: this },
        );
        this.registerOutputs({ endpointName: this.endpointName });
    }
}

/** Checks the plain arguments; throws one error naming every problem. */
function checkArgs(name: string, args: MultiModelEndpointArgs): void {
    const check = new ArgsCheck("MultiModelEndpoint", name)
        .instanceType("args.instanceType", args.instanceType)
        .bounds("args.instances", args.instances, "instances")
        .s3Url("args.modelsPrefix", args.modelsPrefix, "s3://<bucket>/<prefix>/ holding one .tar.gz per model", true);
    if (args.instances.min === 0) {
        check.fail(
            "args.instances.min",
            "is 0, but only inference-component endpoints scale to zero: a multi-model endpoint needs at least 1 instance. Set it to 1.",
        );
    }
    checkDataCapture(check, args.dataCapture);
    check.done();
}
