/**
 * Facts of SageMaker inference optimization jobs (CreateOptimizationJob) that the components, the stack
 * config and the policy pack share. Sources: `@aws-sdk/client-sagemaker` 3.1142.0 types (field names, the
 * DeploymentInstanceType enum, required fields) and the SageMaker service model (botocore
 * `data/sagemaker/2017-07-24/service-2.json`: lengths, patterns, list and map sizes).
 */

/** `OptimizationJobDeploymentInstanceType` of the SDK (a test keeps this copy equal to it). */
export const OPTIMIZATION_DEPLOYMENT_INSTANCE_TYPES: readonly string[] = [
    "ml.g4dn.12xlarge", "ml.g4dn.16xlarge", "ml.g4dn.2xlarge", "ml.g4dn.4xlarge", "ml.g4dn.8xlarge", "ml.g4dn.xlarge",
    "ml.g5.12xlarge", "ml.g5.16xlarge", "ml.g5.24xlarge", "ml.g5.2xlarge", "ml.g5.48xlarge", "ml.g5.4xlarge",
    "ml.g5.8xlarge", "ml.g5.xlarge", "ml.g6e.12xlarge", "ml.g6e.16xlarge", "ml.g6e.24xlarge", "ml.g6e.2xlarge",
    "ml.g6e.48xlarge", "ml.g6e.4xlarge", "ml.g6e.8xlarge", "ml.g6e.xlarge", "ml.g6.12xlarge", "ml.g6.16xlarge",
    "ml.g6.24xlarge", "ml.g6.2xlarge", "ml.g6.48xlarge", "ml.g6.4xlarge", "ml.g6.8xlarge", "ml.g6.xlarge",
    "ml.g7e.12xlarge", "ml.g7e.24xlarge", "ml.g7e.2xlarge", "ml.g7e.48xlarge", "ml.g7e.4xlarge", "ml.g7e.8xlarge",
    "ml.g7.12xlarge", "ml.g7.24xlarge", "ml.g7.2xlarge", "ml.g7.48xlarge", "ml.g7.4xlarge", "ml.g7.8xlarge",
    "ml.inf2.24xlarge", "ml.inf2.48xlarge", "ml.inf2.8xlarge", "ml.inf2.xlarge", "ml.p4de.24xlarge",
    "ml.p4d.24xlarge", "ml.p5en.48xlarge", "ml.p5e.48xlarge", "ml.p5.48xlarge", "ml.p6-b200.48xlarge",
    "ml.trn1n.32xlarge", "ml.trn1.2xlarge", "ml.trn1.32xlarge",
]; // prettier-ignore

/** Service-model limits of CreateOptimizationJob's fields. */
export const OPTIMIZATION_LIMITS = {
    /** `OptimizationConfigs`: at most 10 entries. */
    configsMax: 10,
    /** `OptimizationEnvironment` / `OverrideEnvironment`: at most 25 entries, keys and values <= 256. */
    environmentEntriesMax: 25,
    environmentTextMax: 256,
    /** `VpcConfig`: 1-5 security groups, 1-16 subnets. */
    securityGroupsMax: 5,
    subnetsMax: 16,
    /** `Tags`: at most 50. */
    tagsMax: 50,
} as const;

/**
 * `StoppingCondition.MaxRuntimeInSeconds` when none is given: the API requires a stopping condition, and
 * the SageMaker Python SDK's `optimize()` defaults to 36,000 s (10 hours).
 */
export const DEFAULT_MAX_RUNTIME_SECONDS = 36000;

/** Job tag: hours the job is expected to bill, for the plan's and the pack's one-time cost. */
export const ESTIMATED_HOURS_TAG = "fmfleet:estimated-hours";

/** The environment variable a quantization config sets in `OverrideEnvironment` (AWS guide, LMI). */
export const OPTIMIZATION_QUANTIZE_ENV = "OPTION_QUANTIZE";
/** The environment variable sharding requires (SageMaker Python SDK: "required ... with sharding config"). */
export const TENSOR_PARALLEL_ENV = "OPTION_TENSOR_PARALLEL_DEGREE";

/** Quantizations an optimization job produces (`OPTION_QUANTIZE` values of the AWS guide and the SDK). */
export const JOB_QUANTIZATIONS = ["awq", "fp8"] as const;
export type JobQuantization = (typeof JOB_QUANTIZATIONS)[number];

/** A problem of an environment map under the API's limits; `key` names the entry, when it is one. */
export interface EnvironmentProblem {
    readonly key?: string;
    readonly message: string;
}

/** What the API would reject in an `OptimizationEnvironment` / `OverrideEnvironment` map. */
export function environmentProblems(env: Readonly<Record<string, unknown>>): EnvironmentProblem[] {
    const { environmentEntriesMax: most, environmentTextMax: longest } = OPTIMIZATION_LIMITS;
    const problems: EnvironmentProblem[] = [];
    const entries = Object.entries(env);
    if (entries.length > most)
        problems.push({ message: `has ${entries.length} entries, over the API's ${most}. Drop some.` });
    for (const [key, value] of entries) {
        if (key.trim() === "" || key.length > longest) {
            problems.push({
                message: `has the key ${JSON.stringify(key)}: keys must be 1-${longest} characters, not blank. Rename it.`,
            });
        }
        if (typeof value === "string" && value.length > longest) {
            problems.push({
                key,
                message: `is ${value.length} characters, over the API's ${longest}. Shorten it.`,
            });
        }
    }
    return problems;
}

/** Why a type is not a `DeploymentInstanceType`, or `undefined` when it is one. */
export function deploymentTypeProblem(instanceType: unknown): string | undefined {
    if (typeof instanceType === "string" && OPTIMIZATION_DEPLOYMENT_INSTANCE_TYPES.includes(instanceType))
        return undefined;
    const families = [...new Set(OPTIMIZATION_DEPLOYMENT_INSTANCE_TYPES.map((t) => t.split(".")[1]))].sort();
    return (
        `${JSON.stringify(instanceType)} is not an instance type optimization jobs deploy to (the API's DeploymentInstanceType). ` +
        `Use an ml.${families.join(", ml.")} type, and serve the model on it.`
    );
}
