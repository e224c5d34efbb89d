/** One problem in the stack config: where it is and what to do about it. */
export interface ConfigIssue {
    /** e.g. `fleet.endpoints[0].foundationModels[1].copies.min`. */
    readonly path: string;
    /** What is wrong, the value, and the fix. */
    readonly message: string;
}

/** Renders a path of keys and indexes the way users read config: `fleet.endpoints[0].name`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>(
        (out, key) => (typeof key === "number" ? `${out}[${key}]` : `${out}.${String(key)}`),
        root,
    );
}

/** Thrown when the stack config is invalid, before any resource is created; lists every problem. */
export class FleetConfigError extends Error {
    constructor(public readonly issues: readonly ConfigIssue[]) {
        super(
            `Invalid fm-fleet stack config (${issues.length} ${issues.length === 1 ? "error" : "errors"}):\n` +
                issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n"),
        );
        this.name = "FleetConfigError";
    }
}
