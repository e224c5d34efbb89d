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

/**
 * Lets a reader that leaves early (`fm-fleet plan --help | head -5`) end the output quietly: the closed pipe
 * fails the next write with EPIPE, which Node raises as an unhandled `error` event (a stack trace, exit 1)
 * unless someone listens. Nothing more can reach that reader, so the rest of the output is dropped and the
 * process ends with the code it would have had. Installed first thing in `main()`, before commander can
 * write a help text. Other write errors still throw.
 */
export function ignoreClosedPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
    for (const stream of streams) {
        stream.on("error", (error: NodeJS.ErrnoException) => {
            // A write after the EPIPE fails on the destroyed stream: the same closed reader.
            if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
            throw error;
        });
    }
}
