import * as assert from "node:assert/strict";
import * as path from "path";
import { ESLint } from "eslint";
import { ROOT } from "../helpers/configs";

const OUTPUT_FIELD_MESSAGE =
    "Declare a resource's output fields with `declare`: the engine sets them inside super(), and a class field resets them to undefined (target ES2022).";

describe("lint rules (eslint.config.mjs)", () => {
    it("forbids class-field outputs on resource subclasses and allows `declare`d ones and components' fields", async () => {
        const eslint = new ESLint({ cwd: ROOT });
        const source = [
            'import * as pulumi from "@pulumi/pulumi";',
            "export class Job extends pulumi.dynamic.Resource {",
            "    public readonly definite!: pulumi.Output<string>;",
            "    public readonly optional?: pulumi.Output<string>;",
            "    declare public readonly declared: pulumi.Output<string>;",
            '    public readonly initialized: string = "set in the constructor";',
            "}",
            "export class Custom extends pulumi.CustomResource {",
            "    public readonly arn!: pulumi.Output<string>;",
            "}",
            "export class Part extends pulumi.ComponentResource {",
            "    public readonly child!: pulumi.Output<string>;",
            "}",
            "",
        ].join("\n");
        const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, "components", "lint-probe.ts") });
        assert.deepEqual(
            result.messages.map((m) => [m.line, m.ruleId, m.message]),
            [
                [3, "no-restricted-syntax", OUTPUT_FIELD_MESSAGE],
                [4, "no-restricted-syntax", OUTPUT_FIELD_MESSAGE],
                [9, "no-restricted-syntax", OUTPUT_FIELD_MESSAGE],
            ],
        );
    });
});
