import { PolicyConfigSchema } from "@pulumi/policy";

/**
 * A policy's effective config: the engine fills schema defaults before calling the pack, but unit tests and
 * other hosts may not, so the schema's defaults (their one home) fill what the given config leaves out.
 */
export function configOf<T>(
    policy: { readonly configSchema?: PolicyConfigSchema },
    args: { getConfig<C extends object>(): C },
): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof property === "object" && property.default !== undefined) defaults[key] = property.default;
    }
    return { ...defaults, ...args.getConfig<Record<string, unknown>>() } as T;
}
