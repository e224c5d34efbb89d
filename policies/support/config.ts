import { PolicyConfigSchema } from "@pulumi/policy";

/** A policy's effective config: the engine fills schema defaults, but unit tests and other hosts may not. */
export function configWithDefaults<T>(schema: PolicyConfigSchema, given: Partial<T> | undefined): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (typeof property === "object" && property.default !== undefined) defaults[key] = property.default;
    }
    return { ...defaults, ...given } as T;
}
