import * as pulumi from "@pulumi/pulumi";
import { TYPES } from "../../lib/contract";
import {
    DEFAULT_MAX_RUNTIME_SECONDS,
    deploymentTypeProblem,
    environmentProblems,
    OPTIMIZATION_LIMITS,
} from "../../lib/optimization";
import { SAGEMAKER_NAME_MAX, sageMakerNameProblem } from "../../lib/names";
import { ArgsCheck } from "../args-check";
import { ChildNames, partsOf } from "../naming";
import { show } from "../rules";
import { optimizationJobProvider, outputShapingInputs } from "./job-provider";
import { JOB_OUTPUT_KEYS, OptimizationConfigInput, OptimizationJobInputs } from "./job-request";

/** Arguments of {@link OptimizationJob}: CreateOptimizationJob's fields, camelCased, with defaults. */
export interface OptimizationJobArgs extends Omit<
    OptimizationJobInputs,
    "optimizationJobName" | "roleArn" | "outputConfig" | "stoppingCondition"
> {
    /** The job's name. @default readable parts + a hash of every input, so a changed job gets a new name */
    readonly optimizationJobName?: string;
    /** The role the job runs with: it must read the model source and write `outputConfig.s3OutputLocation`. */
    readonly roleArn: pulumi.Input<string>;
    /** Where the optimized model goes: an S3 prefix, served as it is (uncompressed). */
    readonly outputConfig: {
        /** The prefix; with `outputPerJob`, the job writes under `<prefix><job name>/`. */
        readonly s3OutputLocation: string;
        readonly kmsKeyId?: pulumi.Input<string>;
        readonly sageMakerModel?: { readonly modelName: string };
    };
    /** How long the job may run. @default `{ maxRuntimeInSeconds: 36000 }`, the SageMaker Python SDK's */
    readonly stoppingCondition?: OptimizationJobInputs["stoppingCondition"];
    /** The job's AWS region. @default the `aws:region` config, else the AWS SDK's own (`AWS_REGION`, profile) */
    readonly region?: string;
    /**
     * The shared-config profile the job's provider calls SageMaker with. @default the `aws:profile` config
     * (the aws provider's), else the AWS SDK's default chain
     */
    readonly profile?: string;
    /** How long `pulumi up` waits for the job; changing it never replaces the job. @default 6 hours */
    readonly waitTimeoutSeconds?: number;
    /**
     * Write under `<s3OutputLocation><job name>/`: each job (and each replacement) gets a prefix of its own,
     * so a new job never overwrites the weights a live model still serves. @default false
     */
    readonly outputPerJob?: boolean;
    /** Readable parts the default job name starts with. @default the resource name's `/` segments */
    readonly nameParts?: readonly string[];
}

/** The job's Pulumi type, {@link TYPES.optimizationJob}, is `pulumi-nodejs:dynamic/<module>:<type>`. */
const [OPTIMIZATION_JOB_MODULE, OPTIMIZATION_JOB_TYPE_NAME] = TYPES.optimizationJob.split("/")[1].split(":");

// One provider object: Pulumi serializes a dynamic provider once per object and process.
const provider = optimizationJobProvider();

/**
 * A SageMaker inference optimization job (quantization, speculative decoding, compilation, sharding) as a
 * Pulumi resource. CloudFormation has no type for it, so it runs on a dynamic provider that calls the
 * SageMaker API with the credentials `pulumi up` runs with. `pulumi up` creates the job and waits for it
 * to finish (a failed job fails the update with its `FailureReason`); any change replaces it with a new
 * job; delete stops a running job and deletes its record, and leaves the optimized model in S3.
 */
export class OptimizationJob extends pulumi.dynamic.Resource {
    // Outputs are `declare`d: the engine sets them inside super(), and an ES2022 class field (`x!: T`) would
    // reset each to undefined right after, leaving dependents a plain string and no dependency on the job.
    declare public readonly optimizationJobName: pulumi.Output<string>;
    declare public readonly optimizationJobArn: pulumi.Output<string>;
    /** `COMPLETED` once `pulumi up` has created it. */
    declare public readonly optimizationJobStatus: pulumi.Output<string>;
    /** The image SageMaker recommends for serving the optimized model, if it recommends one. */
    declare public readonly recommendedInferenceImage: pulumi.Output<string | undefined>;
    /** The optimized model: the job's S3 output prefix. */
    declare public readonly optimizedModelUrl: pulumi.Output<string>;
    /** The job's name, known before deployment. */
    public readonly physicalName: string;
    /** Where the job writes the optimized model (`OutputConfig.S3OutputLocation`), known before deployment. */
    public readonly outputUrl: string;

    constructor(name: string, args: OptimizationJobArgs, opts: pulumi.CustomResourceOptions = {}) {
        const awsConfig = new pulumi.Config("aws");
        const region = args.region ?? awsConfig.get("region") ?? process.env.AWS_REGION;
        // The aws provider's profile: the job is created with the credentials the rest of the stack uses.
        const profile = args.profile ?? awsConfig.get("profile");
        checkArgs(name, args);
        const { nameParts, roleArn, outputConfig, waitTimeoutSeconds, outputPerJob, ...api } = args;
        const stoppingCondition = args.stoppingCondition ?? { maxRuntimeInSeconds: DEFAULT_MAX_RUNTIME_SECONDS };
        const optimizationJobName =
            args.optimizationJobName ??
            new ChildNames("fm-fleet:sagemaker:OptimizationJob", name, nameParts ?? partsOf(name)).name("job", {
                // A changed job is a new job, under a new name; what updates in place is left out.
                content: outputShapingInputs({ ...api, outputConfig, stoppingCondition }),
            });
        const outputUrl = outputPerJob
            ? `${outputConfig.s3OutputLocation}${optimizationJobName}/`
            : outputConfig.s3OutputLocation;
        const props: Record<string, unknown> = {
            ...api,
            optimizationJobName,
            roleArn,
            outputConfig: { ...outputConfig, s3OutputLocation: outputUrl },
            stoppingCondition,
            region,
            profile,
            waitTimeoutSeconds,
            // Outputs the provider sets: declared here so the resource has them.
            ...Object.fromEntries(JOB_OUTPUT_KEYS.filter((k) => k !== "__provider").map((k) => [k, undefined])),
        };
        super(provider, name, props, opts, OPTIMIZATION_JOB_MODULE, OPTIMIZATION_JOB_TYPE_NAME);
        this.physicalName = optimizationJobName;
        this.outputUrl = outputUrl;
        const ignored = credentialKeysTheJobIgnores(awsConfig);
        if (ignored.length > 0) {
            void pulumi.log.warn(
                `The stack sets ${ignored.map((k) => `aws:${k}`).join(", ")}, which only the aws provider reads: the optimization job's provider ` +
                    `calls SageMaker with aws:profile or the AWS SDK's default chain. Give both the same credentials: set them in the ` +
                    `environment of pulumi up (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or in a profile (aws:profile, ` +
                    `with role_arn for an assumed role) instead (README, "Optimization jobs and credentials").`,
                this,
            );
        }
    }
}

/**
 * Credential settings of the aws provider (`aws:<key>` config) that a dynamic provider cannot share: static
 * keys would have to travel as the job's inputs and sit in its state, and assumed roles need the aws
 * provider's own STS logic. Read with getSecret, so a secret value is never read as plain text or logged.
 */
export const UNSHARED_CREDENTIAL_KEYS = [
    "accessKey",
    "secretKey",
    "token",
    "assumeRoles",
    "assumeRoleWithWebIdentity",
    "sharedCredentialsFiles",
    "sharedConfigFiles",
] as const;

/** The keys of {@link UNSHARED_CREDENTIAL_KEYS} the stack sets. */
export function credentialKeysTheJobIgnores(awsConfig: pulumi.Config): string[] {
    return UNSHARED_CREDENTIAL_KEYS.filter((k) => awsConfig.getSecret(k) !== undefined);
}

const CONFIG_KEYS = [
    "modelQuantizationConfig",
    "modelCompilationConfig",
    "modelShardingConfig",
    "modelSpeculativeDecodingConfig",
] as const satisfies readonly (keyof OptimizationConfigInput)[];

/** An environment map within the API's limits. */
function checkEnvironment(check: ArgsCheck, path: string, env: Readonly<Record<string, string>> | undefined): void {
    for (const p of environmentProblems(env ?? {}))
        check.fail(p.key === undefined ? path : `${path}.${p.key}`, p.message);
}

/** Checks the plain arguments against the API's rules; throws one error naming every problem. */
function checkArgs(name: string, args: OptimizationJobArgs): void {
    const check = new ArgsCheck("OptimizationJob", name);
    const limits = OPTIMIZATION_LIMITS;
    // CreateOptimizationJob names follow the other SageMaker names: 1-63 of [a-zA-Z0-9](-*[a-zA-Z0-9])*.
    if (args.optimizationJobName !== undefined && sageMakerNameProblem(args.optimizationJobName) !== undefined) {
        check.fail(
            "args.optimizationJobName",
            `must be 1-${SAGEMAKER_NAME_MAX} letters, digits and hyphens, starting and ending with a letter or digit, got ${show(args.optimizationJobName)}. Rename it, or leave it out for a generated name.`,
        );
    }
    // Plain JavaScript callers may pass anything: read defensively, report instead of throwing a TypeError.
    const source = args.modelSource ?? {};
    if (!!source.s3 === !!source.sageMakerModel) {
        check.fail("args.modelSource", "must set exactly one of s3 and sageMakerModel. Keep the one the job reads.");
    }
    if (source.s3) check.s3Url("args.modelSource.s3.s3Uri", source.s3.s3Uri, "s3://<bucket>/<model>/");
    const typeProblem = deploymentTypeProblem(args.deploymentInstanceType);
    if (typeProblem) check.fail("args.deploymentInstanceType", typeProblem);
    check.count("args.maxInstanceCount", args.maxInstanceCount, 1, "instances", true);
    checkEnvironment(check, "args.optimizationEnvironment", args.optimizationEnvironment);
    const configs = Array.isArray(args.optimizationConfigs) ? args.optimizationConfigs : [];
    if (configs.length === 0 || configs.length > limits.configsMax) {
        check.fail(
            "args.optimizationConfigs",
            `must list 1-${limits.configsMax} configs, got ${configs.length}. Give at least one optimization.`,
        );
    }
    configs.forEach((entry, i) => {
        const path = `args.optimizationConfigs[${i}]`;
        const config: OptimizationConfigInput = entry ?? {};
        const keys = CONFIG_KEYS.filter((k) => config[k] !== undefined);
        if (keys.length !== 1) {
            check.fail(
                path,
                `must set exactly one of ${CONFIG_KEYS.join(", ")} (the API's union), got ${keys.length === 0 ? "none" : keys.join(", ")}. Split it into one entry per config.`,
            );
        }
        for (const key of ["modelQuantizationConfig", "modelCompilationConfig", "modelShardingConfig"] as const) {
            checkEnvironment(check, `${path}.${key}.overrideEnvironment`, config[key]?.overrideEnvironment);
        }
        const data = config.modelSpeculativeDecodingConfig?.trainingDataSource;
        if (data) {
            check.s3Url(
                `${path}.modelSpeculativeDecodingConfig.trainingDataSource.s3Uri`,
                data.s3Uri,
                "s3://<bucket>/<data>/",
            );
            if (data.s3DataType !== "S3Prefix" && data.s3DataType !== "ManifestFile") {
                check.fail(
                    `${path}.modelSpeculativeDecodingConfig.trainingDataSource.s3DataType`,
                    `must be S3Prefix or ManifestFile, got ${show(data.s3DataType)}.`,
                );
            }
        }
    });
    check.s3Url(
        "args.outputConfig.s3OutputLocation",
        args.outputConfig?.s3OutputLocation,
        "s3://<bucket>/<optimized>/",
        true,
    );
    const stopping = args.stoppingCondition ?? {};
    check.count("args.stoppingCondition.maxRuntimeInSeconds", stopping.maxRuntimeInSeconds, 1, "seconds", true);
    check.count("args.stoppingCondition.maxWaitTimeInSeconds", stopping.maxWaitTimeInSeconds, 1, "seconds", true);
    check.count("args.stoppingCondition.maxPendingTimeInSeconds", stopping.maxPendingTimeInSeconds, 1, "seconds", true);
    if (args.vpcConfig) {
        check.range(
            "args.vpcConfig.securityGroupIds",
            args.vpcConfig.securityGroupIds.length,
            1,
            limits.securityGroupsMax,
            "security groups",
        );
        check.range("args.vpcConfig.subnets", args.vpcConfig.subnets.length, 1, limits.subnetsMax, "subnets");
    }
    if (args.tags && Object.keys(args.tags).length > limits.tagsMax) {
        check.fail(
            "args.tags",
            `has ${Object.keys(args.tags).length} tags, over the API's ${limits.tagsMax}. Drop some.`,
        );
    }
    check.count("args.waitTimeoutSeconds", args.waitTimeoutSeconds, 1, "seconds", true).done();
}
