import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { HOURS_PER_MONTH, instanceFamily } from "../lib/catalog";
import { COST_CENTER_TAG, SAGEMAKER_TYPES, SCALING_TYPES, TYPES } from "../lib/contract";
import { formatUsd } from "../lib/cost";
import { configOf } from "./support/config";
import { isOneOf, ofTypes } from "./support/of-type";
import { num, plain, shown, UNKNOWN } from "./support/props";
import { StackGraph } from "./support/stack-graph";
import { tagsOf } from "./support/tags";
import {
    catalogEntry,
    minInstancesOf,
    physicalNameOf,
    provisionedVariantsOf,
    VariantView,
    variantLabel,
} from "./support/views";

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link allowedInstanceFamilies}. */
export interface AllowedInstanceFamiliesConfig {
    families: string[];
}

/**
 * The default of `allowed-instance-families.families`, and of the families `weights-fit-accelerator-memory`
 * may name in its fixes (a policy reads only its own config: see that rule).
 */
export const DEFAULT_ALLOWED_FAMILIES: readonly string[] = ["g5", "g6", "g6e", "inf2", "m5", "c5"];

/** Instance families a platform team budgets for: current GPU families and Inferentia, plus CPU. */
export const allowedInstanceFamilies: ResourceValidationPolicy = {
    name: "allowed-instance-families",
    description:
        "Checks whether every production and shadow variant runs on an instance family the platform team allows.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            families: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULT_ALLOWED_FAMILIES],
            },
        },
    },
    validateResource: ofTypes(SAGEMAKER_TYPES.endpointConfig, (args, reportViolation) => {
        const { families } = configOf<AllowedInstanceFamiliesConfig>(allowedInstanceFamilies, args);
        // Every type the variant may land on counts: its own and each fallback pool, shadow variants' too.
        for (const v of provisionedVariantsOf(plain(args.props))) {
            for (const instanceType of v.instanceTypes) {
                if (typeof instanceType !== "string") continue;
                const family = instanceFamily(instanceType);
                if (family !== undefined && families.includes(family)) continue;
                reportViolation(
                    `Endpoint configuration "${args.name}" ${variantLabel(v)} must use an allowed instance family (${families.join(", ")}), ` +
                        `got ${instanceType}${family ? ` (family ${family})` : ""}${v.instanceTypes.length > 1 ? " in its instance pools" : ""}. ` +
                        `Pick a type from an allowed family, or ask the platform team to add ${family ?? "it"} to allowed-instance-families.families.`,
                );
            }
        }
    }),
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link maxInstancesPerEndpoint}. */
export interface MaxInstancesPerEndpointConfig {
    maxInstances: number;
}

/** Caps how far one endpoint can scale out, the main driver of its peak bill. */
export const maxInstancesPerEndpoint: ResourceValidationPolicy = {
    name: "max-instances-per-endpoint",
    description: "Checks whether an endpoint's initial and maximum instance counts stay within the configured maximum.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxInstances: { type: "integer", minimum: 1, default: 4 } } },
    validateResource: (args, reportViolation) => {
        const { maxInstances } = configOf<MaxInstancesPerEndpointConfig>(maxInstancesPerEndpoint, args);
        const fix = `Lower it, or raise max-instances-per-endpoint.maxInstances (${maxInstances}).`;
        if (isOneOf(SAGEMAKER_TYPES.endpointConfig, args.type)) {
            for (const v of provisionedVariantsOf(plain(args.props))) {
                const counts: [string, unknown][] = [
                    ["initialInstanceCount", v.initialInstanceCount],
                    ["managedInstanceScaling.maxInstanceCount", v.managed?.max],
                ];
                for (const [field, value] of counts) {
                    if (typeof value === "number" && value > maxInstances) {
                        reportViolation(
                            `Endpoint configuration "${args.name}" ${variantLabel(v)} must have ${field} <= ${maxInstances}, got ${value}. ${fix}`,
                        );
                    }
                }
            }
        } else if (isOneOf(SCALING_TYPES.scalableTarget, args.type)) {
            const props = plain(args.props);
            const max = num(props.maxCapacity);
            if (
                props.scalableDimension === "sagemaker:variant:DesiredInstanceCount" &&
                typeof max === "number" &&
                max > maxInstances
            ) {
                reportViolation(
                    `Scalable target "${args.name}" (${shown(props.resourceId)}) must have maxCapacity <= ${maxInstances} instances, got ${max}. ${fix}`,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Why a variant's instance bound is not counted: the field it comes from is not set, or not known yet. */
function missingCount(v: VariantView, bound: "min" | "max", value: unknown): string {
    const field = v.managed
        ? `managedInstanceScaling.${bound}InstanceCount`
        : bound === "min"
          ? "initialInstanceCount"
          : "initialInstanceCount or a scalable target's maxCapacity";
    return value === UNKNOWN ? `${field} unknown` : `no ${field}`;
}

/** Config of {@link monthlyCostBudget}. */
export interface MonthlyCostBudgetConfig {
    maxIdleFloorUsd: number;
    maxPeakCeilingUsd: number;
}

/**
 * Keeps a stack's monthly bill within budget: the idle floor (minimum instances all month) and the peak
 * ceiling (maximum instances all month), priced from the project's instance catalog.
 */
export const monthlyCostBudget: StackValidationPolicy = {
    name: "monthly-cost-budget",
    description:
        "Checks whether the stack's monthly idle floor (min instances x hourly price x 730) and peak ceiling (max instances) stay under budget.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxIdleFloorUsd: { type: "number", minimum: 0, default: 5000 },
            maxPeakCeilingUsd: { type: "number", minimum: 0, default: 50000 },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = configOf<MonthlyCostBudgetConfig>(monthlyCostBudget, args);
        const graph = new StackGraph(args.resources);
        let idle = 0;
        let peak = 0;
        const lines: string[] = [];
        const unpriced: string[] = [];
        const floorUncounted: string[] = [];
        const peakUncounted: string[] = [];
        for (const endpoint of graph.allOf(SAGEMAKER_TYPES.endpoint)) {
            const endpointName = physicalNameOf(endpoint.resource.type, endpoint.props);
            const config = graph.endpointConfigurationOf(endpointName);
            if (!config) continue;
            // Shadow variants run (and bill) beside the production ones.
            for (const v of provisionedVariantsOf(config.props)) {
                const where = v.shadow ? `${endpoint.name} ${variantLabel(v)}` : endpoint.name;
                // Idle on the first choice; at peak, possibly on the dearest fallback.
                const prices = v.instanceTypes.map((t) => catalogEntry(t)?.usdPerHour);
                const price = prices[0];
                const peakPrice = prices.some((p) => p === undefined) ? undefined : Math.max(...(prices as number[]));
                const variantTarget = graph.scalableTargetsOn(
                    `endpoint/${shown(endpointName)}/variant/${shown(v.variantName)}`,
                ).on[0];
                // A variant under Application Auto Scaling idles at its target's minimum and peaks at its maximum.
                const min = v.managed
                    ? minInstancesOf(v)
                    : (num(variantTarget?.props.minCapacity) ?? minInstancesOf(v));
                const max = v.managed?.max ?? num(variantTarget?.props.maxCapacity) ?? v.initialInstanceCount;
                if (typeof min !== "number" && typeof max !== "number") continue;
                if (price === undefined || peakPrice === undefined) {
                    unpriced.push(`${where} (${v.instanceTypes.map(shown).join(", ")})`);
                    continue;
                }
                // Each bound counts when it is known; a missing one is named, never dropped with the other.
                const range =
                    typeof min !== "number"
                        ? `up to ${shown(max)}`
                        : typeof max !== "number"
                          ? `at least ${min}`
                          : `${min}-${max}`;
                lines.push(`${where}: ${range} x ${v.instanceTypes.map(shown).join(" | ")}`);
                if (typeof min !== "number") floorUncounted.push(`${where} (${missingCount(v, "min", min)})`);
                if (typeof max !== "number") peakUncounted.push(`${where} (${missingCount(v, "max", max)})`);
                if (typeof min === "number") idle += min * price * HOURS_PER_MONTH;
                if (typeof max === "number") peak += max * peakPrice * HOURS_PER_MONTH;
            }
        }
        const detail = [
            lines.join("; "),
            ...(unpriced.length ? [`not priced: ${unpriced.join(", ")}`] : []),
            ...(floorUncounted.length ? [`idle floor not counted: ${floorUncounted.join(", ")}`] : []),
            ...(peakUncounted.length ? [`peak not counted: ${peakUncounted.join(", ")}`] : []),
        ].join("; ");
        if (idle > config.maxIdleFloorUsd) {
            reportViolation(
                `Stack must idle under ${formatUsd(config.maxIdleFloorUsd)}/month, got an idle floor of ${formatUsd(idle)}/month (${detail}). ` +
                    `Lower min instances (scale to zero where latency allows), or raise monthly-cost-budget.maxIdleFloorUsd.`,
            );
        }
        if (peak > config.maxPeakCeilingUsd) {
            reportViolation(
                `Stack must peak under ${formatUsd(config.maxPeakCeilingUsd)}/month, got a peak ceiling of ${formatUsd(peak)}/month (${detail}). ` +
                    `Lower max instances or pick a cheaper instance type, or raise monthly-cost-budget.maxPeakCeilingUsd.`,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link costAllocationTags}. */
export interface CostAllocationTagsConfig {
    requiredTags: string[];
}

const TAGGED_TYPES = new Set<string>([
    ...SAGEMAKER_TYPES.endpoint,
    ...SAGEMAKER_TYPES.endpointConfig,
    ...SAGEMAKER_TYPES.model,
    TYPES.inferenceComponent,
    TYPES.optimizationJob,
]);

/** Every billed SageMaker resource carries the tags that cost reports group by. */
export const costAllocationTags: ResourceValidationPolicy = {
    name: "cost-allocation-tags",
    description:
        "Checks whether endpoints, endpoint configurations, models, inference components and optimization jobs carry the cost-allocation tags.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { requiredTags: { type: "array", items: { type: "string" }, default: [COST_CENTER_TAG] } },
    },
    validateResource: (args, reportViolation) => {
        if (!TAGGED_TYPES.has(args.type)) return;
        const { requiredTags } = configOf<CostAllocationTagsConfig>(costAllocationTags, args);
        const tags = tagsOf(plain(args.props));
        if (tags === UNKNOWN) return;
        const missing = requiredTags.filter((key) => tags[key] === undefined || tags[key] === "");
        if (missing.length > 0) {
            reportViolation(
                `${args.type.split(":").pop()} "${args.name}" must carry the tags ${requiredTags.join(", ")}, got none for ${missing.join(", ")}. ` +
                    `Add ${missing.map((k) => `${k}=<value>`).join(", ")} (fm-fleet sets cost-center from fm-fleet:costCenter).`,
            );
        }
    },
};
