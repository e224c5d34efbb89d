import { Policies } from "@pulumi/policy";
import { reportingUndeclaredConfig } from "./support/config-keys";
import {
    autoscalingRequired,
    availabilityZoneBalance,
    capacityFallback,
    copiesFitEndpoint,
    minCopies,
    prodInstanceCount,
    rollingUpdateSafe,
    scaleToZeroCanWake,
} from "./availability";
import { allowedInstanceFamilies, costAllocationTags, maxInstancesPerEndpoint, monthlyCostBudget } from "./cost";
import {
    loadAwareRouting,
    modelSizeKnown,
    quantizationRequiredAboveSize,
    weightsFitAcceleratorMemory,
} from "./optimization";
import { optimizationJobInstanceAllowed } from "./optimization-jobs";
import { coldStartBudget, latencySlo } from "./latency";
import { observabilityRequired } from "./observability";
import {
    endpointKmsEncryption,
    executionRolePermissions,
    modelNetworkIsolation,
    privateImageRegistry,
} from "./security";
import {
    adapterArtifactTarball,
    adapterNoCompute,
    endpointVolumeSize,
    inferenceComponentModelData,
    inferenceComponentOneContainer,
    pipelineModelContainers,
    sageMakerPhysicalNames,
    targetTrackingValue,
} from "./deployability";
import { guardRequired } from "./safety";

/**
 * Every policy of the pack, cost rules first, then guardrails, then the SageMaker API's own rules. Listed
 * here, never registered by import. Each also reports undeclared keys in its config (support/config-keys).
 */
export const policies: Policies = (
    [
        allowedInstanceFamilies,
        maxInstancesPerEndpoint,
        minCopies,
        quantizationRequiredAboveSize,
        modelSizeKnown,
        weightsFitAcceleratorMemory,
        optimizationJobInstanceAllowed,
        scaleToZeroCanWake,
        autoscalingRequired,
        loadAwareRouting,
        monthlyCostBudget,
        costAllocationTags,
        endpointKmsEncryption,
        modelNetworkIsolation,
        privateImageRegistry,
        prodInstanceCount,
        rollingUpdateSafe,
        availabilityZoneBalance,
        capacityFallback,
        sageMakerPhysicalNames,
        endpointVolumeSize,
        inferenceComponentModelData,
        adapterArtifactTarball,
        adapterNoCompute,
        executionRolePermissions,
        latencySlo,
        coldStartBudget,
        copiesFitEndpoint,
        targetTrackingValue,
        guardRequired,
        observabilityRequired,
        pipelineModelContainers,
        inferenceComponentOneContainer,
    ] satisfies Policies
).map(reportingUndeclaredConfig);
