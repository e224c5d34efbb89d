import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { readStack, StackFileError } from "../../tools/plan/stack-files";

describe("stack files (as the CLI reads them)", () => {
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

    it("names the missing file", () => {
        assert.throws(() => readStack(dir, "nope"), {
            name: "StackFileError",
            message: `${path.join(dir, "Pulumi.nope.yaml")} does not exist.`,
        });
        assert.ok(new StackFileError("x") instanceof Error);
    });
});
