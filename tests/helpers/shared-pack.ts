import { PolicyPackHost } from "../../tools/plan/policy-host";
import { ProgramWorker } from "../../tools/plan/run-program-in-worker";
import { PACK_DIR } from "../../tools/policy-pack/sources";

/**
 * One policy pack for the whole test run, started the way the CLI starts one, and stopped by the root
 * hook in tests/setup.ts. Plans configure it themselves, so tests that use it run one at a time (mocha's
 * default).
 */
let shared: Promise<PolicyPackHost> | undefined;

export function sharedPack(): Promise<PolicyPackHost> {
    shared ??= PolicyPackHost.start(PACK_DIR);
    return shared;
}

/**
 * One program worker for the plans the suite runs in this process: loading the SDK in a worker thread
 * costs a second of CPU, more than planning the dev stack. It runs one program at a time, each afresh; a
 * program that fails stops it, and the next plan gets a new one.
 */
let worker: ProgramWorker | undefined;

export function sharedProgramWorker(): ProgramWorker {
    if (!worker?.alive) worker = ProgramWorker.start({ reusable: true });
    return worker;
}

/** Stops what the suite shared: the root hook in tests/setup.ts. */
export async function stopSharedPack(): Promise<void> {
    const stopping = [worker?.stop()];
    worker = undefined;
    if (shared) stopping.push((await shared).stop().then(() => 0));
    shared = undefined;
    await Promise.all(stopping);
}
