// @ts-check
// The project's JavaScript build in dist/: every TypeScript source of the program, components, runtime client,
// pack support and tools, transpiled file by file as `ts-node --transpile-only` would (no type check:
// `npm run typecheck` does that), with the data files the code reads beside itself, stamped with a hash of
// its sources. The command lines run from it: loading TypeScript and transpiling a hundred files at every
// start cost more than planning the dev stack. Plain JavaScript, because it runs before anything is built.
"use strict";
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..", "..");
const BUILD_DIR = path.join(ROOT, "dist");
const STAMP = path.join(BUILD_DIR, ".source-hash");
/** Files and folders whose TypeScript is built. Tests are not: mocha runs them from their sources. */
const SOURCE_ROOTS = ["index.ts", "components", "lib", "runtime", "tools", "policies"];
/** Folders never built from: installs and builds (the pack's own build is policies/dist). */
const SKIPPED_DIRS = new Set(["node_modules", "dist"]);
/** Folders of data the code reads relative to its own file: copied as they are. */
const ASSET_DIRS = ["lib/data", "tools/plan/preflight/schemas"];

/** @param {string} rel @returns {string[]} every file under `rel` (a file or folder), relative to the root */
function walk(rel) {
    const full = path.join(ROOT, rel);
    if (!fs.existsSync(full)) return [];
    if (!fs.statSync(full).isDirectory()) return [rel];
    return fs
        .readdirSync(full, { withFileTypes: true })
        .filter((entry) => !(entry.isDirectory() && SKIPPED_DIRS.has(entry.name)))
        .flatMap((entry) => walk(path.join(rel, entry.name)));
}

/** The TypeScript sources and the data files the build is made from, relative to the root, sorted. */
function buildSources() {
    const typescript = SOURCE_ROOTS.flatMap(walk).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
    const assets = ASSET_DIRS.flatMap(walk);
    return { typescript: typescript.sort(), assets: assets.sort() };
}

/**
 * A hash of everything that shapes the build: its sources, the compiler options, the TypeScript release
 * that transpiles them, and this file.
 */
function sourceHash() {
    const { typescript, assets } = buildSources();
    const hash = createHash("sha256");
    const files = [...typescript, ...assets, "tsconfig.json", path.relative(ROOT, __filename)];
    for (const file of files.sort()) {
        hash.update(file)
            .update("\0")
            .update(fs.readFileSync(path.join(ROOT, file)))
            .update("\0");
    }
    hash.update(require("typescript/package.json").version);
    return hash.digest("hex");
}

/** Why dist/ cannot be run as it is, or `undefined` when it was built from the sources in the tree. */
function staleBuildReason() {
    if (!fs.existsSync(STAMP)) return "dist/ is missing (the project has not been built)";
    if (fs.readFileSync(STAMP, "utf8").trim() !== sourceHash()) {
        return "dist/ was built from other sources than the ones in the tree";
    }
    return undefined;
}

/**
 * Builds dist/ afresh: into a folder of its own first, then swapped in, so no command ever loads a half
 * written build. Syntax errors fail the build with every file and line.
 */
function buildProject() {
    const ts = require("typescript");
    const hash = sourceHash();
    const { typescript, assets } = buildSources();
    const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const staging = `${BUILD_DIR}.${process.pid}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    const errors = [];
    for (const file of typescript) {
        const out = path.join(staging, file.replace(/\.ts$/, ".js"));
        const result = ts.transpileModule(fs.readFileSync(path.join(ROOT, file), "utf8"), {
            compilerOptions: { ...options, sourceMap: true, inlineSourceMap: false, declaration: false },
            fileName: path.join(ROOT, file),
            reportDiagnostics: true,
        });
        for (const d of result.diagnostics ?? []) {
            const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
            const where = at ? `${file}:${at.line + 1}:${at.character + 1}` : file;
            errors.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        }
        fs.mkdirSync(path.dirname(out), { recursive: true });
        // The map names its source relative to the built file, so stack traces (--enable-source-maps) and
        // debuggers land on the TypeScript.
        const map = JSON.parse(result.sourceMapText);
        map.sources = [path.relative(path.dirname(out), path.join(ROOT, file)).split(path.sep).join("/")];
        fs.writeFileSync(out, result.outputText);
        fs.writeFileSync(`${out}.map`, JSON.stringify(map));
    }
    if (errors.length > 0) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw new Error(`The project's sources do not compile:\n${errors.join("\n")}`);
    }
    for (const file of assets) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(staging, file));
    }
    fs.writeFileSync(path.join(staging, ".source-hash"), `${hash}\n`);
    fs.rmSync(BUILD_DIR, { recursive: true, force: true });
    try {
        fs.renameSync(staging, BUILD_DIR);
    } catch (e) {
        // Another process swapped in its build first: keep it when it is of the same sources.
        fs.rmSync(staging, { recursive: true, force: true });
        if (staleBuildReason() !== undefined) throw e;
    }
}

/**
 * Builds dist/ when it is missing or older than its sources, so nothing ever runs a stale build. Returns
 * why it rebuilt, or `undefined` when the build was fresh.
 * @param {(reason: string) => void} [onRebuild]
 */
function ensureFreshBuild(onRebuild = () => {}) {
    const reason = staleBuildReason();
    if (reason === undefined) return undefined;
    onRebuild(reason);
    buildProject();
    return reason;
}

/**
 * For the command lines: a module of the build (`runtime/cli`), the build made fresh first, with a line on
 * stderr when it had to be.
 * @param {string} module
 */
function requireBuilt(module) {
    ensureFreshBuild((reason) => process.stderr.write(`fm-fleet: ${reason}: building it (a few seconds)\n`));
    return require(path.join(BUILD_DIR, module));
}

module.exports = {
    BUILD_DIR,
    buildSources,
    sourceHash,
    staleBuildReason,
    buildProject,
    ensureFreshBuild,
    requireBuilt,
};

if (require.main === module) {
    buildProject();
    process.stdout.write(`dist/ built from sources ${sourceHash().slice(0, 12)}\n`);
}
