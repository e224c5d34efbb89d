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

/** Every policy of the pack, cost rules first, then guardrails. Listed here, never registered by import. */
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
];
