import * as assert from "node:assert/strict";
import { childrenTimes, mochaCounts, timesSeconds } from "../../tools/bench/tests";

describe("bench:tests (tools/bench/tests)", () => {
    it("reads the children's CPU time from bash's `times` and mocha's closing counts", () => {
        assert.equal(timesSeconds("1m23.456s"), 83.456);
        assert.throws(() => timesSeconds("83.4"), { message: "not a bash `times` figure: 83.4" });
        assert.deepEqual(childrenTimes("0m0.010s 0m0.020s\n1m23.456s 0m12.300s\n"), { userS: 83.456, sysS: 12.3 });
        assert.deepEqual(mochaCounts("\n  538 passing (2m)\n  2 failing\n\n  1) a test\n"), {
            passing: 538,
            failing: 2,
        });
        assert.deepEqual(mochaCounts("  5 passing (1s)\n"), { passing: 5, failing: 0 });
    });
});
