import { existsSync } from "fs";
import * as path from "path";

/**
 * The checkout's root: the nearest folder above this file with a package.json. The same from the sources
 * (tools/) and from their build (dist/tools/), which sits one folder deeper.
 */
function projectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (existsSync(path.join(dir, "package.json"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}.`);
    }
}

export const PROJECT_ROOT = projectRoot(__dirname);

/**
 * The project's JavaScript build (made by tools/build/project-build.js, which is not part of it and so
 * names the same folder itself).
 */
export const BUILD_DIR = path.join(PROJECT_ROOT, "dist");
