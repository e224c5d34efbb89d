import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SOURCE_HOOK, ConfigSourceHook } from "../../components/config-source";
import { FleetMocks } from "../mocks/fleet-mocks";
import { withoutPromiseTraces } from "../mocks/promise-traces";
import { RecordedResource, recordRegistrations, waitForRegistrations } from "../mocks/recorder";
import { programFile, requireProgram } from "./program-file";
import { StackSettingsFile } from "./stack-files";

/** The outcome of running a program under mocks. */
export interface ProgramRun {
    readonly resources: RecordedResource[];
    /** The stack's exports. */
    readonly outputs: Record<string, unknown>;
    /**
     * URN -> the stack config path it was made from (`fleet.endpoints[0]`), for the resources the program
     * recorded one for (components/config-source.ts); what is under them inherits it (see config-paths.ts).
     */
    readonly configSources: Record<string, string>;
}

/**
 * Runs a Pulumi program in this process under the SDK's own mocks, with its stack config set as the CLI
 * would set it, inside a root Stack resource (so exports and parents are what the engine would see).
 * `onResource` sees each registration as it happens, so a policy pack can analyze while the program runs.
 */
export async function runProgram(
    settings: StackSettingsFile,
    stack: string,
    onResource?: (resource: RecordedResource) => void,
    retain?: (resource: RecordedResource) => boolean,
): Promise<ProgramRun> {
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);
    await pulumi.runtime.setMocks(new FleetMocks(), settings.project, stack, false);
    const resources = recordRegistrations(onResource, retain);
    const configSources: Record<string, string> = {};
    const sourcesKnown: Promise<void>[] = [];
    const hook: ConfigSourceHook = (resource, configPath) =>
        sourcesKnown.push(
            new Promise((resolve) =>
                resource.urn.apply((urn) => {
                    configSources[urn] = configPath;
                    resolve();
                }),
            ),
        );
    const global = globalThis as { [CONFIG_SOURCE_HOOK]?: ConfigSourceHook };
    global[CONFIG_SOURCE_HOOK] = hook;
    try {
        const outputs = await withoutPromiseTraces(async () => {
            const exports = await pulumi.runtime.runInPulumiStack(async () => {
                const main = requireProgram(programFile(settings.main));
                return typeof main === "function" ? await main() : main;
            });
            await waitForRegistrations();
            await Promise.all(sourcesKnown);
            return exports;
        });
        return { resources, outputs: (outputs ?? {}) as Record<string, unknown>, configSources };
    } finally {
        if (global[CONFIG_SOURCE_HOOK] === hook) delete global[CONFIG_SOURCE_HOOK];
    }
}
