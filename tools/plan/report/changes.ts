import type { InputChange, PlanChanges, ResourceChange } from "../baseline";

/** The four kinds of change, in the order a reader weighs them. */
const KINDS = ["replaced", "updated", "added", "deleted"] as const;

/** A value in one line, cut short: an input can be a whole policy document (an image URI is not cut). */
export function shortValue(value: unknown, max = 160): string {
    const text = value === undefined ? "(none)" : JSON.stringify(value);
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `a: 1 -> 2`. */
const inputLine = (c: InputChange) => `${c.path}: ${shortValue(c.before)} -> ${shortValue(c.after)}`;

/** `fleet/chat/llama3-8b-model (chat-llama3-8b-6737fa99 -> chat-llama3-8b-0b1c2d3e)`. */
function who(c: ResourceChange): string {
    const { before, after } = c.physicalName;
    const names = before === after || before === null || after === null ? (after ?? before) : `${before} -> ${after}`;
    return names ? `${c.name} (${names})` : c.name;
}

/** One-line summary: `2 replaced, 1 updated, 1 added, 0 deleted, 14 unchanged`. */
export function changesSummary(changes: PlanChanges): string {
    return `${KINDS.map((k) => `${changes[k].length} ${k}`).join(", ")}, ${changes.unchanged} unchanged`;
}

/** The table report's section: each change with its type, names and differing inputs. */
export function renderChangesTable(changes: PlanChanges, maxPerKind = 50): string[] {
    const lines = [`Changes against ${changes.baseline}: ${changesSummary(changes)}`];
    for (const kind of KINDS) {
        const items = changes[kind];
        if (items.length === 0) continue;
        lines.push(`  ${kind} (${items.length})`);
        for (const c of items.slice(0, maxPerKind)) {
            const because = c.replacedBecause.length ? `, forced by ${c.replacedBecause.join(", ")}` : "";
            lines.push(`    ${c.type} ${who(c)}${because}`);
            for (const input of c.inputs) lines.push(`        ${inputLine(input)}`);
        }
        if (items.length > maxPerKind)
            lines.push(`    ... and ${(items.length - maxPerKind).toLocaleString("en-US")} more ${kind}`);
    }
    return lines;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The pull-request comment's section: a table of changes, inputs in one cell. */
export function renderChangesMarkdown(changes: PlanChanges, maxPerKind = 25): string[] {
    const out = [`#### Changes against ${code(changes.baseline)}`, "", `${changesSummary(changes)}.`];
    const rows = KINDS.flatMap((kind) => changes[kind].slice(0, maxPerKind).map((c) => ({ kind, c })));
    if (rows.length === 0) return out;
    out.push(
        "",
        "| Change | Type | Resource | Physical name | Inputs that differ |",
        "| --- | --- | --- | --- | --- |",
    );
    for (const { kind, c } of rows) {
        const { before, after } = c.physicalName;
        const name =
            before && after && before !== after ? `${code(before)} → ${code(after)}` : code(after ?? before ?? "");
        const because = c.replacedBecause.length ? `forced by ${c.replacedBecause.join(", ")}; ` : "";
        const inputs = c.inputs.map((i) => code(inputLine(i))).join("<br/>");
        out.push(`| ${kind} | ${code(c.type)} | ${code(c.name)} | ${name} | ${cell(because + inputs) || "-"} |`);
    }
    for (const kind of KINDS) {
        const hidden = changes[kind].length - maxPerKind;
        if (hidden > 0)
            out.push("", `... and ${hidden.toLocaleString("en-US")} more ${kind} (see the table or JSON output).`);
    }
    return out;
}

/** The JSON output's `changes`: every change, whole. */
export function changesJson(changes: PlanChanges): Record<string, unknown> {
    const entry = (c: ResourceChange) => ({
        urn: c.urn,
        type: c.type,
        name: c.name,
        physicalNameBefore: c.physicalName.before,
        physicalName: c.physicalName.after,
        replacedBecause: c.replacedBecause,
        inputs: c.inputs.map((i) => ({ path: i.path, before: i.before ?? null, after: i.after ?? null })),
    });
    return {
        baseline: changes.baseline,
        summary: {
            added: changes.added.length,
            replaced: changes.replaced.length,
            updated: changes.updated.length,
            deleted: changes.deleted.length,
            unchanged: changes.unchanged,
        },
        added: changes.added.map(entry),
        replaced: changes.replaced.map(entry),
        updated: changes.updated.map(entry),
        deleted: changes.deleted.map(entry),
    };
}
