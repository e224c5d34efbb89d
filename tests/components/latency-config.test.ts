import * as assert from "node:assert/strict";
import { validateStackSettings } from "../../components";
import { issuesOf, validFleet } from "../helpers/configs";

const AT = "fleet.endpoints[0].foundationModels[0]";

function withModel(change: (model: any) => void): any {
    const fleet = validFleet();
    change(fleet.endpoints[0].foundationModels[0]);
    return fleet;
}

describe("config: latency SLOs and measured figures", () => {
    it("accepts an SLO and measured figures in their units", () => {
        const fleet = withModel((m) => {
            m.slo = { ttftMs: 800, tokensPerSecond: 20, maxColdStartSeconds: 600 };
            m.performance = { tokensPerSecond: 31.5 };
        });
        const settings = validateStackSettings(fleet, "ml");
        assert.deepEqual(settings.fleet.endpoints![0].foundationModels[0].slo, {
            ttftMs: 800,
            tokensPerSecond: 20,
            maxColdStartSeconds: 600,
        });
    });

    it("names the path, the value, the unit and the fix of every bad figure at once", () => {
        const fleet = withModel((m) => {
            m.slo = { ttftMs: 0, tokensPerSecond: "fast" };
            m.performance = { tokens: 40 };
        });
        assert.deepEqual(issuesOf(fleet), [
            `${AT}.slo.ttftMs: must be a positive number of milliseconds, got 0. Give it as a number, e.g. 500.`,
            `${AT}.slo.tokensPerSecond: must be a number, got string "fast". Set it to a number.`,
            `${AT}.performance.tokens: unknown key \`tokens\`. Remove it or fix its spelling (known keys: tokensPerSecond, ttftMs).`,
            `${AT}.performance: must give tokensPerSecond or ttftMs (or both), measured by a load test. Add them, or remove performance.`,
        ]);
    });

    it("refuses measured performance without any figure", () => {
        assert.deepEqual(issuesOf(withModel((m) => (m.performance = {}))), [
            `${AT}.performance: must give tokensPerSecond or ttftMs (or both), measured by a load test. Add them, or remove performance.`,
        ]);
    });
});
