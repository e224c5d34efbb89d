import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PARAMETERS_BILLIONS_TAG, QUANTIZATION_TAG, QUANTIZE_ENV, SAGEMAKER_TYPES } from "../lib/contract";
import { BYTES_PER_PARAMETER, DEFAULT_ACCELERATOR_MEMORY_FRACTION, Quantization, weightsGib } from "../lib/sizing";
import { cheapestTypeHolding, InstanceType } from "../lib/catalog";
import { DEFAULT_ALLOWED_FAMILIES } from "./cost";
import { configOf } from "./support/config";
import { ofTypes } from "./support/of-type";
import { plain, UNKNOWN, Unknown } from "./support/props";
import { Node, StackGraph } from "./support/stack-graph";
import {
    asSpecification,
    catalogEntry,
    InferenceComponentView,
    isAdapter,
    provisionedVariantsOf,
    SpecificationView,
    specificationSubject,
    variantLabel,
} from "./support/views";

const gib = (n: number) => `${n.toFixed(1)} GiB`;

/**
 * Every specification of every base IC (the singular `specification` and each entry of aws-native's
 * per-instance-type `specifications`), with the IC as that specification deploys it: the sizing rules judge
 * each, since each may name another model, env and accelerator count.
 */
function baseSpecifications(graph: StackGraph): {
    node: Node;
    ic: InferenceComponentView;
    spec: SpecificationView;
    served: InferenceComponentView;
}[] {
    return graph
        .inferenceComponents()
        .filter(({ ic }) => !isAdapter(ic))
        .flatMap(({ node, ic }) =>
            ic.specifications.map((spec) => ({ node, ic, spec, served: asSpecification(ic, spec) })),
        );
}

/**
 * The instance types a specification deploys to: a per-instance-type entry its own type; the singular
 * `specification` every type of the IC's variant that no per-instance-type entry claims.
 */
function typesOf(graph: StackGraph, ic: InferenceComponentView, spec: SpecificationView): (string | Unknown)[] {
    if (spec.path !== "specification") return spec.instanceType === undefined ? [] : [spec.instanceType];
    const claimed = new Set(
        ic.specifications.map((s) => s.instanceType).filter((t): t is string => typeof t === "string"),
    );
    return (graph.variantOf(ic)?.variant.instanceTypes ?? []).filter((t) => typeof t !== "string" || !claimed.has(t));
}

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link quantizationRequiredAboveSize}. */
export interface QuantizationRequiredAboveSizeConfig {
    maxUnquantizedBillions: number;
}

/**
 * Large models served in bf16 need the most expensive instances; quantized, they fit far cheaper ones. A stack
 * rule: the quantization may be set in the environment of the SageMaker model the component deploys.
 */
export const quantizationRequiredAboveSize: StackValidationPolicy = {
    name: "quantization-required-above-size",
    description: "Checks whether inference components serving models above the configured size are quantized.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxUnquantizedBillions: { type: "number", minimum: 0, default: 20 } } },
    validateStack: (args, reportViolation) => {
        const { maxUnquantizedBillions } = configOf<QuantizationRequiredAboveSizeConfig>(
            quantizationRequiredAboveSize,
            args,
        );
        const graph = new StackGraph(args.resources);
        for (const { node, spec, served } of baseSpecifications(graph)) {
            const { size, quantization } = graph.servedModelOf(served);
            if (!size || size.billions <= maxUnquantizedBillions) continue;
            if (quantization === UNKNOWN || quantization !== "none") continue;
            reportViolation(
                `${specificationSubject(node.name, spec)} serves a ${size.billions}B-parameter model (from ${size.source}) and must be quantized above ${maxUnquantizedBillions}B, ` +
                    `got no quantization. Serve AWQ or FP8 weights (${QUANTIZE_ENV}=awq|fp8, tag ${QUANTIZATION_TAG}; fm-fleet: quantization: awq): ` +
                    `${gib(weightsGib(size.billions, "none"))} in bf16 becomes ${gib(weightsGib(size.billions, "awq"))} with AWQ.`,
                node.resource.urn,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Companion of {@link quantizationRequiredAboveSize}: sizing rules cannot judge a model of unknown size. */
export const modelSizeKnown: StackValidationPolicy = {
    name: "model-size-known",
    description:
        "Checks whether the size of each base inference component's model can be determined, so sizing rules can judge it.",
    enforcementLevel: "advisory",
    // A stack rule, as the sizing rules it serves: the size may come from the env of the model it deploys.
    validateStack: (args, reportViolation) => {
        const graph = new StackGraph(args.resources);
        for (const { node, spec, served } of baseSpecifications(graph)) {
            if (served.tags === UNKNOWN || graph.servedModelOf(served).size) continue;
            reportViolation(
                `${specificationSubject(node.name, spec)} must state its model size, got no ${PARAMETERS_BILLIONS_TAG} tag and no size in its model name or image. ` +
                    `Tag it ${PARAMETERS_BILLIONS_TAG}=<billions> so quantization-required-above-size and weights-fit-accelerator-memory can check it.`,
                node.resource.urn,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link weightsFitAcceleratorMemory}. */
export interface WeightsFitAcceleratorMemoryConfig {
    memoryFraction: number;
    /** Families a fix may name a type of: the stack's `allowed-instance-families.families`. */
    allowedInstanceFamilies: string[];
}

/** Accelerator memory usable for weights on `count` devices of an instance type. */
const usableGib = (t: InstanceType, count: number, fraction: number) => count * t.acceleratorMemoryGibEach * fraction;

/**
 * Fixes that would fit, for the violation: more accelerators per copy on the same instance type, quantizing
 * there, and the cheapest instance type of the same accelerator maker that holds the weights as they are.
 */
function fitProposals(
    billions: number,
    current: Quantization,
    instance: InstanceType,
    fraction: number,
    families: readonly string[],
): string {
    const parts: string[] = [];
    const devicesAsIs = Math.ceil(weightsGib(billions, current) / usableGib(instance, 1, fraction));
    if (devicesAsIs <= instance.acceleratorCount) {
        parts.push(
            `give each copy ${devicesAsIs} accelerators (${instance.instanceType} has ${instance.acceleratorCount})`,
        );
    }
    for (const q of ["fp8", "awq"] as Quantization[]) {
        if (BYTES_PER_PARAMETER[q] >= BYTES_PER_PARAMETER[current]) continue;
        const need = weightsGib(billions, q);
        const devices = Math.ceil(need / usableGib(instance, 1, fraction));
        if (devices <= instance.acceleratorCount) {
            parts.push(`quantize to ${q} (${gib(need)}) with ${devices} accelerator${devices > 1 ? "s" : ""} per copy`);
            break;
        }
    }
    const larger = cheapestTypeHolding(
        instance.accelerator.split(" ")[0],
        weightsGib(billions, current),
        fraction,
        families,
    );
    if (larger) {
        parts.push(
            `move to ${larger.instanceType} (${larger.acceleratorCount} x ${larger.acceleratorMemoryGibEach} GiB, $${larger.usdPerHour}/h) with enough accelerators per copy`,
        );
    }
    if (parts.length === 0) return "Quantize it and shard it over more accelerators per copy.";
    const text = parts.join(", or ");
    return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** Weights that do not fit the accelerators a copy gets fail at load time, after minutes of download. */
export const weightsFitAcceleratorMemory: StackValidationPolicy = {
    name: "weights-fit-accelerator-memory",
    description:
        "Checks whether each base inference component's weights fit the configured fraction of the accelerator memory its copy gets on its endpoint's instance type.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            memoryFraction: {
                type: "number",
                exclusiveMinimum: 0,
                maximum: 1,
                default: DEFAULT_ACCELERATOR_MEMORY_FRACTION,
            },
            // @pulumi/policy 1.21 hands a policy only its own config (server.js makeGetConfigFun reads
            // policyPackConfig[policy.name]), so this rule cannot read allowed-instance-families': the fix it
            // proposes names a type only from these families. Keep the two lists equal (the plan warns when not).
            allowedInstanceFamilies: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULT_ALLOWED_FAMILIES],
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const { memoryFraction, allowedInstanceFamilies } = configOf<WeightsFitAcceleratorMemoryConfig>(
            weightsFitAcceleratorMemory,
            args,
        );
        const graph = new StackGraph(args.resources);
        for (const { node, ic, spec, served } of baseSpecifications(graph)) {
            const { size, quantization } = graph.servedModelOf(served);
            const accelerators =
                typeof served.accelerators === "number"
                    ? served.accelerators
                    : served.accelerators === UNKNOWN
                      ? undefined
                      : 1;
            if (!size || quantization === UNKNOWN || accelerators === undefined) continue;
            // The weights must fit every type the endpoint may land on (its own and each fallback pool) that
            // this specification deploys to: a per-instance-type one only its own type.
            for (const instanceType of typesOf(graph, ic, spec)) {
                const instance = catalogEntry(instanceType);
                if (!instance || instance.acceleratorCount === 0) continue;
                const available = accelerators * instance.acceleratorMemoryGibEach * memoryFraction;
                const need = weightsGib(size.billions, quantization);
                if (need <= available) continue;
                reportViolation(
                    `${specificationSubject(node.name, spec)} must fit its weights in ${memoryFraction} x ${accelerators} x ${instance.acceleratorMemoryGibEach} GiB = ${gib(available)} ` +
                        `of ${instance.accelerator} memory on ${instance.instanceType}, got ${gib(need)} (${size.billions}B parameters x ${BYTES_PER_PARAMETER[quantization]} bytes, ${quantization === "none" ? "bf16" : quantization}). ` +
                        fitProposals(size.billions, quantization, instance, memoryFraction, allowedInstanceFamilies),
                    node.resource.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/** Config of {@link loadAwareRouting}. */
export interface LoadAwareRoutingConfig {
    strategies: string[];
}

/** RANDOM (the service default) piles requests onto busy instances; long LLM requests make that costly. */
export const loadAwareRouting: ResourceValidationPolicy = {
    name: "load-aware-routing",
    description:
        "Checks whether production and shadow variants route requests by load (LEAST_OUTSTANDING_REQUESTS, or PREFIX_AWARE, which leaves a prefix's instance once it has ConcurrencyThreshold requests in flight) instead of randomly.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            strategies: {
                type: "array",
                items: { type: "string" },
                default: ["LEAST_OUTSTANDING_REQUESTS", "PREFIX_AWARE"],
            },
        },
    },
    validateResource: ofTypes(SAGEMAKER_TYPES.endpointConfig, (args, reportViolation) => {
        const { strategies } = configOf<LoadAwareRoutingConfig>(loadAwareRouting, args);
        // A shadow variant gets a copy of every request: routed randomly, its latency cannot be compared.
        for (const v of provisionedVariantsOf(plain(args.props))) {
            if (v.routing === UNKNOWN || (v.routing !== undefined && strategies.includes(v.routing))) continue;
            reportViolation(
                `Endpoint configuration "${args.name}" ${variantLabel(v)} must route with ${strategies.join(" or ")}, ` +
                    `got ${v.routing ?? "RANDOM (no routingConfig, the service default)"}. Set routingConfig.routingStrategy (aws-native) or routingConfigs[0].routingStrategy (@pulumi/aws) (fm-fleet: routing: least-outstanding-requests).`,
            );
        }
    }),
};
