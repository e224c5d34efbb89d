import { PolicyResource } from "@pulumi/policy";
import { SAGEMAKER_TYPES, SCALING_TYPES, TYPES } from "../../lib/contract";
import { Quantization } from "../../lib/sizing";
import { plain, str, UNKNOWN, Unknown } from "./props";
import { resourceIdInTargetId } from "./scaling-views";
import {
    InferenceComponentView,
    inferenceComponentOf,
    modelEnvironmentOf,
    ModelSize,
    modelSizeOf,
    OptimizationJobView,
    optimizationJobOf,
    physicalNameOf,
    quantizationOf,
    servedWeightsUrlOf,
    VariantView,
    variantsOf,
} from "./views";

/** A resource of the stack with its props made plain. */
export interface Node {
    readonly resource: PolicyResource;
    readonly name: string;
    readonly props: any;
}

/**
 * The stack's SageMaker resources joined the way SageMaker joins them: by physical name. An IC names its
 * endpoint, the endpoint names its configuration, the configuration names the instance type; autoscaling
 * names the IC in a resource id and the alarm in a dimension. Works for resources from any program.
 */
export class StackGraph {
    private readonly raw = new Map<string, PolicyResource[]>();
    private readonly nodes = new Map<string, Node[]>();
    private readonly policyResourceIds = new Map<Node, string | Unknown | undefined>();

    constructor(resources: readonly PolicyResource[]) {
        // Props are made plain per type on first use: with thousands of adapters, most rules never need
        // to read the inference components at all.
        for (const resource of resources) {
            const list = this.raw.get(resource.type) ?? [];
            list.push(resource);
            this.raw.set(resource.type, list);
        }
    }

    /** Every resource of a type. */
    all(type: string): Node[] {
        let nodes = this.nodes.get(type);
        if (!nodes) {
            nodes = (this.raw.get(type) ?? []).map((resource) => ({
                resource,
                name: resource.name,
                props: plain(resource.props),
            }));
            this.nodes.set(type, nodes);
        }
        return nodes;
    }

    /** Every resource of any of `types` (the same SageMaker resource from either provider). */
    allOf(types: readonly string[]): Node[] {
        return types.flatMap((t) => this.all(t));
    }

    /** Inference components with their views. */
    inferenceComponents(): { node: Node; ic: InferenceComponentView }[] {
        return this.all(TYPES.inferenceComponent).map((node) => ({ node, ic: inferenceComponentOf(node.props) }));
    }

    /** The resource of one of `types` whose physical name is `name`. */
    named(types: readonly string[], name: string | Unknown | undefined): Node | undefined {
        if (typeof name !== "string") return undefined;
        return this.allOf(types).find((n) => physicalNameOf(n.resource.type, n.props) === name);
    }

    /** The endpoint configuration an endpoint of this name uses. */
    endpointConfigurationOf(endpointName: string | Unknown | undefined): Node | undefined {
        const endpoint = this.named(SAGEMAKER_TYPES.endpoint, endpointName);
        return endpoint && this.named(SAGEMAKER_TYPES.endpointConfig, str(endpoint.props.endpointConfigName));
    }

    /** The SageMaker model an inference component deploys (its `specification`'s). */
    modelOf(ic: InferenceComponentView): Node | undefined {
        return this.modelNamed(ic.modelName);
    }

    /** The SageMaker model of this name, from either provider. */
    modelNamed(modelName: string | Unknown | undefined): Node | undefined {
        return this.named(SAGEMAKER_TYPES.model, modelName);
    }

    /** The variant an IC is placed on (its named variant, else the configuration's first). */
    variantOf(ic: InferenceComponentView): { config: Node; variant: VariantView } | undefined {
        const config = this.endpointConfigurationOf(ic.endpointName);
        if (!config) return undefined;
        const variants = variantsOf(config.props);
        const variant =
            typeof ic.variantName === "string" ? variants.find((v) => v.variantName === ic.variantName) : variants[0];
        return variant && { config, variant };
    }

    /**
     * The size and weight quantization of what an IC serves, as every sizing rule reads them: from the IC
     * and the serving container env of the SageMaker model it deploys (the contract: "in the IC's container
     * env or its model's"). A model that serves a quantizing optimization job's output serves quantized
     * weights, whatever it says itself.
     */
    servedModelOf(ic: InferenceComponentView): {
        size: ModelSize | undefined;
        quantization: Quantization | Unknown;
    } {
        const modelEnv = modelEnvironmentOf(this.modelOf(ic)?.props);
        const served = quantizationOf(ic, modelEnv);
        const job = served === "none" ? this.optimizationJobOf(ic)?.job.quantization : undefined;
        return {
            size: modelSizeOf(ic, modelEnv),
            quantization: job !== undefined && job !== "none" ? job : served,
        };
    }

    /**
     * The optimization job whose output the SageMaker model of an IC serves: the job that writes where the
     * model reads its weights from.
     */
    optimizationJobOf(ic: InferenceComponentView): { node: Node; job: OptimizationJobView } | undefined {
        const url = servedWeightsUrlOf(this.modelOf(ic)?.props);
        if (typeof url !== "string") return undefined;
        for (const node of this.all(TYPES.optimizationJob)) {
            const job = optimizationJobOf(node.props);
            if (job.outputUrl === url) return { node, job };
        }
        return undefined;
    }

    /** Scalable targets (either provider) on `resourceId`; see {@link OnResource}. */
    scalableTargetsOn(resourceId: string): OnResource {
        return onResource(this.allOf(SCALING_TYPES.scalableTarget), resourceId, (t) => str(t.props?.resourceId));
    }

    /** Scaling policies (either provider) on `resourceId`; see {@link OnResource}. */
    scalingPoliciesOn(resourceId: string): OnResource {
        return onResource(this.allOf(SCALING_TYPES.scalingPolicy), resourceId, (p) => {
            if (!this.policyResourceIds.has(p)) this.policyResourceIds.set(p, this.policyResourceIdOf(p));
            return this.policyResourceIds.get(p);
        });
    }

    /**
     * The resource id a scaling policy scales: its `resourceId`, else (an aws-native policy may name its target
     * by `scalingTargetId` instead) the one in that target id, else the one of the stack's scalable target
     * that `scalingTargetId` depends on. UNKNOWN when none of these is knowable (a new target's id in
     * preview, or a target from outside the stack): rules then skip rather than fail.
     */
    private policyResourceIdOf(policy: Node): string | Unknown | undefined {
        const own = str(policy.props?.resourceId);
        if (own !== undefined) return own;
        const targetId = policy.props?.scalingTargetId;
        if (targetId === undefined || targetId === null) return undefined;
        const inId = resourceIdInTargetId(targetId);
        if (inId !== undefined) return inId;
        const urns = new Set((policy.resource.propertyDependencies?.scalingTargetId ?? []).map((r) => r.urn));
        const targets = this.allOf(SCALING_TYPES.scalableTarget).filter((t) => urns.has(t.resource.urn));
        return targets.length === 1 ? str(targets[0].props?.resourceId) : UNKNOWN;
    }
}

/**
 * Application Auto Scaling resources on one resource id: those known to be on it, and those whose resource id
 * is not knowable yet (preview), which may be on it too: a rule that finds only those skips rather than fails.
 */
export interface OnResource {
    readonly on: Node[];
    readonly maybeOn: Node[];
}

function onResource(
    nodes: Node[],
    resourceId: string,
    resourceIdOf: (n: Node) => string | Unknown | undefined,
): OnResource {
    const ids = nodes.map(resourceIdOf);
    return {
        on: nodes.filter((_, i) => ids[i] === resourceId),
        maybeOn: nodes.filter((_, i) => ids[i] === UNKNOWN),
    };
}
