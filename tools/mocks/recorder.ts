// The SDK's own deserializer and settings, without loading the whole SDK: the plan's main thread reads
// recorded resources and never runs a program.
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * One resource as the engine would see it: the wire form of its inputs and outputs (what the engine sends a
 * policy pack), its URN, parent, dependencies and options.
 */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly id: string;
    /** URN of the parent; empty for the stack itself. */
    readonly parent: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly ignoreChanges: string[];
    readonly provider: string;
    /** Serialized inputs (a protobuf Struct), as a policy pack's Analyze receives them. */
    readonly inputsStruct: Struct;
    /** Serialized outputs, as AnalyzeStack receives them (components: their registered outputs). */
    outputsStruct: Struct;
}

/** Plain inputs of a recorded resource (secrets unwrapped to their values). */
export function inputsOf(resource: RecordedResource): Record<string, any> {
    return deserializeProperties(resource.inputsStruct) as Record<string, any>;
}

/** Plain outputs of a recorded resource. */
export function outputsOf(resource: RecordedResource): Record<string, any> {
    return deserializeProperties(resource.outputsStruct) as Record<string, any>;
}

/**
 * Resolves once every pending registration and its outputs have settled. The SDK's own drain (the one
 * `disconnect()` uses) is not in its typings, hence the cast.
 */
export function waitForRegistrations(): Promise<void> {
    return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

interface MonitorLike {
    registerResource(req: any, callback: (err: unknown, resp: any) => void): void;
    registerResourceOutputs(req: any, callback: (err: unknown, resp: any) => void): void;
}

/**
 * Records every registration that reaches the mock monitor installed by `pulumi.runtime.setMocks`. Mocks
 * alone see only type, name and inputs; the engine (and a policy pack) also sees parents, dependencies
 * and options, so the recorder reads them off the same RegisterResource requests the engine would get.
 * Call right after `setMocks`. `retain` decides which records stay in the returned list (all by default).
 */
export function recordRegistrations(
    onRecord?: (resource: RecordedResource) => void,
    retain: (resource: RecordedResource) => boolean = () => true,
): RecordedResource[] {
    const monitor = settings.getMonitor() as unknown as MonitorLike | undefined;
    if (!monitor) throw new Error("recordRegistrations() needs pulumi.runtime.setMocks() first.");
    const resources: RecordedResource[] = [];
    const byUrn = new Map<string, RecordedResource>();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, resp) => {
            if (!err) {
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                const resource: RecordedResource = {
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    id: resp.getId(),
                    parent: req.getParent(),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    ignoreChanges: req.getIgnorechangesList(),
                    provider: req.getProvider(),
                    inputsStruct: req.getObject(),
                    outputsStruct: resp.getObject(),
                };
                onRecord?.(resource);
                // A caller that streams registrations elsewhere need not hold thousands of them here.
                if (retain(resource)) {
                    resources.push(resource);
                    byUrn.set(resource.urn, resource);
                }
            }
            callback(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) =>
        registerOutputs(req, (err, resp) => {
            const resource = byUrn.get(req.getUrn());
            if (!err && resource && req.getOutputs()) resource.outputsStruct = req.getOutputs();
            callback(err, resp);
        });
    return resources;
}
