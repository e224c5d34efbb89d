import { readdirSync, readFileSync } from "fs";
import * as path from "path";

/**
 * Why a documented shell block is not run by the docs test, by its fence's info string (docs/README.md,
 * "Shell blocks and the docs test"). Every other shell block runs.
 */
export const NOT_RUN = {
    aws: "needs AWS credentials and a deployed stack",
    pulumi: "needs the Pulumi CLI (and a Pulumi organization to publish to)",
    manual: "needs something the reader provides (a file, a package) or runs for minutes",
    setup: "installs the dependencies or runs this suite itself: CI's own steps (.ci/run)",
} as const;

export type ShellBlock = {
    /** Page relative to the repository's root, and the line of the opening fence (1-based). */
    readonly file: string;
    readonly line: number;
    readonly script: string;
    /** What the block's output (stdout and stderr) must include: `<!-- output includes: ... -->` lines after it. */
    readonly expects: readonly string[];
} & (
    | { readonly kind: "run" | "background" }
    | { readonly kind: "not-run"; readonly reason: keyof typeof NOT_RUN }
    | { readonly kind: "unknown"; readonly marker: string }
);

const SHELLS = new Set(["sh", "bash", "shell", "console"]);

/** The shell blocks of one Markdown text, in order; other fences (text, yaml, json, ts, mermaid) are skipped. */
export function shellBlocks(file: string, markdown: string): ShellBlock[] {
    const blocks: ShellBlock[] = [];
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
        if (!open) continue;
        const start = i;
        const body: string[] = [];
        for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.push(lines[i]);
        if (!SHELLS.has(open[1])) continue;
        const expects: string[] = [];
        // Prettier puts a blank line between the fence and the comments.
        let j = i + 1;
        while (j < lines.length && lines[j] === "") j++;
        for (; j < lines.length; j++) {
            const expect = /^<!-- output includes: (.*) -->$/.exec(lines[j]);
            if (!expect) break;
            expects.push(expect[1]);
        }
        const marker = open[2].trim();
        const script = body.join("\n");
        const at = { file, line: start + 1, script, expects };
        if (marker === "") blocks.push({ ...at, kind: "run" });
        else if (marker === "background") blocks.push({ ...at, kind: "background" });
        else if (marker in NOT_RUN) blocks.push({ ...at, kind: "not-run", reason: marker as keyof typeof NOT_RUN });
        else blocks.push({ ...at, kind: "unknown", marker });
    }
    return blocks;
}

/** The pages the docs test reads: the README and every Markdown page of docs/. */
export function documentedPages(root: string): string[] {
    const docs = readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`);
    return ["README.md", ...docs];
}

/** Every shell block of the README and docs/, page by page. */
export function allShellBlocks(root: string): ShellBlock[] {
    return documentedPages(root).flatMap((file) => shellBlocks(file, readFileSync(path.join(root, file), "utf8")));
}

/** The blocks the docs test runs (run and background ones), by page, for the pages that have any. */
export function runnableByPage(root: string): Map<string, ShellBlock[]> {
    const runnable = new Map<string, ShellBlock[]>();
    for (const block of allShellBlocks(root)) {
        if (block.kind !== "run" && block.kind !== "background") continue;
        runnable.set(block.file, [...(runnable.get(block.file) ?? []), block]);
    }
    return runnable;
}
