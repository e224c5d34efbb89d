import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { editDistance } from "../../lib/edit-distance";

/**
 * A `--policy-pack-config` file read exactly as the Pulumi engine reads it (pkg/resource/analyzer/config.go:
 * parsePolicyPackConfig, ReconcilePolicyPackConfig), plus the warnings a linter owes a platform team about
 * what the engine ignores silently.
 *
 * - Each key is a policy name; its value is an enforcement level, or an object with an optional
 *   `enforcementLevel` and the policy's properties. `all` sets the level of every policy.
 * - Defaults come from each property's `default` in the policy's schema; the file's properties are merged
 *   over them shallowly (an array replaces the default array).
 * - Each policy's properties are validated against `{type: object, properties, required}` of its schema:
 *   JSON Schema, with no `additionalProperties`, so a misspelt key passes and the real one keeps its default.
 * - An unknown policy name with a level is carried along and ignored by the pack; with an object and no
 *   level, the engine fails with `invalid enforcement level ""`.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A policy as the pack describes itself in GetAnalyzerInfo. */
export interface PolicyInfo {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly configSchema: { properties: Record<string, any>; required: string[] } | undefined;
}

/** A `--policy-pack-config` file: `{"all": level, "<policy>": level | {enforcementLevel?, ...props}}`. */
export type PolicyPackConfigFile = Record<string, unknown>;

/** What the engine sends in Configure: per policy, its level and its properties. */
export type EffectiveConfig = Record<
    string,
    { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }
>;

/** The engine would refuse the config: every reason, each naming the policy and the field. */
export class PolicyConfigError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(
            `Invalid policy pack config (${problems.length} ${problems.length === 1 ? "error" : "errors"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "PolicyConfigError";
    }
}

/** The engine's config with the warnings about what it ignores. */
export interface ReadPolicyConfig {
    readonly config: EffectiveConfig;
    readonly warnings: string[];
}

const isLevel = (v: unknown): v is EnforcementLevel => ENFORCEMENT_LEVELS.includes(v as EnforcementLevel);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/** A known name close to `name`: a few letters off, or made of the same words with some left out. */
const nearest = (name: string, known: readonly string[]) => {
    const words = name.toLowerCase().split("-");
    const close = known.filter(
        (k) =>
            editDistance(k.toLowerCase(), name.toLowerCase()) <= 3 ||
            (words.length > 1 && words.every((w) => k.toLowerCase().split("-").includes(w))),
    );
    return close.length > 0 ? ` Did you mean ${close[0]}?` : "";
};

/** One ajv error in the words gojsonschema (the engine's validator) uses: `<field>: <description>`. */
function engineMessage(e: ErrorObject): string {
    const field = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
    const prefix = field === "" ? "" : `${field}: `;
    const p = e.params as Record<string, any>;
    switch (e.keyword) {
        case "type":
            return `${prefix}Invalid type. Expected: ${p.type}, given: ${Array.isArray(e.data) ? "array" : e.data === null ? "null" : Number.isInteger(e.data) ? "integer" : typeof e.data}`;
        case "required":
            return `${p.missingProperty} is required`;
        case "minimum":
            return `${prefix}Must be greater than or equal to ${p.limit}`;
        case "maximum":
            return `${prefix}Must be less than or equal to ${p.limit}`;
        case "exclusiveMinimum":
            return `${prefix}Must be greater than ${p.limit}`;
        case "exclusiveMaximum":
            return `${prefix}Must be less than ${p.limit}`;
        case "enum":
            return `${prefix}${prefix ? "" : "value "}must be one of the following: ${(p.allowedValues as unknown[]).map(show).join(", ")}`;
        default:
            return `${prefix}${e.message ?? e.keyword}`;
    }
}

/** Parses the file's entries as the engine does; throws a {@link PolicyConfigError} on what it refuses. */
function parseEntries(file: unknown): Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }> {
    if (!isObject(file)) {
        throw new PolicyConfigError([`the file must hold one JSON object of policy names, got ${show(file)}`]);
    }
    const problems: string[] = [];
    const entries = new Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }>();
    for (const [name, value] of Object.entries(file)) {
        if (typeof value === "string") {
            if (isLevel(value)) entries.set(name, { level: value, properties: {} });
            else
                problems.push(
                    `parsing enforcement level for "${name}": "${value}" is not a valid enforcement level (use ${ENFORCEMENT_LEVELS.join(", ")})`,
                );
        } else if (isObject(value)) {
            const { enforcementLevel, ...properties } = value;
            if (enforcementLevel !== undefined && typeof enforcementLevel !== "string") {
                problems.push(
                    `parsing enforcement level for "${name}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level; must be a string`,
                );
            } else if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                problems.push(
                    `parsing enforcement level for "${name}": "${enforcementLevel}" is not a valid enforcement level (use ${ENFORCEMENT_LEVELS.join(", ")})`,
                );
            } else if (enforcementLevel !== undefined || Object.keys(properties).length > 0) {
                // The engine drops entries that set neither a level nor a property.
                entries.set(name, { level: enforcementLevel as EnforcementLevel | undefined, properties });
            }
        } else {
            problems.push(
                `parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
            );
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return entries;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
/**
 * Compiled validators by schema text: ajv caches by the schema object, and each read builds new ones, so a
 * process that configures the pack again (tests share one pack across plans) would compile every schema
 * anew (~0.3 s for the pack's policies).
 */
const validators = new Map<string, ValidateFunction>();

function validator(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = ajv.compile(schema)));
    return validate;
}

/**
 * The engine's reading of a policy pack config file for `policies`: the config it would send the pack in
 * Configure, and warnings about what it would ignore. Throws a {@link PolicyConfigError} naming every
 * policy and field the engine would refuse.
 */
export function readPolicyPackConfig(policies: readonly PolicyInfo[], file: unknown = {}): ReadPolicyConfig {
    const entries = parseEntries(file);
    const known = policies.map((p) => p.name);
    const config: EffectiveConfig = {};
    for (const policy of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (isObject(schema) && schema.default !== undefined) properties[key] = schema.default;
        }
        config[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
    }
    const all = entries.get("all")?.level;
    if (all) for (const c of Object.values(config)) c.enforcementLevel = all;

    const problems: string[] = [];
    const warnings: string[] = [];
    for (const [name, entry] of entries) {
        if (name === "all") continue;
        const current = config[name];
        if (!current) {
            if (!entry.level) {
                problems.push(
                    `"${name}" is not a policy of this pack and its entry sets no enforcementLevel: the engine fails with invalid enforcement level "".${nearest(name, known)}`,
                );
                continue;
            }
            warnings.push(`"${name}" is not a policy of this pack: the engine ignores it.${nearest(name, known)}`);
            config[name] = { enforcementLevel: entry.level, properties: entry.properties };
            continue;
        }
        if (entry.level) current.enforcementLevel = entry.level;
        Object.assign(current.properties, entry.properties);
    }
    for (const policy of policies) {
        const given = entries.get(policy.name)?.properties ?? {};
        const declared = Object.keys(policy.configSchema?.properties ?? {});
        for (const key of Object.keys(given).filter((k) => !declared.includes(k))) {
            warnings.push(
                `${policy.name}: key ${key} is not in its schema${declared.length ? ` (${declared.join(", ")})` : " (it takes no properties)"}: the engine passes it without a word and the policy never reads it.${nearest(key, declared)}`,
            );
        }
        if (!policy.configSchema) continue;
        const schema = {
            type: "object",
            properties: policy.configSchema.properties,
            required: policy.configSchema.required,
        };
        const validate = validator(schema);
        if (!validate(config[policy.name].properties)) {
            for (const e of validate.errors ?? []) problems.push(`${policy.name}: ${engineMessage(e)}`);
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return { config, warnings: [...warnings, ...familyListWarnings(config)] };
}

/**
 * A policy reads only its own config, so weights-fit-accelerator-memory keeps its own copy of the allowed
 * families for the fixes it proposes: a copy that differs from allowed-instance-families' (while that rule
 * is on) lets a fix name a family the stack forbids, or miss one it allows.
 */
function familyListWarnings(config: EffectiveConfig): string[] {
    const families = config["allowed-instance-families"];
    const fit = config["weights-fit-accelerator-memory"];
    if (!families || !fit || families.enforcementLevel === "disabled" || fit.enforcementLevel === "disabled") return [];
    const allowed = families.properties.families;
    const proposed = fit.properties.allowedInstanceFamilies;
    if (!Array.isArray(allowed) || !Array.isArray(proposed)) return [];
    const same = allowed.length === proposed.length && allowed.every((f) => proposed.includes(f));
    if (same) return [];
    const list = (l: unknown[]) => l.map(String).join(", ");
    return [
        `weights-fit-accelerator-memory.allowedInstanceFamilies (${list(proposed)}) differs from allowed-instance-families.families (${list(allowed)}): its fixes may name a family this stack forbids, or miss one it allows. Set both to the same list (a policy reads only its own config).`,
    ];
}
