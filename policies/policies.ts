import { Policies } from "@pulumi/policy";
import { autoscalingRequired, minCopies, prodInstanceCount, scaleToZeroCanWake } from "./availability";
import { allowedInstanceFamilies, costAllocationTags, maxInstancesPerEndpoint, monthlyCostBudget } from "./cost";
import {
    loadAwareRouting,
    modelSizeKnown,
    quantizationRequiredAboveSize,
    weightsFitAcceleratorMemory,
} from "./optimization";
import { endpointKmsEncryption, modelNetworkIsolation, privateImageRegistry } from "./security";
import {
    adapterArtifactTarball,
    adapterNoCompute,
    endpointVolumeSize,
    inferenceComponentModelData,
    sageMakerPhysicalNames,
} from "./deployability";

/**
 * Every policy of the pack, cost rules first, then guardrails, then the SageMaker API's own rules. Listed
 * here, never registered by import.
 */
export const policies: Policies = [
    allowedInstanceFamilies,
    maxInstancesPerEndpoint,
    minCopies,
    quantizationRequiredAboveSize,
    modelSizeKnown,
    weightsFitAcceleratorMemory,
    scaleToZeroCanWake,
    autoscalingRequired,
    loadAwareRouting,
    monthlyCostBudget,
    costAllocationTags,
    endpointKmsEncryption,
    modelNetworkIsolation,
    privateImageRegistry,
    prodInstanceCount,
    sageMakerPhysicalNames,
    endpointVolumeSize,
    inferenceComponentModelData,
    adapterArtifactTarball,
    adapterNoCompute,
];
