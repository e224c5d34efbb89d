import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { priceAge } from "../../lib/cost";
import { plan } from "../../tools/plan/plan";
import { ProgramWorker } from "../../tools/plan/run-program-in-worker";
import { ROOT } from "../helpers/configs";
import { backgroundPlans, CliRun, orphanedPacks, planInProcess } from "../helpers/plan-cli";

const VIOLATING = [
    "--stack",
    "violating",
    "--stack-file",
    "tests/fixtures/Pulumi.violating.yaml",
    "--policy-config",
    "policies/config/dev.json",
];

describe("offline plan (tools/plan)", function () {
    // Each run loads the Pulumi SDK in a worker and the pack analyzes it: seconds, not milliseconds.
    this.timeout(180_000);
    const runs: Record<string, CliRun> = {};
    let orphansBefore: string[] = [];
    let out = "";

    before(async () => {
        // Wide enough that no line of the dev plan wraps: the lines below are matched whole.
        runs.dev = await planInProcess("--width", "250");
        runs.prodJson = await planInProcess("--stack", "prod", "--format", "json");
        runs.violating = await planInProcess(...VIOLATING, "--format", "json");
        // The Markdown goes to a file with --out, and the config by the Pulumi CLI's flag name: one plan, three checks.
        out = path.join(mkdtempSync(path.join(tmpdir(), "fm-fleet-out-")), "plan.md");
        runs.markdownOut = await planInProcess(
            "--stack",
            "prod",
            "--format",
            "markdown",
            "--out",
            out,
            "--policy-pack-config",
            "policies/config/prod.json",
        );
        runs.markdown = { ...runs.markdownOut, stdout: readFileSync(out, "utf8") };
        const background = await backgroundPlans();
        Object.assign(runs, { broken: background.broken, bigJson: background.bigJson });
        orphansBefore = background.orphansBefore;
    });

    it("writes the report to --out and only the verdict line to the terminal; --policy-pack-config is --policy-config", () => {
        const { code, stdout, stderr } = runs.markdownOut;
        assert.equal(code, 0, stderr);
        assert.equal(
            stdout,
            `OK: nothing would fail at deploy, no mandatory policy violation. Wrote the markdown report to ${out}.\n`,
        );
        assert.match(runs.markdown.stdout, /with `policies\/config\/prod\.json`\./);
    });

    it("refuses --policy-config and --policy-pack-config naming different files, before planning", async () => {
        const run = await planInProcess("--policy-config", "a.json", "--policy-pack-config", "b.json");
        assert.deepEqual(run, {
            code: 2,
            stdout: "",
            stderr: "fm-fleet plan: --policy-config a.json and --policy-pack-config b.json name different files; they are the same option: give one.\n",
        });
    });

    it("plans the dev stack by default: the tree, no mandatory violation and the cost, exit 0", () => {
        const { code, stdout, stderr } = runs.dev;
        assert.equal(code, 0, stderr);
        const version: string = require("../../policies/package.json").version;
        assert.ok(
            stdout.startsWith(
                `fm-fleet plan: project fm-fleet, stack dev, policy pack fm-fleet-guardrails@${version} with policies/config/dev.json\n`,
            ),
            stdout.slice(0, 200),
        );
        assert.match(
            stdout,
            /^└─ endpoint chat-[0-9a-f]{8}: ml\.g6\.2xlarge x 0-2 \(scales to zero\), LEAST_OUTSTANDING_REQUESTS$/m,
        );
        assert.match(stdout, /^ {3}│ {2}config chat-[0-9a-f]{8}$/m);
        assert.match(
            stdout,
            /^ {3}│ {2}capacity: peak 2 of 2 accelerators \(2 of max 2 x ml\.g6\.2xlarge\), min 0 of 0 accelerators \(0 of min 0 x ml\.g6\.2xlarge\)$/m,
        );
        assert.match(
            stdout,
            /^ {3}└─ inference component chat-llama3-8b-[0-9a-f]{8} \(model chat-llama3-8b-[0-9a-f]{8}\): 8B bf16, 1 accelerator\/copy, copies 0-1 on ConcurrentRequestsPerCopy \(high-res\), wakes on NoCapacityInvocationFailures, BINPACK$/m,
        );
        // The guard: its own base inference component on the endpoint, scaling to zero with it.
        assert.match(
            stdout,
            /^ {3}├─ guard \(input, output\) inference component chat-llama-guard-3-8b-[0-9a-f]{8} \(model chat-llama-guard-3-8b-[0-9a-f]{8}\): 8B bf16, 1 accelerator\/copy, copies 0-1 on ConcurrentRequestsPerCopy \(high-res\), wakes on NoCapacityInvocationFailures, BINPACK$/m,
        );
        assert.match(stdout, /^Would fail at deploy \(0\): none$/m);
        assert.equal((stdout.match(/^ {6}[├└]─ adapter /gm) ?? []).length, 3);
        assert.match(stdout, /^ {2}mandatory \(0\): none$/m);
        assert.match(
            stdout,
            // The price is flagged once it is a year old (tests/tools/plan-cost.test.ts, on a fixed clock).
            /│ chat-[0-9a-f]{8} │ ml\.g6\.2xlarge │ \$1\.222 │ 0-2 {7}│ \$0 {9}│ \$1,784 {7}│ \$4,112 {4}│ 2026-10-05(?: \(over 12 months old\))? +│/,
        );
        assert.match(
            stdout,
            /^Idle floor \$0\/month, peak ceiling \$1,784\/month; dedicated endpoints would cost \$4,112\/month\.$/m,
        );
        assert.match(stdout, /^OK: nothing would fail at deploy, no mandatory policy violation\.$/m);
        assert.match(stderr, /^fm-fleet plan: program registered 36 resources in/m);
    });

    it("writes stable JSON for the prod stack: clean, with fleet, violations, cost and resources", () => {
        const { code, stdout, stderr } = runs.prodJson;
        assert.equal(code, 0, stderr);
        const plan = JSON.parse(stdout);
        assert.deepEqual(Object.keys(plan), [
            "schemaVersion",
            "project",
            "stack",
            "exitCode",
            "policyPack",
            "summary",
            "deployPreflight",
            "violations",
            "fleet",
            "optimizationJobs",
            "cost",
            "outputs",
            "resources",
            "changes",
        ]);
        assert.deepEqual(Object.keys(plan.outputs), ["endpoints", "multiModelEndpoints", "pipelines", "dashboardUrl"]);
        assert.equal(plan.schemaVersion, 4);
        assert.equal(plan.exitCode, 0);
        assert.deepEqual(plan.summary, { resources: 52, wouldFailAtDeploy: 0, mandatory: 0, advisory: 0 });
        assert.deepEqual(plan.deployPreflight, []);
        // Physical names: in the fleet view and on every named resource.
        const chat = plan.fleet[0];
        assert.match(chat.endpointName, /^chat-[0-9a-f]{8}$/);
        assert.match(chat.endpointConfigName, /^chat-[0-9a-f]{8}$/);
        // Models in name order: the guard, then the 70B, then the 8B.
        assert.match(chat.models[0].modelName, /^chat-llama-guard-3-8b-[0-9a-f]{8}$/);
        assert.match(chat.models[1].modelName, /^chat-llama3-70b-[0-9a-f]{8}$/);
        // The guard is marked with what it checks (its fmfleet:guard-for tag); the models are not.
        assert.deepEqual(
            chat.models.map((m: any) => m.guard),
            [{ checks: ["input", "output"] }, null, null],
        );
        assert.match(plan.fleet[1].modelName, /^classic-[0-9a-f]{8}$/);
        const named = plan.resources.filter((r: any) => r.physicalName !== null);
        // 39 custom resources; the four scalable targets have no name in either API, and the plan reads no
        // name property of a dashboard (its name is dashboardName).
        assert.equal(named.length, 34, "every custom resource but the scalable targets and the dashboard is named");
        assert.deepEqual(chat.models[0].rollout.batch, "25%");
        assert.deepEqual(
            chat.models[1].rollout.rollbackAlarms,
            plan.resources
                .filter(
                    (r: any) =>
                        r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
                        r.name.startsWith("fleet/chat/llama3-70b-rollback"),
                )
                .map((r: any) => r.physicalName),
        );
        assert.deepEqual(chat.models[1].placement, { strategy: "SPREAD", maxImbalance: 1 });
        for (const r of named) assert.ok(r.physicalName.length <= 64, r.name);
        assert.deepEqual(plan.violations, []);
        assert.equal(plan.policyPack.config["min-copies"].properties.minInstancesAtLeast, 2);
        assert.deepEqual(
            plan.fleet.map((e: any) => [e.kind, e.instanceType, e.instances, e.models.length]),
            [
                ["inference-components", "ml.g5.12xlarge", { min: 2, max: 4 }, 3],
                ["multi-model", "ml.m5.xlarge", { min: 2, max: 4 }, 0],
            ],
        );
        const [guard, big, small] = plan.fleet[0].models;
        assert.equal(guard.optimizationJob, null);
        // The 70B serves what its AWQ job writes: input model -> job -> served model.
        const jobName = plan.optimizationJobs[0].optimizationJobName;
        assert.match(jobName, /^chat-llama3-70b-opt-[0-9a-f]{8}$/);
        assert.deepEqual(plan.optimizationJobs, [
            {
                resourceName: "fleet/chat/llama3-70b-optimization",
                optimizationJobName: jobName,
                techniques: ["Quantization"],
                quantization: "awq",
                instanceType: "ml.g5.12xlarge",
                instanceCount: 1,
                sourceUrl: "s3://fm-fleet-prod-models/llama3-70b-instruct/",
                outputUrl: `s3://fm-fleet-prod-models/llama3-70b-instruct-awq/${jobName}/`,
                hours: 2,
                hoursSource: "tag fmfleet:estimated-hours",
            },
        ]);
        assert.equal(big.optimizationJob, jobName);
        assert.equal(small.optimizationJob, null);
        assert.equal(plan.cost.oneTimeUsd, 7.09 * 2);
        assert.deepEqual(plan.cost.optimizationJobs, [
            {
                optimizationJobName: jobName,
                instanceType: "ml.g5.12xlarge",
                usdPerHour: 7.09,
                priceAsOf: "2024-03-26",
                priceAgeMonths: priceAge("2024-03-26", new Date())!.months,
                stale: true,
                hours: 2,
                oneTimeUsd: 7.09 * 2,
            },
        ]);
        assert.equal(big.quantization, "awq");
        assert.equal(big.parametersBillions, 70);
        assert.deepEqual(big.copies, { min: 1, max: 3 });
        assert.equal(small.adapters.length, 4);
        assert.equal(plan.cost.idleFloorUsd, 2 * 7.09 * 730 + 2 * 0.23 * 730);
        // Scaled out, the chat endpoint may run on its dearer fallback (ml.g6e.12xlarge).
        assert.equal(plan.cost.peakCeilingUsd, 4 * 13.1158 * 730 + 4 * 0.23 * 730);
        assert.deepEqual(plan.fleet[0].fallbackInstanceTypes, ["ml.g6e.12xlarge"]);
        assert.equal(plan.fleet[0].scaleIn, "CONSOLIDATION");
        // Prod's copies at peak fill its 4 instances: 70B 4 accelerators x 3 + 8B 1 x 3 + the guard 1 = 16 of 16.
        const fit = (instances: number, need: number[], room: number[]) => ({
            instanceType: "ml.g5.12xlarge",
            instancesNeeded: instances,
            instances,
            fits: true,
            need: { accelerators: need[0], memoryMib: need[1], cpuCores: 0 },
            room: { accelerators: room[0], memoryMib: room[1], cpuCores: room[2] },
            unplaceable: [],
        });
        assert.deepEqual(plan.fleet[0].capacity, {
            peak: fit(4, [16, 262144], [16, 786432, 192]),
            min: fit(2, [6, 98304], [8, 393216, 96]),
        });
        assert.equal(plan.fleet[1].capacity, null, "a multi-model endpoint has no copies");
        // The plan judges prices' ages by the current time (tests/tools/plan-cost.test.ts injects a clock).
        const ageNow = (asOf: string) => {
            const age = priceAge(asOf, new Date())!;
            return { priceAgeMonths: age.months, stale: age.stale };
        };
        // Dedicated: the guard, the 8B and its 4 adapters on ml.g6.xlarge, the 70B (AWQ) on ml.g6e.xlarge, 2
        // instances each (chat's min); the multi-model endpoint at its idle floor.
        assert.equal(plan.cost.dedicatedUsd, 1.1267 * 12 * 730 + 2.61 * 2 * 730 + 2 * 0.23 * 730);
        assert.deepEqual(
            plan.cost.endpoints.map((e: any) => e.instanceTypes),
            [
                [
                    {
                        instanceType: "ml.g5.12xlarge",
                        role: "first",
                        usdPerHour: 7.09,
                        priceAsOf: "2024-03-26",
                        ...ageNow("2024-03-26"),
                        peakCeilingUsd: 4 * 7.09 * 730,
                    },
                    {
                        instanceType: "ml.g6e.12xlarge",
                        role: "fallback",
                        usdPerHour: 13.1158,
                        priceAsOf: "2026-10-05",
                        ...ageNow("2026-10-05"),
                        peakCeilingUsd: 4 * 13.1158 * 730,
                    },
                ],
                [
                    {
                        instanceType: "ml.m5.xlarge",
                        role: "first",
                        usdPerHour: 0.23,
                        priceAsOf: "2026-06-27",
                        ...ageNow("2026-06-27"),
                        peakCeilingUsd: 4 * 0.23 * 730,
                    },
                ],
            ],
        );
        assert.deepEqual(plan.cost.priceDates, {
            "ml.g5.12xlarge": "2024-03-26",
            "ml.g6e.12xlarge": "2026-10-05",
            "ml.m5.xlarge": "2026-06-27",
        });
        assert.equal(plan.resources.length, 52);
        assert.equal(plan.resources[0].type, "pulumi:pulumi:Stack");
    });

    it("fails a violating stack with exit 1, naming each broken policy", () => {
        const { code, stdout } = runs.violating;
        assert.equal(code, 1);
        const plan = JSON.parse(stdout);
        const mandatory = plan.violations.filter((v: any) => v.enforcementLevel === "mandatory");
        assert.deepEqual([...new Set(mandatory.map((v: any) => v.policy))].sort(), [
            "allowed-instance-families",
            "min-copies",
            "monthly-cost-budget",
            "quantization-required-above-size",
        ]);
        const quantization = mandatory.find((v: any) => v.policy === "quantization-required-above-size");
        assert.equal(quantization.resource, "fleet/big/llama3-70b-ic");
        assert.match(
            quantization.message,
            /^Inference component "fleet\/big\/llama3-70b-ic" serves a 70B-parameter model/,
        );
        assert.equal(
            mandatory.find((v: any) => v.policy === "allowed-instance-families").message,
            'Endpoint configuration "fleet/big-config" variant "AllTraffic" must use an allowed instance family (g5, g6, inf2, m5, c5), got ml.p4d.24xlarge (family p4d). Pick a type from an allowed family, or ask the platform team to add p4d to allowed-instance-families.families.',
        );
        assert.deepEqual(
            mandatory
                .filter((v: any) => v.policy === "min-copies")
                .map((v: any) => v.resource)
                .sort(),
            ["fleet/big-config", "fleet/big/llama3-70b-scaling-target"],
        );
    });

    it("renders a pull-request comment with a Mermaid diagram and the cost table", () => {
        const { code, stdout } = runs.markdown;
        assert.equal(code, 0);
        assert.match(
            stdout,
            /^### fm-fleet plan: `prod`: OK: nothing would fail at deploy, no mandatory policy violation\.$/m,
        );
        assert.match(stdout, /^#### Would fail at deploy\n\nNone: /m);
        const diagram = /```mermaid\nflowchart LR\n([\s\S]*?)\n```/.exec(stdout);
        assert.ok(diagram, "has a mermaid block");
        assert.match(
            diagram[1],
            /^ {2}e0\["endpoint chat-[0-9a-f]{8}<br\/>ml\.g5\.12xlarge \(fallback ml\.g6e\.12xlarge\) x 2-4, PREFIX_AWARE, scale-in CONSOLIDATION<br\/>capacity: peak 16 of 16 accelerators \(4 of max 4 x ml\.g5\.12xlarge\), min 6 of 8 accelerators \(2 of min 2 x ml\.g5\.12xlarge\)"\]$/m,
        );
        assert.match(diagram[1], /^ {2}e0 --> e0m1\["chat-llama3-70b-[0-9a-f]{8}<br\/>70B awq, 4 accelerators\/copy/m);
        assert.equal((diagram[1].match(/^ {2}e0m2 --> e0m2a\d\(/gm) ?? []).length, 4);
        assert.match(
            diagram[1],
            /^ {2}e0m1src\[\("s3:\/\/fm-fleet-prod-models\/llama3-70b-instruct\/"\)\] --> e0m1job\[\["optimization job chat-llama3-70b-opt-[0-9a-f]{8}<br\/>Quantization \(awq\)"\]\] --> e0m1$/m,
        );
        assert.match(
            stdout,
            /^\| `chat-llama3-70b-opt-[0-9a-f]{8}` \| Quantization \(awq\) \| `chat-llama3-70b-[0-9a-f]{8}` \| ml\.g5\.12xlarge \| 2 \| \$14 \| 2024-03-26 \(over 12 months old\) \|$/m,
        );
        assert.match(
            stdout,
            /^\| \*\*Stack\*\* \| \| \| \| \*\*\$10,687\*\* \| \*\*\$38,970\*\* \| \*\*\$14,016\*\* \| \|$/m,
        );
    });

    it("exits 2 on an invalid config, with the field paths and no stack trace", () => {
        const { code, stdout, stderr } = runs.broken;
        assert.equal(code, 2);
        assert.equal(stdout, "");
        assert.match(
            stderr,
            /fleet\.endpoints\[0\]\.foundationModels\[0\]\.stickySession: unknown key `stickySession`\. Did you mean `stickySessions`\?/,
        );
        assert.match(
            stderr,
            /fleet\.endpoints\[0\]\.foundationModels\[0\]\.copies\.min: is 1, but endpoint "chat" has instances\.min 0/,
        );
        assert.doesNotMatch(stderr, /\n\s+at /);
    });

    it("stops its policy pack on every path: none outlives a plan, even one that stopped on a bad config", () => {
        assert.equal(runs.broken.code, 2);
        assert.deepEqual(
            orphanedPacks().filter((pid) => !orphansBefore.includes(pid)),
            [],
        );
    });

    it("writes a 3,000-adapter JSON report through a pipe whole, to the last byte", () => {
        const { code, stdout, stderr } = runs.bigJson;
        assert.equal(code, 0, stderr);
        assert.ok(stdout.length > 1_000_000, `${stdout.length} bytes`);
        const plan = JSON.parse(stdout);
        assert.equal(stdout, `${JSON.stringify(plan, null, 2)}\n`);
        assert.equal(plan.fleet[0].models[0].adapters.length, 3000);
        assert.equal(plan.resources.length, 3022); // 3,000 adapters and 22 others
    });

    it("stops the program's worker, started first, when the plan fails before or while it runs the program", async () => {
        const stopped: number[] = [];
        // Spied on, not replaced: the real stop runs and the plan's rejection waits for it.
        const stop = ProgramWorker.prototype.stop;
        ProgramWorker.prototype.stop = async function (this: ProgramWorker) {
            stopped.push(await stop.call(this));
            return stopped[stopped.length - 1];
        };
        try {
            const missing = path.join(ROOT, "policies/config/none.json");
            await assert.rejects(plan({ projectDir: ROOT, stack: "dev", policyConfigFile: missing }), {
                name: "PlanError",
                message: `Policy config ${missing} does not exist.`,
            });
            assert.equal(stopped.length, 1, "the worker is stopped once, and the plan waits for it");
            // A pack that cannot start: the program may be running by then; its worker is stopped all the same.
            const notAPack = path.join(ROOT, "tests/fixtures");
            await assert.rejects(plan({ projectDir: ROOT, stack: "dev", policyPackDir: notAPack }), {
                message:
                    `Policy pack ${notAPack} exited with code 32 before serving.\n` +
                    `We failed to locate the entry point for your program: ${notAPack}\n`,
            });
            assert.equal(stopped.length, 2);
            const noPack = path.join(ROOT, "tests/fixtures/no-such-pack");
            await assert.rejects(plan({ projectDir: ROOT, stack: "dev", policyPackDir: noPack }), {
                name: "PlanError",
                message: `Policy pack directory ${noPack} does not exist.`,
            });
            assert.equal(stopped.length, 3);
        } finally {
            ProgramWorker.prototype.stop = stop;
        }
    });
});
