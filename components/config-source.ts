import type * as pulumi from "@pulumi/pulumi";

/**
 * The key, on `globalThis`, of the hook that hears which stack config each resource comes from. Only the
 * offline plan installs one (tools/plan/run-program.ts), while it runs the program under mocks; under the
 * Pulumi CLI there is none and recording does nothing: no tag, no output, no state.
 */
export const CONFIG_SOURCE_HOOK = Symbol.for("fm-fleet.configSource");

/** What the plan installs under {@link CONFIG_SOURCE_HOOK}. */
export type ConfigSourceHook = (resource: pulumi.Resource, configPath: string) => void;

/**
 * Records that `resource` (and, unless recorded otherwise, everything under it) was made from the stack
 * config at `configPath` (`fleet.endpoints[0].foundationModels[1]`), so the plan can point a violation back
 * to the line a person edits. A no-op unless the plan listens.
 */
export function recordConfigSource(resource: pulumi.Resource, configPath: string): void {
    const hook = (globalThis as { [CONFIG_SOURCE_HOOK]?: ConfigSourceHook })[CONFIG_SOURCE_HOOK];
    if (typeof hook === "function") hook(resource, configPath);
}
