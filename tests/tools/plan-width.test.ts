import * as assert from "node:assert/strict";
import * as path from "path";
import { CONFIG_SOURCE_HOOK, recordConfigSource } from "../../components/config-source";
import { runPlanCli } from "../../tools/plan/cli";
import { plan, PlanResult } from "../../tools/plan/plan";
import { fitGrid, reportWidth, wrap, wrapTree } from "../../tools/plan/report/fit";
import { planJson } from "../../tools/plan/report/json";
import { renderMarkdown } from "../../tools/plan/report/markdown";
import { renderTable } from "../../tools/plan/report/table";
import { ROOT } from "../helpers/configs";
import { planInProcess } from "../helpers/plan-cli";
import { sharedPack } from "../helpers/shared-pack";

describe("the table report fits a terminal (tools/plan/report/fit)", () => {
    it("wraps text at spaces under a hanging indent, and gives a word longer than the room a line of its own", () => {
        assert.deepEqual(wrap("aa bb cc dd", 8, "> ", "  "), ["> aa bb", "  cc dd"]);
        assert.deepEqual(wrap("see https://example.com/a/very/long/path now", 12, "", "  "), [
            "see",
            "  https://example.com/a/very/long/path",
            "  now",
        ]);
    });

    it("wraps tree lines under their open bars, with a bar where the node's children hang", () => {
        const tree = [
            "└─ endpoint e: aaa bbb ccc ddd",
            "   │  config c",
            "   └─ ic m: eee fff ggg hhh",
            "      └─ latency: iii jjj kkk",
        ];
        assert.deepEqual(wrapTree(tree, 20), [
            "└─ endpoint e: aaa",
            "   │  bbb ccc ddd",
            "   │  config c",
            "   └─ ic m: eee fff",
            "      │  ggg hhh",
            "      └─ latency:",
            "            iii jjj",
            "            kkk",
        ]);
        assert.deepEqual(wrapTree(["├─ a b", "│  └─ c d"], 60), ["├─ a b", "│  └─ c d"], "lines that fit are kept");
    });

    it("narrows a table's widest columns, wrapping cells at spaces, when that fits", () => {
        assert.equal(
            fitGrid(["Name", "Words"], [["a", "one two three"]], 16),
            [
                "┌──────┬───────┐",
                "│ Name │ Words │",
                "├──────┼───────┤",
                "│ a    │ one   │",
                "│      │ two   │",
                "│      │ three │",
                "└──────┴───────┘",
            ].join("\n"),
        );
    });

    it("turns a table on its side when its columns cannot narrow enough without breaking words", () => {
        assert.equal(
            fitGrid(["Endpoint", "Instances", "Idle", "Peak"], [["chat-12345678", "0-2", "$0", "$1,784"]], 30),
            [
                "┌───────────┬───────────────┐",
                "│ Endpoint  │ chat-12345678 │",
                "├───────────┼───────────────┤",
                "│ Instances │ 0-2           │",
                "├───────────┼───────────────┤",
                "│ Idle      │ $0            │",
                "├───────────┼───────────────┤",
                "│ Peak      │ $1,784        │",
                "└───────────┴───────────────┘",
            ].join("\n"),
        );
    });

    it("heads a row that continues the one above (a fallback type) by that row's name when turned", () => {
        const head = ["Endpoint", "Instance type", "$/hour", "Instances", "Idle floor", "Peak ceiling", "Dedicated"];
        const rows = [
            ["chat-12345678", "ml.g5.12xlarge", "$7.09", "2-4", "$10,351", "$20,703", "$13,680"],
            ["", "ml.g6e.12xlarge (fallback)", "$13.1158", "up to 4", "", "$38,298", ""],
            ["Stack", "", "", "", "$10,351", "$38,298", "$13,680"],
        ];
        assert.deepEqual(fitGrid(head, rows, 70).split("\n").slice(0, 6), [
            "┌───────────────┬────────────────┬───────────────────────┬─────────┐",
            "│ Endpoint      │ chat-12345678  │ chat-12345678 (cont.) │ Stack   │",
            "├───────────────┼────────────────┼───────────────────────┼─────────┤",
            "│ Instance type │ ml.g5.12xlarge │ ml.g6e.12xlarge       │         │",
            "│               │                │ (fallback)            │         │",
            "├───────────────┼────────────────┼───────────────────────┼─────────┤",
        ]);
    });

    it("breaks words, keeping every character, only when the table fits no other way", () => {
        const head = ["a", "b", "c", "d"];
        const rows = [["abcdefghij", "klmnopqrst", "uvwxyz0123", "456789"]];
        const table = fitGrid(head, [...rows, ...rows], 40);
        for (const line of table.split("\n")) assert.ok(line.length <= 40, line);
        const cells = table.replace(/[│┌┐└┘├┤┬┴┼─\s]/g, "");
        for (const ch of rows[0].join("")) assert.ok(cells.includes(ch), ch);
        assert.equal(cells.length, [...head, ...rows[0], ...rows[0]].join("").length);
    });

    it("takes --width, else the terminal's columns, else COLUMNS, else 100, and no terminal narrower than 60", () => {
        assert.equal(reportWidth(70, 132, "90"), 70);
        assert.equal(reportWidth(undefined, 132, "90"), 132);
        assert.equal(reportWidth(undefined, undefined, "90"), 90);
        assert.equal(reportWidth(undefined, undefined, "wide"), 100);
        assert.equal(reportWidth(undefined, undefined, undefined), 100);
        assert.equal(reportWidth(undefined, 40, undefined), 60);
    });

    for (const bad of ["40", "wide", "80.5"]) {
        it(`refuses --width ${bad} with exit 2 and one line naming the flag, the value and the fix`, async () => {
            assert.deepEqual(await planInProcess("--width", bad), {
                code: 2,
                stdout: "",
                stderr: `error: option '--width <columns>' argument '${bad}' is invalid. expected a whole number of columns, at least 60, got "${bad}". Pass e.g. --width 100, or leave it out to fit the terminal.\n`,
            });
        });
    }

    it("records no config source outside the plan: without its hook, recording does nothing", () => {
        assert.equal((globalThis as Record<symbol, unknown>)[CONFIG_SOURCE_HOOK], undefined);
        // A resource is never touched: the call returns before reading it.
        recordConfigSource(undefined as never, "fleet");
    });
});

/** Words of a report, without the drawing: what must survive any wrapping, in any order. */
const words = (text: string) =>
    text
        .split(/[\s│├└─┌┐┘┬┴┼┤]+/)
        .filter(Boolean)
        .sort();

/** `-<8 hex>` name suffixes as `-<hash>`, so expectations read the names the config gives. */
const unhashed = (text: string) => text.replace(/-[0-9a-f]{8}\b/g, "-<hash>");

describe("the plan's findings at a terminal's width (tools/plan/report)", function () {
    // Four plans, each a program under mocks judged by the pack.
    this.timeout(180_000);
    const plans: Record<string, PlanResult> = {};
    let defectsCli = "";
    let defectsTerminal = "";

    before(async () => {
        const policyPackHost = await sharedPack();
        const config = (stack: string) => path.join(ROOT, "policies/config", `${stack}.json`);
        plans.dev = await plan({ projectDir: ROOT, stack: "dev", policyConfigFile: config("dev"), policyPackHost });
        plans.prod = await plan({ projectDir: ROOT, stack: "prod", policyConfigFile: config("prod"), policyPackHost });
        plans.violating = await plan({
            projectDir: ROOT,
            stack: "violating",
            stackFile: path.join(ROOT, "tests/fixtures/Pulumi.violating.yaml"),
            policyConfigFile: config("dev"),
            policyPackHost,
        });
        const defects = ["--cwd", path.join(ROOT, "tests/fixtures/defects"), "--stack", "defects"];
        plans.defects = await plan({
            projectDir: path.join(ROOT, "tests/fixtures/defects"),
            stack: "defects",
            policyPackHost,
        });
        const run = await planInProcess(...defects, "--width", "80");
        assert.equal(run.code, 1, run.stderr);
        defectsCli = run.stdout;
        // A terminal 120 columns wide, as process.stdout reports one; no --width.
        let stdout = "";
        const code = await runPlanCli(
            defects,
            { stdout: { write: (chunk: string) => (stdout += chunk), columns: 120 }, stderr: { write: () => true } },
            policyPackHost,
        );
        assert.equal(code, 1);
        defectsTerminal = stdout;
    });

    for (const stack of ["dev", "prod", "violating", "defects"]) {
        it(`fits the ${stack} plan to 80, 100 and 120 columns and loses no word of it`, () => {
            const whole = renderTable(plans[stack], { width: Number.MAX_SAFE_INTEGER });
            // Without fitting, each of these plans has lines far wider than a terminal.
            assert.ok(Math.max(...whole.split("\n").map((l) => l.length)) > 150, stack);
            for (const width of [80, 100, 120]) {
                const fitted = renderTable(plans[stack], { width });
                for (const line of fitted.split("\n")) {
                    if (line.length <= width) continue;
                    // The one exception: a word longer than its line's room (a URL, a long resource name in a
                    // message) is kept whole on a line of its own, so it can be copied and opened.
                    const text = line.replace(/^[ │├└─]*/, "");
                    assert.ok(!text.includes(" "), `${stack} at ${width}: ${line.length} columns: ${line}`);
                }
                // Nothing lost; the only words added head a turned table's continued row: "<endpoint> (cont.)".
                const extra = [...words(fitted)];
                for (const w of words(whole)) {
                    const at = extra.indexOf(w);
                    assert.ok(at >= 0, `${stack} at ${width}: lost "${w}"`);
                    extra.splice(at, 1);
                }
                const continued = extra.filter((w) => w === "(cont.)").length;
                assert.equal(extra.length, 2 * continued, `${stack} at ${width}: added ${extra.join(" ")}`);
                for (const w of extra)
                    assert.ok(w === "(cont.)" || plans[stack].fleet.some((e) => e.endpointName === w), w);
            }
        });
    }

    it("lists a deploy finding that is also a policy violation once, saying both; the counts still add up", () => {
        const result = plans.defects;
        const text = renderTable(result, { width: Number.MAX_SAFE_INTEGER });
        const ic = "customer-support-assistants-east-llama-3-1-8b-instruct-v2-base";
        const icName = "customer-support-assistants-east-llama-3-1-8b-instruct--e83cee6";
        const also = (policy: string) => `[also policy ${policy}, mandatory]`;
        assert.deepEqual(
            text.split("\n").filter((l) => /^(Would fail|Policy violations|FAILED| {2}[a-z]| {4}\[)/.test(l)),
            [
                "Would fail at deploy (11)",
                "    [duplicate-urn] twice (twice-a)",
                `    [adapter-artifact-tarball] prefix-adapter ${also("adapter-artifact-tarball")}`,
                `    [adapter-no-compute] compute-adapter ${also("adapter-no-compute")}`,
                `    [endpoint-kms-encryption] chat-config ${also("endpoint-kms-encryption")}`,
                `    [endpoint-volume-size] chat-config ${also("endpoint-volume-size")}`,
                `    [cloudformation-schema] ${ic} (${icName})`,
                `    [sagemaker-physical-names] ${ic} (${icName}) ${also("sagemaker-physical-names")}`,
                "    [dependency-order] prefix-adapter",
                "    [dependency-order] compute-adapter",
                `    [dependency-order] ${ic} (${icName})`,
                `    [inference-component-model-data] ${ic} (${icName}) ${also("inference-component-model-data")}`,
                "Policy violations",
                '  mandatory (8; 6 of them listed under "Would fail at deploy")',
                `    [autoscaling-required] ${ic} (${icName})`,
                "    [prod-instance-count] chat-config",
                "  advisory (3)",
                `    [availability-zone-balance] ${ic} (${icName})`,
                "    [observability-required] (stack)",
                `    [observability-required] ${ic} (${icName})`,
                "FAILED: 11 findings that would fail at deploy, 8 mandatory policy violations (6 in both, 13 in all).",
            ],
        );
        // Each message once: the pack's words for the six are the preflight's.
        for (const d of result.diagnostics) assert.equal(text.split(d.message).length - 1, 1, d.message);
        assert.equal(result.exitCode, 1, "exit codes do not change");

        // JSON keeps both lists whole, each naming its twin in the other.
        const json = planJson(result) as any;
        assert.deepEqual(json.summary, { resources: 9, wouldFailAtDeploy: 11, mandatory: 8, advisory: 3 });
        assert.equal(json.violations.length, 11);
        assert.deepEqual(
            json.deployPreflight.flatMap((f: any, i: number) => {
                if (f.alsoViolation === null) return [];
                const v = json.violations[f.alsoViolation];
                return [[i, f.check, v.policy, v.enforcementLevel, v.urn === f.urn, v.alsoDeployPreflight]];
            }),
            [
                [1, "adapter-artifact-tarball", "adapter-artifact-tarball", "mandatory", true, 1],
                [2, "adapter-no-compute", "adapter-no-compute", "mandatory", true, 2],
                [3, "endpoint-kms-encryption", "endpoint-kms-encryption", "mandatory", true, 3],
                [4, "endpoint-volume-size", "endpoint-volume-size", "mandatory", true, 4],
                [6, "sagemaker-physical-names", "sagemaker-physical-names", "mandatory", true, 6],
                [10, "inference-component-model-data", "inference-component-model-data", "mandatory", true, 10],
            ],
        );
        assert.deepEqual(
            json.violations
                .filter((v: any) => v.alsoDeployPreflight === null)
                .map((v: any) => v.policy)
                .sort(),
            [
                "autoscaling-required",
                "availability-zone-balance",
                "observability-required",
                "observability-required",
                "prod-instance-count",
            ],
        );
        // A program written by hand has no stack config behind its resources: just the names.
        assert.deepEqual(result.configPaths, {});
        for (const entry of [...json.deployPreflight, ...json.violations]) {
            assert.equal(entry.configPath, null);
            assert.equal(entry.configFile, null);
        }

        // The pull-request comment too: once, saying both.
        const markdown = renderMarkdown(result);
        assert.ok(
            markdown.includes(
                "| `adapter-artifact-tarball`<br/>also policy `adapter-artifact-tarball`, mandatory | `prefix-adapter` | Adapter inference component",
            ),
        );
        const violations = markdown.slice(markdown.indexOf("#### Policy violations"), markdown.indexOf("#### Cost"));
        assert.ok(violations.includes('8 mandatory, 3 advisory; 6 of them listed under "Would fail at deploy".'));
        assert.equal((violations.match(/^\| (mandatory|advisory) \|/gm) ?? []).length, 5);
    });

    it("names each violation's stack config path beside its logical and physical names", () => {
        const result = plans.violating;
        const endpoint = result.fleet[0];
        const at = (configPath: string) => `      tests/fixtures/Pulumi.violating.yaml: ${configPath}`;
        const text = renderTable(result, { width: Number.MAX_SAFE_INTEGER });
        assert.deepEqual(
            text.split("\n").filter((l) => /^ {4}\[| {6}tests\//.test(l)),
            [
                `    [allowed-instance-families] fleet/big-config (${endpoint.endpointConfigName})`,
                at("fleet.endpoints[0]"),
                "    [min-copies] fleet/big/llama3-70b-scaling-target",
                at("fleet.endpoints[0].foundationModels[0]"),
                `    [min-copies] fleet/big-config (${endpoint.endpointConfigName})`,
                at("fleet.endpoints[0]"),
                "    [monthly-cost-budget] (stack)",
                "    [monthly-cost-budget] (stack)",
                `    [quantization-required-above-size] fleet/big/llama3-70b-ic (${endpoint.models[0].inferenceComponentName})`,
                at("fleet.endpoints[0].foundationModels[0]"),
            ],
        );
        assert.equal(unhashed(endpoint.models[0].inferenceComponentName), "big-llama3-70b-<hash>");
        const json = planJson(result) as any;
        assert.deepEqual(
            json.violations
                .map((v: any) => [
                    v.policy,
                    v.resource,
                    v.physicalName && unhashed(v.physicalName),
                    v.configFile,
                    v.configPath,
                ])
                .sort(),
            [
                [
                    "allowed-instance-families",
                    "fleet/big-config",
                    "big-<hash>",
                    "tests/fixtures/Pulumi.violating.yaml",
                    "fleet.endpoints[0]",
                ],
                [
                    "min-copies",
                    "fleet/big-config",
                    "big-<hash>",
                    "tests/fixtures/Pulumi.violating.yaml",
                    "fleet.endpoints[0]",
                ],
                [
                    "min-copies",
                    "fleet/big/llama3-70b-scaling-target",
                    null,
                    "tests/fixtures/Pulumi.violating.yaml",
                    "fleet.endpoints[0].foundationModels[0]",
                ],
                ["monthly-cost-budget", null, null, null, null],
                ["monthly-cost-budget", null, null, null, null],
                [
                    "quantization-required-above-size",
                    "fleet/big/llama3-70b-ic",
                    "big-llama3-70b-<hash>",
                    "tests/fixtures/Pulumi.violating.yaml",
                    "fleet.endpoints[0].foundationModels[0]",
                ],
            ],
        );
        assert.ok(
            renderMarkdown(result).includes(
                `| mandatory | \`quantization-required-above-size\` | \`fleet/big/llama3-70b-ic\` (\`${endpoint.models[0].inferenceComponentName}\`)<br/>tests/fixtures/Pulumi.violating.yaml: fleet.endpoints[0].foundationModels[0] | Inference component`,
            ),
        );
    });

    it("traces every resource of the fleet to its endpoint, model, adapter or guard in the stack config", () => {
        const result = plans.prod;
        assert.equal(result.stackFile, "Pulumi.prod.yaml");
        const pathOf = (name: string) => result.configPaths[result.resources.find((r) => r.name === name)!.urn];
        const names = [
            "fm-fleet-prod",
            "fleet",
            "fleet-execution-role",
            "fleet-observability-dashboard",
            "fleet/chat-config",
            "fleet/chat-endpoint",
            "fleet/chat/llama3-70b-optimization",
            "fleet/chat/llama3-70b-ic",
            "fleet/chat/llama3-8b-scaling-target",
            "fleet/chat/llama3-8b-adapters/legal-review",
            "fleet/chat/llama-guard-3-8b-ic",
            "fleet/classic-endpoint",
        ];
        assert.deepEqual(Object.fromEntries(names.map((n) => [n, pathOf(n)])), {
            "fm-fleet-prod": undefined,
            fleet: "fleet",
            "fleet-execution-role": "fleet",
            "fleet-observability-dashboard": "fleet",
            "fleet/chat-config": "fleet.endpoints[0]",
            "fleet/chat-endpoint": "fleet.endpoints[0]",
            "fleet/chat/llama3-70b-optimization": "fleet.endpoints[0].foundationModels[0]",
            "fleet/chat/llama3-70b-ic": "fleet.endpoints[0].foundationModels[0]",
            "fleet/chat/llama3-8b-scaling-target": "fleet.endpoints[0].foundationModels[1]",
            "fleet/chat/llama3-8b-adapters/legal-review": "fleet.endpoints[0].foundationModels[1].adapters[3]",
            "fleet/chat/llama-guard-3-8b-ic": "fleet.endpoints[0].guard",
            "fleet/classic-endpoint": "fleet.multiModelEndpoints[0]",
        });
    });

    it("fits the report to --width on the command line, else to the terminal's width", () => {
        assert.equal(defectsCli, `${renderTable(plans.defects, { width: 80 })}\n`);
        assert.equal(defectsTerminal, `${renderTable(plans.defects, { width: 120 })}\n`);
        assert.notEqual(defectsCli, defectsTerminal);
    });
});
