import { createHash } from "crypto";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";

/** The repository root. */
export const ROOT = path.join(__dirname, "..", "..");
/** The policy pack's folder: what `pulumi policy publish` packs. */
export const PACK_DIR = path.join(ROOT, "policies");
/** Where the pack's compiled JavaScript goes (its package.json `main` points inside). */
export const PACK_BUILD_DIR = path.join(PACK_DIR, "dist");
/** The hash of the sources the build was made from. */
export const BUILD_STAMP = path.join(PACK_BUILD_DIR, ".source-hash");

/**
 * Every file the pack is built from: its policies, and the shared knowledge it carries along (the
 * catalog, contract, sizing, names and their data), which the program reads from the same files.
 */
export function packSources(root = ROOT): string[] {
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
export function packSourceHash(root = ROOT): string {
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
export function staleBuildReason(root = ROOT): string | undefined {
    const stamp = path.join(root, path.relative(ROOT, BUILD_STAMP));
    if (!existsSync(stamp)) return "policies/dist is missing (the pack has not been built)";
    if (readFileSync(stamp, "utf8").trim() !== packSourceHash(root)) {
        return "policies/dist was built from other sources than the ones in the tree";
    }
    return undefined;
}
