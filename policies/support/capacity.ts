import { findInstanceType, InstanceType } from "../../lib/catalog";
import { CopyGroup, Fit, HOST_RESERVE, Resources, tightestFit } from "../../lib/capacity";
import { IC_COPY_DIMENSION, SAGEMAKER_TYPES } from "../../lib/contract";
import { num, str, UNKNOWN, Unknown } from "./props";
import { Node, StackGraph } from "./stack-graph";
import {
    InferenceComponentView,
    isAdapter,
    minInstancesOf,
    physicalNameOf,
    specificationFor,
    VariantView,
    variantsOf,
} from "./views";

/** A base IC's copies at the two moments the capacity check judges. */
export interface IcCopies {
    readonly node: Node;
    readonly ic: InferenceComponentView;
    /** Copies at peak: its scalable target's `maxCapacity`, else `runtimeConfig.copyCount`. */
    readonly peak: number | Unknown | undefined;
    /** Copies at the minimum: its scalable target's `minCapacity`, else `runtimeConfig.copyCount`. */
    readonly min: number | Unknown | undefined;
}

/** The copies of one inference-component endpoint's variant against its instances, at peak and at the minimum. */
export interface EndpointCapacity {
    readonly endpoint: Node;
    readonly endpointName: string;
    readonly config: Node;
    readonly variant: VariantView;
    readonly copies: readonly IcCopies[];
    /** The tightest type at peak (`undefined`: a deciding value is unknown or missing, or no type is known). */
    readonly peak: Fit | undefined;
    readonly min: Fit | undefined;
}

/** Copies of a base IC at peak and at the minimum, from its copy-count scalable target or its copy count. */
function copiesOf(graph: StackGraph, node: Node, ic: InferenceComponentView): IcCopies {
    if (typeof ic.inferenceComponentName !== "string") return { node, ic, peak: UNKNOWN, min: UNKNOWN };
    const targets = graph.scalableTargetsOn(`inference-component/${ic.inferenceComponentName}`);
    const onCopies = (t: Node) => t.props.scalableDimension === IC_COPY_DIMENSION;
    const target = targets.on.find(onCopies);
    if (target) return { node, ic, peak: num(target.props.maxCapacity), min: num(target.props.minCapacity) };
    // A target whose resource id is unknown (preview) may scale it.
    if (targets.maybeOn.some((t) => onCopies(t) || t.props.scalableDimension === UNKNOWN)) {
        return { node, ic, peak: UNKNOWN, min: UNKNOWN };
    }
    return { node, ic, peak: ic.copyCount, min: ic.copyCount };
}

/** What one copy of `ic` takes on `instanceType`; `undefined` when a deciding value is unknown. */
function perCopyOn(ic: InferenceComponentView, instanceType: string): Resources | undefined {
    const spec = specificationFor(ic, instanceType);
    if (spec === UNKNOWN || spec === undefined) return undefined;
    const { accelerators, memoryMib, cpuCores } = spec.compute;
    if (accelerators === UNKNOWN || memoryMib === UNKNOWN || cpuCores === UNKNOWN) return undefined;
    // Unset: the copy claims none of it (the API requires MinMemoryRequiredInMb; another rule's concern).
    return { accelerators: accelerators ?? 0, memoryMib: memoryMib ?? 0, cpuCores: cpuCores ?? 0 };
}

/** The fit of some copies on a variant's known types, or `undefined` when a deciding value is not known. */
function fitOf(
    types: readonly InstanceType[],
    copies: readonly IcCopies[],
    moment: "peak" | "min",
    instances: number | Unknown | undefined,
    reserve: Resources,
): Fit | undefined {
    if (typeof instances !== "number" || types.length === 0) return undefined;
    const counts = copies.map((c) => c[moment]);
    if (counts.some((n) => typeof n !== "number")) return undefined;
    const groupsOn = (t: InstanceType) =>
        copies.map((c, i): CopyGroup | undefined => {
            const perCopy = perCopyOn(c.ic, t.instanceType);
            return perCopy && { name: c.node.name, perCopy, count: counts[i] as number };
        });
    // Judge only the types on which every copy's compute is known.
    const judged = types.filter((t) => groupsOn(t).every((g) => g !== undefined));
    return tightestFit(judged, (t) => groupsOn(t) as CopyGroup[], instances, reserve);
}

/**
 * Every inference-component endpoint's variant with the base ICs placed on it (adapters run on their base's
 * compute and do not count), their copies at peak and at the minimum, and how those fit the variant's max
 * and min instances (`managedInstanceScaling`, else `initialInstanceCount`) on the tightest of its types.
 * Works for either provider's endpoint and configuration; types the catalog does not know are not judged.
 */
export function endpointCapacities(graph: StackGraph, reserve: Resources = HOST_RESERVE): EndpointCapacity[] {
    const baseIcs = graph.inferenceComponents().filter(({ ic }) => !isAdapter(ic));
    const out: EndpointCapacity[] = [];
    for (const endpoint of graph.allOf(SAGEMAKER_TYPES.endpoint)) {
        const endpointName = physicalNameOf(endpoint.resource.type, endpoint.props);
        if (typeof endpointName !== "string") continue;
        const config = graph.named(SAGEMAKER_TYPES.endpointConfig, str(endpoint.props.endpointConfigName));
        if (!config) continue;
        const variants = variantsOf(config.props);
        const onEndpoint = baseIcs.filter(({ ic }) => ic.endpointName === endpointName);
        variants.forEach((variant, i) => {
            // An IC endpoint's variant names no model (a model-less variant).
            if (variant.modelName !== undefined) return;
            const placed = onEndpoint.filter(({ ic }) =>
                ic.variantName === undefined ? i === 0 : ic.variantName === variant.variantName,
            );
            if (placed.length === 0) return;
            const copies = placed.map(({ node, ic }) => copiesOf(graph, node, ic));
            const types = variant.instanceTypes
                .map((t) => (typeof t === "string" ? findInstanceType(t) : undefined))
                .filter((t): t is InstanceType => t !== undefined);
            const max = variant.managed ? variant.managed.max : variant.initialInstanceCount;
            out.push({
                endpoint,
                endpointName,
                config,
                variant,
                copies,
                peak: fitOf(types, copies, "peak", max, reserve),
                min: fitOf(types, copies, "min", minInstancesOf(variant), reserve),
            });
        });
    }
    return out;
}
