import { existsSync, readFileSync } from "fs";
import * as path from "path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { TYPES } from "../../../lib/contract";

/** The pinned CloudFormation schema of each aws-native type the preflight validates (see schemas/SOURCES.md). */
export const PINNED_SCHEMAS: Readonly<Record<string, string>> = {
    [TYPES.inferenceComponent]: "aws-sagemaker-inferencecomponent.json",
    [TYPES.nativeEndpointConfig]: "aws-sagemaker-endpointconfig.json",
    [TYPES.nativeEndpoint]: "aws-sagemaker-endpoint.json",
};

type Schema = Record<string, any>;

interface Loaded {
    readonly schema: Schema;
    readonly validate: ValidateFunction;
}

const loaded = new Map<string, Loaded>();

/**
 * Merges an overlay into a schema: objects key by key (new properties join a definition's), everything
 * else replaced. See schemas/overlays: what the provider sends that a pinned schema predates.
 */
function merge(base: Schema, overlay: Schema): Schema {
    const out: Schema = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        const current = out[key];
        const bothObjects = [current, value].every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
        out[key] = bothObjects ? merge(current, value) : value;
    }
    return out;
}

function load(type: string): Loaded | undefined {
    const file = PINNED_SCHEMAS[type];
    if (!file) return undefined;
    let entry = loaded.get(type);
    if (!entry) {
        const read = (...parts: string[]) =>
            JSON.parse(readFileSync(path.join(__dirname, "schemas", ...parts), "utf8"));
        const overlay = path.join(__dirname, "schemas", "overlays", file);
        const schema = merge(read(file), existsSync(overlay) ? read("overlays", file) : {}) as Schema;
        // Registry schemas carry keywords of their own (insertionOrder, tagging, handlers, ...): not strict.
        const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
        entry = { schema, validate: ajv.compile(schema) };
        loaded.set(type, entry);
    }
    return entry;
}

function resolve(root: Schema, schema: Schema | undefined): Schema | undefined {
    let current = schema;
    for (let depth = 0; current?.$ref && depth < 32; depth++) {
        const ref = String(current.$ref);
        if (!ref.startsWith("#/definitions/")) return current;
        current = root.definitions?.[ref.slice("#/definitions/".length)];
    }
    return current;
}

/**
 * Pulumi inputs in CloudFormation's property names, guided by the schema: aws-native camel-cases each
 * property (`volumeSizeInGb` is `VolumeSizeInGB`), so a key is matched to the schema's property of the same
 * letters in any case. Keys the schema does not know stay as they are, for the validator to report; map
 * keys (an environment) are never renamed.
 */
export function toCloudFormation(value: unknown, schema: Schema | undefined, root: Schema): unknown {
    const s = resolve(root, schema);
    if (Array.isArray(value)) return value.map((v) => toCloudFormation(v, s?.items, root));
    if (value === null || typeof value !== "object") return value;
    const properties: Record<string, Schema> = s?.properties ?? {};
    const byLower = new Map(Object.keys(properties).map((k) => [k.toLowerCase(), k]));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        const cfnKey = byLower.get(key.toLowerCase());
        if (cfnKey !== undefined) out[cfnKey] = toCloudFormation(v, properties[cfnKey], root);
        else {
            const pattern = Object.values<Schema>(s?.patternProperties ?? {})[0];
            out[key] = toCloudFormation(v, pattern, root);
        }
    }
    return out;
}

/** One schema error as a sentence: where, what the schema says, and the value. */
function describe(error: ErrorObject, typeName: string): string {
    const at = error.instancePath || "/";
    if (error.keyword === "additionalProperties") {
        return `${at}: unknown property ${String(error.params.additionalProperty)} (not in the ${typeName} schema)`;
    }
    const value = error.data === undefined ? "" : `, got ${JSON.stringify(error.data)}`;
    // An enum's message says "one of the allowed values": name them, so the fix is in the sentence.
    const allowed =
        error.keyword === "enum" ? ` (${(error.params.allowedValues as unknown[]).map(String).join(", ")})` : "";
    return `${at}: ${error.message ?? error.keyword}${allowed}${value}`;
}

/** Schema problems of one resource's inputs; [] when valid or when no schema is pinned for its type. */
export function schemaProblems(type: string, inputs: Record<string, unknown>): string[] {
    const entry = load(type);
    if (!entry) return [];
    const document = toCloudFormation(inputs, entry.schema, entry.schema);
    if (entry.validate(document)) return [];
    // oneOf failures repeat what their branches said: keep the branch errors, drop the summary.
    const errors = (entry.validate.errors ?? []).filter(
        (e) => e.keyword !== "oneOf" || entry.validate.errors!.length === 1,
    );
    return [...new Set(errors.map((e) => describe(e, String(entry.schema.typeName))))];
}

/** Whether a schema is pinned for `type`. */
export const hasPinnedSchema = (type: string) => PINNED_SCHEMAS[type] !== undefined;
