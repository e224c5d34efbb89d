import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../../components";
import { FleetMocks } from "../../tools/mocks/fleet-mocks";
import { withoutPromiseTraces } from "../../tools/mocks/promise-traces";
import {
    inputsOf,
    outputsOf,
    RecordedResource,
    recordRegistrations,
    waitForRegistrations,
} from "../../tools/mocks/recorder";

export { inputsOf, outputsOf };
export type { RecordedResource };

/**
 * Runs `build` under fresh Pulumi mocks (installed before the code under test runs), waits for every
 * registration to settle and returns what was registered, with parents and options. Like a fresh
 * `pulumi up`, it starts with no stack config: a program run earlier in this process (tests/runtime runs
 * the prod stack's) must not lend it an `aws:region`.
 */
export async function underMocks<T>(
    build: () => T,
    stack = "test",
): Promise<{ result: T; resources: RecordedResource[] }> {
    pulumi.runtime.setAllConfig({});
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
 * Builds a component under mocks, expecting it to refuse its arguments (a ComponentArgsError) before
 * registering anything: its issues as `path: message` lines.
 */
export async function refused(build: () => unknown): Promise<string[]> {
    let issues: string[] = [];
    const { resources } = await underMocks(() => {
        try {
            build();
        } catch (e) {
            assert.ok(e instanceof ComponentArgsError, String(e));
            issues = e.issues.map((i) => `${i.path}: ${i.message}`);
            return;
        }
        assert.fail("the arguments were accepted");
    });
    assert.deepEqual(resources, [], "nothing registered");
    return issues;
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
