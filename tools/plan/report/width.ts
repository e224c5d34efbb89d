// No imports: the command line checks --width before it loads any report.

/** The narrowest `--width` the plan accepts: below it, a tree line has no room for its text. */
export const MIN_WIDTH = 60;
/** The width without a terminal (a pipe, a CI log) and without `COLUMNS`. */
export const DEFAULT_WIDTH = 100;

/**
 * The width to fit: `--width`, else the terminal's (`process.stdout.columns`), else `COLUMNS`, else 100. A
 * terminal or `COLUMNS` narrower than {@link MIN_WIDTH} gets that minimum; a `COLUMNS` that is not a whole
 * number is ignored.
 */
export function reportWidth(flag: number | undefined, terminalColumns: number | undefined, env: string | undefined) {
    if (flag !== undefined) return flag;
    const fromEnv = env !== undefined && /^\d+$/.test(env.trim()) ? Number(env) : undefined;
    const found = [terminalColumns, fromEnv].find((n) => n !== undefined && Number.isInteger(n) && n > 0);
    return found === undefined ? DEFAULT_WIDTH : Math.max(found, MIN_WIDTH);
}
