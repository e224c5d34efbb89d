import { ResourceValidation } from "@pulumi/policy";

/**
 * Marks a validation as applying to one resource type, the way `validateResourceOfType` does for a
 * provider class, without importing the provider into the pack (the CLI type-checks a TypeScript pack at
 * every load). The analyzer then skips other types before deserializing their properties: with thousands
 * of adapters, most policies never touch most resources.
 */
export function ofType(typeToken: string, validate: ResourceValidation): ResourceValidation {
    const marked = (args: Parameters<ResourceValidation>[0], report: Parameters<ResourceValidation>[1]) =>
        args.type === typeToken ? validate(args, report) : undefined;
    return Object.assign(marked, { __pulumiType: typeToken });
}

/**
 * Like {@link ofType} for a resource that either provider can declare. The analyzer's fast skip takes one
 * type only, so the policy filters the types itself.
 */
export function ofTypes(typeTokens: readonly string[], validate: ResourceValidation): ResourceValidation {
    if (typeTokens.length === 1) return ofType(typeTokens[0], validate);
    return (args, report) => (isOneOf(typeTokens, args.type) ? validate(args, report) : undefined);
}

/** Whether `type` is one of `typeTokens` (e.g. one of `SAGEMAKER_TYPES`: either provider's type). */
export function isOneOf(typeTokens: readonly string[], type: string): boolean {
    return typeTokens.includes(type);
}
