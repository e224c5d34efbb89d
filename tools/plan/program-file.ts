import { existsSync } from "fs";
import * as path from "path";
import { BUILD_DIR, PROJECT_ROOT } from "../project-root";

/** True when this code runs from the project's build (dist/), false from its TypeScript sources. */
export const RUNS_BUILT = __filename.endsWith(".js");

/**
 * The file to run for a stack's `main`: when the plan runs from the build, this project's program runs from
 * the build too (made from the same sources: the command lines rebuild a stale one before they start); any
 * other program, and every program when the plan runs from its sources, as it is.
 */
export function programFile(main: string): string {
    const inProject = path.relative(PROJECT_ROOT, main);
    if (!RUNS_BUILT || inProject.startsWith("..") || path.isAbsolute(inProject)) return main;
    const built = path.join(BUILD_DIR, inProject.replace(/\.ts$/, ".js"));
    return existsSync(built) ? built : main;
}

/**
 * Loads a program. A TypeScript one where no TypeScript loader is registered runs as the Pulumi CLI runs it:
 * through ts-node, transpiled only (`npm run typecheck` checks the types).
 */
export function requireProgram(file: string): unknown {
    if (file.endsWith(".ts") && !require.extensions[".ts"]) {
        require("ts-node").register({ transpileOnly: true, project: path.join(PROJECT_ROOT, "tsconfig.json") });
    }
    return require(file);
}
