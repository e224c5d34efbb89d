import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_MAX_RUNTIME_SECONDS,
    JOB_QUANTIZATIONS,
    JobQuantization,
    deploymentTypeProblem,
    environmentProblems,
    OPTIMIZATION_QUANTIZE_ENV,
    TENSOR_PARALLEL_ENV,
} from "../../lib/optimization";
import { findInstanceType } from "../../lib/catalog";
import { ConfigIssue } from "../config/issues";
import { isObject, isS3Url, show } from "../rules";
import { OptimizationConfigInput } from "./job-request";

/**
 * How a foundation model is optimized before it is served: one SageMaker optimization job reads the
 * model's weights (`modelDataUrl`), writes the optimized model to `outputUrl`, and the model serves that.
 */
export interface ModelOptimizationArgs {
    /**
     * `s3://` prefix of the optimized models: each job writes under `<outputUrl><job name>/`
     * (`OutputConfig.S3OutputLocation`), which the model serves.
     */
    readonly outputUrl: string;
    /** Quantize the weights: `ModelQuantizationConfig` with `OPTION_QUANTIZE`. @default none */
    readonly quantization?: JobQuantization;
    /**
     * EAGLE speculative decoding (`ModelSpeculativeDecodingConfig`), trained on `trainingDataUrl` when given
     * (ShareGPT, OpenAI completions or chat data; `S3Prefix` or a `ManifestFile`). @default none
     */
    readonly speculativeDecoding?: {
        readonly trainingDataUrl?: string;
        readonly trainingDataType?: "S3Prefix" | "ManifestFile";
    };
    /** Compile (`ModelCompilationConfig`): TensorRT-LLM on GPUs, Neuron on inf2/trn1, with these options. */
    readonly compilation?: { readonly environment?: Readonly<Record<string, string>> };
    /** Shard for fast loading (`ModelShardingConfig`); it cannot be combined with another optimization. */
    readonly sharding?: { readonly tensorParallelDegree: number };
    /** The LMI image the optimizations run in (`Image`). @default SageMaker's choice */
    readonly image?: string;
    /** `DeploymentInstanceType`: the type the optimized model is served on. */
    readonly instanceType: string;
    /** `MaxInstanceCount`. @default the API's */
    readonly maxInstanceCount?: number;
    /** Accepts the source model's EULA (`ModelAccessConfig.AcceptEula`), for gated models. @default unset */
    readonly acceptEula?: boolean;
    /** `OptimizationEnvironment`, also given to the served model. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** `StoppingCondition.MaxRuntimeInSeconds`, in hours. @default 10 */
    readonly maxRuntimeHours?: number;
    /** How long `pulumi up` waits for the job, at least `maxRuntimeHours`. @default `maxRuntimeHours` + 60 minutes */
    readonly waitTimeoutMinutes?: number;
    /** Hours the job is expected to bill, for the plan's one-time cost. @default `maxRuntimeHours` (the cap) */
    readonly estimatedHours?: number;
    /** KMS key that encrypts the optimized model in S3 (`OutputConfig.KmsKeyId`). @default none */
    readonly kmsKeyId?: pulumi.Input<string>;
}

/** Defaults of {@link ModelOptimizationArgs}. */
export const MODEL_OPTIMIZATION_DEFAULTS = {
    maxRuntimeHours: DEFAULT_MAX_RUNTIME_SECONDS / 3600,
    /** Added to the maximum runtime for the default wait: time the job may spend pending. */
    waitMarginMinutes: 60,
} as const;

/** Seconds the job may run and `pulumi up` waits for it (never 0: small fractions round up). */
export function jobTimes(args: Pick<ModelOptimizationArgs, "maxRuntimeHours" | "waitTimeoutMinutes">): {
    maxRuntimeSeconds: number;
    waitTimeoutSeconds: number;
} {
    const runtimeHours = args.maxRuntimeHours ?? MODEL_OPTIMIZATION_DEFAULTS.maxRuntimeHours;
    const waitMinutes = args.waitTimeoutMinutes ?? runtimeHours * 60 + MODEL_OPTIMIZATION_DEFAULTS.waitMarginMinutes;
    return { maxRuntimeSeconds: Math.ceil(runtimeHours * 3600), waitTimeoutSeconds: Math.ceil(waitMinutes * 60) };
}

/** The API's `OptimizationConfigs` of a model's optimization, in a stable order. */
export function optimizationConfigsOf(args: ModelOptimizationArgs): OptimizationConfigInput[] {
    const image = args.image;
    const configs: OptimizationConfigInput[] = [];
    if (args.quantization) {
        configs.push({
            modelQuantizationConfig: { image, overrideEnvironment: { [OPTIMIZATION_QUANTIZE_ENV]: args.quantization } },
        });
    }
    if (args.compilation) {
        configs.push({ modelCompilationConfig: { image, overrideEnvironment: args.compilation.environment } });
    }
    if (args.sharding) {
        configs.push({
            modelShardingConfig: {
                image,
                overrideEnvironment: { [TENSOR_PARALLEL_ENV]: String(args.sharding.tensorParallelDegree) },
            },
        });
    }
    if (args.speculativeDecoding) {
        const data = args.speculativeDecoding.trainingDataUrl;
        configs.push({
            modelSpeculativeDecodingConfig: {
                technique: "EAGLE",
                trainingDataSource: data
                    ? { s3Uri: data, s3DataType: args.speculativeDecoding.trainingDataType ?? "S3Prefix" }
                    : undefined,
            },
        });
    }
    return configs;
}

/**
 * The environment the served model gets from its job, as the SageMaker Python SDK's `optimize()` deploys
 * one: the job's `OptimizationEnvironment` and every config's `OverrideEnvironment`.
 */
export function optimizedServingEnvironment(args: ModelOptimizationArgs): Record<string, string> {
    const env: Record<string, string> = { ...args.environment };
    for (const config of optimizationConfigsOf(args)) {
        const container = config.modelQuantizationConfig ?? config.modelCompilationConfig ?? config.modelShardingConfig;
        Object.assign(env, container?.overrideEnvironment);
    }
    return env;
}

/** The model fields an optimization is checked against. */
export interface OptimizedModelFields {
    readonly modelDataUrl?: unknown;
    readonly quantization?: unknown;
    readonly speculativeDecoding?: unknown;
    readonly accelerators?: unknown;
}

const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

/**
 * Every rule of a model's `optimization` that spans fields or comes from the API, the SageMaker Python SDK
 * or the served model, as `{ path (relative, from "optimization"), message }`. Reads raw values
 * defensively: the stack config (before its schema is satisfied) and the components share it.
 */
export function optimizationIssues(
    optimization: unknown,
    model: OptimizedModelFields,
    /** The stack config's schema has checked each field's own type and range: report only the rest. */
    options: { fieldsChecked?: boolean } = {},
): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (!isObject(optimization)) return issues;
    const o = optimization;
    const at = (key: string) => `optimization${key ? `.${key}` : ""}`;
    const kinds = (["quantization", "speculativeDecoding", "compilation", "sharding"] as const).filter(
        (k) => o[k] !== undefined,
    );
    if (kinds.length === 0) {
        issues.push({
            path: at(""),
            message:
                "asks for no optimization. Set quantization, speculativeDecoding, compilation or sharding, or remove optimization.",
        });
    }
    // The SageMaker Python SDK's rules for combining optimizations (sagemaker/serve/builder/model_builder.py).
    if (o.sharding !== undefined && kinds.length > 1) {
        issues.push({
            path: at("sharding"),
            message: `cannot be combined with ${kinds.filter((k) => k !== "sharding").join(", ")}: sharding is an optimization of its own. Optimize in two steps, or drop one.`,
        });
    }
    if (o.compilation !== undefined && o.speculativeDecoding !== undefined) {
        issues.push({
            path: at("speculativeDecoding"),
            message: "cannot be combined with compilation. Drop one of them.",
        });
    }
    const fieldsUnchecked = !options.fieldsChecked;
    if (
        fieldsUnchecked &&
        o.quantization !== undefined &&
        !(JOB_QUANTIZATIONS as readonly unknown[]).includes(o.quantization)
    ) {
        issues.push({
            path: at("quantization"),
            message: `unknown job quantization ${show(o.quantization)}. Use ${JOB_QUANTIZATIONS.join(" or ")} (OPTION_QUANTIZE of the optimization container).`,
        });
    }
    if (model.quantization !== undefined && o.quantization !== undefined && model.quantization !== o.quantization) {
        issues.push({
            path: "quantization",
            message: `is ${show(model.quantization)}, but optimization.quantization makes the served weights ${show(o.quantization)}. Remove quantization: the job's is served.`,
        });
    }
    if (model.speculativeDecoding !== undefined) {
        issues.push({
            path: "speculativeDecoding",
            message:
                "sets a draft model inside the weights, but the served weights are the optimization job's output, which does not carry it. " +
                "Use optimization.speculativeDecoding (EAGLE, trained by the job), or remove optimization.",
        });
    }
    if (typeof o.outputUrl === "string" && isS3Url(o.outputUrl) && typeof model.modelDataUrl === "string") {
        const source = model.modelDataUrl;
        if (o.outputUrl.startsWith(source) || source.startsWith(o.outputUrl)) {
            issues.push({
                path: at("outputUrl"),
                message: `is ${show(o.outputUrl)}, which overlaps modelDataUrl ${show(source)}: the job would write into the weights it reads. Give the optimized model a prefix of its own.`,
            });
        }
    }
    const typeProblem = o.instanceType === undefined ? undefined : deploymentTypeProblem(o.instanceType);
    if (typeProblem) issues.push({ path: at("instanceType"), message: typeProblem });
    // SageMaker developer guide: GPU types take quantization and speculative decoding; Inferentia and
    // Trainium take compilation.
    const silicon = typeof o.instanceType === "string" ? findInstanceType(o.instanceType)?.accelerator : undefined;
    if (silicon && /Inferentia|Trainium/.test(silicon)) {
        for (const key of ["quantization", "speculativeDecoding"] as const) {
            if (o[key] === undefined) continue;
            issues.push({
                path: at(key),
                message: `is not available for ${String(o.instanceType)} (${silicon}): optimization jobs compile for Inferentia and Trainium, and quantize or train speculative decoding for GPUs. Use compilation, or a GPU instance type.`,
            });
        }
    }
    if (isObject(o.sharding)) {
        const degree = o.sharding.tensorParallelDegree;
        const accelerators = model.accelerators;
        if (
            Number.isInteger(degree) &&
            typeof degree === "number" &&
            typeof accelerators === "number" &&
            accelerators > 0 &&
            (degree > accelerators || accelerators % degree !== 0)
        ) {
            issues.push({
                path: at("sharding.tensorParallelDegree"),
                message: `is ${degree}, which does not evenly divide the model's ${accelerators} accelerators per copy. Use a divisor of ${accelerators}.`,
            });
        }
    }
    for (const [key, env] of [
        ["environment", o.environment],
        ["compilation.environment", isObject(o.compilation) ? o.compilation.environment : undefined],
    ] as const) {
        if (!isObject(env)) continue;
        for (const p of environmentProblems(env)) {
            issues.push({ path: at(p.key === undefined ? key : `${key}.${p.key}`), message: p.message });
        }
    }
    // pulumi up stops a job it stops waiting for: the wait must cover every hour the job may run.
    const runtimeHours = positive(o.maxRuntimeHours)
        ? (o.maxRuntimeHours as number)
        : MODEL_OPTIMIZATION_DEFAULTS.maxRuntimeHours;
    if (positive(o.waitTimeoutMinutes) && (o.waitTimeoutMinutes as number) < runtimeHours * 60) {
        issues.push({
            path: at("waitTimeoutMinutes"),
            message: `is ${String(o.waitTimeoutMinutes)} minutes, shorter than the ${runtimeHours} hours maxRuntimeHours lets the job run: pulumi up would stop a healthy job. Raise it to at least ${runtimeHours * 60}, or lower maxRuntimeHours.`,
        });
    }
    for (const key of ["maxRuntimeHours", "waitTimeoutMinutes", "estimatedHours"] as const) {
        if (fieldsUnchecked && o[key] !== undefined && !positive(o[key])) {
            issues.push({
                path: at(key),
                message: `must be a number > 0, got ${show(o[key])}. Give a positive number.`,
            });
        }
    }
    return issues;
}
