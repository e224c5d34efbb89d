import { ResourceValidationPolicy } from "@pulumi/policy";
import { instanceFamily } from "../lib/catalog";
import { TYPES } from "../lib/contract";
import { configOf } from "./support/config";
import { ofType } from "./support/of-type";
import { plain, UNKNOWN } from "./support/props";
import { optimizationJobOf } from "./support/views";

/** Config of {@link optimizationJobInstanceAllowed}. */
export interface OptimizationJobInstanceAllowedConfig {
    families: string[];
}

/**
 * An optimization job bills an instance while it runs and fixes the type its output is served on: both
 * should be a family the platform team budgets for.
 */
export const optimizationJobInstanceAllowed: ResourceValidationPolicy = {
    name: "optimization-job-instance-allowed",
    description:
        "Checks whether each SageMaker optimization job optimizes for (and is billed on) an instance family the platform team allows.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            families: { type: "array", items: { type: "string" }, default: ["g5", "g6", "g6e", "inf2"] },
        },
    },
    validateResource: ofType(TYPES.optimizationJob, (args, reportViolation) => {
        const { families } = configOf<OptimizationJobInstanceAllowedConfig>(optimizationJobInstanceAllowed, args);
        const job = optimizationJobOf(plain(args.props));
        if (job.instanceType === UNKNOWN) return;
        const family = typeof job.instanceType === "string" ? instanceFamily(job.instanceType) : undefined;
        if (family !== undefined && families.includes(family)) return;
        const got =
            typeof job.instanceType === "string"
                ? `${job.instanceType}${family ? ` (family ${family})` : ""}`
                : "no deploymentInstanceType";
        reportViolation(
            `Optimization job "${args.name}" must optimize for an allowed instance family (${families.join(", ")}), got ${got}. ` +
                `Set deploymentInstanceType to a type of an allowed family (fm-fleet: optimization.instanceType, or the endpoint's instanceType), ` +
                `or ask the platform team to add ${family ?? "it"} to optimization-job-instance-allowed.families.`,
        );
    }),
};
