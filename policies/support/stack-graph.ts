import { PolicyResource } from "@pulumi/policy";
import { TYPES } from "../../lib/contract";
import { plain, str, UNKNOWN, Unknown } from "./props";
import { InferenceComponentView, inferenceComponentOf, VariantView, variantsOf } from "./views";

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

    /** Inference components with their views. */
    inferenceComponents(): { node: Node; ic: InferenceComponentView }[] {
        return this.all(TYPES.inferenceComponent).map((node) => ({ node, ic: inferenceComponentOf(node.props) }));
    }

    private named(type: string, key: string, name: string | Unknown | undefined): Node | undefined {
        if (typeof name !== "string") return undefined;
        return this.all(type).find((n) => n.props?.[key] === name);
    }

    /** The endpoint configuration an endpoint of this name uses. */
    endpointConfigurationOf(endpointName: string | Unknown | undefined): Node | undefined {
        const endpoint = this.named(TYPES.endpoint, "name", endpointName);
        return endpoint && this.named(TYPES.endpointConfiguration, "name", str(endpoint.props.endpointConfigName));
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

    /** The container environment of the SageMaker model an IC deploys ({} when none is found). */
    modelEnvironmentOf(ic: InferenceComponentView): Record<string, unknown> {
        const model = this.named(TYPES.model, "name", ic.modelName);
        const env = model?.props?.primaryContainer?.environment;
        return env && env !== UNKNOWN && typeof env === "object" ? env : {};
    }

    /** Application Auto Scaling resources whose resource id is `resourceId`. */
    scaling(type: string, resourceId: string): Node[] {
        return this.all(type).filter((n) => n.props?.resourceId === resourceId);
    }
}
