import { createHash } from "crypto";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";

/**
 * The pack's build stamp: a hash of every file the pack is built from (its policies, and the shared
 * knowledge it carries along from lib/: catalog, contract, sizing, names and their data), written beside the
 * compiled JavaScript. `root` is the checkout's root.
 */
export const BUILD_STAMP = path.join("policies", "dist", ".source-hash");

/** The files the pack is built from, relative to `root`. */
export function packSources(root: string): string[] {
    const files = (dir: string, match: RegExp) =>
        readdirSync(path.join(root, dir))
            .filter((f) => match.test(f))
            .map((f) => path.join(dir, f));
    return [
        ...files("policies", /\.ts$/),
        ...files("policies/support", /\.ts$/),
        "policies/tsconfig.json",
        ...files("lib", /\.ts$/),
        ...files("lib/data", /./),
    ].sort();
}

/** A hash of the pack's sources (paths and contents). */
export function packSourceHash(root: string): string {
    const hash = createHash("sha256");
    for (const file of packSources(root)) {
        hash.update(file)
            .update("\0")
            .update(readFileSync(path.join(root, file)))
            .update("\0");
    }
    return hash.digest("hex");
}

/** Why the pack's build cannot be used as it is, or `undefined` when it matches its sources. */
export function staleBuildReason(root: string): string | undefined {
    const stamp = path.join(root, BUILD_STAMP);
    if (!existsSync(stamp)) return "policies/dist is missing (the pack has not been built)";
    if (readFileSync(stamp, "utf8").trim() !== packSourceHash(root)) {
        return "policies/dist was built from other sources than the ones in the tree";
    }
    return undefined;
}

/**
 * For the compiled pack at load: the checkout it sits in (dist/policies/ -> the root), when its sources are
 * there; `undefined` for a published pack, which carries no sources.
 */
export function checkoutOf(compiledDir: string): string | undefined {
    const root = path.resolve(compiledDir, "..", "..", "..");
    return existsSync(path.join(root, "policies", "index.ts")) && existsSync(path.join(root, "lib")) ? root : undefined;
}
