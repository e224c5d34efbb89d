import * as pulumi from "@pulumi/pulumi";
import { Fleet } from "./components";

const config = new pulumi.Config("fm-fleet");
const fleet = new Fleet("fleet", {
    fleet: config.getObject<unknown>("fleet"),
    costCenter: config.get("costCenter"),
    // Every key of the namespace, so a misspelt one (`fm-fleet:costCentre`) is named, not just the one it misses.
    configKeys: Object.keys(pulumi.runtime.allConfig())
        .filter((key) => key.startsWith("fm-fleet:"))
        .map((key) => key.slice("fm-fleet:".length)),
});

/**
 * Config names -> physical names: endpoint -> { endpointName, endpointConfigName, models: model ->
 * { modelName, inferenceComponentName, adapters: adapter -> IC name } }.
 */
export const endpoints = fleet.endpointNames;
/** Multi-model endpoint -> { endpointName, endpointConfigName, modelName } (invoke with a target model). */
export const multiModelEndpoints = fleet.multiModelEndpointNames;
/** Serial inference pipeline -> { endpointName, endpointConfigName, modelName } (a plain InvokeEndpoint runs it). */
export const pipelines = fleet.pipelineNames;
/** The stack's CloudWatch dashboard; null without inference-component endpoints (an undefined export warns). */
export const dashboardUrl = fleet.dashboardUrl ?? null;
