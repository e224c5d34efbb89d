import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { jsonErrorWithLine } from "../../tools/plan/json-position";
import { readStack, StackFileError } from "../../tools/plan/stack-files";
import { runPlanCli } from "../../tools/plan/cli";
import { backgroundPlans, planInProcess } from "../helpers/plan-cli";
import { sharedPack } from "../helpers/shared-pack";

/** A project directory with Pulumi.yaml and the given stack files. */
function project(stacks: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-inputs-"));
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: fm-fleet\nruntime: nodejs\n");
    for (const [name, text] of Object.entries(stacks)) writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
    return dir;
}

describe("plan inputs: stacks, namespaces, policy config (tools/plan)", () => {
    it("names the stacks found for a --stack that has no file, and warns that it has no policy config", async () => {
        const dir = project({ staging: "config: {}\n", dev: "config: {}\n" });
        const run = await planInProcess("--stack", "nosuch", "--cwd", dir);
        assert.equal(run.code, 2);
        assert.equal(run.stdout, "");
        const lines = run.stderr.trimEnd().split("\n");
        assert.equal(
            lines[0],
            'fm-fleet plan: warning: no policy config for stack "nosuch": the pack runs with its defaults (production\'s rules). Create policies/config/nosuch.json (start from a copy of policies/config/dev.json), or pass --policy-config <file>.',
        );
        assert.equal(
            lines[lines.length - 1],
            `fm-fleet plan: no stack "nosuch": ${path.join(dir, "Pulumi.nosuch.yaml")} does not exist. Stacks found: dev, staging. Pick one with --stack <name>, or give a stack file with --stack-file <file>.`,
        );
    });

    it("reports a policy config that is not JSON with its line and column, before planning", async () => {
        const dir = project({ dev: "config: {}\n" });
        const config = path.join(dir, "broken.json");
        writeFileSync(config, '{\n  "min-copies": "advisory",\n}\n');
        const run = await planInProcess("--cwd", dir, "--policy-config", config);
        assert.equal(run.code, 2);
        assert.match(
            run.stderr,
            new RegExp(
                `^fm-fleet plan: Policy config ${config.replace(/[.]/g, "\\.")} is not valid JSON: .*\\(line 3 column 1\\)\\. Fix it there \\(a trailing comma, a missing quote\\)\\.$`,
                "m",
            ),
        );
    });

    it("exits 2 on a program that throws, naming its file, line and column and the trace with --verbose", async () => {
        const dir = project({ dev: "config: {}\n" });
        writeFileSync(
            path.join(dir, "index.ts"),
            'const a = 1;\n\nfunction f(): void { throw new Error("boom in program " + a); }\nf();\n',
        );
        const run = await planInProcess("--cwd", dir, "--policy-config", "policies/config/dev.json", "--verbose");
        assert.equal(run.code, 2);
        assert.equal(run.stdout, "");
        const lines = run.stderr.split("\n");
        const at = lines.findIndex((l) => l.startsWith("fm-fleet plan: The program"));
        assert.equal(lines[at], "fm-fleet plan: The program of stack dev failed at index.ts:3:28: boom in program 1");
        assert.equal(lines[at + 1], "Error: boom in program 1");
        assert.match(lines[at + 2], /^ {4}at f \(.*index\.ts:3:28\)$/);
        assert.equal(process.env.FM_FLEET_STACK_TRACES, undefined, "--verbose leaves the environment as it was");
    });

    it("keeps --verbose to its own plan while another plan runs in this process, without touching the environment", async () => {
        const dir = project({ dev: "config: {}\n" });
        writeFileSync(
            path.join(dir, "index.ts"),
            'const a = 1;\n\nfunction f(): void { throw new Error("boom in program " + a); }\nf();\n',
        );
        const environment = { ...process.env };
        // Overlapping, as the docs' plans run beside the suite's: each on a program worker of its own (a failing
        // program retires a reusable worker, so a shared one would fail the second plan for the first's error).
        const plan = async (...extra: string[]) => {
            let stderr = "";
            const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } };
            const args = ["--cwd", dir, "--policy-config", "policies/config/dev.json", ...extra];
            const code = await runPlanCli(args, io, await sharedPack());
            return { code, lines: stderr.split("\n").filter((l) => !/^fm-fleet plan: (starting|warning)/.test(l)) };
        };
        const [verbose, plain] = await Promise.all([plan("--verbose"), plan()]);
        assert.equal(verbose.code, 2);
        assert.equal(
            verbose.lines[0],
            "fm-fleet plan: The program of stack dev failed at index.ts:3:28: boom in program 1",
        );
        assert.equal(verbose.lines[1], "Error: boom in program 1");
        assert.match(verbose.lines[2], /^ {4}at f \(.*index\.ts:3:28\)$/);
        assert.equal(plain.code, 2);
        assert.deepEqual(plain.lines, [
            "fm-fleet plan: The program of stack dev failed: boom in program 1 (run the plan with --verbose for the file and line)",
            "",
        ]);
        assert.deepEqual({ ...process.env }, environment, "the plans leave the environment as it was");
    });

    it("adds the line and column to a JSON error's position, and keeps a message that has them", () => {
        const text = '{\n  "a": 1,\n  "b" 2\n}';
        let error: Error | undefined;
        try {
            JSON.parse(text);
        } catch (e) {
            error = e as Error;
        }
        assert.match(jsonErrorWithLine(text, error!), /\(line 3 column 7\)$/);
        assert.equal(
            jsonErrorWithLine("{}", new Error("Unexpected token } in JSON at position 1 (line 1 column 2)")),
            "Unexpected token } in JSON at position 1 (line 1 column 2)",
        );
        assert.equal(
            jsonErrorWithLine('{\n"a":', new Error("Unexpected end of JSON input")),
            "Unexpected end of JSON input (line 2 column 5)",
        );
    });

    it("names unknown keys inside the project's namespace and inside the fleet, all at once, with the key meant; a key no typo of one it reads is no error", async () => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), "fm-fleet-inputs-")), "Pulumi.typo.yaml");
        writeFileSync(
            file,
            [
                "config:",
                "  fm-fleet:costCentre: ml-platform",
                "  fm-fleet:team: search-platform",
                "  fm-fleet:fleet:",
                "    endpoints:",
                "      - name: chat",
                "        instanceTyp: ml.g5.xlarge",
                "        instances: { min: 0, max: 1 }",
                "        foundationModels: []",
                "",
            ].join("\n"),
        );
        const run = await planInProcess(
            "--stack",
            "typo",
            "--stack-file",
            file,
            "--policy-config",
            "policies/config/dev.json",
        );
        assert.equal(run.code, 2);
        assert.equal(run.stdout, "");
        const lines = run.stderr.trimEnd().split("\n");
        assert.deepEqual(lines.slice(-6), [
            "fm-fleet plan: The program of stack typo failed: Invalid fm-fleet stack config (5 errors):",
            "  - costCentre: unknown config key `fm-fleet:costCentre`. Did you mean `fm-fleet:costCenter`? Remove it or fix its spelling (this project reads fm-fleet:fleet, fm-fleet:costCenter).",
            '  - costCenter: must name the cost center every resource is tagged with, got nothing. Set fm-fleet:costCenter, e.g. "ml-platform".',
            "  - fleet.endpoints[0].instanceType: is required. Set it to a string.",
            "  - fleet.endpoints[0].foundationModels: must list at least one foundation model. Add one, or remove the endpoint.",
            "  - fleet.endpoints[0].instanceTyp: unknown key `instanceTyp`. Did you mean `instanceType`? Remove it or fix its spelling (known keys: name, instanceType, fallbackInstanceTypes, provisionTimeoutSeconds, scaleIn, instances, routing, prefixRouting, capacityReservation, inferenceAmiVersion, networkIsolation, volumeSizeInGb, dataCapture, foundationModels, guard).",
        ]);
    });

    it("plans a stack that keeps a key of the namespace for other tooling, with the runtime's warning naming it", async () => {
        const { unreadKey } = await backgroundPlans();
        assert.equal(unreadKey.code, 0, unreadKey.stderr);
        const warning =
            "warning: [runtime] config key `fm-fleet:team` is not read by this program (it reads fm-fleet:fleet, fm-fleet:costCenter), so it changes nothing here. Leave it if other tooling reads it; otherwise remove it.";
        assert.deepEqual(
            unreadKey.stderr.split("\n").filter((line) => line.includes("fm-fleet:team")),
            [warning],
        );
        assert.match(unreadKey.stdout, /^Fleet \(stack dev, 36 resources\)$/m);
    });

    it("names a config key whose namespace is a near miss of the project's or a provider's, all at once", () => {
        const dir = project({
            dev: "config:\n  fm-flet:costCenter: ml\n  aws-natve:region: us-east-1\n  kubernetes:context: x\n",
        });
        assert.throws(
            () => readStack(dir, "dev"),
            (e: Error) => {
                assert.ok(e instanceof StackFileError);
                assert.equal(
                    e.message,
                    `${path.join(dir, "Pulumi.dev.yaml")}:\n` +
                        '  - config key "fm-flet:costCenter" has the unknown namespace "fm-flet" (this project\'s is "fm-fleet"). Did you mean "fm-fleet:costCenter"? Fix its spelling.\n' +
                        '  - config key "aws-natve:region" has the unknown namespace "aws-natve" (this project\'s is "fm-fleet"). Did you mean "aws-native:region"? Fix its spelling.',
                );
                return true;
            },
        );
    });
});
