import * as path from "path";

/**
 * Where a program failed, as `file:line:column` relative to the project directory: the first frame of the
 * error's stack in the project's own code (not node_modules, not Node's internals, not this plan's tools),
 * or the location ts-node reports for a program that does not compile. `undefined` when neither is known.
 */
export function programLocation(error: { message: string; stack?: string }, projectDir: string): string | undefined {
    const show = (file: string, line: string, column: string) =>
        `${path.relative(projectDir, path.resolve(projectDir, file)).split(path.sep).join("/")}:${line}:${column}`;
    // ts-node: "⨯ Unable to compile TypeScript:\n../x/index.ts(1,11): error TS1109: Expression expected."
    const compile = /^(.+?)\((\d+),(\d+)\): error TS\d+/m.exec(error.message);
    if (compile) return show(path.resolve(process.cwd(), compile[1]), compile[2], compile[3]);
    const tools = path.join(__dirname, "..");
    for (const line of (error.stack ?? "").split("\n")) {
        const frame = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
        if (!frame) continue;
        const file = frame[1].replace(/^file:\/\//, "");
        if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
        if (file.startsWith(tools + path.sep)) continue;
        return show(file, frame[2], frame[3]);
    }
    return undefined;
}

/** A program's error message, a compile error's without ts-node's prefix. */
export function programMessage(error: { message: string }): string {
    const compile = /^(?:.+?)\(\d+,\d+\): (error TS\d+: .*)$/m.exec(error.message);
    return compile ? `does not compile: ${compile[1]}` : error.message;
}
