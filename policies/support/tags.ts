import { UNKNOWN, Unknown } from "./props";

/**
 * Tags of a resource as a map, from either provider's shape: classic `{key: value}` or aws-native
 * `[{key, value}]`. UNKNOWN when the tags themselves are unknown.
 */
export function tagsOf(props: any): Record<string, string | Unknown> | Unknown {
    const tags = props?.tags;
    if (tags === UNKNOWN) return UNKNOWN;
    if (Array.isArray(tags)) {
        const out: Record<string, string | Unknown> = {};
        for (const t of tags) if (t && typeof t.key === "string") out[t.key] = t.value;
        return out;
    }
    return tags && typeof tags === "object" ? tags : {};
}
