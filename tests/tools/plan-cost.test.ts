import * as assert from "node:assert/strict";
import { stackCost } from "../../lib/cost";
import type { PlanResult } from "../../tools/plan/plan";
import { planJson } from "../../tools/plan/report/json";
import { costSummary } from "../../tools/plan/report/shared";
import { renderMarkdown } from "../../tools/plan/report/markdown";
import { renderTable } from "../../tools/plan/report/table";

/** The clock the reports judge prices' ages by. */
const NOW = new Date("2026-12-06T08:00:00Z");

/** A plan with prod's cost shapes (its fallback pool and multi-model endpoint) and nothing else. */
const PROD = {
    project: "fm-fleet",
    stack: "prod",
    resources: [],
    outputs: {},
    fleet: [],
    optimizationJobs: [],
    diagnostics: [],
    preflight: [],
    physicalNames: [],
    policyPack: {
        name: "fm-fleet-guardrails",
        version: "0.2.0",
        configFile: undefined,
        config: {},
        configWarnings: [],
    },
    exitCode: 0,
    cost: stackCost([
        {
            name: "chat",
            instanceType: "ml.g5.12xlarge",
            fallbackInstanceTypes: ["ml.g6e.12xlarge"],
            minInstances: 2,
            maxInstances: 4,
            models: 3,
            adapters: 4,
            hostedModels: [
                { parametersBillions: 8, quantization: "none", adapters: 0 },
                { parametersBillions: 70, quantization: "awq", adapters: 0 },
                { parametersBillions: 8, quantization: "none", adapters: 4 },
            ],
        },
        { name: "classic", instanceType: "ml.m5.xlarge", minInstances: 2, maxInstances: 4, models: 1, adapters: 0 },
    ]),
} as unknown as PlanResult;

const DEDICATED =
    "Dedicated: each base model and each adapter (merged into its base) on its own always-on endpoint of the cheapest type of the same accelerator maker that holds its weights (weights-fit rule), with the endpoint's min instances (at least 1); a CPU type, a model of unknown size, and a multi-model endpoint or pipeline (one endpoint) stay on the endpoint's type; never counted below the endpoint's idle floor.";
const POOL =
    "An endpoint with fallback types has a row per type at its own price: idle instances run on the first; its peak ceiling is its dearest row (max instances all on that type), and the Stack row adds that one.";

describe("plan cost reports: dedicated baseline, a row per pool type, old prices flagged (tools/plan/report)", () => {
    it("prints a row per pool type with its own price, the baseline's definition and the flagged price", () => {
        // Wide enough that no cell wraps: the rows are read cell by cell.
        const text = renderTable(PROD, { now: NOW, width: 1000 });
        const lines = text.split("\n");
        const cells = (line: string) =>
            line
                .split("│")
                .slice(1, -1)
                .map((c) => c.trim());
        const rows = lines.filter((l) => l.startsWith("│")).map(cells);
        assert.deepEqual(rows, [
            [
                "Endpoint",
                "Instance type",
                "$/hour",
                "Instances",
                "Idle floor",
                "Peak ceiling",
                "Dedicated",
                "Price as of",
            ],
            [
                "chat",
                "ml.g5.12xlarge",
                "$7.09",
                "2-4",
                "$10,351",
                "$20,703",
                "$13,680",
                "2024-03-26 (over 12 months old)",
            ],
            ["", "ml.g6e.12xlarge (fallback)", "$13.1158", "up to 4", "", "$38,298", "", "2026-10-05"],
            ["classic", "ml.m5.xlarge", "$0.23", "2-4", "$336", "$672", "$336", "2026-06-27"],
            ["Stack", "", "", "", "$10,687", "$38,970", "$14,016", ""],
        ]);
        const after = lines.slice(lines.findIndex((l) => l.startsWith("└")) + 1);
        assert.deepEqual(after.slice(0, 5), [
            DEDICATED,
            POOL,
            "Idle floor $10,687/month, peak ceiling $38,970/month; dedicated endpoints would cost $14,016/month.",
            "Prices as of: ml.g5.12xlarge 2024-03-26 (over 12 months old), ml.g6e.12xlarge 2026-10-05, ml.m5.xlarge 2026-06-27.",
            "",
        ]);
    });

    it("writes the same rows in Markdown", () => {
        const lines = renderMarkdown(PROD, { now: NOW }).split("\n");
        const start = lines.indexOf("#### Cost (USD per month, us-east-1 on-demand hosting, 730 h)");
        assert.deepEqual(lines.slice(start, start + 16), [
            "#### Cost (USD per month, us-east-1 on-demand hosting, 730 h)",
            "",
            "| Endpoint | Instance type | $/hour | Instances | Idle floor | Peak ceiling | Dedicated | Price as of |",
            "| --- | --- | ---: | --- | ---: | ---: | ---: | --- |",
            "| `chat` | ml.g5.12xlarge | $7.09 | 2-4 | $10,351 | $20,703 | $13,680 | 2024-03-26 (over 12 months old) |",
            "|  | ml.g6e.12xlarge (fallback) | $13.1158 | up to 4 |  | $38,298 |  | 2026-10-05 |",
            "| `classic` | ml.m5.xlarge | $0.23 | 2-4 | $336 | $672 | $336 | 2026-06-27 |",
            "| **Stack** | | | | **$10,687** | **$38,970** | **$14,016** | |",
            "",
            DEDICATED,
            "",
            POOL,
            "",
            "Idle floor $10,687/month, peak ceiling $38,970/month; dedicated endpoints would cost $14,016/month.",
            "",
            "Prices as of: ml.g5.12xlarge 2024-03-26 (over 12 months old), ml.g6e.12xlarge 2026-10-05, ml.m5.xlarge 2026-06-27.",
        ]);
    });

    it("gives each pool type its price, age and ceiling in JSON, and the baseline's definition", () => {
        const cost = planJson(PROD, undefined, NOW).cost as any;
        assert.equal(cost.dedicatedUsd, 1.1267 * 12 * 730 + 2.61 * 2 * 730 + 2 * 0.23 * 730);
        assert.equal(cost.dedicatedBaseline, DEDICATED);
        assert.equal(cost.stalePriceMonths, 12);
        assert.deepEqual(cost.endpoints[0].instanceTypes, [
            {
                instanceType: "ml.g5.12xlarge",
                role: "first",
                usdPerHour: 7.09,
                priceAsOf: "2024-03-26",
                priceAgeMonths: 32,
                stale: true,
                peakCeilingUsd: 4 * 7.09 * 730,
            },
            {
                instanceType: "ml.g6e.12xlarge",
                role: "fallback",
                usdPerHour: 13.1158,
                priceAsOf: "2026-10-05",
                priceAgeMonths: 2,
                stale: false,
                peakCeilingUsd: 4 * 13.1158 * 730,
            },
        ]);
        assert.equal(cost.endpoints[0].peakCeilingUsd, 4 * 13.1158 * 730);
        assert.deepEqual(cost.endpoints[0].dedicatedEndpoints, [
            { instanceType: "ml.g6.xlarge", endpoints: 6, instancesEach: 2 },
            { instanceType: "ml.g6e.xlarge", endpoints: 1, instancesEach: 2 },
        ]);
        assert.deepEqual(
            [cost.endpoints[1].priceAgeMonths, cost.endpoints[1].stale, cost.endpoints[1].dedicatedUsd],
            [5, false, 2 * 0.23 * 730],
        );
    });

    it("says when dedicated endpoints would idle below the shared floor, which is counted instead", () => {
        const p5 = {
            ...PROD,
            cost: stackCost([
                {
                    name: "big",
                    instanceType: "ml.p5.48xlarge",
                    minInstances: 2,
                    maxInstances: 2,
                    models: 1,
                    adapters: 0,
                    hostedModels: [{ parametersBillions: 8, quantization: "none", adapters: 0 }],
                },
            ]),
        } as PlanResult;
        assert.equal(
            costSummary(p5),
            "Idle floor $165,079/month, peak ceiling $165,079/month; dedicated endpoints would cost $165,079/month. big: dedicated endpoints would idle for less than the shared endpoint's floor, which is counted instead.",
        );
        assert.deepEqual((planJson(p5, undefined, NOW) as any).cost.dedicatedAtFloor, ["big"]);
        assert.equal(costSummary(PROD).includes("would idle for less"), false);
    });
});
