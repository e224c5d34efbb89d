import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { validateStackSettings } from "../../components";
import { readStack, StackFileError } from "../../tools/plan/stack-files";
import { ROOT } from "../helpers/configs";

describe("stack files (as the CLI reads them)", () => {
    it("accepts the config reference's example stack (docs/config.md)", () => {
        const readme = readFileSync(path.join(ROOT, "docs", "config.md"), "utf8");
        const section = readme.slice(readme.indexOf("## What a stack declares"));
        const example = /```yaml\n([\s\S]*?)```/.exec(section)![1];
        const config = parse(example).config;
        assert.equal(
            validateStackSettings(config["fm-fleet:fleet"], config["fm-fleet:costCenter"]).costCenter,
            "ml-platform",
        );
    });

    const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-stack-"));
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: demo\nruntime: nodejs\nmain: src/index.ts\n");
    writeFileSync(
        path.join(dir, "Pulumi.test.yaml"),
        [
            "config:",
            "  aws:region: us-east-1",
            "  costCenter: ml",
            "  demo:replicas: 3",
            "  demo:fleet:",
            "    endpoints: [{ name: chat }]",
            "  demo:token:",
            "    secure: v1:abcdef==",
        ].join("\n"),
    );

    it("namespaces project keys, serializes objects to JSON and keeps secrets secret", () => {
        const stack = readStack(dir, "test");
        assert.equal(stack.project, "demo");
        assert.equal(stack.main, path.join(dir, "src/index.ts"));
        assert.deepEqual(stack.config, {
            "aws:region": "us-east-1",
            "demo:costCenter": "ml",
            "demo:replicas": "3",
            "demo:fleet": '{"endpoints":[{"name":"chat"}]}',
            "demo:token": "[secret]",
        });
        assert.deepEqual(stack.secretKeys, ["demo:token"]);
    });

    it("names the missing file and the stacks there are", () => {
        assert.throws(() => readStack(dir, "nope"), {
            name: "StackFileError",
            message: `no stack "nope": ${path.join(dir, "Pulumi.nope.yaml")} does not exist. Stacks found: test. Pick one with --stack <name>, or give a stack file with --stack-file <file>.`,
        });
        assert.throws(() => readStack(dir, "nope", path.join(dir, "other.yaml")), {
            name: "StackFileError",
            message: `${path.join(dir, "other.yaml")} does not exist.`,
        });
        assert.ok(new StackFileError("x") instanceof Error);
    });

    it("refuses what JSON config cannot carry and files of the wrong shape, naming the file and the key", () => {
        const write = (stack: string, text: string) => {
            writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
            return path.join(dir, `Pulumi.${stack}.yaml`);
        };
        for (const [stack, value] of [
            ["inf", ".inf"],
            ["nan", ".nan"],
            ["huge", "1e309"],
        ]) {
            const file = write(
                stack,
                `config:\n  demo:fleet:\n    endpoints:\n      - instances: { min: 0, max: ${value} }\n`,
            );
            assert.throws(() => readStack(dir, stack), {
                name: "StackFileError",
                message: `${file}: demo:fleet.endpoints[0].instances.max is not a finite number (YAML .inf, .nan or a number too large, like 1e309). Pulumi config is JSON, which cannot carry it: write a finite number.`,
            });
        }
        const twoDocs = write("docs", "config:\n  demo:a: 1\n---\nconfig:\n  demo:b: 2\n");
        assert.throws(() => readStack(dir, "docs"), {
            message: `${twoDocs} holds 2 YAML documents (separated by ---); a Pulumi file is one mapping. Keep one.`,
        });
        const list = write("list", "- config: {}\n");
        assert.throws(() => readStack(dir, "list"), {
            message: `${list} must be a YAML mapping (with a \`config:\` key), got a list. Write it as key: value lines.`,
        });
    });
});
