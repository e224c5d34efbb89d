import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { FleetMocks } from "../../tools/mocks/fleet-mocks";
import { withoutPromiseTraces } from "../../tools/mocks/promise-traces";
import { inputsOf, RecordedResource, recordRegistrations, waitForRegistrations } from "../../tools/mocks/recorder";

export { inputsOf };
export type { RecordedResource };

/**
 * Runs `build` under fresh Pulumi mocks (installed before the code under test runs), waits for every
 * registration to settle and returns what was registered, with parents and options.
 */
export async function underMocks<T>(
    build: () => T,
    stack = "test",
): Promise<{ result: T; resources: RecordedResource[] }> {
    await pulumi.runtime.setMocks(new FleetMocks(), "fm-fleet", stack, false);
    const resources = recordRegistrations();
    const result = await withoutPromiseTraces(async () => {
        const built = build();
        await waitForRegistrations();
        return built;
    });
    return { result, resources };
}

/**
 * Runs `build` under mocks expecting it to throw: returns the error and whatever was registered before it
 * (which must be nothing, when a component checks its arguments first).
 */
export async function failureUnderMocks(
    build: () => unknown,
): Promise<{ error: unknown; resources: RecordedResource[] }> {
    const { result, resources } = await underMocks(() => {
        try {
            build();
        } catch (e) {
            return e;
        }
        return undefined;
    });
    assert.notEqual(result, undefined, "expected the build to throw");
    return { error: result, resources };
}

/** The value of an Output (tests never run in preview, so it is always known). */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** The one resource of `type` named `name`; fails the test with what exists when it is missing. */
export function find(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
    const found = resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `expected one ${type} "${name}"; have: ${resources.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** Names of the resources of `type`, in registration order. */
export function namesOf(resources: readonly RecordedResource[], type: string): string[] {
    return resources.filter((r) => r.type === type).map((r) => r.name);
}

/** `type -> count` of what was registered. */
export function countByType(resources: readonly RecordedResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
}
