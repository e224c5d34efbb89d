import * as pulumi from "@pulumi/pulumi";
import { Fleet } from "./components";

const config = new pulumi.Config("fm-fleet");
const fleet = new Fleet("fleet", {
    fleet: config.getObject<unknown>("fleet"),
    costCenter: config.get("costCenter"),
});

/** Endpoint -> { endpointName, models: model -> { inferenceComponentName, adapters: adapter -> IC name } }. */
export const endpoints = fleet.endpointNames;
/** Multi-model endpoint -> endpoint name (invoke with a target model). */
export const multiModelEndpoints = fleet.multiModelEndpointNames;
