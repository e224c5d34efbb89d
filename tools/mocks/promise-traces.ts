/**
 * The Pulumi SDK wraps its internal promises in "debuggable" promises, each capturing `new Error().stack`
 * only to name leaked promises at exit. Under ts-node every such trace is source-mapped, which costs more
 * than the registration itself (2,000 bare registrations: 21 s with these traces, 2.7 s without, measured
 * by `npm run bench`). Resource registrations capture their own source position with their own stack
 * limit (`Resource.callsites` raises it to Infinity), so turning the default limit to 0 while a program
 * runs under mocks changes nothing that is registered or checked.
 *
 * Set FM_FLEET_STACK_TRACES=1 to keep full traces, e.g. to debug a program that throws. The plan and the
 * simulation read it once per run (`stackTracesFromEnvironment`) and send it to the program's worker with
 * the run; the plan's `--verbose` turns traces on for its own run without touching the environment.
 */
export async function withoutPromiseTraces<T>(run: () => Promise<T>): Promise<T> {
    if (stackTracesFromEnvironment()) return run();
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await run();
    } finally {
        Error.stackTraceLimit = limit;
    }
}

/** Whether the environment asks for full traces (`FM_FLEET_STACK_TRACES=1`): the default of a run's `stackTraces`. */
export function stackTracesFromEnvironment(): boolean {
    return process.env.FM_FLEET_STACK_TRACES === "1";
}
