import { existsSync, readdirSync, readFileSync } from "fs";
import { editDistance } from "../../lib/edit-distance";
import * as path from "path";
import { parseAllDocuments } from "yaml";

/** Config as the Pulumi CLI hands it to a program: `namespace:key` -> string, and which keys are secret. */
export interface StackSettingsFile {
    readonly project: string;
    /** Path of the program's entry point. */
    readonly main: string;
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** Raised for a missing or malformed project or stack file. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/** A YAML file that must hold one mapping (a project or stack file). */
function readYaml(file: string): Record<string, any> {
    if (!existsSync(file)) throw new StackFileError(`${file} does not exist.`);
    const documents = parseAllDocuments(readFileSync(file, "utf8"));
    if (!Array.isArray(documents)) return {}; // an empty file
    if (documents.length > 1) {
        throw new StackFileError(
            `${file} holds ${documents.length} YAML documents (separated by ---); a Pulumi file is one mapping. Keep one.`,
        );
    }
    const [document] = documents;
    if (!document) return {};
    if (document.errors.length > 0)
        throw new StackFileError(`${file} is not valid YAML: ${document.errors[0].message}`);
    const value: unknown = document.toJS() ?? {};
    if (!isMapping(value)) {
        throw new StackFileError(
            `${file} must be a YAML mapping (with a \`config:\` key), got ${Array.isArray(value) ? "a list" : `the ${typeof value} ${JSON.stringify(value)}`}. Write it as key: value lines.`,
        );
    }
    return value;
}

/**
 * The first number that JSON cannot carry (`.inf`, `.nan`, `1e309`), as a config path; Pulumi config is
 * JSON, where it would silently become null.
 */
function nonFinite(value: unknown, path: string): string | undefined {
    if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
    if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) {
            const found = nonFinite(v, `${path}[${i}]`);
            if (found) return found;
        }
    } else if (isMapping(value)) {
        for (const [k, v] of Object.entries(value)) {
            const found = nonFinite(v, `${path}.${k}`);
            if (found) return found;
        }
    }
    return undefined;
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI does: keys without a namespace belong to
 * the project, objects and lists become JSON strings, and `secure:` values are secrets. Their ciphertext
 * cannot be decrypted without the CLI and the stack's secrets provider, so they reach the program as a
 * placeholder, still marked secret (a program that needs a real value needs the CLI).
 */
export function readStack(projectDir: string, stack: string, stackFile?: string): StackSettingsFile {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
    if (typeof project.name !== "string") throw new StackFileError(`${projectDir}/Pulumi.yaml has no project name.`);
    const file = stackFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (stackFile === undefined && !existsSync(file)) {
        const found = stacksIn(projectDir);
        throw new StackFileError(
            `no stack "${stack}": ${file} does not exist. ${found.length ? `Stacks found: ${found.join(", ")}. Pick one with --stack <name>` : "No Pulumi.<stack>.yaml found there. Create one"}, or give a stack file with --stack-file <file>.`,
        );
    }
    const settings = readYaml(file);
    if (settings.config !== undefined && settings.config !== null && !isMapping(settings.config)) {
        throw new StackFileError(
            `${file}: \`config\` must be a mapping of keys to values, got ${JSON.stringify(settings.config)}.`,
        );
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries<any>(settings.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
        const bad = nonFinite(value, key);
        if (bad) {
            throw new StackFileError(
                `${file}: ${bad} is not a finite number (YAML .inf, .nan or a number too large, like 1e309). Pulumi config is JSON, which cannot carry it: write a finite number.`,
            );
        }
        if (
            value &&
            typeof value === "object" &&
            !Array.isArray(value) &&
            "secure" in value &&
            Object.keys(value).length === 1
        ) {
            config[key] = "[secret]";
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    const misspelt = misspeltNamespaces(Object.keys(settings.config ?? {}), project.name);
    if (misspelt.length > 0) throw new StackFileError(`${file}:\n${misspelt.map((m) => `  - ${m}`).join("\n")}`);
    const main = path.resolve(projectDir, typeof project.main === "string" ? project.main : "index.ts");
    return { project: project.name, main, config, secretKeys };
}

/** The stacks of a project directory, from its `Pulumi.<stack>.yaml` files, sorted. */
export function stacksIn(projectDir: string): string[] {
    return readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Namespaces a stack file of this project is expected to use, besides the project's own. */
const KNOWN_NAMESPACES = ["aws", "aws-native", "pulumi"];

/**
 * Config keys whose namespace is a near miss of the project's or a provider's (`fm-flet:costCenter`): the
 * CLI would hand them to no one, and the program would report the real key as missing. A namespace far from
 * every known one may be another provider's, and passes.
 */
function misspeltNamespaces(keys: readonly string[], project: string): string[] {
    const known = [project, ...KNOWN_NAMESPACES];
    return keys.flatMap((key) => {
        const colon = key.indexOf(":");
        if (colon < 0) return [];
        const namespace = key.slice(0, colon);
        if (known.includes(namespace)) return [];
        const near = known.find((k) => editDistance(k.toLowerCase(), namespace.toLowerCase()) <= 2);
        return near
            ? [
                  `config key "${key}" has the unknown namespace "${namespace}" (this project's is "${project}"). Did you mean "${near}:${key.slice(colon + 1)}"? Fix its spelling.`,
              ]
            : [];
    });
}
