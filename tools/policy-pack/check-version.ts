import { readFileSync } from "fs";
import * as path from "path";
import { PACK_DIR, packSourceHash } from "./sources";

/**
 * The pack's versioning rule, checked in CI: `policies/release.json` records the last published version and
 * the hash of the sources it was built from. Sources that differ from that release need a version other than
 * the released one, and the CHANGELOG needs an entry for it. Publishing a version updates release.json.
 */
export function versionProblems(dir = PACK_DIR, sourceHash = packSourceHash()): string[] {
    const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
    const version: string = JSON.parse(read("package.json")).version;
    const release: { version: string; sourceHash: string } = JSON.parse(read("release.json"));
    const problems: string[] = [];
    if (sourceHash !== release.sourceHash && version === release.version) {
        problems.push(
            `policies/ changed since release ${release.version}, but package.json still says ${version}: bump the version and add a CHANGELOG entry.`,
        );
    }
    if (!new RegExp(`^## ${version.replace(/\./g, "\\.")}$`, "m").test(read("CHANGELOG.md"))) {
        problems.push(`policies/CHANGELOG.md has no "## ${version}" entry: describe what the version changes.`);
    }
    return problems;
}

if (require.main === module) {
    const problems = versionProblems();
    for (const p of problems) process.stderr.write(`policy pack version: ${p}\n`);
    if (problems.length > 0) process.exitCode = 1;
    else process.stdout.write("policy pack version: ok\n");
}
