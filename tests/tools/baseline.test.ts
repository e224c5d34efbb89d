import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { RecordedResource } from "../../tools/mocks/recorder";
import { diffPlans, PlanResourceJson, planResourcesJson, replacingPaths } from "../../tools/plan/baseline";
import { PLAN_JSON_SCHEMA_VERSION } from "../../tools/plan/report/json";
import { ROOT } from "../helpers/configs";
import { backgroundPlans, CliRun, planInProcess } from "../helpers/plan-cli";

const MODEL_URN =
    "urn:pulumi:dev::fm-fleet::fm-fleet:sagemaker:FoundationModel$aws:sagemaker/model:Model::fleet/chat/llama3-8b-model";
const IC_URN =
    "urn:pulumi:dev::fm-fleet::fm-fleet:sagemaker:FoundationModel$aws-native:sagemaker:InferenceComponent::fleet/chat/llama3-8b-ic";
const ADAPTER_URN =
    "urn:pulumi:dev::fm-fleet::fm-fleet:sagemaker:FineTunedAdapters$aws-native:sagemaker:InferenceComponent::fleet/chat/llama3-8b-adapters/ticket-triage";
const OLD_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124";
const NEW_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.32.0-lmi14.0.0-cu124";

describe("plan baseline diff (tools/plan/baseline)", () => {
    const recorded = (inputs: Record<string, unknown>, custom = true): RecordedResource =>
        ({
            urn: "urn:pulumi:dev::p::t::r",
            type: "aws:sagemaker/model:Model",
            name: "r",
            custom,
            parent: "",
            dependencies: [],
            ignoreChanges: [],
            inputsStruct: Struct.fromJavaScript(inputs as any),
        }) as unknown as RecordedResource;
    const resource = (over: Partial<PlanResourceJson>): PlanResourceJson => ({
        urn: "urn:pulumi:dev::p::x::r",
        type: "example:index:Thing",
        name: "r",
        physicalName: "r-1",
        parent: null,
        dependencies: [],
        ignoreChanges: [],
        inputs: {},
        ...over,
    });

    it("writes a secret as a digest of its value, unknowns as <unknown>, and drops a dynamic provider's code", () => {
        const secret = { [specialSigKey]: specialSecretSig, value: "hunter2" };
        const [json] = planResourcesJson(
            [
                recorded({
                    password: secret,
                    later: unknownValue,
                    __provider: "exports.handler = ...",
                    tags: { a: "b" },
                }),
            ],
            ["r-1"],
        );
        assert.deepEqual(Object.keys(json.inputs!).sort(), ["later", "password", "tags"]);
        assert.match(String(json.inputs!.password), /^<secret sha256:[0-9a-f]{16}>$/);
        assert.ok(!JSON.stringify(json).includes("hunter2"));
        assert.equal(json.inputs!.later, "<unknown>");
        const [other] = planResourcesJson([recorded({ password: { ...secret, value: "hunter3" } })], ["r-1"]);
        assert.notEqual(other.inputs!.password, json.inputs!.password, "a changed secret still shows as a change");
        assert.equal(planResourcesJson([recorded({}, false)], [null])[0].inputs, null);
    });

    it("replaces on a create-only input, nested or not, and on a new name only for types it does not know", () => {
        assert.deepEqual(replacingPaths("aws:sagemaker/model:Model", ["tags.team", "primaryContainer.image"]), [
            "primaryContainer.image",
        ]);
        assert.deepEqual(
            replacingPaths("aws-native:sagemaker:EndpointConfig", [
                "tags[0].value",
                "productionVariants[0].instanceType",
            ]),
            ["productionVariants[0].instanceType"],
        );
        assert.deepEqual(replacingPaths("aws-native:sagemaker:InferenceComponent", ["specification.modelName"]), []);
        const changes = diffPlans(
            "b.json",
            [resource({ inputs: { name: "r-1", size: 1 } })],
            [resource({ physicalName: "r-2", inputs: { name: "r-2", size: 1 } })],
        );
        assert.deepEqual(
            changes.replaced.map((c) => [c.name, c.replacedBecause, c.inputs]),
            [["r", ["new physical name"], [{ path: "name", before: "r-1", after: "r-2" }]]],
        );
    });

    it("does not count a change to an ignored path, and deletes what the new plan lacks", () => {
        const ic = resource({
            urn: "urn:pulumi:dev::p::ic::c",
            type: "aws-native:sagemaker:InferenceComponent",
            name: "c",
            ignoreChanges: ["runtimeConfig.copyCount"],
        });
        const changes = diffPlans(
            "b.json",
            [{ ...ic, inputs: { runtimeConfig: { copyCount: 1 } } }, resource({})],
            [{ ...ic, inputs: { runtimeConfig: { copyCount: 2 } } }],
        );
        assert.deepEqual(
            [changes.unchanged, changes.updated.length, changes.deleted.map((c) => c.name)],
            [1, 0, ["r"]],
        );
    });
});

describe("plan --baseline (tools/plan/baseline)", function () {
    // Each plan runs the program under mocks and the pack: seconds.
    this.timeout(180_000);
    const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-baseline-"));
    const baseFile = path.join(dir, "base.json");
    const editedStack = path.join(dir, "Pulumi.dev.yaml");
    const runs: Record<string, CliRun> = {};
    let base: any;
    /** Physical names in the base plan and the edited one. */
    const names = { oldModel: "", newModel: "", ic: "", adapter: "" };

    before(async () => {
        const run = await planInProcess("--stack", "dev", "--format", "json");
        assert.equal(run.code, 0, run.stderr);
        writeFileSync(baseFile, run.stdout);
        base = JSON.parse(run.stdout);
        // Day two: one more adapter beside the others, and a new image tag for the model.
        const stack = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        const model = stack.config["fm-fleet:fleet"].endpoints[0].foundationModels[0];
        model.adapters.push({
            name: "ticket-triage",
            artifactUrl: "s3://fm-fleet-dev-models/adapters/ticket-triage.tar.gz",
        });
        model.image = NEW_IMAGE;
        writeFileSync(editedStack, stringify(stack));
        const edited = ["--stack", "dev", "--stack-file", editedStack, "--baseline", baseFile];
        runs.json = await planInProcess(...edited, "--format", "json");
        // Wide enough that no change's line wraps: the section is matched line by line.
        runs.table = await planInProcess(...edited, "--width", "1000");
        runs.markdown = await planInProcess(...edited, "--format", "markdown");
        const after = JSON.parse(runs.json.stdout);
        const physical = (plan: any, urn: string) => plan.resources.find((r: any) => r.urn === urn).physicalName;
        Object.assign(names, {
            oldModel: physical(base, MODEL_URN),
            newModel: physical(after, MODEL_URN),
            ic: physical(after, IC_URN),
            adapter: physical(after, ADAPTER_URN),
        });
    });

    it("carries each resource's inputs in the plan's JSON, with no dynamic provider's code", () => {
        assert.equal(base.schemaVersion, PLAN_JSON_SCHEMA_VERSION);
        const model = base.resources.find((r: any) => r.urn === MODEL_URN);
        assert.equal(model.inputs.primaryContainer.image, OLD_IMAGE);
        assert.deepEqual(model.ignoreChanges, []);
        const ic = base.resources.find((r: any) => r.urn === IC_URN);
        assert.deepEqual(ic.ignoreChanges, ["runtimeConfig.copyCount"]);
        assert.equal(base.resources.find((r: any) => r.type === "fm-fleet:index:Fleet").inputs, null);
        assert.equal(base.changes, null);
        assert.ok(!JSON.stringify(base.resources).includes("__provider"));
    });

    it("lists in JSON what the edit adds, replaces (and why) and updates, leaving the rest unchanged", () => {
        const { code, stderr } = runs.json;
        assert.equal(code, 0, stderr);
        const { changes } = JSON.parse(runs.json.stdout);
        // The dashboard sums the model's adapters by name: the new adapter joins its body, updated in place.
        const dashboard = changes.updated.find((u: any) => u.name === "fleet-observability-dashboard");
        assert.deepEqual(
            dashboard.inputs.map((i: any) => i.path),
            ["dashboardBody"],
        );
        assert.ok(
            dashboard.inputs[0].after.includes(names.adapter) && !dashboard.inputs[0].before.includes(names.adapter),
        );
        changes.updated = changes.updated.filter((u: any) => u !== dashboard);
        assert.deepEqual(changes, {
            baseline: baseFile,
            summary: { added: 1, replaced: 1, updated: 2, deleted: 0, unchanged: 23 },
            added: [
                {
                    urn: ADAPTER_URN,
                    type: "aws-native:sagemaker:InferenceComponent",
                    name: "fleet/chat/llama3-8b-adapters/ticket-triage",
                    physicalNameBefore: null,
                    physicalName: names.adapter,
                    replacedBecause: [],
                    inputs: [],
                },
            ],
            replaced: [
                {
                    urn: MODEL_URN,
                    type: "aws:sagemaker/model:Model",
                    name: "fleet/chat/llama3-8b-model",
                    physicalNameBefore: names.oldModel,
                    physicalName: names.newModel,
                    replacedBecause: ["create-only input name", "create-only input primaryContainer.image"],
                    inputs: [
                        { path: "name", before: names.oldModel, after: names.newModel },
                        { path: "primaryContainer.image", before: OLD_IMAGE, after: NEW_IMAGE },
                    ],
                },
            ],
            updated: [
                {
                    urn: IC_URN,
                    type: "aws-native:sagemaker:InferenceComponent",
                    name: "fleet/chat/llama3-8b-ic",
                    physicalNameBefore: names.ic,
                    physicalName: names.ic,
                    replacedBecause: [],
                    inputs: [{ path: "specification.modelName", before: names.oldModel, after: names.newModel }],
                },
            ],
            deleted: [],
        });
        assert.notEqual(names.oldModel, names.newModel);
    });

    it("shows a 'Changes against' section in the table, before the verdict", () => {
        const { code, stdout, stderr } = runs.table;
        assert.equal(code, 0, stderr);
        const section = stdout.slice(stdout.indexOf(`Changes against ${baseFile}`));
        // The dashboard's body (the adapters' sum) changes in place; its two lines are checked by their start.
        const lines = section.split("\n");
        const at = lines.indexOf("    aws:cloudwatch/dashboard:Dashboard fleet-observability-dashboard");
        assert.ok(at > 0 && lines[at + 1].startsWith('        dashboardBody: "{'), section);
        assert.equal(
            [...lines.slice(0, at), ...lines.slice(at + 2)].join("\n"),
            [
                `Changes against ${baseFile}: 1 replaced, 2 updated, 1 added, 0 deleted, 23 unchanged`,
                "  replaced (1)",
                `    aws:sagemaker/model:Model fleet/chat/llama3-8b-model (${names.oldModel} -> ${names.newModel}), forced by create-only input name, create-only input primaryContainer.image`,
                `        name: "${names.oldModel}" -> "${names.newModel}"`,
                `        primaryContainer.image: "${OLD_IMAGE}" -> "${NEW_IMAGE}"`,
                "  updated (2)",
                `    aws-native:sagemaker:InferenceComponent fleet/chat/llama3-8b-ic (${names.ic})`,
                `        specification.modelName: "${names.oldModel}" -> "${names.newModel}"`,
                "  added (1)",
                `    aws-native:sagemaker:InferenceComponent fleet/chat/llama3-8b-adapters/ticket-triage (${names.adapter})`,
                "",
                "OK: nothing would fail at deploy, no mandatory policy violation.",
                "",
            ].join("\n"),
        );
    });

    it("ends the pull-request comment with the changes as a table", () => {
        const { code, stdout, stderr } = runs.markdown;
        assert.equal(code, 0, stderr);
        const rows = stdout.slice(stdout.indexOf("#### Changes against")).split("\n");
        // The dashboard's row (its body changes in place) is checked by its start.
        const row = rows.findIndex((r) => r.startsWith("| updated | `aws:cloudwatch/dashboard:Dashboard` |"));
        assert.ok(row > 0);
        assert.equal(
            rows.filter((_, i) => i !== row).join("\n"),
            [
                `#### Changes against \`${baseFile}\``,
                "",
                "1 replaced, 2 updated, 1 added, 0 deleted, 23 unchanged.",
                "",
                "| Change | Type | Resource | Physical name | Inputs that differ |",
                "| --- | --- | --- | --- | --- |",
                `| replaced | \`aws:sagemaker/model:Model\` | \`fleet/chat/llama3-8b-model\` | \`${names.oldModel}\` → \`${names.newModel}\` | forced by create-only input name, create-only input primaryContainer.image; \`name: "${names.oldModel}" -> "${names.newModel}"\`<br/>\`primaryContainer.image: "${OLD_IMAGE}" -> "${NEW_IMAGE}"\` |`,
                `| updated | \`aws-native:sagemaker:InferenceComponent\` | \`fleet/chat/llama3-8b-ic\` | \`${names.ic}\` | \`specification.modelName: "${names.oldModel}" -> "${names.newModel}"\` |`,
                `| added | \`aws-native:sagemaker:InferenceComponent\` | \`fleet/chat/llama3-8b-adapters/ticket-triage\` | \`${names.adapter}\` | - |`,
                "",
            ].join("\n"),
        );
    });

    it("reads a schema 3 baseline (a base branch planned before the cost fields' rename) as it reads its own", async () => {
        const v3 = path.join(dir, "v3.json");
        writeFileSync(v3, JSON.stringify({ ...base, schemaVersion: 3 }));
        const run = await planInProcess(
            "--stack",
            "dev",
            "--stack-file",
            editedStack,
            "--baseline",
            v3,
            "--format",
            "json",
        );
        assert.equal(run.code, 0, run.stderr);
        const { changes } = JSON.parse(run.stdout);
        assert.deepEqual({ ...changes, baseline: baseFile }, JSON.parse(runs.json.stdout).changes);
    });

    describe("refuses a baseline it cannot use with exit 2 and one line, before planning", () => {
        const write = (name: string, text: string) => {
            const file = path.join(dir, name);
            writeFileSync(file, text);
            return file;
        };
        const refused = async (file: string, expected: string, ...args: string[]) => {
            const { code, stdout, stderr } = await planInProcess("--stack", "dev", "--baseline", file, ...args);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.equal(stderr, `fm-fleet plan: ${expected}\n`);
        };

        it("fails when the file is missing", async () => {
            const file = path.join(dir, "none.json");
            await refused(file, `--baseline ${file}: no such file. Give an earlier plan's JSON (--format json).`);
        });

        it("fails when the file is not JSON, naming npm's banner when that is what broke it", async () => {
            const file = write("table.txt", "fm-fleet plan: project fm-fleet, stack dev\n");
            await refused(file, `--baseline ${file} is not JSON. Give an earlier plan's JSON (--format json).`);
            const banner = write(
                "npm.json",
                `\n> fm-fleet@0.1.0 plan\n> node bin/fm-fleet-plan.js --format json\n\n{}`,
            );
            await refused(
                banner,
                `--baseline ${banner} is not JSON: it starts with npm's "> ..." banner. Write it with npm run --silent plan -- --format json.`,
            );
        });

        it("fails when the JSON is not a plan's, or a plan of another schema version", async () => {
            const other = write("other.json", '{"name":"fm-fleet"}');
            await refused(
                other,
                `--baseline ${other} is not a plan's JSON: it has no project and stack. Give the output of fm-fleet plan --format json.`,
            );
            const old = write("v2.json", JSON.stringify({ ...base, schemaVersion: 2 }));
            await refused(
                old,
                `--baseline ${old} is not a plan's JSON: its schemaVersion is 2, this plan reads 3 to ${PLAN_JSON_SCHEMA_VERSION} (plan the baseline again with this version). Give the output of fm-fleet plan --format json.`,
            );
            const newer = write("v99.json", JSON.stringify({ ...base, schemaVersion: PLAN_JSON_SCHEMA_VERSION + 1 }));
            await refused(
                newer,
                `--baseline ${newer} is not a plan's JSON: its schemaVersion is ${PLAN_JSON_SCHEMA_VERSION + 1}, this plan reads 3 to ${PLAN_JSON_SCHEMA_VERSION} (plan the baseline again with this version). Give the output of fm-fleet plan --format json.`,
            );
            const bare = write(
                "bare.json",
                JSON.stringify({ ...base, resources: base.resources.map(({ inputs: _, ...r }: any) => r) }),
            );
            await refused(
                bare,
                `--baseline ${bare} is not a plan's JSON: its resources[] do not carry urn, type, name, inputs and ignoreChanges. Give the output of fm-fleet plan --format json.`,
            );
        });

        it("fails when the plan is of another stack or another project", async () => {
            await refused(
                baseFile,
                `--baseline ${baseFile} is a plan of stack dev, not prod. Give the baseline of the same stack.`,
                "--stack",
                "prod",
            );
            const foreign = write("foreign.json", JSON.stringify({ ...base, project: "billing" }));
            await refused(
                foreign,
                `--baseline ${foreign} is a plan of project billing, not fm-fleet. Give the baseline of this project's stack.`,
            );
        });
    });

    it("keeps the 3,000-adapter plan's JSON, inputs included, under 6 MB", async () => {
        const { bigJson } = await backgroundPlans();
        const plan = JSON.parse(bigJson.stdout);
        assert.equal(plan.resources.length, 3022);
        const adapter = plan.resources.find((r: any) => r.name.endsWith("-adapters/tenant-00001"));
        assert.ok(adapter?.inputs?.specification?.container?.artifactUrl, JSON.stringify(adapter));
        assert.ok(bigJson.stdout.length < 6_000_000, `${bigJson.stdout.length} bytes`);
    });
});
