import * as assert from "node:assert/strict";
import { parseStackOutputs, resolveTarget, StackOutputsError } from "../../runtime/stack-outputs";
import { CliRun, planInProcess } from "../helpers/plan-cli";

const STACK = ["--stack", "pipelines", "--stack-file", "tests/fixtures/Pulumi.pipelines.yaml"];
const PRE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-preprocess:1.4.0";
const XGB = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
const POST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-postprocess:1.4.0";

describe("offline plan of a stack with a serial inference pipeline (tests/fixtures/Pulumi.pipelines.yaml)", function () {
    // Each run loads the Pulumi SDK in a worker and the pack analyzes it: seconds.
    this.timeout(180_000);
    const runs: Record<string, CliRun> = {};

    before(async () => {
        runs.table = await planInProcess(...STACK, "--policy-config", "policies/config/prod.json");
        runs.json = await planInProcess(...STACK, "--policy-config", "policies/config/prod.json", "--format", "json");
        runs.dev = await planInProcess(...STACK, "--policy-config", "policies/config/dev.json", "--format", "json");
    });

    it("plans clean against prod's policies, showing the pipeline and its containers in order in the tree", () => {
        const run = runs.table;
        assert.equal(run.code, 0, run.stderr);
        const plan = JSON.parse(runs.json.stdout);
        const { endpointName, endpointConfigName, modelName } = plan.outputs.pipelines.churn;
        const tree = run.stdout.slice(run.stdout.indexOf("Fleet ("), run.stdout.indexOf("Would fail at deploy"));
        assert.equal(
            tree,
            [
                "Fleet (stack pipelines, 9 resources)",
                `└─ pipeline ${endpointName}: ml.m5.xlarge x 2, 3 containers (Serial)`,
                `   │  config ${endpointConfigName}, model ${modelName}`,
                `   ├─ container 1: ${PRE}`,
                `   ├─ container 2: ${XGB}`,
                `   └─ container 3: ${POST}`,
                "",
                "",
            ].join("\n"),
        );
        assert.match(run.stdout, /OK: nothing would fail at deploy, no mandatory policy violation\./);
    });

    it("prices its fixed instances: idle floor = peak ceiling = 2 x $0.23/h x 730 h", () => {
        const plan = JSON.parse(runs.json.stdout);
        assert.equal(plan.exitCode, 0);
        const [row] = plan.cost.endpoints;
        assert.deepEqual(
            [row.instanceType, row.minInstances, row.maxInstances, row.usdPerHour, row.models, row.adapters],
            ["ml.m5.xlarge", 2, 2, 0.23, 1, 0],
        );
        assert.equal(row.idleFloorUsd, row.peakCeilingUsd);
        assert.ok(Math.abs(row.idleFloorUsd - 2 * 0.23 * 730) < 1e-9, String(row.idleFloorUsd));
        assert.equal(plan.cost.idleFloorUsd, row.idleFloorUsd);
        const line = runs.table.stdout.split("\n").find((l) => l.includes(row.resourceName) && l.includes("$336"));
        assert.ok(line, "the cost table has the pipeline's row at $336");
        assert.match(line!, /ml\.m5\.xlarge\s+│ \$0\.23\s+│ 2-2\s+│ \$336\s+│ \$336/);
    });

    it("describes it in the JSON: kind pipeline, its containers in order, its model", () => {
        const plan = JSON.parse(runs.json.stdout);
        assert.equal(plan.fleet.length, 1);
        const [e] = plan.fleet;
        assert.equal(e.kind, "pipeline");
        assert.equal(e.modelName, plan.outputs.pipelines.churn.modelName);
        assert.deepEqual(e.pipeline, {
            mode: "Serial",
            containers: [
                { image: PRE, modelDataUrl: "s3://fm-fleet-prod-models/churn/preprocess/model.tar.gz" },
                { image: XGB, modelDataUrl: "s3://fm-fleet-prod-models/churn/xgboost/model.tar.gz" },
                { image: POST, modelDataUrl: null },
            ],
        });
        assert.deepEqual(e.instances, { min: 2, max: 2 });
        assert.deepEqual(e.models, []);
    });

    it("fails dev's policies: a pipeline cannot scale to zero, which dev requires of every endpoint, nor idle under $50", () => {
        const plan = JSON.parse(runs.dev.stdout);
        assert.equal(plan.exitCode, 1);
        const configName = JSON.parse(runs.json.stdout).outputs.pipelines.churn.endpointConfigName;
        assert.ok(configName);
        assert.deepEqual(
            plan.violations
                .filter((v: any) => v.enforcementLevel === "mandatory")
                .map((v: any) => [v.policy, v.message]),
            [
                [
                    "min-copies",
                    `Endpoint configuration "fleet/churn-config" variant "AllTraffic" must keep at most 0 instances when idle, got 2. Set initialInstanceCount (fm-fleet: instances.min) accordingly, or change min-copies.minInstancesAtLeast/minInstancesAtMost for this stack. Only inference-component endpoints (managed instance scaling) can scale to zero.`,
                ],
                [
                    "monthly-cost-budget",
                    "Stack must idle under $50/month, got an idle floor of $336/month (fleet/churn-endpoint: 2-2 x ml.m5.xlarge). Lower min instances (scale to zero where latency allows), or raise monthly-cost-budget.maxIdleFloorUsd.",
                ],
            ],
        );
    });

    it("points a violation on the pipeline back to its entry in the stack file", () => {
        const plan = JSON.parse(runs.dev.stdout);
        assert.deepEqual(
            plan.violations
                .filter((v: any) => v.enforcementLevel === "mandatory")
                .map((v: any) => [v.policy, v.configFile, v.configPath]),
            [
                ["min-copies", "tests/fixtures/Pulumi.pipelines.yaml", "fleet.pipelines[0]"],
                ["monthly-cost-budget", null, null],
            ],
        );
    });

    it("puts its endpoint in the stack outputs, where the client resolves it to a plain InvokeEndpoint", () => {
        const plan = JSON.parse(runs.json.stdout);
        // No inference-component endpoint, so no dashboard: its output is null rather than an undefined export.
        assert.equal(plan.outputs.dashboardUrl, null);
        const names = parseStackOutputs(plan, "plan.json");
        const { endpointName } = plan.outputs.pipelines.churn;
        assert.deepEqual(resolveTarget(names, { endpoint: "churn" }), { endpointName });
        assert.throws(() => resolveTarget(names, { endpoint: "churn", model: "xgb" }), {
            name: StackOutputsError.name,
            message:
                '"churn" is a serial inference pipeline: call it with --endpoint alone (every container runs in order), not --model, --adapter or --target-model.',
        });
        assert.throws(() => resolveTarget(names, { endpoint: "churns" }), {
            message: 'unknown endpoint "churns". Known: churn.',
        });
        assert.throws(() => parseStackOutputs({ ...plan.outputs, pipelines: { churn: {} } }, "out.json"), {
            message:
                "out.json is not the outputs of an fm-fleet stack: pipelines.churn has no endpointName. Pass `pulumi stack output --json` or the plan's --format json.",
        });
    });
});
