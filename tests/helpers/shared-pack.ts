import { PolicyPackHost } from "../../tools/plan/policy-host";
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

export async function stopSharedPack(): Promise<void> {
    if (shared) await (await shared).stop();
    shared = undefined;
}
