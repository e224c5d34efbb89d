// Plain data only: the plan's main thread uses it and never loads the Pulumi SDK.
/**
 * The stack config path of each resource (URN -> path): its own recorded source, else its nearest
 * ancestor's. Resources made by hand, outside any recorded component, have none.
 */
export function configPathsOf(
    resources: readonly { urn: string; parent: string }[],
    sources: Readonly<Record<string, string>>,
): Record<string, string> {
    const parentOf = new Map(resources.map((r) => [r.urn, r.parent]));
    const paths: Record<string, string> = {};
    for (const { urn } of resources) {
        // A parent chain is short (stack -> fleet -> endpoint -> model -> its children); a cycle cannot occur.
        for (let at: string | undefined = urn; at; at = parentOf.get(at)) {
            if (sources[at] !== undefined) {
                paths[urn] = sources[at];
                break;
            }
        }
    }
    return paths;
}
