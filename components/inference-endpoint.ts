import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Routing, ROUTING_STRATEGIES } from "../lib/contract";
import { ArgsCheck } from "./args-check";

/** Defaults of {@link InferenceEndpointArgs}, in one place. */
export const INFERENCE_ENDPOINT_DEFAULTS = {
    routing: "least-outstanding-requests" as Routing,
    variantName: "AllTraffic",
    containerStartupHealthCheckTimeoutInSeconds: 900,
    modelDataDownloadTimeoutInSeconds: 900,
} as const;

/** Data capture of requests and responses to S3. */
export interface DataCaptureArgs {
    /** `s3://` prefix that receives the captured payloads. */
    readonly destinationS3Uri: string;
    /** Share of requests captured, 1-100. @default 100 */
    readonly samplingPercentage?: number;
}

/** Arguments of {@link InferenceEndpoint}. */
export interface InferenceEndpointArgs {
    /** Instance type of the variant's instances, e.g. `ml.g5.12xlarge`. */
    readonly instanceType: string;
    /**
     * Managed instance scaling bounds. `min` 0 lets the endpoint scale to zero instances once its
     * inference components have no copies; `max` >= 1.
     */
    readonly instances: { readonly min: number; readonly max: number };
    /** Request routing across instances. @default "least-outstanding-requests" */
    readonly routing?: Routing;
    /** Role SageMaker assumes for the endpoint's inference components. */
    readonly executionRoleArn: pulumi.Input<string>;
    /** KMS key that encrypts the instances' storage volumes. @default none - AWS-managed encryption */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Data capture. @default none - no capture */
    readonly dataCapture?: DataCaptureArgs;
    /** Seconds SageMaker waits for a container's health check after start, 60-3600. @default 900 */
    readonly containerStartupHealthCheckTimeoutInSeconds?: number;
    /** Seconds SageMaker waits for model data to download, 60-3600. @default 900 */
    readonly modelDataDownloadTimeoutInSeconds?: number;
    /** Storage volume per instance, in GB. @default none - the instance type's default */
    readonly volumeSizeInGb?: number;
    /** Production variant name. @default "AllTraffic" */
    readonly variantName?: string;
    /** Tags for the configuration and the endpoint. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A SageMaker endpoint for inference components: a model-less production variant with managed instance
 * scaling (down to zero instances when `instances.min` is 0) and load-aware routing.
 */
export class InferenceEndpoint extends pulumi.ComponentResource {
    /** The endpoint configuration. */
    public readonly configuration: aws.sagemaker.EndpointConfiguration;
    /** The endpoint. */
    public readonly endpoint: aws.sagemaker.Endpoint;
    /** The endpoint's name, which inference components and clients use. */
    public readonly endpointName: pulumi.Output<string>;
    /** The production variant inference components are placed on. */
    public readonly variantName: string;

    constructor(name: string, args: InferenceEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:sagemaker:InferenceEndpoint", name, {}, opts);
        const d = INFERENCE_ENDPOINT_DEFAULTS;
        this.variantName = args.variantName ?? d.variantName;
        const tags = { ...args.tags };

        this.configuration = new aws.sagemaker.EndpointConfiguration(
            `${name}-config`,
            {
                // IC endpoints carry the execution role on the configuration, not on a model.
                executionRoleArn: args.executionRoleArn,
                kmsKeyArn: args.kmsKeyArn,
                productionVariants: [
                    {
                        // No modelName: inference components bring the models.
                        variantName: this.variantName,
                        instanceType: args.instanceType,
                        // The service cannot create a variant with 0 instances; managed scaling takes it to min.
                        initialInstanceCount: Math.max(1, args.instances.min),
                        managedInstanceScaling: {
                            status: "ENABLED",
                            minInstanceCount: args.instances.min,
                            maxInstanceCount: args.instances.max,
                        },
                        routingConfigs: [{ routingStrategy: ROUTING_STRATEGIES[args.routing ?? d.routing] }],
                        containerStartupHealthCheckTimeoutInSeconds:
                            args.containerStartupHealthCheckTimeoutInSeconds ??
                            d.containerStartupHealthCheckTimeoutInSeconds,
                        modelDataDownloadTimeoutInSeconds:
                            args.modelDataDownloadTimeoutInSeconds ?? d.modelDataDownloadTimeoutInSeconds,
                        volumeSizeInGb: args.volumeSizeInGb,
                    },
                ],
                dataCaptureConfig: args.dataCapture && dataCaptureConfig(args.dataCapture, args.kmsKeyArn),
                tags,
            },
            { parent: this },
        );
        this.endpoint = new aws.sagemaker.Endpoint(
            `${name}-endpoint`,
            { endpointConfigName: this.configuration.name, tags },
            { parent: this },
        );
        this.endpointName = this.endpoint.name;
        this.registerOutputs({ endpointName: this.endpointName, variantName: this.variantName });
    }
}

/** The classic provider's data capture block for an endpoint configuration. */
export function dataCaptureConfig(
    capture: DataCaptureArgs,
    kmsKeyArn: pulumi.Input<string> | undefined,
): aws.types.input.sagemaker.EndpointConfigurationDataCaptureConfig {
    return {
        enableCapture: true,
        destinationS3Uri: capture.destinationS3Uri,
        initialSamplingPercentage: capture.samplingPercentage ?? 100,
        captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
        kmsKeyId: kmsKeyArn,
    };
}

/** Checks an endpoint's plain arguments; throws one error naming every problem. */
function checkArgs(name: string, args: InferenceEndpointArgs): void {
    const check = new ArgsCheck("InferenceEndpoint", name)
        .instanceType("args.instanceType", args.instanceType)
        .bounds("args.instances", args.instances, "instances")
        .range(
            "args.containerStartupHealthCheckTimeoutInSeconds",
            args.containerStartupHealthCheckTimeoutInSeconds,
            60,
            3600,
            "seconds",
        )
        .range("args.modelDataDownloadTimeoutInSeconds", args.modelDataDownloadTimeoutInSeconds, 60, 3600, "seconds")
        .count("args.volumeSizeInGb", args.volumeSizeInGb, 1, "GB", true);
    if (args.dataCapture) {
        check
            .s3Url("args.dataCapture.destinationS3Uri", args.dataCapture.destinationS3Uri, "s3://<bucket>/<prefix>/")
            .range("args.dataCapture.samplingPercentage", args.dataCapture.samplingPercentage, 1, 100, "percent");
    }
    check.done();
}
