/**
 * A JSON.parse error of `text` with its line and column (1-based), which Node 20's message lacks ("... in
 * JSON at position 54"); a message that already names them (newer V8: "(line 3 column 5)") is kept as is.
 */
export function jsonErrorWithLine(text: string, error: Error): string {
    const message = error.message;
    if (/\(line \d+ column \d+\)/.test(message)) return message;
    const position = /at position (\d+)/.exec(message);
    // "Unexpected end of JSON input": the position is the end of the text.
    const at = position ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : undefined;
    if (at === undefined) return message;
    const before = text.slice(0, at).split("\n");
    return `${message} (line ${before.length} column ${before[before.length - 1].length + 1})`;
}
