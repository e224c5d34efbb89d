import type {
    CreateOptimizationJobRequest,
    DescribeOptimizationJobResponse,
    OptimizationConfig,
} from "@aws-sdk/client-sagemaker";

/**
 * The inputs of an optimization job: CreateOptimizationJob's request with Pulumi's camelCase names. Field
 * names and shapes are the SDK's own (`@aws-sdk/client-sagemaker` 3.1142.0, `CreateOptimizationJobRequest`),
 * and {@link createJobRequest} maps them one to one, type-checked against that interface.
 */
export interface OptimizationJobInputs {
    /** `OptimizationJobName`: unique in the account and region, at most 63 characters. */
    readonly optimizationJobName: string;
    /** `RoleArn`: the role the job runs with; it reads the model source and writes the output. */
    readonly roleArn: string;
    /** `ModelSource`: the model to optimize, from S3 (`s3`) or a SageMaker model (`sageMakerModel`). */
    readonly modelSource: {
        readonly s3?: { readonly s3Uri: string; readonly modelAccessConfig?: { readonly acceptEula: boolean } };
        readonly sageMakerModel?: { readonly modelName: string };
    };
    /** `DeploymentInstanceType`: the instance type the optimized model will be deployed to. */
    readonly deploymentInstanceType: string;
    /** `MaxInstanceCount`: instances the job may use. @default the API's default */
    readonly maxInstanceCount?: number;
    /** `OptimizationEnvironment`: environment of the optimization container. */
    readonly optimizationEnvironment?: Readonly<Record<string, string>>;
    /** `OptimizationConfigs`: one key per entry (a union in the API). */
    readonly optimizationConfigs: readonly OptimizationConfigInput[];
    /** `OutputConfig`: where the optimized model is written. */
    readonly outputConfig: {
        readonly s3OutputLocation: string;
        readonly kmsKeyId?: string;
        readonly sageMakerModel?: { readonly modelName: string };
    };
    /** `StoppingCondition` (required by the API): how long the job may run. */
    readonly stoppingCondition: {
        readonly maxRuntimeInSeconds?: number;
        readonly maxWaitTimeInSeconds?: number;
        readonly maxPendingTimeInSeconds?: number;
    };
    /** `VpcConfig`: the VPC the job's containers run in. */
    readonly vpcConfig?: { readonly securityGroupIds: readonly string[]; readonly subnets: readonly string[] };
    /** `TrainingPlanArns`: reserved capacity the job may run on. */
    readonly trainingPlanArns?: readonly string[];
    /** `Tags`, as Pulumi resources take them. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Image and environment overrides of a quantization, compilation or sharding config. */
export interface OptimizationContainerInput {
    readonly image?: string;
    readonly overrideEnvironment?: Readonly<Record<string, string>>;
}

/** One entry of `OptimizationConfigs`: exactly one key, as the API's union requires. */
export interface OptimizationConfigInput {
    readonly modelQuantizationConfig?: OptimizationContainerInput;
    readonly modelCompilationConfig?: OptimizationContainerInput;
    readonly modelShardingConfig?: OptimizationContainerInput;
    readonly modelSpeculativeDecodingConfig?: {
        /** `Technique`: the API knows `EAGLE`. */
        readonly technique: "EAGLE";
        /** `TrainingDataSource`: data to train the EAGLE draft on. @default the job's own dataset */
        readonly trainingDataSource?: { readonly s3Uri: string; readonly s3DataType: "S3Prefix" | "ManifestFile" };
    };
}

/** What the provider adds to the inputs once the job has finished. */
export interface OptimizationJobOutputs extends OptimizationJobInputs {
    /** `OptimizationJobArn`. */
    readonly optimizationJobArn: string;
    /** `OptimizationJobStatus` when the provider last looked: `COMPLETED` after a successful create. */
    readonly optimizationJobStatus: string;
    /** `OptimizationOutput.RecommendedInferenceImage`, when the job recommends one. */
    readonly recommendedInferenceImage?: string;
    /** Where the optimized model is: `OutputConfig.S3OutputLocation`, the prefix the job writes it under. */
    readonly optimizedModelUrl: string;
    /** `OptimizationStartTime` / `OptimizationEndTime`, ISO 8601. */
    readonly optimizationStartTime?: string;
    readonly optimizationEndTime?: string;
}

/** The keys the provider adds to the inputs: outputs only, never compared by diff. */
export const JOB_OUTPUT_KEYS = [
    "optimizationJobArn",
    "optimizationJobStatus",
    "recommendedInferenceImage",
    "optimizedModelUrl",
    "optimizationStartTime",
    "optimizationEndTime",
    "__provider",
] as const satisfies readonly (Exclude<keyof OptimizationJobOutputs, keyof OptimizationJobInputs> | "__provider")[];

/** The API's union takes exactly one key per entry; `undefined` keys are dropped. */
function optimizationConfig(input: OptimizationConfigInput): OptimizationConfig {
    const container = (c: OptimizationContainerInput) => ({
        Image: c.image,
        OverrideEnvironment: c.overrideEnvironment && { ...c.overrideEnvironment },
    });
    if (input.modelQuantizationConfig) {
        return { ModelQuantizationConfig: container(input.modelQuantizationConfig) };
    }
    if (input.modelCompilationConfig) return { ModelCompilationConfig: container(input.modelCompilationConfig) };
    if (input.modelShardingConfig) return { ModelShardingConfig: container(input.modelShardingConfig) };
    const speculative = input.modelSpeculativeDecodingConfig!;
    return {
        ModelSpeculativeDecodingConfig: {
            Technique: speculative.technique,
            TrainingDataSource: speculative.trainingDataSource && {
                S3Uri: speculative.trainingDataSource.s3Uri,
                S3DataType: speculative.trainingDataSource.s3DataType,
            },
        },
    };
}

/** The CreateOptimizationJob request of a job's inputs. */
export function createJobRequest(inputs: OptimizationJobInputs): CreateOptimizationJobRequest {
    const source = inputs.modelSource;
    return {
        OptimizationJobName: inputs.optimizationJobName,
        RoleArn: inputs.roleArn,
        ModelSource: {
            S3: source.s3 && {
                S3Uri: source.s3.s3Uri,
                ModelAccessConfig: source.s3.modelAccessConfig && {
                    AcceptEula: source.s3.modelAccessConfig.acceptEula,
                },
            },
            SageMakerModel: source.sageMakerModel && { ModelName: source.sageMakerModel.modelName },
        },
        // The SDK types this as a closed union of today's types; the API takes the string.
        DeploymentInstanceType: inputs.deploymentInstanceType as CreateOptimizationJobRequest["DeploymentInstanceType"],
        MaxInstanceCount: inputs.maxInstanceCount,
        OptimizationEnvironment: inputs.optimizationEnvironment && { ...inputs.optimizationEnvironment },
        OptimizationConfigs: inputs.optimizationConfigs.map(optimizationConfig),
        OutputConfig: {
            S3OutputLocation: inputs.outputConfig.s3OutputLocation,
            KmsKeyId: inputs.outputConfig.kmsKeyId,
            SageMakerModel: inputs.outputConfig.sageMakerModel && {
                ModelName: inputs.outputConfig.sageMakerModel.modelName,
            },
        },
        StoppingCondition: {
            MaxRuntimeInSeconds: inputs.stoppingCondition.maxRuntimeInSeconds,
            MaxWaitTimeInSeconds: inputs.stoppingCondition.maxWaitTimeInSeconds,
            MaxPendingTimeInSeconds: inputs.stoppingCondition.maxPendingTimeInSeconds,
        },
        VpcConfig: inputs.vpcConfig && {
            SecurityGroupIds: [...inputs.vpcConfig.securityGroupIds],
            Subnets: [...inputs.vpcConfig.subnets],
        },
        TrainingPlanArns: inputs.trainingPlanArns && [...inputs.trainingPlanArns],
        Tags: inputs.tags && Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })),
    };
}

/** What a finished job adds to its inputs, from its DescribeOptimizationJob response. */
export function jobOutputs(
    inputs: OptimizationJobInputs,
    described: DescribeOptimizationJobResponse,
): OptimizationJobOutputs {
    // Without undefined values: the provider host sends outputs as a protobuf Struct, which has no undefined.
    return withoutUndefined({
        ...inputs,
        optimizationJobArn: described.OptimizationJobArn ?? "",
        optimizationJobStatus: described.OptimizationJobStatus ?? "",
        recommendedInferenceImage: described.OptimizationOutput?.RecommendedInferenceImage,
        optimizedModelUrl: described.OutputConfig?.S3OutputLocation ?? inputs.outputConfig.s3OutputLocation,
        optimizationStartTime: described.OptimizationStartTime?.toISOString(),
        optimizationEndTime: described.OptimizationEndTime?.toISOString(),
    });
}

/** A copy without the keys whose value is `undefined`, at any depth. */
export function withoutUndefined<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}
