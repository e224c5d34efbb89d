import { z } from "zod";
import { editDistance } from "../../lib/edit-distance";
import { crossFieldIssues } from "./checks";
import { ConfigIssue, FleetConfigError, formatPath } from "./issues";
import { show } from "../rules";
import { FleetConfig, fleetSchema } from "./schema";

/** A validated stack config: the fleet and the cost center every taggable resource is tagged with. */
export interface StackSettings {
    readonly fleet: FleetConfig;
    readonly costCenter: string;
    /** Keys of the `fm-fleet` namespace the program does not read and no typo of one it does: warned about. */
    readonly unreadConfigKeys: readonly string[];
}

/** The keys a strict object schema at `path` accepts. */
function knownKeys(path: readonly PropertyKey[]): string[] {
    let schema: z.core.$ZodType = fleetSchema;
    for (const key of path) {
        const def = (schema as z.ZodType).def as unknown as Record<string, unknown>;
        if (typeof key === "number" && def.type === "array") schema = def.element as z.core.$ZodType;
        else if (typeof key === "string" && def.type === "object") {
            schema = (def.shape as Record<string, z.core.$ZodType>)[key];
        } else return [];
        while (["optional", "default"].includes(((schema as z.ZodType).def as { type: string }).type)) {
            schema = ((schema as z.ZodType).def as unknown as { innerType: z.core.$ZodType }).innerType;
        }
    }
    const def = (schema as z.ZodType).def as unknown as { type: string; shape?: Record<string, unknown> };
    return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** A value's kind as people say it: arrays and null are not "object". */
const kindOf = (value: unknown) => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);

/** How to fix a value of the wrong type: quoted numbers and booleans lose their quotes; YAML 1.1 words go. */
function typeFix(expected: string, a: string, input: unknown): string {
    if (typeof input === "string" && input.trim() !== "") {
        if (expected === "boolean" && /^(yes|no|on|off|y|n)$/i.test(input.trim())) {
            return `Write true or false: YAML reads ${input.trim()} as a string.`;
        }
        const quoted =
            (expected === "boolean" && /^(true|false)$/.test(input.trim())) ||
            ((expected === "number" || expected === "whole number") && Number.isFinite(Number(input)));
        if (quoted) return `Write ${input.trim()} without quotes.`;
    }
    return `Set it to ${a}.`;
}

function schemaIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
    const path = formatPath("fleet", issue.path);
    if (issue.code === "unrecognized_keys") {
        const keys = knownKeys(issue.path);
        return issue.keys.map((key) => {
            const near = keys.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
            const hint = near.length > 0 ? ` Did you mean \`${near[0]}\`?` : "";
            return {
                path: `${path}.${key}`,
                message: `unknown key \`${key}\`.${hint} Remove it or fix its spelling (known keys: ${keys.join(", ")}).`,
            };
        });
    }
    // `.int()` reports a fraction as invalid_type too: that one carries our own message.
    if (issue.code === "invalid_type" && !(issue.expected === "int" && typeof issue.input === "number")) {
        const expected = issue.expected === "int" ? "whole number" : issue.expected;
        const a = `${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`;
        if (issue.input === undefined) return [{ path, message: `is required. Set it to ${a}.` }];
        const got = `${kindOf(issue.input)} ${show(issue.input)}`;
        return [{ path, message: `must be ${a}, got ${got}. ${typeFix(expected, a, issue.input)}` }];
    }
    const message = /[.!]$/.test(issue.message) ? issue.message : `${issue.message}.`;
    return [{ path, message }];
}

/**
 * Whether a config string is the JSON of an object or a list: Pulumi hands a program structured config as
 * JSON text, so a cost center written as a mapping arrives as `{"team":...}`, not as an error.
 */
function structuredJson(value: string): boolean {
    if (!/^\s*[[{]/.test(value)) return false;
    try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === "object" && parsed !== null;
    } catch {
        return false;
    }
}

/** The keys the program reads in its own config namespace (`fm-fleet:<key>`). */
export const STACK_CONFIG_KEYS: readonly string[] = ["fleet", "costCenter"];

/** The known keys of the namespace within edit distance 2 of `key` (case ignored): the keys a typo meant. */
const nearConfigKeys = (key: string) =>
    STACK_CONFIG_KEYS.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);

/**
 * The keys of the project's namespace the program never reads that are a near miss of a key it does read
 * (`fm-fleet:costCentre`): Pulumi hands them over without a word, and the real key would only be reported
 * missing. Each is named, with the nearest known key. Any other key is left to {@link unreadConfigKeys}.
 */
function misspeltConfigKeyIssues(keys: readonly string[]): ConfigIssue[] {
    return keys
        .filter((key) => !STACK_CONFIG_KEYS.includes(key) && nearConfigKeys(key).length > 0)
        .map((key) => ({
            path: key,
            message: `unknown config key \`fm-fleet:${key}\`. Did you mean \`fm-fleet:${nearConfigKeys(key)[0]}\`? Remove it or fix its spelling (this project reads ${STACK_CONFIG_KEYS.map((k) => `fm-fleet:${k}`).join(", ")}).`,
        }));
}

/**
 * The keys of the project's namespace the program does not read and that are no near miss of one it reads
 * (`fm-fleet:team`, kept for other tooling): not an error, a warning (see {@link unreadConfigKeyWarning}).
 */
export function unreadConfigKeys(keys: readonly string[]): string[] {
    return keys.filter((key) => !STACK_CONFIG_KEYS.includes(key) && nearConfigKeys(key).length === 0);
}

/** The warning the `Fleet` component logs for a key of the namespace it does not read. */
export function unreadConfigKeyWarning(key: string): string {
    return (
        `config key \`fm-fleet:${key}\` is not read by this program (it reads ${STACK_CONFIG_KEYS.map((k) => `fm-fleet:${k}`).join(", ")}), ` +
        `so it changes nothing here. Leave it if other tooling reads it; otherwise remove it.`
    );
}

/**
 * Validates the raw `fm-fleet:fleet` and `fm-fleet:costCenter` config, and looks at every other key set in the
 * `fm-fleet` namespace (`configKeys`, without the namespace; none checked when not given): a near miss of a
 * key the program reads is an error, any other is returned in `unreadConfigKeys` (a stack may keep keys for
 * other tooling). Throws one {@link FleetConfigError} naming every problem, so no resource is ever created
 * from an invalid config.
 */
export function validateStackSettings(
    fleet: unknown,
    costCenter: unknown,
    configKeys: readonly string[] = [],
): StackSettings {
    const issues: ConfigIssue[] = [...misspeltConfigKeyIssues(configKeys)];
    if (typeof costCenter !== "string" || costCenter.trim() === "" || structuredJson(costCenter)) {
        issues.push({
            path: "costCenter",
            message:
                typeof costCenter === "string" && structuredJson(costCenter)
                    ? `must name the cost center every resource is tagged with as one string, got a mapping or list ${costCenter}. Set fm-fleet:costCenter to a name, e.g. "ml-platform".`
                    : `must name the cost center every resource is tagged with, got ${show(costCenter)}. Set fm-fleet:costCenter, e.g. "ml-platform".`,
        });
    }
    if (fleet === undefined || fleet === null) {
        issues.push({ path: "fleet", message: "is missing. Set fm-fleet:fleet with at least one endpoint." });
        throw new FleetConfigError(issues);
    }
    const parsed = fleetSchema.safeParse(fleet, { reportInput: true });
    if (!parsed.success) issues.push(...parsed.error.issues.flatMap(schemaIssue));
    issues.push(...crossFieldIssues(fleet));
    const declared = parsed.success
        ? (parsed.data.endpoints?.length ?? 0) +
          (parsed.data.multiModelEndpoints?.length ?? 0) +
          (parsed.data.pipelines?.length ?? 0)
        : undefined;
    if (declared === 0) {
        issues.push({
            path: "fleet",
            message: "declares no endpoint. Add one under endpoints, multiModelEndpoints or pipelines.",
        });
    }
    if (issues.length > 0 || !parsed.success) throw new FleetConfigError(issues);
    return { fleet: parsed.data, costCenter: costCenter as string, unreadConfigKeys: unreadConfigKeys(configKeys) };
}
