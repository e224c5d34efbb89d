/** The project's JavaScript build (see project-build.js). */
export declare const BUILD_DIR: string;
export declare function buildSources(): { typescript: string[]; assets: string[] };
export declare function sourceHash(): string;
export declare function staleBuildReason(): string | undefined;
export declare function buildProject(): void;
export declare function ensureFreshBuild(onRebuild?: (reason: string) => void): string | undefined;
export declare function requireBuilt(module: string): unknown;
