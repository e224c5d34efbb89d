import { execFileSync } from "child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { BUILD_STAMP, PACK_BUILD_DIR, PACK_DIR, packSourceHash, ROOT, staleBuildReason } from "./sources";

/**
 * Compiles the policy pack to JavaScript in policies/dist, with the data it reads, and stamps the build with
 * the hash of its sources. The Pulumi CLI's run-policy-pack loads a JavaScript `main` without type-checking
 * it at every start, and a consumer of the published pack needs no TypeScript toolchain.
 */
export function buildPolicyPack(): void {
    rmSync(PACK_BUILD_DIR, { recursive: true, force: true });
    const tsc = require.resolve("typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", path.join(PACK_DIR, "tsconfig.json")], { stdio: "inherit" });
    const data = path.join(PACK_BUILD_DIR, "lib", "data");
    mkdirSync(data, { recursive: true });
    for (const file of readdirSync(path.join(ROOT, "lib", "data"))) {
        copyFileSync(path.join(ROOT, "lib", "data", file), path.join(data, file));
    }
    writeFileSync(BUILD_STAMP, `${packSourceHash()}\n`);
}

/**
 * Builds the pack when its build is missing or older than its sources, so nothing ever tests, plans or
 * publishes a stale build. Returns why it rebuilt, or `undefined` when the build was fresh.
 */
export function ensureFreshPolicyPack(onRebuild: (reason: string) => void = () => {}): string | undefined {
    const reason = staleBuildReason();
    if (reason === undefined) return undefined;
    onRebuild(reason);
    buildPolicyPack();
    return reason;
}

if (require.main === module) {
    buildPolicyPack();
    process.stdout.write(`policies/dist built from sources ${packSourceHash().slice(0, 12)}\n`);
}
