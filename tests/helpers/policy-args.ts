import {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";

/** Preview sentinel of an unknown string, as the engine sends it (internal to @pulumi/policy). */
export const UNKNOWN_STRING: string = require("@pulumi/policy/proxy").unknownStringValue;
export const UNKNOWN_NUMBER: string = require("@pulumi/policy/proxy").unknownNumberValue;
export const UNKNOWN_ARRAY: string = require("@pulumi/policy/proxy").unknownArrayValue;

/** A resource for a test: type, logical name and props, and optionally the resources (by name) each prop depends on. */
export interface TestResource {
    type: string;
    name: string;
    props: Record<string, any>;
    propertyDependencies?: Record<string, string[]>;
}

const urnOf = (r: TestResource) => `urn:pulumi:test::fm-fleet::${r.type}::${r.name}`;

function notApplicable(reason?: string): never {
    throw new Error(`notApplicable: ${reason}`);
}

/** What the analyzer hands `validateResource`: props behind the unknown-checking proxy, config as given. */
export function resourceArgs(resource: TestResource, config: Record<string, unknown> = {}): ResourceValidationArgs {
    const props = unknownCheckingProxy(resource.props);
    return {
        type: resource.type,
        props,
        urn: urnOf(resource),
        name: resource.name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T>() => config as T,
        notApplicable,
    } as ResourceValidationArgs;
}

/** Runs a resource policy on one resource; returns its violation messages. */
export async function violations(
    policy: ResourceValidationPolicy,
    resource: TestResource,
    config: Record<string, unknown> = {},
): Promise<string[]> {
    const messages: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        if (validate) await validate(resourceArgs(resource, config), (message) => messages.push(message));
    }
    return messages;
}

/** Runs a stack policy over resources (their outputs); returns `message @ resource name` (or the message). */
export async function stackViolations(
    policy: StackValidationPolicy,
    resources: TestResource[],
    config: Record<string, unknown> = {},
): Promise<string[]> {
    const byUrn = new Map(resources.map((r) => [urnOf(r), r.name]));
    const policyResources = resources.map(
        (r) =>
            ({
                type: r.type,
                name: r.name,
                urn: urnOf(r),
                props: unknownCheckingProxy(r.props),
                opts: {},
                dependencies: [],
                propertyDependencies: {},
                isType: () => false,
                asType: () => undefined,
            }) as unknown as PolicyResource,
    );
    // As the analyzer does: each property's dependencies are resources of the stack.
    const byName = new Map(resources.map((r, i) => [r.name, policyResources[i]]));
    resources.forEach((r, i) => {
        for (const [prop, names] of Object.entries(r.propertyDependencies ?? {})) {
            policyResources[i].propertyDependencies[prop] = names.map((n) => byName.get(n)!).filter((d) => d);
        }
    });
    const args = {
        resources: policyResources,
        getConfig: <T>() => config as T,
        stackTags: new Map(),
        notApplicable,
    } as StackValidationArgs;
    const messages: string[] = [];
    await policy.validateStack(args, (message, urn) => messages.push(urn ? `${message} @ ${byUrn.get(urn)}` : message));
    return messages;
}
