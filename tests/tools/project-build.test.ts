import * as assert from "node:assert/strict";
import { execFile } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import type * as ProjectBuild from "../../tools/build/project-build";
import { ROOT } from "../helpers/configs";

/**
 * A checkout of its own (the build tool, a tsconfig, a few sources and data) in a temporary folder: the
 * build tool finds its root from its own file, so a copy of it builds that checkout and nothing else.
 */
function scratchCheckout(): { root: string; build: typeof ProjectBuild; write(file: string, text: string): void } {
    const root = mkdtempSync(path.join(tmpdir(), "fm-fleet-build-"));
    const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
    };
    mkdirSync(path.join(root, "tools", "build"), { recursive: true });
    copyFileSync(path.join(ROOT, "tools/build/project-build.js"), path.join(root, "tools/build/project-build.js"));
    copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(root, "tsconfig.json"));
    symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
    write("index.ts", `import { answer } from "./lib/answer";\nexport const value: number = answer();\n`);
    write("lib/answer.ts", "export function answer(): number {\n    return 41;\n}\n");
    write("lib/data/prices.csv", "type,usd\nml.g5.xlarge,1.41\n");
    write("tests/ignored.test.ts", "this is not TypeScript the build would accept (\n");
    return { root, build: require(path.join(root, "tools/build/project-build.js")), write };
}

describe("the project's build (dist/)", () => {
    const checkouts: string[] = [];
    const checkout = () => {
        const made = scratchCheckout();
        checkouts.push(made.root);
        return made;
    };
    after(() => checkouts.forEach((root) => rmSync(root, { recursive: true, force: true })));

    it("is built when missing: transpiled sources, their data, source maps and the stamp of its sources", () => {
        const { root, build } = checkout();
        assert.equal(build.staleBuildReason(), "dist/ is missing (the project has not been built)");
        const reasons: string[] = [];
        assert.equal(
            build.ensureFreshBuild((r) => reasons.push(r)),
            "dist/ is missing (the project has not been built)",
        );
        assert.deepEqual(reasons, ["dist/ is missing (the project has not been built)"]);
        assert.equal(require(path.join(root, "dist/index.js")).value, 41);
        assert.equal(
            readFileSync(path.join(root, "dist/lib/data/prices.csv"), "utf8"),
            "type,usd\nml.g5.xlarge,1.41\n",
        );
        assert.deepEqual(JSON.parse(readFileSync(path.join(root, "dist/lib/answer.js.map"), "utf8")).sources, [
            "../../lib/answer.ts",
        ]);
        assert.equal(readFileSync(path.join(root, "dist/.source-hash"), "utf8"), `${build.sourceHash()}\n`);
        assert.equal(existsSync(path.join(root, "dist/tests")), false, "tests run from their sources");
        assert.equal(build.staleBuildReason(), undefined);
        assert.equal(
            build.ensureFreshBuild(() => assert.fail("a fresh build is not rebuilt")),
            undefined,
        );
    });

    it("is never run stale: a changed source or data file makes the command lines rebuild it first", () => {
        const { build, write } = checkout();
        build.buildProject();
        write("lib/answer.ts", "export function answer(): number {\n    return 42;\n}\n");
        assert.equal(build.staleBuildReason(), "dist/ was built from other sources than the ones in the tree");
        let stderr = "";
        const write0 = process.stderr.write;
        process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
        let loaded: { value: number };
        try {
            loaded = build.requireBuilt("index") as { value: number };
        } finally {
            process.stderr.write = write0;
        }
        assert.equal(loaded.value, 42);
        assert.equal(
            stderr,
            "fm-fleet: dist/ was built from other sources than the ones in the tree: building it (a few seconds)\n",
        );
        write("lib/data/prices.csv", "type,usd\nml.g5.xlarge,1.52\n");
        assert.equal(build.staleBuildReason(), "dist/ was built from other sources than the ones in the tree");
    });

    it("fails on a syntax error with every file and line, and leaves the last good build in place", () => {
        const { root, build, write } = checkout();
        build.buildProject();
        write("lib/answer.ts", "export function answer(): number {\n    return 41 +;\n}\n");
        write("lib/other.ts", "export const x = ;\n");
        assert.throws(() => build.buildProject(), {
            message:
                "The project's sources do not compile:\n" +
                "lib/answer.ts:2:16: Expression expected.\n" +
                "lib/other.ts:1:18: Expression expected.",
        });
        assert.equal(require(path.join(root, "dist/index.js")).value, 41);
        assert.equal(existsSync(`${path.join(root, "dist")}.${process.pid}.tmp`), false);
    });

    it("stops a command line on a program that does not compile with exit 2 and one line per error, no trace", async () => {
        const { root, write } = checkout();
        write("index.ts", "export const value: number = ;\n");
        const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
            execFile(
                process.execPath,
                [
                    "-e",
                    `require(${JSON.stringify(path.join(root, "tools/build/project-build.js"))}).requireBuilt("index")`,
                ],
                (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
            ),
        );
        assert.deepEqual(run, {
            code: 2,
            stdout: "",
            stderr:
                "fm-fleet: dist/ is missing (the project has not been built): building it (a few seconds)\n" +
                "fm-fleet: does not compile: index.ts:1:30: Expression expected.\n",
        });
    });

    it("is built once when two processes find it stale at the same time, the second waiting for the first", async () => {
        const { root } = checkout();
        const script = `const reason = require(${JSON.stringify(path.join(root, "tools/build/project-build.js"))}).ensureFreshBuild(); process.stdout.write(String(reason));`;
        const run = () =>
            new Promise<string>((resolve, reject) =>
                execFile(process.execPath, ["-e", script], (error, stdout, stderr) =>
                    error ? reject(new Error(stderr)) : resolve(stdout),
                ),
            );
        const reasons = await Promise.all([run(), run()]);
        assert.deepEqual(reasons.sort(), ["dist/ is missing (the project has not been built)", "undefined"]);
        assert.equal(require(path.join(root, "dist/index.js")).value, 41);
        assert.equal(existsSync(path.join(root, "dist.lock")), false);
    });

    it("runs this project's program from the build when the plan does, any other program as it is", () => {
        const fromSources = require("../../tools/plan/program-file") as typeof import("../../tools/plan/program-file");
        const fromBuild = require(path.join(ROOT, "dist/tools/plan/program-file.js")) as typeof fromSources;
        const main = path.join(ROOT, "index.ts");
        assert.equal(fromSources.RUNS_BUILT, false);
        assert.equal(fromSources.programFile(main), main);
        assert.equal(fromBuild.RUNS_BUILT, true);
        assert.equal(fromBuild.programFile(main), path.join(ROOT, "dist/index.js"));
        const fixture = path.join(ROOT, "tests/fixtures/defects/index.ts");
        assert.equal(fromBuild.programFile(fixture), fixture, "tests are not built: the fixture runs through ts-node");
        const elsewhere = path.join(tmpdir(), "other-project", "index.ts");
        assert.equal(fromBuild.programFile(elsewhere), elsewhere);
    });
});
