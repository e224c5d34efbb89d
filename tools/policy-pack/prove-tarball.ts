import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { plan, PlanOptions } from "../plan/plan";
import { Diagnostic } from "../plan/policy-host";
import { PACK_DIR, ROOT, staleBuildReason } from "./sources";

/**
 * Proves the published pack: packs policies/ as `pulumi policy publish` does (`npm pack`), installs the
 * tarball in an empty folder outside the repository as a consuming stack does (a plain `npm install`, no
 * lockfile), starts it with that install's own run-policy-pack, configures it with each stack's
 * policies/config/<stack>.json and analyzes the stack: its diagnostics must equal the in-repo pack's.
 */
async function main(): Promise<number> {
    const stale = staleBuildReason();
    if (stale) {
        process.stderr.write(`prove-tarball: ${stale}. Run \`npm run build:policies\` first.\n`);
        return 1;
    }
    const work = mkdtempSync(path.join(tmpdir(), "fm-fleet-pack-"));
    try {
        const packed = JSON.parse(
            execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: PACK_DIR, encoding: "utf8" }),
        )[0] as { filename: string; files: { path: string }[] };
        process.stdout.write(`packed ${packed.filename}: ${packed.files.length} files\n`);
        const consumer = path.join(work, "consumer");
        mkdirSync(consumer);
        execFileSync("tar", ["-xzf", path.join(work, packed.filename), "-C", consumer]);
        const installed = path.join(consumer, "package");
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
            cwd: installed,
            stdio: "inherit",
        });
        process.stdout.write(`installed in ${installed}\n`);

        let failures = 0;
        const devConfig = path.join(PACK_DIR, "config", "dev.json");
        // Every stack with its own config, and two programs that break rules, so the proof compares findings.
        const runs: PlanOptions[] = [
            ...readdirSync(path.join(PACK_DIR, "config")).map((f) => ({
                projectDir: ROOT,
                stack: path.basename(f, ".json"),
            })),
            {
                projectDir: ROOT,
                stack: "violating",
                stackFile: path.join(ROOT, "tests/fixtures/Pulumi.violating.yaml"),
                policyConfigFile: devConfig,
            },
            { projectDir: path.join(ROOT, "tests/fixtures/defects"), stack: "defects", policyConfigFile: devConfig },
        ];
        for (const options of runs) {
            const stack = options.stack;
            const inRepo = await plan(options);
            const published = await plan({ ...options, policyPackDir: installed });
            const same =
                key(inRepo.diagnostics) === key(published.diagnostics) &&
                inRepo.policyPack.version === published.policyPack.version &&
                inRepo.exitCode === published.exitCode;
            process.stdout.write(
                `stack ${stack}: in-repo pack ${inRepo.diagnostics.length} diagnostics, published pack ` +
                    `${published.diagnostics.length} (${published.policyPack.name}@${published.policyPack.version}): ` +
                    `${same ? "identical" : "DIFFERENT"}\n`,
            );
            if (!same) failures++;
        }
        return failures === 0 ? 0 : 1;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

/** Diagnostics in a comparable form: order-independent, with everything a user reads. */
function key(diagnostics: readonly Diagnostic[]): string {
    return JSON.stringify(
        diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn, d.message, d.policyPackName]).sort(),
    );
}

main().then(
    (code) => (process.exitCode = code),
    (e) => {
        process.stderr.write(`prove-tarball: ${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 1;
    },
);
