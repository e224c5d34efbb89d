import * as path from "path";
import * as stamp from "../../policies/support/build-stamp";
import { PROJECT_ROOT } from "../project-root";

/** The repository root. */
export const ROOT = PROJECT_ROOT;
/** The policy pack's folder: what `pulumi policy publish` packs. */
export const PACK_DIR = path.join(ROOT, "policies");
/** Where the pack's compiled JavaScript goes (its package.json `main` points inside). */
export const PACK_BUILD_DIR = path.join(PACK_DIR, "dist");
/** The hash of the sources the build was made from. */
export const BUILD_STAMP = path.join(ROOT, stamp.BUILD_STAMP);

/** The files the pack is built from (see policies/support/build-stamp.ts). */
export const packSources = (root = ROOT) => stamp.packSources(root);
/** A hash of the pack's sources. */
export const packSourceHash = (root = ROOT) => stamp.packSourceHash(root);
/** Why the pack's build cannot be used as it is, or `undefined` when it matches its sources. */
export const staleBuildReason = (root = ROOT) => stamp.staleBuildReason(root);
