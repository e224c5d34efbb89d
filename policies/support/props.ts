/**
 * Plain views of resource properties. During preview some values are unknown; `@pulumi/policy` hands
 * policies a proxy that throws on reading one. Policies here read everything through {@link plain} instead,
 * so an unknown value becomes {@link UNKNOWN} (a check that needs it is skipped) and a missing one stays
 * `undefined` (a check that needs it fails). Neither ever throws.
 */

// The proxy's markers and the engine's unknown sentinels are internal to @pulumi/policy.
const proxy = require("@pulumi/policy/proxy") as Record<string, string>;

/** A value that is not known yet (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

const SENTINELS = new Set(
    [
        "unknownBooleanValue",
        "unknownNumberValue",
        "unknownStringValue",
        "unknownArrayValue",
        "unknownAssetValue",
        "unknownArchiveValue",
        "unknownObjectValue",
    ].map((k) => proxy[k]),
);

/** Props as plain data: the proxy unwrapped, unknown sentinels replaced by {@link UNKNOWN}. */
export function plain(value: unknown): any {
    if (typeof value === "string") return SENTINELS.has(value) ? UNKNOWN : value;
    if (value === null || typeof value !== "object") return value;
    const target = (value as any)[proxy.isSpecialProxy] === true ? (value as any)[proxy.getSpecialProxyTarget] : value;
    if (Array.isArray(target)) return target.map(plain);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(target)) out[k] = plain(v);
    return out;
}

/** A string, or `undefined` when missing or not a string; {@link UNKNOWN} passes through. */
export function str(value: unknown): string | Unknown | undefined {
    return value === UNKNOWN || typeof value === "string" ? value : undefined;
}

/** A number (numeric strings accepted), or `undefined`; {@link UNKNOWN} passes through. */
export function num(value: unknown): number | Unknown | undefined {
    if (value === UNKNOWN) return UNKNOWN;
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

/** An array (empty when missing); UNKNOWN passes through. */
export function arr(value: unknown): any[] | Unknown {
    return value === UNKNOWN ? UNKNOWN : Array.isArray(value) ? value : [];
}

/** A value for a message: strings bare, the rest as JSON, unknown and missing spelled out. */
export function shown(value: unknown): string {
    if (value === UNKNOWN) return "(unknown)";
    if (value === undefined) return "nothing";
    return typeof value === "string" ? value : JSON.stringify(value);
}
