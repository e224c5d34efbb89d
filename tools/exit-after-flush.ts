/**
 * Ends a command-line process with `code` once everything written to stdout and stderr has been handed to
 * the OS. On Linux, writes to a pipe are asynchronous: `process.exit` right after a write drops whatever
 * the pipe has not taken yet (a long JSON report arrived cut at 64 KiB). A zero-length write completes only
 * after every write queued before it, so exiting in its callback loses nothing.
 */
export function exitAfterFlush(code: number): void {
    process.exitCode = code;
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}
