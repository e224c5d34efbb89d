import * as assert from "node:assert/strict";
import { backoffDelay, ColdStartTimeoutError, isNoCapacityError, retryWhileCold } from "../../runtime/cold-start";
import { isExpired, parseNewSessionId } from "../../runtime/sessions";
import { NO_CAPACITY_MESSAGE } from "../../tools/loopback/sagemaker-runtime-server";

const noCapacity = Object.assign(new Error(NO_CAPACITY_MESSAGE), { name: "ValidationError" });

describe("waking from zero (retryWhileCold)", () => {
    it("recognises only SageMaker's no-capacity ValidationError", () => {
        assert.equal(isNoCapacityError(noCapacity), true);
        assert.equal(
            isNoCapacityError(Object.assign(new Error("Invalid session"), { name: "ValidationError" })),
            false,
        );
        assert.equal(isNoCapacityError(Object.assign(new Error(NO_CAPACITY_MESSAGE), { name: "ModelError" })), false);
        assert.equal(isNoCapacityError(undefined), false);
    });

    it("doubles the delay up to the cap, with jitter in the upper half", () => {
        assert.deepEqual(
            [1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, 2_000, 30_000, () => 1)),
            [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
        );
        assert.deepEqual(
            [1, 2, 6].map((n) => backoffDelay(n, 2_000, 30_000, () => 0)),
            [1_000, 2_000, 15_000],
        );
    });

    it("waits out no-capacity answers on a simulated clock and reports each wait", async () => {
        let clock = 0;
        let calls = 0;
        const waits: number[] = [];
        const progress: number[] = [];
        const { result, attempts, waitedMs } = await retryWhileCold(
            async () => {
                if (++calls <= 4) throw noCapacity;
                return "ok";
            },
            {
                now: () => clock,
                random: () => 1,
                sleep: async (ms) => {
                    waits.push(ms);
                    clock += ms;
                },
                onWaiting: (p) => progress.push(p.remainingMs),
            },
        );
        assert.equal(result, "ok");
        assert.equal(attempts, 5);
        assert.deepEqual(waits, [2_000, 4_000, 8_000, 16_000]);
        assert.equal(waitedMs, 30_000);
        assert.deepEqual(progress, [600_000, 598_000, 594_000, 586_000]);
    });

    it("stops at the budget, never sleeping past it", async () => {
        let clock = 0;
        const waits: number[] = [];
        await assert.rejects(
            retryWhileCold(
                async () => {
                    throw noCapacity;
                },
                {
                    budgetMs: 45_000,
                    now: () => clock,
                    random: () => 1,
                    sleep: async (ms) => {
                        waits.push(ms);
                        clock += ms;
                    },
                },
            ),
            (e: Error) => {
                assert.ok(e instanceof ColdStartTimeoutError);
                assert.equal(e.attempts, 6);
                assert.equal(e.elapsedMs, 45_000);
                assert.equal(
                    e.message,
                    "The inference component had no capacity for 45 s over 6 attempts, beyond the cold-start budget. It may still be waking (check its scaling alarm), or raise the budget.",
                );
                return true;
            },
        );
        assert.deepEqual(waits, [2_000, 4_000, 8_000, 16_000, 15_000]);
    });

    it("rethrows any other error at once", async () => {
        let calls = 0;
        await assert.rejects(
            retryWhileCold(async () => {
                calls++;
                throw Object.assign(new Error("boom"), { name: "ModelError" });
            }),
            { name: "ModelError", message: "boom" },
        );
        assert.equal(calls, 1);
    });
});

describe("sticky sessions (parseNewSessionId)", () => {
    it("reads the id and an ISO or epoch expiry", () => {
        assert.deepEqual(parseNewSessionId("abc-123; Expires=2026-11-26T13:00:00Z"), {
            id: "abc-123",
            expiresAt: new Date("2026-11-26T13:00:00Z"),
        });
        assert.deepEqual(parseNewSessionId("abc-123;expires=1764162000"), {
            id: "abc-123",
            expiresAt: new Date(1764162000 * 1000),
        });
        assert.deepEqual(parseNewSessionId("abc-123"), { id: "abc-123", expiresAt: undefined });
        assert.deepEqual(parseNewSessionId("abc-123; Expires=soon"), { id: "abc-123", expiresAt: undefined });
    });

    it("knows when a session expired", () => {
        const session = { id: "s", expiresAt: new Date("2026-11-26T13:00:00Z") };
        assert.equal(isExpired(session, new Date("2026-11-26T12:59:59Z")), false);
        assert.equal(isExpired(session, new Date("2026-11-26T13:00:00Z")), true);
        assert.equal(isExpired({ id: "s", expiresAt: undefined }), false);
    });
});
