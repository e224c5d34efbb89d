import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";

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

function readYaml(file: string): any {
    if (!existsSync(file)) throw new StackFileError(`${file} does not exist.`);
    try {
        return parse(readFileSync(file, "utf8")) ?? {};
    } catch (e) {
        throw new StackFileError(`${file} is not valid YAML: ${(e as Error).message}`);
    }
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
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries<any>(settings.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
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
