import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { takesVolumeKey } from "../lib/catalog";
import {
    CAPACITY_RESERVATION_PREFERENCES,
    IC_ROUTING_STRATEGIES,
    IcRouting,
    Routing,
    INFERENCE_AMI_VERSIONS,
    METRIC_PUBLISH_FREQUENCIES,
    ML_RESERVATION_ARN,
    PREFIX_ROUTING_DEFAULTS,
    PREFIX_ROUTING_RANGES,
    SCALE_IN_RANGES,
    VARIANT_RANGES,
} from "../lib/contract";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";
import { messages } from "./rules";

/** A fallback instance type: SageMaker provisions it when the types of higher priority have no capacity. */
export interface InstancePoolArgs {
    readonly instanceType: string;
    /** 2-5: the endpoint's own `instanceType` is priority 1, the lowest value is tried first. */
    readonly priority: number;
}

/** Scale-in of the endpoint's instances (`ManagedInstanceScaling.ScaleInPolicy`). */
export interface ScaleInArgs {
    /** `idle-release` frees instances with no copies; `consolidation` also moves copies to free more. */
    readonly strategy: "idle-release" | "consolidation";
    /** Minutes after the last endpoint operation before consolidating, 5-1440. @default none - the API's: 20 */
    readonly cooldownMinutes?: number;
    /** Instances released at a time when consolidating, 1-100. @default none - the API's: 1 */
    readonly maximumStep?: number;
}

export const SCALE_IN_STRATEGIES = { "idle-release": "IDLE_RELEASE", consolidation: "CONSOLIDATION" } as const;

/** Defaults of {@link InferenceEndpointArgs}, in one place. */
export const INFERENCE_ENDPOINT_DEFAULTS = {
    routing: "least-outstanding-requests" as Routing,
    /** PrefixAwareRoutingConfig when `routing` is prefix-aware (lib/contract PREFIX_ROUTING_DEFAULTS). */
    prefixRouting: PREFIX_ROUTING_DEFAULTS,
    capacityReservationPreference: CAPACITY_RESERVATION_PREFERENCES[0],
    variantName: "AllTraffic",
    containerStartupHealthCheckTimeoutInSeconds: 900,
    modelDataDownloadTimeoutInSeconds: 900,
    networkIsolation: true,
} as const;

/** Prefix-aware routing (`PrefixAwareRoutingConfig`). */
export interface PrefixRoutingArgs {
    /** Bytes of the request body (characters of the messages for the OpenAI-compatible API) that pick the instance, 1024-65536. @default 4096 */
    readonly prefixLength?: number;
    /** In-flight requests on the prefix's instance before a request goes elsewhere, 1-1024. @default 16 */
    readonly concurrencyThreshold?: number;
}

/** The endpoint configuration's `MetricsConfig`. */
export interface MetricsArgs {
    /** Per-instance and per-container utilization and invocation metrics (GPU utilization and memory). @default none - the API's: off */
    readonly enhanced?: boolean;
    /** Container-level inference, per-GPU, per-host and placement metrics. @default none - the API's: off */
    readonly detailed?: boolean;
    /** Seconds between publications: 10, 30, 60, 120, 180, 240 or 300. @default none - the API's: 60 */
    readonly publishFrequencySeconds?: number;
}

/** Launching the endpoint's instances into an ML capacity reservation (`CapacityReservationConfig`). */
export interface CapacityReservationArgs {
    /** `arn:aws:sagemaker:<region>:<account>:ml-reservation/<id>`. */
    readonly mlReservationArn: string;
    /** @default "capacity-reservations-only" - the API's only value: instances launch only into the reservation */
    readonly preference?: (typeof CAPACITY_RESERVATION_PREFERENCES)[number];
}

/** Data capture of requests and responses to S3. */
export interface DataCaptureArgs {
    /** `s3://` prefix that receives the captured payloads. */
    readonly destinationS3Uri: string;
    /** Share of requests captured, 1-100. @default 100 */
    readonly samplingPercentage?: number;
}

/** A VPC for containers: the subnets and security groups their network interfaces use. */
export interface VpcArgs {
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
}

/** The `vpcConfig` block of a model or endpoint configuration: the same fields in both providers. */
export const vpcConfig = (vpc: VpcArgs | undefined) =>
    vpc && { subnets: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] };

/** Arguments of {@link InferenceEndpoint}. */
export interface InferenceEndpointArgs {
    /** Instance type of the variant's instances, e.g. `ml.g5.12xlarge`. */
    readonly instanceType: string;
    /**
     * Managed instance scaling bounds. `min` 0 lets the endpoint scale to zero instances once its
     * inference components have no copies; `max` >= 1.
     */
    readonly instances: { readonly min: number; readonly max: number };
    /**
     * Fallback instance types for when `instanceType` has no capacity (`InstancePools`, which then replace
     * `InstanceType` on the variant). @default none - one instance type
     */
    readonly fallbackPools?: readonly InstancePoolArgs[];
    /** Seconds SageMaker keeps trying to provision before it gives up (`VariantInstanceProvisionTimeoutInSeconds`). @default none - the API's */
    readonly provisionTimeoutSeconds?: number;
    /** How instances scale in. @default none - the API's: IDLE_RELEASE */
    readonly scaleIn?: ScaleInArgs;
    /** Request routing across instances. @default "least-outstanding-requests" */
    readonly routing?: IcRouting;
    /** Prefix-aware routing's settings; only with `routing: "prefix-aware"`. @default { prefixLength: 4096, concurrencyThreshold: 16 } */
    readonly prefixRouting?: PrefixRoutingArgs;
    /** CloudWatch metrics of the endpoint (`MetricsConfig`). @default none - the API's: standard metrics every 60 s */
    readonly metrics?: MetricsArgs;
    /** An ML capacity reservation the instances launch into. @default none - on-demand capacity */
    readonly capacityReservation?: CapacityReservationArgs;
    /** The instances' AMI (`InferenceAmiVersion`), one of the API's values. @default none - the API's default AMI */
    readonly inferenceAmiVersion?: (typeof INFERENCE_AMI_VERSIONS)[number];
    /** Role SageMaker assumes for the endpoint's inference components (set on the endpoint config). */
    readonly executionRoleArn: pulumi.Input<string>;
    /**
     * KMS key for the instances' storage volume. Only set on EBS-only instance types: CreateEndpointConfig
     * fails when a KMS key is given for an instance type with local (hardware-encrypted) NVMe storage.
     * @default none - AWS-managed encryption
     */
    readonly kmsKeyArn?: string;
    /** Runs the inference components' containers without network access. @default true */
    readonly networkIsolation?: boolean;
    /** VPC the inference components' containers run in. @default none - SageMaker's network */
    readonly vpc?: VpcArgs;
    /** Data capture. @default none - no capture */
    readonly dataCapture?: DataCaptureArgs;
    /** Seconds SageMaker waits for a container's health check after start, 60-3600. @default 900 */
    readonly containerStartupHealthCheckTimeoutInSeconds?: number;
    /** Seconds SageMaker waits for model data to download, 60-3600. @default 900 */
    readonly modelDataDownloadTimeoutInSeconds?: number;
    /** EBS volume per instance, in GB; EBS-only instance types only. @default none - the type's default */
    readonly volumeSizeInGb?: number;
    /** Production variant name. @default "AllTraffic" */
    readonly variantName?: string;
    /** Readable parts the physical names start with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for the configuration and the endpoint. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Tags in aws-native's `[{key, value}]` shape. */
export const nativeTags = (tags: Readonly<Record<string, string>> | undefined) =>
    Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));

/**
 * A SageMaker endpoint for inference components: a model-less production variant with managed instance
 * scaling (down to zero instances when `instances.min` is 0) and load-aware routing. The role, network
 * isolation and VPC sit on the endpoint configuration, since the variant has no model to carry them:
 * aws-native's `EndpointConfig` can state them, @pulumi/aws's cannot.
 */
export class InferenceEndpoint extends pulumi.ComponentResource {
    /** The endpoint configuration. */
    public readonly configuration: awsNative.sagemaker.EndpointConfig;
    /** The endpoint. */
    public readonly endpoint: awsNative.sagemaker.Endpoint;
    /** The endpoint's name, which inference components and clients use (an Output, to depend on it). */
    public readonly endpointName: pulumi.Output<string>;
    /** The physical names, known before deployment. */
    public readonly physicalNames: { readonly endpoint: string; readonly endpointConfig: string };
    /** The production variant inference components are placed on. */
    public readonly variantName: string;

    constructor(name: string, args: InferenceEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:sagemaker:InferenceEndpoint", name, {}, opts);
        const d = INFERENCE_ENDPOINT_DEFAULTS;
        this.variantName = args.variantName ?? d.variantName;
        const tags = nativeTags(args.tags);
        const names = new ChildNames("fm-fleet:sagemaker:InferenceEndpoint", name, args.nameParts ?? partsOf(name));
        const pools = args.fallbackPools?.length
            ? [
                  { instanceType: args.instanceType, priority: 1 },
                  ...[...args.fallbackPools].sort((a, b) => a.priority - b.priority),
              ]
            : undefined;
        const instanceTypes = pools ? pools.map((p) => p.instanceType) : [args.instanceType];
        // Local NVMe storage is encrypted by the instance, and the API refuses a key for it: a key only when
        // every type the variant may land on is EBS-only.
        const kmsKeyId = takesVolumeKey(instanceTypes) ? args.kmsKeyArn : undefined;

        const config = {
            // IC endpoints carry the role, isolation and VPC on the configuration, not on a model.
            executionRoleArn: args.executionRoleArn,
            enableNetworkIsolation: args.networkIsolation ?? d.networkIsolation,
            vpcConfig: vpcConfig(args.vpc),
            kmsKeyId,
            productionVariants: [
                {
                    // No modelName: inference components bring the models.
                    variantName: this.variantName,
                    // Pools replace the instance type: the API refuses both.
                    instanceType: pools ? undefined : args.instanceType,
                    instancePools: pools,
                    variantInstanceProvisionTimeoutInSeconds: args.provisionTimeoutSeconds,
                    // The service cannot create a variant with 0 instances; managed scaling takes it to min.
                    initialInstanceCount: Math.max(1, args.instances.min),
                    managedInstanceScaling: {
                        status: "ENABLED",
                        minInstanceCount: args.instances.min,
                        maxInstanceCount: args.instances.max,
                        scaleInPolicy: args.scaleIn && {
                            strategy: SCALE_IN_STRATEGIES[args.scaleIn.strategy],
                            cooldownInMinutes: args.scaleIn.cooldownMinutes,
                            maximumStepSize: args.scaleIn.maximumStep,
                        },
                    },
                    routingConfig: routingConfig(args.routing ?? d.routing, args.prefixRouting),
                    capacityReservationConfig: args.capacityReservation && {
                        capacityReservationPreference:
                            args.capacityReservation.preference ?? d.capacityReservationPreference,
                        mlReservationArn: args.capacityReservation.mlReservationArn,
                    },
                    inferenceAmiVersion: args.inferenceAmiVersion,
                    containerStartupHealthCheckTimeoutInSeconds:
                        args.containerStartupHealthCheckTimeoutInSeconds ??
                        d.containerStartupHealthCheckTimeoutInSeconds,
                    modelDataDownloadTimeoutInSeconds:
                        args.modelDataDownloadTimeoutInSeconds ?? d.modelDataDownloadTimeoutInSeconds,
                    volumeSizeInGb: args.volumeSizeInGb,
                },
            ],
            metricsConfig: args.metrics && {
                enableEnhancedMetrics: args.metrics.enhanced,
                enableDetailedObservability: args.metrics.detailed,
                metricPublishFrequencyInSeconds: args.metrics.publishFrequencySeconds,
            },
            // Captured payloads land in S3: the key encrypts them whatever the instance storage.
            dataCaptureConfig: args.dataCapture && dataCaptureConfig(args.dataCapture, args.kmsKeyArn),
        };
        // Every input of an endpoint configuration is create-only: its name hashes them (the role is named
        // from the stack, so its ARN is as stable as the stack), and a changed config is a new config.
        const content = { ...config, executionRoleArn: undefined };
        this.physicalNames = {
            endpoint: names.name("endpoint"),
            endpointConfig: names.name("config", { content }),
        };
        this.configuration = new awsNative.sagemaker.EndpointConfig(
            `${name}-config`,
            { ...config, endpointConfigName: this.physicalNames.endpointConfig, tags },
            { parent: this },
        );
        this.endpoint = new awsNative.sagemaker.Endpoint(
            `${name}-endpoint`,
            {
                endpointName: this.physicalNames.endpoint,
                endpointConfigName: this.configuration.endpointConfigName.apply((n) => n ?? ""),
                tags,
            },
            { parent: this },
        );
        this.endpointName = this.endpoint.endpointName.apply((n) => n ?? this.physicalNames.endpoint);
        this.registerOutputs({ endpointName: this.endpointName, variantName: this.variantName });
    }
}

/** A variant's RoutingConfig: prefix-aware routing carries its two required settings, defaulted. */
export function routingConfig(routing: IcRouting, prefix: PrefixRoutingArgs | undefined) {
    const d = INFERENCE_ENDPOINT_DEFAULTS.prefixRouting;
    return {
        routingStrategy: IC_ROUTING_STRATEGIES[routing],
        // The API requires both when the strategy is PREFIX_AWARE and refuses the block otherwise.
        prefixAwareRoutingConfig:
            routing === "prefix-aware"
                ? {
                      prefixLength: prefix?.prefixLength ?? d.prefixLength,
                      concurrencyThreshold: prefix?.concurrencyThreshold ?? d.concurrencyThreshold,
                  }
                : undefined,
    };
}

/** The data capture block of an endpoint configuration: the same fields in both providers. */
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
        .wholeInRange("args.volumeSizeInGb", args.volumeSizeInGb, VARIANT_RANGES.volumeSizeInGb, "GB")
        .wholeInRange(
            "args.provisionTimeoutSeconds",
            args.provisionTimeoutSeconds,
            VARIANT_RANGES.provisionTimeoutSeconds,
            "seconds",
        );
    const priorities = new Map<number, number>();
    (args.fallbackPools ?? []).forEach((pool, i) => {
        const at = `args.fallbackPools[${i}]`;
        check
            .instanceType(`${at}.instanceType`, pool.instanceType)
            .range(`${at}.priority`, pool.priority, 2, 5, "(1 is the endpoint's instanceType)");
        const first = priorities.get(pool.priority);
        if (first !== undefined) {
            check.fail(
                `${at}.priority`,
                `duplicates the priority ${pool.priority} of args.fallbackPools[${first}]. Give each pool its own priority, 2 to 5.`,
            );
        } else priorities.set(pool.priority, i);
        if (pool.instanceType === args.instanceType) {
            check.fail(
                `${at}.instanceType`,
                `is the endpoint's own instanceType ${pool.instanceType} (priority 1). Name another type as a fallback.`,
            );
        }
    });
    for (const type of [args.instanceType, ...(args.fallbackPools ?? []).map((p) => p.instanceType)]) {
        check.storage("args", type, args.volumeSizeInGb);
    }
    if (args.scaleIn) {
        check
            .range(
                "args.scaleIn.cooldownMinutes",
                args.scaleIn.cooldownMinutes,
                ...SCALE_IN_RANGES.cooldownMinutes,
                "minutes",
            )
            .range("args.scaleIn.maximumStep", args.scaleIn.maximumStep, ...SCALE_IN_RANGES.maximumStep, "instances");
    }
    if (args.prefixRouting) {
        if (args.routing !== "prefix-aware") {
            check.fail(
                "args.prefixRouting",
                `applies only to routing "prefix-aware", got routing ${JSON.stringify(args.routing ?? INFERENCE_ENDPOINT_DEFAULTS.routing)}. Set routing to "prefix-aware", or remove prefixRouting.`,
            );
        }
        check
            .wholeInRange(
                "args.prefixRouting.prefixLength",
                args.prefixRouting.prefixLength,
                PREFIX_ROUTING_RANGES.prefixLength,
                "bytes",
            )
            .wholeInRange(
                "args.prefixRouting.concurrencyThreshold",
                args.prefixRouting.concurrencyThreshold,
                PREFIX_ROUTING_RANGES.concurrencyThreshold,
                "requests",
            );
    }
    const frequency = args.metrics?.publishFrequencySeconds;
    if (frequency !== undefined && !(METRIC_PUBLISH_FREQUENCIES as readonly number[]).includes(frequency)) {
        check.fail(
            "args.metrics.publishFrequencySeconds",
            `must be one of ${METRIC_PUBLISH_FREQUENCIES.join(", ")} seconds (the API's MetricPublishFrequencyInSeconds), got ${frequency}. Pick one of them.`,
        );
    }
    const arn = args.capacityReservation?.mlReservationArn;
    if (arn !== undefined && !(ML_RESERVATION_ARN.test(arn) && arn.length <= 258)) {
        check.fail("args.capacityReservation.mlReservationArn", messages.mlReservationArn(arn));
    }
    const preference = args.capacityReservation?.preference;
    if (preference !== undefined && !CAPACITY_RESERVATION_PREFERENCES.includes(preference)) {
        check.fail(
            "args.capacityReservation.preference",
            `unknown preference ${JSON.stringify(preference)}. Use ${CAPACITY_RESERVATION_PREFERENCES.join(" or ")}.`,
        );
    }
    const ami = args.inferenceAmiVersion;
    if (ami !== undefined && !INFERENCE_AMI_VERSIONS.includes(ami)) {
        check.fail(
            "args.inferenceAmiVersion",
            `unknown inference AMI version ${JSON.stringify(ami)}. Use one of ${INFERENCE_AMI_VERSIONS.join(", ")}.`,
        );
    }
    checkDataCapture(check, args.dataCapture);
    check.done();
}

/** Checks a data capture block as the API would: both endpoint components capture the same way. */
export function checkDataCapture(check: ArgsCheck, capture: DataCaptureArgs | undefined): void {
    if (!capture) return;
    check
        .s3Url("args.dataCapture.destinationS3Uri", capture.destinationS3Uri, "s3://<bucket>/<prefix>/")
        .range("args.dataCapture.samplingPercentage", capture.samplingPercentage, 1, 100, "percent");
}
