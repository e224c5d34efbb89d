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
 * Every file that shapes the build, read once: its sources and data, the compiler options, and this file.
 * @returns {Map<string, Buffer>} relative path -> content, sorted by path
 */
function readInputs() {
    const { typescript, assets } = buildSources();
    const files = [...typescript, ...assets, "tsconfig.json", path.relative(ROOT, __filename)].sort();
    return new Map(files.map((file) => [file, fs.readFileSync(path.join(ROOT, file))]));
}

/**
 * A hash of everything that shapes the build: its inputs (paths and contents) and the TypeScript release
 * that transpiles them.
 * @param {Map<string, Buffer>} [inputs]
 */
function sourceHash(inputs = readInputs()) {
    const hash = createHash("sha256");
    for (const [file, content] of inputs) hash.update(file).update("\0").update(content).update("\0");
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

/** How long a build may hold the lock before another process takes it over as abandoned. */
const LOCK_STALE_MS = 120_000;

/**
 * Runs `build` holding dist.lock, so two processes that find the build stale at once (a test suite's
 * plans, two terminals) build it one after the other, never into each other's files.
 * @template T
 * @param {() => T} build
 * @returns {T}
 */
function withBuildLock(build) {
    const lock = `${BUILD_DIR}.lock`;
    const started = Date.now();
    for (;;) {
        try {
            fs.closeSync(fs.openSync(lock, "wx"));
            break;
        } catch (e) {
            if (/** @type {NodeJS.ErrnoException} */ (e).code !== "EEXIST") throw e;
        }
        const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
        if (age > LOCK_STALE_MS) {
            // Left by a build that died: nothing holds it.
            fs.rmSync(lock, { force: true });
        } else if (Date.now() - started > LOCK_STALE_MS) {
            throw new Error(`Waited ${LOCK_STALE_MS / 1000} s for ${lock}: remove it if no build is running.`);
        } else {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        }
    }
    try {
        return build();
    } finally {
        fs.rmSync(lock, { force: true });
    }
}

/**
 * Builds dist/ afresh into a folder of its own, then swaps it in, so no command ever loads a half written
 * build, and a build that fails leaves the last good one in place. Syntax errors fail the build with every
 * file and line. The caller holds the lock.
 */
function buildUnlocked() {
    const ts = require("typescript");
    const inputs = readInputs();
    const { typescript, assets } = buildSources();
    const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const staging = `${BUILD_DIR}.${process.pid}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    const errors = [];
    for (const file of typescript) {
        const out = path.join(staging, file.replace(/\.ts$/, ".js"));
        // Transpiled from the bytes the stamp hashes: an edit during the build cannot slip under the stamp.
        const result = ts.transpileModule(String(inputs.get(file) ?? fs.readFileSync(path.join(ROOT, file))), {
            compilerOptions: { ...options, sourceMap: true, inlineSourceMap: false, declaration: false },
            fileName: path.join(ROOT, file),
            reportDiagnostics: true,
        });
        const shown = file.split(path.sep).join("/");
        for (const d of result.diagnostics ?? []) {
            const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
            const where = at ? `${shown}:${at.line + 1}:${at.character + 1}` : shown;
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
        throw Object.assign(new Error(`The project's sources do not compile:\n${errors.join("\n")}`), {
            code: "FM_FLEET_DOES_NOT_COMPILE",
            errors,
        });
    }
    for (const file of assets) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        fs.writeFileSync(path.join(staging, file), inputs.get(file) ?? fs.readFileSync(path.join(ROOT, file)));
    }
    fs.writeFileSync(path.join(staging, ".source-hash"), `${sourceHash(inputs)}\n`);
    const previous = `${BUILD_DIR}.${process.pid}.old`;
    if (fs.existsSync(BUILD_DIR)) fs.renameSync(BUILD_DIR, previous);
    try {
        fs.renameSync(staging, BUILD_DIR);
    } catch (e) {
        if (fs.existsSync(previous)) fs.renameSync(previous, BUILD_DIR);
        fs.rmSync(staging, { recursive: true, force: true });
        throw e;
    }
    fs.rmSync(previous, { recursive: true, force: true });
}

/** Builds dist/ afresh (`npm run build`). */
function buildProject() {
    withBuildLock(buildUnlocked);
}

/**
 * Builds dist/ when it is missing or older than its sources, so nothing ever runs a stale build. Returns
 * why it rebuilt, or `undefined` when the build was fresh (or another process made it fresh meanwhile).
 * @param {(reason: string) => void} [onRebuild]
 */
function ensureFreshBuild(onRebuild = () => {}) {
    if (staleBuildReason() === undefined) return undefined;
    return withBuildLock(() => {
        const reason = staleBuildReason();
        if (reason === undefined) return undefined;
        onRebuild(reason);
        buildUnlocked();
        return reason;
    });
}

/**
 * For the command lines: a module of the build (`runtime/cli`), the build made fresh first, with a line on
 * stderr when it had to be.
 * @param {string} module
 */
function requireBuilt(module) {
    try {
        ensureFreshBuild((reason) => process.stderr.write(`fm-fleet: ${reason}: building it (a few seconds)\n`));
    } catch (e) {
        const error = /** @type {Error & {code?: string, errors?: string[]}} */ (e);
        if (error.code !== "FM_FLEET_DOES_NOT_COMPILE") throw e;
        // A syntax error in the program is the user's input, not a crash: one line each, exit 2 (invalid).
        for (const line of error.errors ?? []) process.stderr.write(`fm-fleet: does not compile: ${line}\n`);
        process.exit(2);
    }
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
