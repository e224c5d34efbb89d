import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ofTypes } from "./support/of-type";
import { plain } from "./support/props";
import { StackGraph } from "./support/stack-graph";
import {
    adapterArtifactRule,
    adapterComputeRule,
    DeployRule,
    inferenceComponentPipelineRule,
    modelDataSourcesRule,
    physicalNamesRule,
    pipelineContainersRule,
    targetValueRule,
    volumeSizeRule,
} from "./support/deploy-rules";

/**
 * The SageMaker API's own rules as mandatory policies: a fleet written by hand, without these components,
 * is stopped at `pulumi preview --policy-pack` instead of failing halfway through `pulumi up`. The offline
 * plan's deploy preflight runs the same rules (support/deploy-rules.ts).
 */
function resourcePolicy(rule: DeployRule): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateResource: ofTypes(rule.types, (args, reportViolation) => {
            const node = { resource: args as never, name: args.name, props: plain(args.props) };
            for (const message of rule.check!(node)) reportViolation(message);
        }),
    };
}

/** A stack-level deploy rule as a mandatory stack policy (the preflight runs the same `checkStack`). */
export function stackPolicy(rule: DeployRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            for (const { node, message } of rule.checkStack!(new StackGraph(args.resources))) {
                reportViolation(message, node.resource.urn);
            }
        },
    };
}

export const sageMakerPhysicalNames = resourcePolicy(physicalNamesRule);
export const endpointVolumeSize = resourcePolicy(volumeSizeRule);
export const adapterArtifactTarball = resourcePolicy(adapterArtifactRule);
export const adapterNoCompute = resourcePolicy(adapterComputeRule);
export const inferenceComponentModelData = stackPolicy(modelDataSourcesRule);
export const targetTrackingValue = resourcePolicy(targetValueRule);
export const pipelineModelContainers = resourcePolicy(pipelineContainersRule);
export const inferenceComponentOneContainer = stackPolicy(inferenceComponentPipelineRule);
