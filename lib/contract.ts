/**
 * The names components write and the policy pack reads. The pack must also govern inference components
 * that these components did not make, so these are plain tags and SageMaker names, not private state.
 */

/** IC tag: the model's size in billions of parameters, e.g. `"70"`. */
export const PARAMETERS_BILLIONS_TAG = "fmfleet:parameters-billions";
/** IC tag: the weight quantization (`awq`, `fp8`, ...) when it is not visible in the container env. */
export const QUANTIZATION_TAG = "fmfleet:quantization";
/** Model and IC tag: the optimization job whose output the model serves. */
export const OPTIMIZATION_JOB_TAG = "fmfleet:optimization-job";
/** IC tags: the model's latency SLO (stack config `slo`), as decimal numbers. */
export const SLO_TTFT_MS_TAG = "fmfleet:slo-ttft-ms";
export const SLO_TOKENS_PER_SECOND_TAG = "fmfleet:slo-tokens-per-second";
export const SLO_MAX_COLD_START_SECONDS_TAG = "fmfleet:slo-max-cold-start-seconds";
/** IC tags: figures the team measured in its own load test (stack config `performance`); they replace estimates. */
export const MEASURED_TOKENS_PER_SECOND_TAG = "fmfleet:measured-tokens-per-second";
export const MEASURED_TTFT_MS_TAG = "fmfleet:measured-ttft-ms";
/** Container environment variables that turn speculative decoding on: LMI's, then the SageMaker vLLM DLC's. */
export const SPECULATIVE_ENVS = [
    "OPTION_SPECULATIVE_CONFIG",
    "SM_VLLM_SPECULATIVE_CONFIG",
    "OPTION_SPECULATIVE_DRAFT_MODEL",
] as const;
/** Default cost-allocation tag key. */
export const COST_CENTER_TAG = "cost-center";

/** LMI serving-container environment variable that selects weight quantization. */
export const QUANTIZE_ENV = "OPTION_QUANTIZE";
/** Environment variables that select runtime weight quantization: LMI's, then the SageMaker vLLM DLC's. */
export const QUANTIZE_ENVS = [QUANTIZE_ENV, "SM_VLLM_QUANTIZATION"] as const;

/** Pulumi type tokens of the resources the fleet declares and the pack inspects. */
export const TYPES = {
    endpointConfiguration: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    endpoint: "aws:sagemaker/endpoint:Endpoint",
    model: "aws:sagemaker/model:Model",
    nativeEndpointConfig: "aws-native:sagemaker:EndpointConfig",
    nativeEndpoint: "aws-native:sagemaker:Endpoint",
    nativeModel: "aws-native:sagemaker:Model",
    inferenceComponent: "aws-native:sagemaker:InferenceComponent",
    scalableTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    nativeScalableTarget: "aws-native:applicationautoscaling:ScalableTarget",
    nativeScalingPolicy: "aws-native:applicationautoscaling:ScalingPolicy",
    nativeAlarm: "aws-native:cloudwatch:Alarm",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    iamPolicy: "aws:iam/policy:Policy",
    nativeRole: "aws-native:iam:Role",
    nativeRolePolicy: "aws-native:iam:RolePolicy",
    nativeManagedPolicy: "aws-native:iam:ManagedPolicy",
    /** fm-fleet's dynamic resource for CreateOptimizationJob (CloudFormation has no type for it). */
    optimizationJob: "pulumi-nodejs:dynamic/sagemaker:OptimizationJob",
} as const;

/**
 * The same SageMaker resource from either provider: every rule that reads one reads both, whichever the
 * fleet uses (the fleet puts IC endpoints on aws-native and multi-model endpoints on @pulumi/aws).
 */
export const SAGEMAKER_TYPES = {
    endpointConfig: [TYPES.endpointConfiguration, TYPES.nativeEndpointConfig],
    endpoint: [TYPES.endpoint, TYPES.nativeEndpoint],
    model: [TYPES.model, TYPES.nativeModel],
} as const;

/**
 * The same Application Auto Scaling or CloudWatch resource from either provider: every rule that reads one
 * reads both (the fleet declares them with @pulumi/aws; another program may use aws-native).
 */
export const SCALING_TYPES = {
    scalableTarget: [TYPES.scalableTarget, TYPES.nativeScalableTarget],
    scalingPolicy: [TYPES.scalingPolicy, TYPES.nativeScalingPolicy],
    alarm: [TYPES.metricAlarm, TYPES.nativeAlarm],
} as const;

/**
 * The same IAM resource from either provider: the execution-role rule reads a role's policies from every
 * form a program can attach them in.
 */
export const IAM_TYPES = {
    role: [TYPES.role, TYPES.nativeRole],
    rolePolicy: [TYPES.rolePolicy, TYPES.nativeRolePolicy],
    managedPolicy: [TYPES.iamPolicy, TYPES.nativeManagedPolicy],
    attachment: [TYPES.rolePolicyAttachment, TYPES.policyAttachment],
} as const;

/** The property that holds each SageMaker resource's physical name, per type. */
export const NAME_PROPERTY: Readonly<Record<string, string>> = {
    [TYPES.endpointConfiguration]: "name",
    [TYPES.endpoint]: "name",
    [TYPES.model]: "name",
    [TYPES.nativeEndpointConfig]: "endpointConfigName",
    [TYPES.nativeEndpoint]: "endpointName",
    [TYPES.nativeModel]: "modelName",
    [TYPES.inferenceComponent]: "inferenceComponentName",
    [TYPES.optimizationJob]: "optimizationJobName",
};

/** Application Auto Scaling dimension of an IC's copy count. */
export const IC_COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount";
/** Application Auto Scaling dimension of a production variant's instance count. */
export const VARIANT_INSTANCE_DIMENSION = "sagemaker:variant:DesiredInstanceCount";
/** High-resolution (10 s) in-flight + queued requests per IC copy. */
export const IC_CONCURRENCY_METRIC = "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution";
/** High-resolution (10 s) in-flight + queued requests per model of a variant. */
export const VARIANT_CONCURRENCY_METRIC = "SageMakerVariantConcurrentRequestsPerModelHighResolution";
/** 5xx answers of an IC (AWS/SageMaker, dimension InferenceComponentName): a rollback alarm's metric. */
export const IC_ERRORS_METRIC = "Invocation5XXErrors";
/** Model latency of an IC in microseconds (AWS/SageMaker, dimension InferenceComponentName). */
export const IC_LATENCY_METRIC = "ModelLatency";
/** Emitted when a request reaches an IC that has no copy: the only signal that can wake one at zero. */
export const NO_CAPACITY_METRIC = "NoCapacityInvocationFailures";

/**
 * The API's ranges of a rolling update (UpdateInferenceComponent `DeploymentConfig.RollingUpdatePolicy`),
 * as `[low, high]`: the components, the stack config and the pack all check against these.
 */
export const ROLLING_UPDATE_RANGES = {
    /** `MaximumBatchSize` as CAPACITY_PERCENT: 5-50% of the copies. */
    batchPercent: [5, 50],
    /** `RollbackMaximumBatchSize` as CAPACITY_PERCENT (the API's default is 100%). */
    rollbackPercent: [5, 100],
    waitSeconds: [0, 3600],
    timeoutSeconds: [600, 28800],
} as const;

/** The API's range of `SchedulingConfig.AvailabilityZoneBalance.MaxImbalance` (AWS::SageMaker::InferenceComponent schema). */
export const PLACEMENT_RANGES = { maxImbalance: [0, 100] } as const;

/**
 * The API's ranges of a production variant's `VariantInstanceProvisionTimeoutInSeconds` ("Valid values: 300
 * to 3600", CreateEndpointConfig ProductionVariant, @aws-sdk/client-sagemaker) and `VolumeSizeInGB` ("Valid
 * values between 1 and 512", @pulumi/aws and terraform-provider-aws endpoint_configuration.go), as
 * `[low, high]`.
 */
export const VARIANT_RANGES = { provisionTimeoutSeconds: [300, 3600], volumeSizeInGb: [1, 512] } as const;

/**
 * The API's range of a target tracking policy's `TargetValue`, as `[low, high]`: "Values must be in the
 * range of -2^360 to 2^360" (Application Auto Scaling API reference, TargetTrackingScalingPolicyConfiguration;
 * AWS::ApplicationAutoScaling::ScalingPolicy TargetTrackingScalingPolicyConfiguration takes it as given). A
 * target on a concurrency metric must also be > 0: the metric counts requests.
 */
export const TARGET_TRACKING_RANGES = { targetValue: [-(2 ** 360), 2 ** 360] } as const;

/** `2^360`: how messages write the bound of {@link TARGET_TRACKING_RANGES}. */
export const TARGET_VALUE_BOUND_TEXT = "2^360";

/** The API's ranges of `ManagedInstanceScaling.ScaleInPolicy`, as `[low, high]`. */
export const SCALE_IN_RANGES = { cooldownMinutes: [5, 1440], maximumStep: [1, 100] } as const;

/** SageMaker routing strategies, keyed by the names the stack config uses. */
export const ROUTING_STRATEGIES = {
    "least-outstanding-requests": "LEAST_OUTSTANDING_REQUESTS",
    random: "RANDOM",
} as const;
export type Routing = keyof typeof ROUTING_STRATEGIES;

/**
 * IC tag of a safety guard: the checks it runs for the models on its endpoint (`input`, `output` or
 * `input,output`). The pack's guard-required rule recognizes a guard by it; the runtime client reads the
 * same facts from the stack outputs.
 */
export const GUARD_FOR_TAG = "fmfleet:guard-for";
/** IC tag of a safety guard: its family (lib/guard GUARD_FAMILIES), e.g. `llama-guard-3`. */
export const GUARD_FAMILY_TAG = "fmfleet:guard-family";
/** IC tag of a safety guard: the hazard categories that block, comma-separated (all of the family's when absent). */
export const GUARD_CATEGORIES_TAG = "fmfleet:guard-categories";
/** Endpoint tag: `true` marks an endpoint that serves customers (the pack's guard-required rule can require a guard on it). */
export const CUSTOMER_FACING_TAG = "fmfleet:customer-facing";

/**
 * Routing strategies an inference-component endpoint takes: the above plus `PREFIX_AWARE` (RoutingConfig,
 * CreateEndpointConfig API reference; aws-native 1.79 EndpointConfigRoutingConfigArgs). Requests sharing a
 * prompt prefix go to the instance that holds its KV cache, unless it has `ConcurrencyThreshold` requests in
 * flight; then to one with more room.
 */
export const IC_ROUTING_STRATEGIES = { ...ROUTING_STRATEGIES, "prefix-aware": "PREFIX_AWARE" } as const;
export type IcRouting = keyof typeof IC_ROUTING_STRATEGIES;

/**
 * The API's ranges of `PrefixAwareRoutingConfig`, as `[low, high]`: PrefixLength "Minimum value of 1024.
 * Maximum value of 65536" (bytes of the request body for InvokeEndpoint, characters of the messages for the
 * OpenAI-compatible API), ConcurrencyThreshold "Minimum value of 1. Maximum value of 1024" (SageMaker API
 * reference, PrefixAwareRoutingConfig). Both are required when RoutingStrategy is PREFIX_AWARE.
 */
export const PREFIX_ROUTING_RANGES = { prefixLength: [1024, 65536], concurrencyThreshold: [1, 1024] } as const;

/**
 * The project's defaults for prefix-aware routing (the API has none: it requires both). 4096 bytes covers a
 * typical system prompt plus the start of the user turn, so requests spread across instances by their own
 * content too; 16 in-flight requests on the prefix's instance before it spills to another.
 */
export const PREFIX_ROUTING_DEFAULTS = { prefixLength: 4096, concurrencyThreshold: 16 } as const;

/**
 * `MetricsConfig.MetricPublishFrequencyInSeconds`: "Valid values are 10, 30, 60, 120, 180, 240, and 300. The
 * default is 60" (aws-native 1.79 EndpointConfigMetricsConfigArgs, from the CloudFormation schema).
 */
export const METRIC_PUBLISH_FREQUENCIES = [10, 30, 60, 120, 180, 240, 300] as const;

/**
 * `ProductionVariant.InferenceAmiVersion`: the API's values (the ProductionVariantInferenceAmiVersion enum of
 * @aws-sdk/client-sagemaker 3.1142; a test keeps this list equal to it).
 */
export const INFERENCE_AMI_VERSIONS = [
    "al2-ami-sagemaker-inference-gpu-2",
    "al2-ami-sagemaker-inference-gpu-2-1",
    "al2-ami-sagemaker-inference-gpu-3-1",
    "al2-ami-sagemaker-inference-neuron-2",
    "al2023-ami-sagemaker-inference-gpu-4-1",
] as const;

/** `CapacityReservationConfig.CapacityReservationPreference`: "Valid Values: capacity-reservations-only". */
export const CAPACITY_RESERVATION_PREFERENCES = ["capacity-reservations-only"] as const;

/**
 * `CapacityReservationConfig.MlReservationArn` (SageMaker API reference,
 * ProductionVariantCapacityReservationConfig): length 20-258, pattern
 * `arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:ml-reservation/.*`.
 */
export const ML_RESERVATION_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:ml-reservation\/.+$/;
export const ML_RESERVATION_ARN_LENGTH = [20, 258] as const;

/** CloudWatch dashboards from either provider: the observability rule counts both. */
export const DASHBOARD_TYPES = ["aws:cloudwatch/dashboard:Dashboard", "aws-native:cloudwatch:Dashboard"] as const;
