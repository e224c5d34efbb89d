import { z } from "zod";
import { findInstanceType } from "../../lib/catalog";
import {
    CAPACITY_RESERVATION_PREFERENCES,
    IC_ROUTING_STRATEGIES,
    INFERENCE_AMI_VERSIONS,
    METRIC_PUBLISH_FREQUENCIES,
    ML_RESERVATION_ARN,
    ML_RESERVATION_ARN_LENGTH,
    PREFIX_ROUTING_RANGES,
    ROUTING_STRATEGIES,
    TARGET_TRACKING_RANGES,
    TARGET_VALUE_BOUND_TEXT,
    VARIANT_RANGES,
} from "../../lib/contract";
import { JOB_QUANTIZATIONS } from "../../lib/optimization";
import { QUANTIZATIONS } from "../../lib/sizing";
import { GUARD_CHECKS, GUARD_FAMILIES } from "../../lib/guard";
import { LatencyFigure, latencyFigureMessage } from "../../lib/performance/slo";
import { CONTAINER_FAMILIES } from "../serving-environment";
import { isS3Url, isTarGz, MAX_NAME_LENGTH, messages, NAME, show } from "../rules";

/**
 * A target tracking target on a concurrency metric: > 0 (it counts requests) and within the API's TargetValue
 * range (lib/contract TARGET_TRACKING_RANGES), so a plan never registers a policy the API would refuse.
 */
const trackingTarget = (per: string) => {
    const fix = `Use the concurrent requests one ${per} serves well, e.g. 4.`;
    return z
        .number()
        .positive({ error: (iss) => `must be > 0, got ${show(iss.input)}. ${fix}` })
        .max(TARGET_TRACKING_RANGES.targetValue[1], {
            error: (iss) =>
                `must be at most ${TARGET_VALUE_BOUND_TEXT} (the API's TargetValue range), got ${show(iss.input)}. ${fix}`,
        });
};

const name = () =>
    z
        .string()
        .regex(NAME, { error: (iss) => messages.nameFormat(iss.input) })
        .max(MAX_NAME_LENGTH, { error: (iss) => messages.nameLength(iss.input) });

const count = (what: string, least: number) =>
    z
        .number()
        .int({ error: (iss) => messages.wholeNumber(what, iss.input) })
        .min(least, { error: (iss) => messages.atLeast(least, iss.input, what) });

/** A whole number in the API's `[low, high]`: one message for either bound. */
const wholeInRange = (unit: string, [low, high]: readonly [number, number]) => {
    const error = (iss: { input?: unknown }) => messages.range(low, high, unit, iss.input);
    return z
        .number()
        .int({ error: (iss) => messages.wholeNumber(unit, iss.input) })
        .min(low, { error })
        .max(high, { error });
};

const s3Url = (hint: string, prefixOnly = false) =>
    z.string().refine((v) => isS3Url(v, prefixOnly), { error: (iss) => messages.s3Url(iss.input, hint, prefixOnly) });

const instanceType = z
    .string()
    .refine((v) => findInstanceType(v) !== undefined, { error: (iss) => messages.unknownInstanceType(iss.input) });

const bounds = (what: string) => z.strictObject({ min: count(what, 0), max: count(what, 1) });

const routing = z.enum(Object.keys(ROUTING_STRATEGIES) as [keyof typeof ROUTING_STRATEGIES], {
    error: (iss) => `unknown routing ${show(iss.input)}. Use ${Object.keys(ROUTING_STRATEGIES).join(" or ")}.`,
});

/** Inference-component endpoints also route by prompt prefix (`PREFIX_AWARE`). */
const icRouting = z.enum(Object.keys(IC_ROUTING_STRATEGIES) as [keyof typeof IC_ROUTING_STRATEGIES], {
    error: (iss) => `unknown routing ${show(iss.input)}. Use ${Object.keys(IC_ROUTING_STRATEGIES).join(" or ")}.`,
});

/** `endpoints[].prefixRouting`: PrefixAwareRoutingConfig within the API's ranges (lib/contract). */
export const prefixRoutingSchema = z.strictObject({
    prefixLength: wholeInRange("bytes (the API's PrefixLength)", PREFIX_ROUTING_RANGES.prefixLength).optional(),
    concurrencyThreshold: wholeInRange(
        "requests in flight (the API's ConcurrencyThreshold)",
        PREFIX_ROUTING_RANGES.concurrencyThreshold,
    ).optional(),
});

/** `endpoints[].capacityReservation`: launch the endpoint's instances into an ML capacity reservation. */
export const capacityReservationSchema = z.strictObject({
    preference: z
        .enum(CAPACITY_RESERVATION_PREFERENCES, {
            error: (iss) =>
                `unknown capacity reservation preference ${show(iss.input)}. Use ${CAPACITY_RESERVATION_PREFERENCES.join(" or ")} (the API's only value).`,
        })
        .optional(),
    mlReservationArn: z
        .string()
        .min(ML_RESERVATION_ARN_LENGTH[0], { error: (iss) => messages.mlReservationArn(iss.input) })
        .max(ML_RESERVATION_ARN_LENGTH[1], { error: (iss) => messages.mlReservationArn(iss.input) })
        .regex(ML_RESERVATION_ARN, { error: (iss) => messages.mlReservationArn(iss.input) }),
});

/** `fleet.metrics`: the IC endpoints' MetricsConfig. */
export const metricsSchema = z.strictObject({
    enhanced: z.boolean().optional(),
    detailed: z.boolean().optional(),
    publishFrequencySeconds: z
        .number()
        .refine((v) => (METRIC_PUBLISH_FREQUENCIES as readonly number[]).includes(v), {
            error: (iss) =>
                `must be one of ${METRIC_PUBLISH_FREQUENCIES.join(", ")} seconds (the API's MetricPublishFrequencyInSeconds), got ${show(iss.input)}. Pick one of them, e.g. 10 to scale and alarm fastest.`,
        })
        .optional(),
});

/** `fleet.alarms`: where the SLO alarms notify. */
export const alarmsSchema = z.strictObject({
    topicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
            error: (iss) =>
                `must be an SNS topic ARN, got ${show(iss.input)}. Use arn:aws:sns:<region>:<account>:<topic>.`,
        })
        .optional(),
    /** ModelLatency p99 budget of models whose SLO gives none, ms. @default 30000 */
    latencyMs: z
        .number()
        .positive({
            error: (iss) => `must be > 0, got ${show(iss.input)}. Give a p99 response time in ms, e.g. 30000.`,
        })
        .optional(),
    /** Share of requests answered 5xx that fires a model's error alarm, percent. @default 1 */
    errorRatePercent: z
        .number()
        .positive({ error: (iss) => messages.range(0, 100, "percent", iss.input) })
        .max(100, { error: (iss) => messages.range(0, 100, "percent", iss.input) })
        .optional(),
});

const dataCapture = z.strictObject({
    destinationS3Uri: s3Url("s3://<bucket>/<prefix>/"),
    samplingPercentage: z.number().min(1).max(100).optional(),
});

const batchSize = z.strictObject({
    type: z.enum(["copies", "percent"], {
        error: (iss) => `unknown batch type ${show(iss.input)}. Use copies or percent.`,
    }),
    value: z.number(),
});

/** Rolling updates with automatic rollback; ranges are checked with the rest of the cross-field rules. */
export const rolloutSchema = z.strictObject({
    maxBatch: batchSize,
    waitSeconds: z.number().optional(),
    timeoutSeconds: z.number().optional(),
    rollbackBatch: batchSize.optional(),
    alarms: z
        .strictObject({
            errorsPerMinute: z.number().positive().optional(),
            latencyMs: z.number().positive().optional(),
        })
        .optional(),
});

export const placementSchema = z.strictObject({
    strategy: z.enum(["spread", "binpack"], {
        error: (iss) => `unknown placement strategy ${show(iss.input)}. Use spread or binpack.`,
    }),
    maxImbalance: count("copies", 0).optional(),
});

export const adapterSchema = z.strictObject({
    name: name(),
    artifactUrl: s3Url("s3://<bucket>/<adapter>.tar.gz").refine((v) => !isS3Url(v) || isTarGz(v), {
        error: (iss) => messages.adapterTarball(iss.input),
    }),
});

const positiveNumber = (what: string) =>
    z.number().positive({ error: (iss) => `must be > 0, got ${show(iss.input)}. Give the ${what}.` });

/** `foundationModels[].optimization`: a SageMaker optimization job whose output the model serves. */
export const optimizationSchema = z.strictObject({
    outputUrl: s3Url("s3://<bucket>/<model>-optimized/ (a prefix of its own)", true),
    quantization: z
        .enum(JOB_QUANTIZATIONS, {
            error: (iss) =>
                `unknown job quantization ${show(iss.input)}. Use ${JOB_QUANTIZATIONS.join(" or ")} (OPTION_QUANTIZE of the optimization container).`,
        })
        .optional(),
    speculativeDecoding: z
        .strictObject({
            trainingDataUrl: s3Url("s3://<bucket>/<dataset>/").optional(),
            trainingDataType: z
                .enum(["S3Prefix", "ManifestFile"], {
                    error: (iss) => `unknown data type ${show(iss.input)}. Use S3Prefix or ManifestFile.`,
                })
                .optional(),
        })
        .optional(),
    compilation: z.strictObject({ environment: z.record(z.string(), z.string()).optional() }).optional(),
    sharding: z.strictObject({ tensorParallelDegree: count("devices", 1) }).optional(),
    image: z.string().min(1).optional(),
    /** @default the endpoint's instance type */
    instanceType: z.string().optional(),
    maxInstanceCount: count("instances", 1).optional(),
    acceptEula: z.boolean().optional(),
    environment: z.record(z.string(), z.string()).optional(),
    maxRuntimeHours: positiveNumber("hours the job may run, e.g. 10").optional(),
    waitTimeoutMinutes: positiveNumber("minutes pulumi up waits, e.g. 360").optional(),
    estimatedHours: positiveNumber("hours the job is expected to take, e.g. 2").optional(),
});

/** A latency figure: a positive finite number in the unit its name carries. */
const latencyFigure = (figure: LatencyFigure) =>
    z.number({ error: (iss) => latencyFigureMessage(figure, iss.input) }).positive({
        error: (iss) => latencyFigureMessage(figure, iss.input),
    });

/** `foundationModels[].slo`: latency targets the pack's latency-slo and cold-start-budget judge. */
export const sloSchema = z.strictObject({
    ttftMs: latencyFigure("ttftMs").optional(),
    tokensPerSecond: latencyFigure("tokensPerSecond").optional(),
    maxColdStartSeconds: latencyFigure("maxColdStartSeconds").optional(),
});

/** `foundationModels[].performance`: figures from the team's own load test; they replace the estimates. */
export const measuredPerformanceSchema = z
    .strictObject({
        tokensPerSecond: latencyFigure("tokensPerSecond").optional(),
        ttftMs: latencyFigure("ttftMs").optional(),
    })
    .refine((p) => p.tokensPerSecond !== undefined || p.ttftMs !== undefined, {
        error: "must give tokensPerSecond or ttftMs (or both), measured by a load test. Add them, or remove performance.",
    });

export const foundationModelSchema = z.strictObject({
    name: name(),
    image: z.string().min(1),
    containerFamily: z
        .enum(CONTAINER_FAMILIES, {
            error: (iss) => `unknown container family ${show(iss.input)}. Use ${CONTAINER_FAMILIES.join(" or ")}.`,
        })
        .optional(),
    modelDataUrl: s3Url("s3://<bucket>/<model>/ (a prefix) or s3://<bucket>/<model>.tar.gz"),
    parametersBillions: z
        .number()
        .positive({ error: (iss) => `must be > 0, got ${show(iss.input)}. Give the size in billions, e.g. 8 or 70.` }),
    quantization: z
        .enum(QUANTIZATIONS, {
            error: (iss) => `unknown quantization ${show(iss.input)}. Use one of ${QUANTIZATIONS.join(", ")}.`,
        })
        .optional(),
    speculativeDecoding: z
        .strictObject({
            draftModelUrl: s3Url("s3://<bucket>/<model>/draft/ (a folder inside modelDataUrl)"),
            speculativeLength: count("tokens", 1).optional(),
        })
        .optional(),
    tensorParallelDegree: count("devices", 1).optional(),
    accelerators: count("accelerator devices", 0),
    memoryMb: count("MiB", 1024),
    cpuCores: z.number().positive().optional(),
    copies: z.strictObject({
        min: count("copies", 0),
        max: count("copies", 1),
        targetConcurrentRequestsPerCopy: trackingTarget("copy").optional(),
    }),
    stickySessions: z.boolean().optional(),
    enableLora: z.boolean().optional(),
    maxLoras: count("adapters", 1).optional(),
    maxCpuLoras: count("adapters", 1).optional(),
    networkIsolation: z.boolean().optional(),
    environment: z.record(z.string(), z.string()).optional(),
    /** `false` opts a model out of the fleet's rollout. */
    rollout: z.union([rolloutSchema, z.literal(false)]).optional(),
    placement: placementSchema.optional(),
    adapters: z.array(adapterSchema).optional(),
    optimization: optimizationSchema.optional(),
    slo: sloSchema.optional(),
    performance: measuredPerformanceSchema.optional(),
    /** Caches the model's artifacts and image on each instance (the IC's DataCacheConfig.EnableCaching). */
    dataCache: z.boolean().optional(),
});

const GUARD_FAMILY_NAMES = Object.keys(GUARD_FAMILIES) as [keyof typeof GUARD_FAMILIES];

/**
 * `endpoints[].guard`: a safety model (Llama Guard 3 by default, served by LMI) as its own base inference
 * component on the endpoint, screening prompts (`input`) and answers (`output`) of the endpoint's models.
 * Category codes are checked against the family in checks.ts, with the rest of the cross-field rules.
 */
export const guardSchema = z.strictObject({
    name: name(),
    /** @default "llama-guard-3" */
    family: z
        .enum(GUARD_FAMILY_NAMES, {
            error: (iss) => `unknown guard family ${show(iss.input)}. Use ${GUARD_FAMILY_NAMES.join(" or ")}.`,
        })
        .optional(),
    image: z.string().min(1),
    modelDataUrl: foundationModelSchema.shape.modelDataUrl,
    parametersBillions: foundationModelSchema.shape.parametersBillions,
    quantization: foundationModelSchema.shape.quantization,
    accelerators: foundationModelSchema.shape.accelerators,
    memoryMb: foundationModelSchema.shape.memoryMb,
    copies: foundationModelSchema.shape.copies,
    checks: z
        .array(
            z.enum(GUARD_CHECKS, {
                error: (iss) => `unknown check ${show(iss.input)}. Use input, output or both.`,
            }),
        )
        .min(1, { error: "must list at least one check. Use [input], [output] or [input, output]." }),
    /** @default every category of the family */
    categories: z.array(z.string()).optional(),
});

export const endpointSchema = z.strictObject({
    name: name(),
    instanceType,
    /** Fallback types in priority order (2, 3, ...) for when `instanceType` has no capacity. */
    fallbackInstanceTypes: z
        .array(instanceType)
        .max(4, { error: "must list at most 4 types: SageMaker takes 5 pools with the endpoint's own. Drop some." })
        .optional(),
    provisionTimeoutSeconds: wholeInRange("seconds", VARIANT_RANGES.provisionTimeoutSeconds).optional(),
    scaleIn: z
        .strictObject({
            strategy: z.enum(["idle-release", "consolidation"], {
                error: (iss) => `unknown scale-in strategy ${show(iss.input)}. Use idle-release or consolidation.`,
            }),
            cooldownMinutes: count("minutes", 1).optional(),
            maximumStep: count("instances", 1).optional(),
        })
        .optional(),
    instances: bounds("instances"),
    routing: icRouting.optional(),
    prefixRouting: prefixRoutingSchema.optional(),
    capacityReservation: capacityReservationSchema.optional(),
    inferenceAmiVersion: z
        .enum(INFERENCE_AMI_VERSIONS, {
            error: (iss) =>
                `unknown inference AMI version ${show(iss.input)}. Use one of ${INFERENCE_AMI_VERSIONS.join(", ")} (the API's InferenceAmiVersion values).`,
        })
        .optional(),
    networkIsolation: z.boolean().optional(),
    volumeSizeInGb: wholeInRange("GB", VARIANT_RANGES.volumeSizeInGb).optional(),
    dataCapture: dataCapture.optional(),
    foundationModels: z.array(foundationModelSchema).min(1, {
        error: "must list at least one foundation model. Add one, or remove the endpoint.",
    }),
    guard: guardSchema.optional(),
});

export const multiModelEndpointSchema = z.strictObject({
    name: name(),
    instanceType,
    image: z.string().min(1),
    modelsPrefix: s3Url("s3://<bucket>/<prefix>/ holding one .tar.gz per model", true),
    instances: bounds("instances"),
    routing: routing.optional(),
    targetConcurrentRequestsPerModel: trackingTarget("model").optional(),
    dataCapture: dataCapture.optional(),
    /** Not supported: accepted here so checks.ts reports it with its fix instead of an unknown key. */
    guard: z.unknown().optional(),
});

/** `pipelines[].containers[]`: one step of a serial inference pipeline (API reference, ContainerDefinition). */
export const pipelineContainerSchema = z.strictObject({
    image: z.string().min(1),
    modelDataUrl: s3Url("s3://<bucket>/<step>/model.tar.gz").optional(),
    environment: z.record(z.string(), z.string()).optional(),
});

/**
 * `pipelines[]`: a serial inference pipeline on a classic endpoint, a fixed number of instances. How many
 * containers, and their model data, are checked in checks.ts with the component's own rules.
 */
export const pipelineSchema = z.strictObject({
    name: name(),
    instanceType,
    instances: count("instances", 1),
    routing: routing.optional(),
    containers: z.array(pipelineContainerSchema),
});

/** The `fm-fleet:fleet` stack config. */
export const fleetSchema = z.strictObject({
    kmsKeyArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, {
            error: (iss) =>
                `must be a KMS key ARN, got ${show(iss.input)}. Use arn:aws:kms:<region>:<account>:key/<id>.`,
        })
        .optional(),
    /** Defaults for every base model; a model's own `rollout` / `placement` replace them. */
    rollout: rolloutSchema.optional(),
    placement: placementSchema.optional(),
    vpc: z
        .strictObject({
            // SageMaker VpcConfig (models, endpoint configs, optimization jobs): 1-16 subnets, 1-5 groups.
            subnetIds: z
                .array(z.string().min(1))
                .min(1)
                .max(16, { error: "must list at most 16 subnets (the SageMaker API's limit). Drop some." }),
            securityGroupIds: z
                .array(z.string().min(1))
                .min(1)
                .max(5, { error: "must list at most 5 security groups (the SageMaker API's limit). Drop some." }),
        })
        .optional(),
    /** The IC endpoints' CloudWatch metrics (MetricsConfig). */
    metrics: metricsSchema.optional(),
    /** The SLO alarms' notification target. */
    alarms: alarmsSchema.optional(),
    endpoints: z.array(endpointSchema).optional(),
    multiModelEndpoints: z.array(multiModelEndpointSchema).optional(),
    pipelines: z.array(pipelineSchema).optional(),
});

export type FleetConfig = z.infer<typeof fleetSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type FoundationModelConfig = z.infer<typeof foundationModelSchema>;
export type GuardConfig = z.infer<typeof guardSchema>;
export type MultiModelEndpointConfig = z.infer<typeof multiModelEndpointSchema>;
export type OptimizationConfig = z.infer<typeof optimizationSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
