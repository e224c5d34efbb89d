import * as assert from "node:assert/strict";
import { TYPES } from "../../lib/contract";
import { guardRequired } from "../../policies/safety";
import { stackViolations, TestResource, UNKNOWN_STRING } from "../helpers/policy-args";
import { stackWith } from "../helpers/policy-fixtures";

type Stack = Record<string, TestResource>;

/** Adds a guard IC on the happy endpoint, tagged with the checks it runs. */
function addGuard(
    s: Stack,
    checks: string | typeof UNKNOWN_STRING = "input,output",
    endpointName: unknown = "chat-endpoint-1234567",
): void {
    s.guardIc = {
        type: TYPES.inferenceComponent,
        name: "chat-guard-ic",
        props: {
            inferenceComponentName: "chat-guard-ic-1234567",
            endpointName,
            variantName: "AllTraffic",
            specification: {
                modelName: "chat-guard-model-1234567",
                computeResourceRequirements: { numberOfAcceleratorDevicesRequired: 1, minMemoryRequiredInMb: 16384 },
            },
            runtimeConfig: { copyCount: 1 },
            tags: [
                { key: "cost-center", value: "ml" },
                { key: "fmfleet:guard-for", value: checks },
            ],
        },
    };
}

const required = { endpoints: ["chat-endpoint"], checks: ["input", "output"] };

describe("guard-required", () => {
    it("passes when the named endpoint has a guard running the required checks", async () => {
        assert.deepEqual(
            await stackViolations(
                guardRequired,
                stackWith((s) => addGuard(s)),
                required,
            ),
            [],
        );
    });

    it("passes an endpoint the config does not name and nobody tagged (the default config names none)", async () => {
        assert.deepEqual(await stackViolations(guardRequired, stackWith()), []);
    });

    it("fails when a named endpoint has no guard", async () => {
        assert.deepEqual(await stackViolations(guardRequired, stackWith(), required), [
            'Endpoint "chat-endpoint" must have a safety guard inference component (the policy config names it), got none tagged fmfleet:guard-for. Add endpoints[].guard to its stack config (Llama Guard 3, docs/guarded-inference.md). @ chat-endpoint',
        ]);
    });

    it("names endpoints by their config name under the fleet's naming rule, or all with *", async () => {
        const fleetNamed = (s: Stack) => {
            s.endpoint.props.endpointName = "chat-0a1b2c3d";
            s.ic.props.endpointName = "chat-0a1b2c3d";
        };
        assert.equal((await stackViolations(guardRequired, stackWith(fleetNamed), { endpoints: ["chat"] })).length, 1);
        assert.equal((await stackViolations(guardRequired, stackWith(fleetNamed), { endpoints: ["cha"] })).length, 0);
        assert.equal((await stackViolations(guardRequired, stackWith(), { endpoints: ["*"] })).length, 1);
    });

    it("fails when the guard on it is elsewhere: a guard on another endpoint does not count", async () => {
        const violations = await stackViolations(
            guardRequired,
            stackWith((s) => addGuard(s, "input,output", "other-endpoint-1234567")),
            required,
        );
        assert.equal(violations.length, 1);
    });

    it("fails when the guard skips a required check", async () => {
        assert.deepEqual(
            await stackViolations(
                guardRequired,
                stackWith((s) => addGuard(s, "input")),
                required,
            ),
            [
                'Endpoint "chat-endpoint" must have a guard that checks input and output, got input. Add output to its guard\'s checks. @ chat-endpoint',
            ],
        );
    });

    it("requires a guard on an endpoint tagged customer-facing, unless turned off", async () => {
        const tagged = (s: Stack) => s.endpoint.props.tags.push({ key: "fmfleet:customer-facing", value: "true" });
        assert.deepEqual(await stackViolations(guardRequired, stackWith(tagged)), [
            'Endpoint "chat-endpoint" must have a safety guard inference component (it is tagged fmfleet:customer-facing=true), got none tagged fmfleet:guard-for. Add endpoints[].guard to its stack config (Llama Guard 3, docs/guarded-inference.md). @ chat-endpoint',
        ]);
        assert.deepEqual(await stackViolations(guardRequired, stackWith(tagged), { customerFacing: false }), []);
    });

    it("skips, without crashing, what preview does not know yet", async () => {
        for (const change of [
            (s: Stack) => addGuard(s, UNKNOWN_STRING),
            (s: Stack) => addGuard(s, "input,output", UNKNOWN_STRING),
            (s: Stack) => (s.endpoint.props.endpointName = UNKNOWN_STRING),
        ]) {
            assert.deepEqual(await stackViolations(guardRequired, stackWith(change), required), []);
        }
        // Unknown endpoint tags: not known to be customer-facing.
        const unknownTags = stackWith((s) => (s.endpoint.props.tags = UNKNOWN_STRING));
        assert.deepEqual(await stackViolations(guardRequired, unknownTags), []);
    });
});
