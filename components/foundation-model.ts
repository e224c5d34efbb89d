import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import {
    MEASURED_TOKENS_PER_SECOND_TAG,
    MEASURED_TTFT_MS_TAG,
    OPTIMIZATION_JOB_TAG,
    PARAMETERS_BILLIONS_TAG,
    QUANTIZATION_TAG,
    SLO_MAX_COLD_START_SECONDS_TAG,
    SLO_TOKENS_PER_SECOND_TAG,
    SLO_TTFT_MS_TAG,
} from "../lib/contract";
import { MeasuredPerformance, weightsGb } from "../lib/performance/estimate";
import { latencyFigureIssues, Slo } from "../lib/performance/slo";
import { ESTIMATED_HOURS_TAG } from "../lib/optimization";
import { findInstanceType } from "../lib/catalog";
import { StartupTimeouts, startupTimeouts } from "../lib/performance/startup-timeouts";
import { Quantization } from "../lib/sizing";
import { CopyAutoscaling, CopyAutoscalingArgs } from "./copy-autoscaling";
import { AdapterSpec, checkAdapters, FineTunedAdapters } from "./fine-tuned-adapters";
import {
    ContainerFamily,
    containerFamilyOf,
    loraIssues,
    SERVING_DEFAULTS,
    servingEnvironment,
} from "./serving-environment";
import { ArgsCheck } from "./args-check";
import { INFERENCE_ENDPOINT_DEFAULTS, nativeTags, VpcArgs, vpcConfig } from "./inference-endpoint";
import { ChildNames, partsOf } from "./naming";
import { draftPathIn, messages } from "./rules";
import { OptimizationJob } from "./optimization/optimization-job";
import {
    jobTimes,
    ModelOptimizationArgs,
    optimizationConfigsOf,
    optimizationIssues,
    optimizedServingEnvironment,
} from "./optimization/model-optimization";
import {
    checkRolloutAndPlacement,
    deploymentConfig,
    PlacementArgs,
    rollbackAlarmNames,
    rollbackAlarms,
    RolloutArgs,
    schedulingConfig,
} from "./rollout";

/** Defaults of {@link FoundationModelArgs}, in one place. */
export const FOUNDATION_MODEL_DEFAULTS = {
    networkIsolation: true,
} as const;

/** Copy bounds and target of a base inference component. */
export interface CopiesArgs {
    /** Fewest copies, >= 0; 0 lets the model scale to zero (and wake on the first request). */
    readonly min: number;
    /** Most copies, >= 1 and >= `min`. */
    readonly max: number;
    /** Concurrent requests per copy that autoscaling aims for. @default 4 */
    readonly targetConcurrentRequestsPerCopy?: number;
}

/** Arguments of {@link FoundationModel}. */
export interface FoundationModelArgs {
    /** Endpoint to place the model on (an {@link InferenceEndpoint}'s `endpointName`). */
    readonly endpointName: pulumi.Input<string>;
    /** The endpoint's production variant. */
    readonly variantName: string;
    /** Role the model's container runs with. */
    readonly executionRoleArn: pulumi.Input<string>;
    /** ECR URI of the serving container image (LMI or the SageMaker vLLM DLC). */
    readonly image: string;
    /** Serving container family, whose environment names the options use. @default detected from `image` */
    readonly containerFamily?: ContainerFamily;
    /** `s3://` URL of the weights: a prefix (ending in `/`, served uncompressed) or a `.tar.gz`. */
    readonly modelDataUrl: string;
    /** Model size in billions of parameters (tagged for the policy pack's sizing rules). */
    readonly parametersBillions: number;
    /** Weight quantization. @default "none" */
    readonly quantization?: Quantization;
    /**
     * Speculative decoding with a draft model that ships inside the model data: `draftModelUrl` is a folder
     * under `modelDataUrl` (inference components reject models with additional data sources), and the
     * container finds it at `/opt/ml/model/<folder>`. `speculativeLength` draft tokens per step. @default none
     */
    readonly speculativeDecoding?: { readonly draftModelUrl: string; readonly speculativeLength?: number };
    /** Tensor parallel degree. @default `accelerators` */
    readonly tensorParallelDegree?: number;
    /** Accelerator devices per copy, >= 1 (0 for CPU-only models). */
    readonly accelerators: number;
    /** Host memory reserved per copy, in MiB. */
    readonly memoryMb: number;
    /** CPU cores reserved per copy. @default none - SageMaker's default */
    readonly cpuCores?: number;
    /** Copy bounds and autoscaling target. */
    readonly copies: CopiesArgs;
    /** Session-aware (sticky) routing. @default false */
    readonly stickySessions?: boolean;
    /**
     * Caches the model's artifacts and container image on each instance, so later copies there start
     * without downloading them (`Specification.DataCacheConfig.EnableCaching`). SageMaker turns caching on by
     * itself on types with more than 232 GiB of local NVMe (aws-native 1.79 currentDataCacheConfig).
     * @default none - the API's choice
     */
    readonly dataCache?: boolean;
    /** Fine-tuned adapters on this base. @default [] */
    readonly adapters?: readonly AdapterSpec[];
    /**
     * Serve LoRA adapters. Turning it on or off changes the model's environment, so it replaces the model
     * (and rolls the base inference component onto it); set it `true` before the first adapter arrives to
     * make that adapter, like every later one, touch nothing but its own inference component.
     * @default true when `adapters` is non-empty, else false
     */
    readonly enableLora?: boolean;
    /** Adapters one batch can use at once, each reserving accelerator memory; >= 1. @default 8 */
    readonly maxLoras?: number;
    /** Adapters cached in host memory, >= `maxLoras`. @default max(64, maxLoras) */
    readonly maxCpuLoras?: number;
    /** Runs the container without network access. @default true */
    readonly networkIsolation?: boolean;
    /** VPC the container runs in. @default none - SageMaker's network */
    readonly vpc?: VpcArgs;
    /** Extra container environment, applied over the derived serving environment. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** Overrides of the copy autoscaling. @default the CopyAutoscaling defaults */
    readonly autoscaling?: Partial<Omit<CopyAutoscalingArgs, "inferenceComponentName" | "minCopies" | "maxCopies">>;
    /**
     * Rolling updates with automatic rollback on alarms the model creates (5xx errors, model latency).
     * @default none - the API's default: every copy at once, no rollback
     */
    readonly rollout?: RolloutArgs;
    /**
     * The instance types the endpoint may place copies on (its own, then its fallbacks'). A model whose
     * weights need longer than the endpoint's startup timeouts (900 s) to download or load on the slowest of
     * them gets `startupParameters` sized from the cold-start estimate. @default none - no sizing
     */
    readonly instanceTypes?: readonly string[];
    /** Copy placement and Availability Zone balance. @default none - the API's default placement */
    readonly placement?: PlacementArgs;
    /**
     * Optimize the weights before serving them: a SageMaker optimization job reads `modelDataUrl` and the
     * model serves its output instead, with the job's quantization and environment. @default none
     */
    readonly optimization?: ModelOptimizationArgs;
    /**
     * Latency targets, tagged on the base inference component (`fmfleet:slo-*`) for the pack's latency-slo and
     * cold-start-budget policies. @default none - no target
     */
    readonly slo?: Slo;
    /**
     * Figures from the team's own load test (`fmfleet:measured-*` tags); the plan and the pack use them instead
     * of the estimates and label them measured. @default none - estimates
     */
    readonly performance?: MeasuredPerformance;
    /** Readable parts the physical names start with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for the model, its inference components and its alarms. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
    /** Tags only the base inference component carries, over `tags` (e.g. a guard's contract tags). @default {} */
    readonly inferenceComponentTags?: Readonly<Record<string, string>>;
}

/**
 * The physical names of the rollback alarms a {@link FoundationModel} of this name creates with a rollout,
 * known before it is constructed (the fleet's execution role is created first and grants DescribeAlarms on
 * them). The same ChildNames as the model's own.
 */
export function rollbackAlarmNamesOf(name: string, nameParts?: readonly string[]): string[] {
    return rollbackAlarmNames(new ChildNames("fm-fleet:sagemaker:FoundationModel", name, nameParts ?? partsOf(name)));
}

/** S3 data source of model weights: a prefix is served uncompressed, anything else as a tarball. */
function s3DataSource(url: string, uri: pulumi.Input<string> = url) {
    return url.endsWith("/")
        ? { s3Uri: uri, s3DataType: "S3Prefix", compressionType: "None" }
        : { s3Uri: uri, s3DataType: "S3Object", compressionType: "Gzip" };
}

/**
 * A foundation model on an inference-component endpoint: the SageMaker model (image, weights, network
 * isolation), its base inference component (compute per copy, copy count, serving environment for
 * quantization, speculative decoding, LoRA and sticky sessions), copy autoscaling, and its adapters.
 */
export class FoundationModel extends pulumi.ComponentResource {
    /** The SageMaker model. */
    public readonly model: aws.sagemaker.Model;
    /** The base inference component. */
    public readonly inferenceComponent: awsNative.sagemaker.InferenceComponent;
    /** The base inference component's name: invoke it, or attach adapters to it. */
    public readonly inferenceComponentName: pulumi.Output<string>;
    /** Copy autoscaling of the base inference component. */
    public readonly autoscaling: CopyAutoscaling;
    /** The alarms a rolling update watches to roll back; empty without a rollout. */
    public readonly rollbackAlarms: readonly aws.cloudwatch.MetricAlarm[];
    /** The adapters; `undefined` when there are none. */
    public readonly adapters: FineTunedAdapters | undefined;
    /** The job that optimizes the weights; `undefined` without `optimization`. */
    public readonly optimizationJob: OptimizationJob | undefined;
    /** The serving environment the container gets. */
    public readonly environment: Readonly<Record<string, string>>;
    /** The serving container family the environment is written for. */
    public readonly containerFamily: ContainerFamily;
    /** The physical names, known before deployment. */
    public readonly physicalNames: { readonly model: string; readonly inferenceComponent: string };

    constructor(name: string, args: FoundationModelArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:sagemaker:FoundationModel", name, {}, opts);
        const adapters = args.adapters ?? [];
        const optimization = args.optimization;
        // An optimized model serves the job's quantization (checkArgs keeps the two from disagreeing).
        const quantization = optimization?.quantization ?? args.quantization ?? SERVING_DEFAULTS.quantization;
        const nameParts = args.nameParts ?? partsOf(name);
        const names = new ChildNames("fm-fleet:sagemaker:FoundationModel", name, nameParts);
        // checkArgs guarantees both: a known family and a draft inside the weights.
        this.containerFamily = (args.containerFamily ?? containerFamilyOf(args.image))!;
        const draftModelPath = args.speculativeDecoding
            ? draftPathIn(args.modelDataUrl, args.speculativeDecoding.draftModelUrl)!
            : undefined;
        this.environment = {
            ...servingEnvironment({
                ...args,
                family: this.containerFamily,
                quantization,
                speculativeDecoding: draftModelPath
                    ? { draftModelPath, speculativeLength: args.speculativeDecoding?.speculativeLength }
                    : undefined,
                enableLora: args.enableLora ?? adapters.length > 0,
            }),
            // As the SageMaker Python SDK deploys a job's output: with the job's environment.
            ...(optimization && optimizedServingEnvironment(optimization)),
            ...args.environment,
        };
        const tags = { ...args.tags };
        this.optimizationJob = optimization && this.optimize(name, args, optimization, names.parts, tags);
        const modelTags: Record<string, string> = { ...tags };
        if (this.optimizationJob) modelTags[OPTIMIZATION_JOB_TAG] = this.optimizationJob.physicalName;
        const icTags: Record<string, string> = {
            ...modelTags,
            [PARAMETERS_BILLIONS_TAG]: String(args.parametersBillions),
        };
        if (quantization !== "none") icTags[QUANTIZATION_TAG] = quantization;
        Object.assign(icTags, latencyTags(args.slo, args.performance), args.inferenceComponentTags);

        // An optimized model serves the job's own output prefix, uncompressed, once the job has written it.
        const weights = this.optimizationJob?.outputUrl ?? args.modelDataUrl;
        const container = {
            image: args.image,
            // The draft, if any, is a folder of this one data source: no additionalModelDataSources.
            modelDataSource: { s3DataSources: [s3DataSource(weights, this.optimizationJob?.optimizedModelUrl)] },
            environment: this.environment,
        };
        const networkIsolation = args.networkIsolation ?? FOUNDATION_MODEL_DEFAULTS.networkIsolation;
        const vpc = vpcConfig(args.vpc);
        this.physicalNames = {
            // Every input of a SageMaker model is create-only: a changed model is a new model, under a new name.
            // A new job writes new weights to the same prefix: its name is part of the model's content.
            model: names.name("model", {
                content: {
                    container: { ...container, modelDataSource: { s3DataSources: [s3DataSource(weights)] } },
                    optimizationJob: this.optimizationJob?.physicalName,
                    networkIsolation,
                    vpcConfig: vpc,
                },
            }),
            inferenceComponent: names.name("ic"),
        };

        this.model = new aws.sagemaker.Model(
            `${name}-model`,
            {
                name: this.physicalNames.model,
                executionRoleArn: args.executionRoleArn,
                enableNetworkIsolation: networkIsolation,
                primaryContainer: container,
                vpcConfig: vpc,
                tags: modelTags,
            },
            { parent: this },
        );

        const rollback = args.rollout
            ? rollbackAlarms(this, `${name}-rollback`, names, this.physicalNames.inferenceComponent, args.rollout, tags)
            : undefined;
        this.rollbackAlarms = rollback?.alarms ?? [];
        this.inferenceComponent = new awsNative.sagemaker.InferenceComponent(
            `${name}-ic`,
            {
                inferenceComponentName: this.physicalNames.inferenceComponent,
                endpointName: args.endpointName,
                variantName: args.variantName,
                specification: {
                    modelName: this.model.name,
                    computeResourceRequirements: {
                        numberOfAcceleratorDevicesRequired: args.accelerators > 0 ? args.accelerators : undefined,
                        numberOfCpuCoresRequired: args.cpuCores,
                        minMemoryRequiredInMb: args.memoryMb,
                    },
                    schedulingConfig: args.placement && schedulingConfig(args.placement),
                    startupParameters: startupParametersOf(args, quantization),
                    dataCacheConfig: args.dataCache === undefined ? undefined : { enableCaching: args.dataCache },
                },
                // CreateInferenceComponent rejects 0 copies: start with one, autoscaling takes it to min.
                runtimeConfig: { copyCount: Math.max(1, args.copies.min) },
                // The alarms' names are known up front; dependsOn below makes them exist first.
                deploymentConfig: args.rollout && rollback && deploymentConfig(args.rollout, rollback.alarmNames),
                tags: nativeTags(icTags),
            },
            // Autoscaling owns the copy count after creation: a later `pulumi up` must not reset it.
            { parent: this, ignoreChanges: ["runtimeConfig.copyCount"], dependsOn: [...this.rollbackAlarms] },
        );
        this.inferenceComponentName = this.inferenceComponent.inferenceComponentName.apply(
            (n) => n ?? this.physicalNames.inferenceComponent,
        );

        this.autoscaling = new CopyAutoscaling(
            `${name}-scaling`,
            {
                ...args.autoscaling,
                inferenceComponentName: this.inferenceComponentName,
                minCopies: args.copies.min,
                maxCopies: args.copies.max,
                targetConcurrentRequestsPerCopy:
                    args.copies.targetConcurrentRequestsPerCopy ?? args.autoscaling?.targetConcurrentRequestsPerCopy,
                nameParts,
                tags,
            },
            { parent: this },
        );

        this.adapters =
            adapters.length === 0
                ? undefined
                : new FineTunedAdapters(
                      `${name}-adapters`,
                      {
                          endpointName: args.endpointName,
                          baseInferenceComponentName: this.inferenceComponentName,
                          adapters,
                          nameParts,
                          tags: nativeTags(tags),
                      },
                      { parent: this },
                  );

        this.registerOutputs({ inferenceComponentName: this.inferenceComponentName });
    }

    /** The job that reads the model's weights and writes the optimized model the model serves. */
    private optimize(
        name: string,
        args: FoundationModelArgs,
        optimization: ModelOptimizationArgs,
        nameParts: readonly string[],
        tags: Readonly<Record<string, string>>,
    ): OptimizationJob {
        const { maxRuntimeSeconds, waitTimeoutSeconds } = jobTimes(optimization);
        return new OptimizationJob(
            `${name}-optimization`,
            {
                roleArn: args.executionRoleArn,
                modelSource: {
                    s3: {
                        s3Uri: args.modelDataUrl,
                        modelAccessConfig:
                            optimization.acceptEula === undefined ? undefined : { acceptEula: optimization.acceptEula },
                    },
                },
                deploymentInstanceType: optimization.instanceType,
                maxInstanceCount: optimization.maxInstanceCount,
                optimizationEnvironment: optimization.environment,
                optimizationConfigs: optimizationConfigsOf(optimization),
                outputConfig: { s3OutputLocation: optimization.outputUrl, kmsKeyId: optimization.kmsKeyId },
                // A replacement job writes beside the weights the live model serves, never over them.
                outputPerJob: true,
                stoppingCondition: { maxRuntimeInSeconds: maxRuntimeSeconds },
                vpcConfig: vpcConfig(args.vpc),
                waitTimeoutSeconds,
                nameParts: [...nameParts, "opt"],
                // The plan and the pack price the job from this tag: it bills its instance until it ends.
                tags: {
                    ...tags,
                    [ESTIMATED_HOURS_TAG]: String(optimization.estimatedHours ?? maxRuntimeSeconds / 3600),
                },
            },
            { parent: this },
        );
    }
}

/**
 * Startup timeouts for a model whose copies need longer than the endpoint's to download or load on the
 * slowest type it may land on; `undefined` (the endpoint's, untouched) for the rest.
 */
function startupParametersOf(args: FoundationModelArgs, quantization: Quantization): StartupTimeouts | undefined {
    const instances = (args.instanceTypes ?? []).map(findInstanceType).filter((t) => t !== undefined);
    const sized = startupTimeouts(weightsGb(args.parametersBillions, quantization), instances);
    const floor = INFERENCE_ENDPOINT_DEFAULTS.modelDataDownloadTimeoutInSeconds;
    if (!sized) return undefined;
    const download = sized.modelDataDownloadTimeoutInSeconds;
    const healthCheck = sized.containerStartupHealthCheckTimeoutInSeconds;
    if (download <= floor && healthCheck <= INFERENCE_ENDPOINT_DEFAULTS.containerStartupHealthCheckTimeoutInSeconds)
        return undefined;
    return {
        modelDataDownloadTimeoutInSeconds: Math.max(download, floor),
        containerStartupHealthCheckTimeoutInSeconds: Math.max(
            healthCheck,
            INFERENCE_ENDPOINT_DEFAULTS.containerStartupHealthCheckTimeoutInSeconds,
        ),
    };
}

/** Checks a model's plain arguments, its adapters included; throws one error naming every problem. */
/** The IC tags that carry a model's SLO and measured figures (the contract the pack reads). */
export function latencyTags(slo: Slo | undefined, measured: MeasuredPerformance | undefined): Record<string, string> {
    const tags: Record<string, string> = {};
    const put = (key: string, value: number | undefined) => {
        if (value !== undefined) tags[key] = String(value);
    };
    put(SLO_TTFT_MS_TAG, slo?.ttftMs);
    put(SLO_TOKENS_PER_SECOND_TAG, slo?.tokensPerSecond);
    put(SLO_MAX_COLD_START_SECONDS_TAG, slo?.maxColdStartSeconds);
    put(MEASURED_TTFT_MS_TAG, measured?.ttftMs);
    put(MEASURED_TOKENS_PER_SECOND_TAG, measured?.tokensPerSecond);
    return tags;
}

function checkArgs(name: string, args: FoundationModelArgs): void {
    const check = new ArgsCheck("FoundationModel", name)
        .s3Url(
            "args.modelDataUrl",
            args.modelDataUrl,
            "s3://<bucket>/<model>/ (a prefix) or s3://<bucket>/<model>.tar.gz",
        )
        .count("args.accelerators", args.accelerators, 0, "accelerator devices")
        .count("args.memoryMb", args.memoryMb, 1024, "MiB")
        .count("args.tensorParallelDegree", args.tensorParallelDegree, 1, "devices", true)
        .count("args.maxLoras", args.maxLoras, 1, "adapters", true)
        .count("args.maxCpuLoras", args.maxCpuLoras, 1, "adapters", true)
        .bounds("args.copies", args.copies, "copies");
    if (!(args.parametersBillions > 0)) {
        check.fail(
            "args.parametersBillions",
            `must be > 0, got ${args.parametersBillions}. Give the size in billions, e.g. 8 or 70.`,
        );
    }
    for (const issue of loraIssues(args)) check.fail(`args.${issue.path}`, issue.message);
    for (const issue of optimizationIssues(args.optimization, args)) check.fail(`args.${issue.path}`, issue.message);
    for (const issue of latencyFigureIssues(args.slo, args.performance))
        check.fail(`args.${issue.path}`, issue.message);
    if (args.optimization) {
        check.s3Url(
            "args.optimization.outputUrl",
            args.optimization.outputUrl,
            "s3://<bucket>/<model>-optimized/ (a prefix)",
            true,
        );
    }
    if (args.speculativeDecoding && !args.optimization) {
        const draft = args.speculativeDecoding.draftModelUrl;
        if (!args.modelDataUrl.endsWith("/")) {
            check.fail("args.speculativeDecoding", messages.draftNeedsPrefix(args.modelDataUrl));
        } else if (draftPathIn(args.modelDataUrl, draft) === undefined) {
            check.fail(
                "args.speculativeDecoding.draftModelUrl",
                messages.draftOutsideWeights(draft, args.modelDataUrl),
            );
        }
        check.count(
            "args.speculativeDecoding.speculativeLength",
            args.speculativeDecoding.speculativeLength,
            1,
            "tokens",
            true,
        );
    }
    if (args.containerFamily === undefined && containerFamilyOf(args.image) === undefined) {
        check.fail("args.containerFamily", messages.unknownContainerFamily(args.image));
    }
    checkRolloutAndPlacement(check, "args", args.rollout, args.placement);
    checkAdapters(check, "args.adapters", args.adapters ?? []).done();
}
