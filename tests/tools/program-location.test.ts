import * as assert from "node:assert/strict";
import * as path from "path";
import { programLocation, programMessage } from "../../tools/plan/program-location";

describe("a failed program's location and message (tools/plan/program-location.ts)", () => {
    const project = path.join(path.sep, "work", "project");

    it("names the first frame in the project's own code, past node_modules, Node's internals and the plan's tools", () => {
        const stack = [
            "Error: boom",
            `    at Object.<anonymous> (${path.join(project, "node_modules", "@pulumi", "pulumi", "x.js")}:1:2)`,
            `    at check (${path.join(__dirname, "..", "..", "tools", "plan", "run-program.ts")}:3:4)`,
            "    at node:internal/modules/cjs/loader:1623:10",
            `    at f (${path.join(project, "src", "index.ts")}:3:22)`,
            `    at ${path.join(project, "index.ts")}:4:1`,
        ].join("\n");
        assert.equal(programLocation({ message: "boom", stack }, project), "src/index.ts:3:22");
        assert.equal(programLocation({ message: "boom", stack: "Error: boom" }, project), undefined);
    });

    it("reads ts-node's compile error as file:line:column and one line of message", () => {
        const message = `⨯ Unable to compile TypeScript:\n${path.relative(process.cwd(), path.join(project, "index.ts"))}(1,11): error TS1109: Expression expected.\n`;
        assert.equal(programLocation({ message }, project), "index.ts:1:11");
        assert.equal(programMessage({ message }), "does not compile: error TS1109: Expression expected.");
        assert.equal(programMessage({ message: "boom in program" }), "boom in program");
    });
});
