import Table from "cli-table3";

export { DEFAULT_WIDTH, MIN_WIDTH, reportWidth } from "./width";

/**
 * Fitting the table report to a terminal's width. Text wraps at spaces only: a word (a URL, an S3 prefix, a
 * JSON value) longer than the room left on its line is kept whole on a line of its own and overflows, so it
 * can still be copied and a terminal can still open it; nothing is cut or dropped. Table cells are the one
 * place a word may be broken, as the last resort of a table too wide even turned on its side.
 */

/** Display columns of a line (the report's text is BMP characters of one column each). */
const columns = (text: string) => [...text].length;

/**
 * `text` wrapped at spaces into lines of at most `width` columns: the first starts with `first`, the rest
 * with `rest` (a hanging indent, or a tree's continuation bars). A word longer than its line's room gets a
 * line of its own (see above).
 */
export function wrap(text: string, width: number, first = "", rest = first): string[] {
    const words = text.split(" ").filter((w) => w !== "");
    const lines: string[] = [];
    let line = first;
    let empty = true;
    for (const word of words) {
        if (!empty && columns(line) + 1 + columns(word) > width) {
            lines.push(line);
            line = rest;
            empty = true;
        }
        line += empty ? word : ` ${word}`;
        empty = false;
    }
    lines.push(line);
    return lines;
}

/**
 * Lines of prose or indented lists fitted to `width`: each line keeps its own indentation, and its
 * continuation lines hang `hang` columns further in.
 */
export function wrapLines(lines: readonly string[], width: number, hang = 2): string[] {
    return lines.flatMap((line) => {
        if (columns(line) <= width) return [line];
        const indent = /^ */.exec(line)![0];
        return wrap(line.slice(indent.length), width, indent, indent + " ".repeat(hang));
    });
}

/** The characters a tree line's prefix is drawn with. */
const TREE_PREFIX = /^[ │├└─]*/;
const BAR_OR_BRANCH = new Set(["│", "├", "└"]);

/**
 * Tree lines (`├─ `, `└─ ` branches under `│  ` bars) fitted to `width`. A wrapped line's continuation
 * keeps the bars of the branches still open to its left (`├─` continues as `│ `, `└─` as blank), then a bar
 * when the node has children (the next line branches right under its text) and three columns of indent.
 */
export function wrapTree(lines: readonly string[], width: number): string[] {
    return lines.flatMap((line, i) => {
        if (columns(line) <= width) return [line];
        const prefix = TREE_PREFIX.exec(line)![0];
        const next = [...(lines[i + 1] ?? "")];
        const open = prefix.replace(/├─/g, "│ ").replace(/└─/g, "  ");
        const children = BAR_OR_BRANCH.has(next[columns(prefix)] ?? "") ? "│  " : "   ";
        return wrap(line.slice(prefix.length), width, prefix, open + children);
    });
}

/** Box drawing: one space of padding each side of a cell, one border column between cells and at each end. */
const PADDING = 2;
const overhead = (columnCount: number) => columnCount * PADDING + columnCount + 1;

/** The longest line of a cell, and its longest word. */
const lineWidth = (cell: string) => Math.max(0, ...cell.split("\n").map(columns));
const wordWidth = (cell: string) => Math.max(0, ...cell.split(/[\n ]/).map(columns));

/** A cell's text wrapped to `width` columns; with `breakWords`, a longer word is cut into pieces that fit. */
function wrapCell(cell: string, width: number, breakWords: boolean): string {
    return cell
        .split("\n")
        .flatMap((line) => wrap(line, width))
        .flatMap((line) => {
            if (!breakWords || columns(line) <= width) return [line];
            const chars = [...line];
            const pieces: string[] = [];
            for (let k = 0; k < chars.length; k += width) pieces.push(chars.slice(k, k + width).join(""));
            return pieces;
        })
        .join("\n");
}

/**
 * Content widths for the columns of `grid` (head first) within `width`, narrowing the widest column first
 * but none below its floor; `undefined` when even the floors do not fit.
 */
function narrowed(grid: readonly string[][], width: number, floorOf: (cell: string) => number): number[] | undefined {
    const count = grid[0].length;
    const widths = grid[0].map((_, c) => Math.max(1, ...grid.map((row) => lineWidth(row[c] ?? ""))));
    const floors = grid[0].map((_, c) => Math.min(widths[c], Math.max(1, ...grid.map((row) => floorOf(row[c] ?? "")))));
    let excess = widths.reduce((a, b) => a + b, 0) + overhead(count) - width;
    while (excess > 0) {
        let widest = -1;
        for (let c = 0; c < count; c++) {
            if (widths[c] > floors[c] && (widest < 0 || widths[c] > widths[widest])) widest = c;
        }
        if (widest < 0) return undefined;
        widths[widest]--;
        excess--;
    }
    // A wrapped column needs only its longest wrapped line; the room that frees goes to columns that then
    // need not wrap at all, the ones closest to fitting first.
    const natural = grid[0].map((_, c) => Math.max(1, ...grid.map((row) => lineWidth(row[c] ?? ""))));
    for (let c = 0; c < count; c++) {
        if (widths[c] < natural[c]) {
            widths[c] = Math.max(floors[c], ...grid.map((row) => lineWidth(wrapCell(row[c] ?? "", widths[c], false))));
        }
    }
    let free = width - (widths.reduce((a, b) => a + b, 0) + overhead(count));
    const wrapped = widths.map((_, c) => c).filter((c) => widths[c] < natural[c]);
    for (const c of wrapped.sort((a, b) => natural[a] - widths[a] - (natural[b] - widths[b]))) {
        if (natural[c] - widths[c] > free) continue;
        free -= natural[c] - widths[c];
        widths[c] = natural[c];
    }
    return widths;
}

function draw(grid: readonly string[][], widths?: readonly number[], breakWords = false): string {
    const cells = widths ? grid.map((row) => row.map((cell, c) => wrapCell(cell, widths[c], breakWords))) : grid;
    const table = new Table({
        head: cells[0],
        style: { head: [], border: [] },
        ...(widths && { colWidths: widths.map((w) => w + PADDING) }),
    });
    table.push(...cells.slice(1));
    return table.toString();
}

/**
 * A cli-table3 table of plain-text cells (its head and rows, as built for the report) drawn within `width`
 * columns, the first way that fits: as it is; its columns narrowed, cells wrapped at spaces; turned on its
 * side (the head down the first column, a column per row), as is or narrowed; narrowed with words broken.
 * Every cell's text is kept. The table's own style is replaced by the report's (no colours).
 */
export function fitTable(table: Table.Table, width: number): string {
    const rows = [...table] as unknown[];
    const plain = (cell: unknown) => typeof cell === "string" || typeof cell === "number";
    // Spanning or styled cells are drawn as built: the report has none.
    if (!rows.every((row) => Array.isArray(row) && row.every(plain))) return table.toString();
    return fitGrid(
        table.options.head.map(String),
        (rows as unknown[][]).map((row) => row.map(String)),
        width,
    );
}

/** {@link fitTable} of a head and rows given as text. */
export function fitGrid(head: readonly string[], rows: readonly (readonly string[])[], width: number): string {
    const grid = [head, ...rows].map((row) => [...row]);
    const natural = draw(grid);
    if (Math.max(...natural.split("\n").map(columns)) <= width) return natural;
    const byWords = narrowed(grid, width, wordWidth);
    if (byWords) return draw(grid, byWords);
    // On its side a row becomes a column headed by its first cell: a row that continues the one above it
    // (a blank first cell, as an endpoint's fallback type) is headed by that row's, marked as its own.
    const heads = grid.map((row) => row[0] ?? "");
    for (let r = 2; r < heads.length; r++) {
        if (heads[r] === "" && heads[r - 1] !== "") heads[r] = `${heads[r - 1].replace(/ \(cont\.\)$/, "")} (cont.)`;
    }
    const turned = head.map((_, c) => grid.map((row, r) => (c === 0 ? heads[r] : (row[c] ?? ""))));
    const turnedWidths = narrowed(turned, width, wordWidth);
    if (turnedWidths) return draw(turned, turnedWidths);
    // Too many columns either way: words break. A column never gets narrower than 3 characters.
    const broken = narrowed(grid, width, (cell) => Math.min(3, lineWidth(cell))) ?? grid[0].map(() => 3);
    return draw(grid, broken, true);
}
