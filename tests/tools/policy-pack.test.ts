import * as assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { versionProblems } from "../../tools/policy-pack/check-version";
import { packSourceHash, packSources, staleBuildReason } from "../../tools/policy-pack/sources";
import { PolicyPackHost } from "../../tools/plan/policy-host";
import { ROOT } from "../helpers/configs";

/** A copy of the pack's sources (and its package files) in a temporary folder, unbuilt. */
function sourceTree(): string {
    const root = mkdtempSync(path.join(tmpdir(), "fm-fleet-pack-src-"));
    for (const file of [...packSources(), "policies/package.json", "policies/release.json", "policies/CHANGELOG.md"]) {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        cpSync(path.join(ROOT, file), path.join(root, file));
    }
    return root;
}

const stamp = (root: string) => {
    mkdirSync(path.join(root, "policies", "dist"), { recursive: true });
    writeFileSync(path.join(root, "policies", "dist", ".source-hash"), `${packSourceHash(root)}\n`);
};

describe("the policy pack as a published artifact (tools/policy-pack)", function () {
    this.timeout(60_000);
    it("carries its shared knowledge: the pack's sources include lib/ and the catalog data", () => {
        const sources = packSources();
        for (const file of [
            "lib/catalog.ts",
            "lib/names.ts",
            "lib/data/sagemaker-instances.csv",
            "policies/index.ts",
        ]) {
            assert.ok(sources.includes(file), file);
        }
        const pack = JSON.parse(readFileSync(path.join(ROOT, "policies/package.json"), "utf8"));
        assert.equal(pack.main, "dist/policies/index.js");
        assert.deepEqual(Object.keys(pack.dependencies).sort(), ["@pulumi/policy", "@pulumi/pulumi", "csv-parse"]);
        assert.equal(pack.devDependencies, undefined, "consumers install devDependencies too");
        const tsconfig = JSON.parse(readFileSync(path.join(ROOT, "policies/tsconfig.json"), "utf8"));
        assert.equal(tsconfig.extends, undefined, "run-policy-pack reads tsconfig.json without following extends");
    });

    it("knows a build is stale the moment a source changes without a rebuild", () => {
        const root = sourceTree();
        assert.equal(staleBuildReason(root), "policies/dist is missing (the pack has not been built)");
        stamp(root);
        assert.equal(staleBuildReason(root), undefined);
        writeFileSync(
            path.join(root, "lib/sizing.ts"),
            `${readFileSync(path.join(root, "lib/sizing.ts"), "utf8")}\n// edit\n`,
        );
        assert.equal(staleBuildReason(root), "policies/dist was built from other sources than the ones in the tree");
        writeFileSync(path.join(root, "lib/data/sagemaker-instances.csv"), "changed");
        stamp(root);
        assert.equal(staleBuildReason(root), undefined);
    });

    it("requires a version bump and a CHANGELOG entry for changed sources", () => {
        const root = sourceTree();
        const dir = path.join(root, "policies");
        const release = JSON.parse(readFileSync(path.join(dir, "release.json"), "utf8"));
        const setVersion = (version: string) => {
            const pack = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
            writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...pack, version }));
        };
        setVersion(release.version);
        assert.deepEqual(versionProblems(dir, release.sourceHash), []);
        assert.deepEqual(versionProblems(dir, "another-hash"), [
            `policies/ changed since release ${release.version}, but package.json still says ${release.version}: bump the version and add a CHANGELOG entry.`,
        ]);
        setVersion("9.9.9");
        assert.deepEqual(versionProblems(dir, "another-hash"), [
            'policies/CHANGELOG.md has no "## 9.9.9" entry: describe what the version changes.',
        ]);
        writeFileSync(path.join(dir, "CHANGELOG.md"), "# Changelog\n\n## 9.9.9\n\n- Changed.\n");
        assert.deepEqual(versionProblems(dir, "another-hash"), []);
    });

    it("refuses, when loaded by the CLI from a checkout, to run a build older than its sources", async () => {
        const root = sourceTree();
        cpSync(path.join(ROOT, "policies/dist"), path.join(root, "policies/dist"), { recursive: true });
        cpSync(path.join(ROOT, "policies/PulumiPolicy.yaml"), path.join(root, "policies/PulumiPolicy.yaml"));
        symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
        writeFileSync(
            path.join(root, "lib/sizing.ts"),
            `${readFileSync(path.join(root, "lib/sizing.ts"), "utf8")}\n// edit\n`,
        );
        await assert.rejects(PolicyPackHost.start(path.join(root, "policies")), (e: Error) => {
            assert.match(e.message, /exited with code 32 before serving/); // run-policy-pack: the program failed
            assert.match(
                e.message,
                /fm-fleet-guardrails: policies\/dist was built from other sources than the ones in the tree\. Run `npm run build:policies`, then try again\./,
            );
            return true;
        });
    });

    it("is versioned correctly in this tree", () => {
        assert.deepEqual(versionProblems(), []);
    });
});
