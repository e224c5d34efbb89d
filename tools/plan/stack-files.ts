import { existsSync, readFileSync } from "fs";
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
    const main = path.resolve(projectDir, typeof project.main === "string" ? project.main : "index.ts");
    return { project: project.name, main, config, secretKeys };
}
