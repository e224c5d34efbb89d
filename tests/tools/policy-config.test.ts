import * as assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { PolicyConfigError, PolicyInfo, readPolicyPackConfig } from "../../tools/plan/policy-config";
import { ROOT } from "../helpers/configs";

/** Two policies shaped like the pack's: one with a schema and defaults, one with none. */
const POLICIES: PolicyInfo[] = [
    {
        name: "max-instances-per-endpoint",
        description: "Checks whether ...",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxInstances: { type: "integer", minimum: 1, default: 4 } }, required: [] },
    },
    {
        name: "allowed-instance-families",
        description: "Checks whether ...",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { families: { type: "array", items: { type: "string" }, default: ["g5", "g6"] } },
            required: [],
        },
    },
    {
        name: "model-network-isolation",
        description: "Checks whether ...",
        enforcementLevel: "advisory",
        configSchema: undefined,
    },
];

function problemsOf(file: unknown): readonly string[] {
    try {
        readPolicyPackConfig(POLICIES, file);
    } catch (e) {
        assert.ok(e instanceof PolicyConfigError, String(e));
        return e.problems;
    }
    assert.fail("the config was accepted");
}

describe("policy pack config (read as the engine reads --policy-pack-config)", () => {
    it("fills schema defaults and each policy's own level when the file says nothing", () => {
        assert.deepEqual(readPolicyPackConfig(POLICIES, {}), {
            config: {
                "max-instances-per-endpoint": { enforcementLevel: "mandatory", properties: { maxInstances: 4 } },
                "allowed-instance-families": { enforcementLevel: "mandatory", properties: { families: ["g5", "g6"] } },
                "model-network-isolation": { enforcementLevel: "advisory", properties: {} },
            },
            warnings: [],
        });
    });

    it("takes a level as a string or in an object, `all` first, then each policy's entry", () => {
        const { config } = readPolicyPackConfig(POLICIES, {
            all: "advisory",
            "max-instances-per-endpoint": { enforcementLevel: "disabled", maxInstances: 2 },
            "model-network-isolation": "mandatory",
        });
        assert.deepEqual(config["max-instances-per-endpoint"], {
            enforcementLevel: "disabled",
            properties: { maxInstances: 2 },
        });
        assert.deepEqual(config["allowed-instance-families"].enforcementLevel, "advisory");
        assert.deepEqual(config["model-network-isolation"].enforcementLevel, "mandatory");
    });

    it("lets an array replace the default array, not merge into it", () => {
        const { config } = readPolicyPackConfig(POLICIES, { "allowed-instance-families": { families: ["inf2"] } });
        assert.deepEqual(config["allowed-instance-families"].properties, { families: ["inf2"] });
    });

    it("ignores an unknown policy named with a level, with a warning, and carries it along as the engine does", () => {
        const read = readPolicyPackConfig(POLICIES, { "max-instance-per-endpoint": "advisory" });
        assert.deepEqual(read.warnings, [
            '"max-instance-per-endpoint" is not a policy of this pack: the engine ignores it. Did you mean max-instances-per-endpoint?',
        ]);
        assert.deepEqual(read.config["max-instance-per-endpoint"], { enforcementLevel: "advisory", properties: {} });
    });

    it("refuses an unknown policy named with an object and no level, as the engine does", () => {
        assert.deepEqual(problemsOf({ "allowed-families": { families: ["g5"] } }), [
            '"allowed-families" is not a policy of this pack and its entry sets no enforcementLevel: the engine fails with invalid enforcement level "". Did you mean allowed-instance-families?',
        ]);
    });

    it("warns about a misspelt key, which the engine passes and the policy never reads", () => {
        const read = readPolicyPackConfig(POLICIES, {
            "max-instances-per-endpoint": { maxInstance: 8 },
            "model-network-isolation": { strict: true },
        });
        assert.deepEqual(read.config["max-instances-per-endpoint"].properties, { maxInstances: 4, maxInstance: 8 });
        assert.deepEqual(read.warnings, [
            "max-instances-per-endpoint: key maxInstance is not in its schema (maxInstances): the engine passes it without a word and the policy never reads it. Did you mean maxInstances?",
            "model-network-isolation: key strict is not in its schema (it takes no properties): the engine passes it without a word and the policy never reads it.",
        ]);
    });

    it("warns when weights-fit-accelerator-memory's families differ from allowed-instance-families', and not for the project's stacks", () => {
        const pack = (require("../../policies/policies") as typeof import("../../policies/policies")).policies;
        const infos = pack.map((p) => ({
            name: p.name,
            description: p.description,
            enforcementLevel: p.enforcementLevel ?? "advisory",
            configSchema: p.configSchema && { properties: p.configSchema.properties, required: [] },
        })) as PolicyInfo[];
        const read = readPolicyPackConfig(infos, { "allowed-instance-families": { families: ["g5", "g6"] } });
        assert.deepEqual(read.warnings, [
            "weights-fit-accelerator-memory.allowedInstanceFamilies (g5, g6, g6e, inf2, m5, c5) differs from allowed-instance-families.families (g5, g6): its fixes may name a family this stack forbids, or miss one it allows. Set both to the same list (a policy reads only its own config).",
        ]);
        const disabled = { "allowed-instance-families": { enforcementLevel: "disabled", families: ["g5"] } };
        assert.deepEqual(readPolicyPackConfig(infos, disabled).warnings, []);
        for (const stack of ["dev", "prod"]) {
            const file = JSON.parse(readFileSync(path.join(ROOT, "policies", "config", `${stack}.json`), "utf8"));
            assert.deepEqual(readPolicyPackConfig(infos, file).warnings, [], stack);
        }
    });

    it("refuses wrong types and bounds with the policy and field, every one at once", () => {
        assert.deepEqual(
            problemsOf({
                "max-instances-per-endpoint": { maxInstances: "4" },
                "allowed-instance-families": { families: ["g5", 6] },
            }),
            [
                "max-instances-per-endpoint: maxInstances: Invalid type. Expected: integer, given: string",
                "allowed-instance-families: families.1: Invalid type. Expected: string, given: integer",
            ],
        );
        assert.deepEqual(problemsOf({ "max-instances-per-endpoint": { maxInstances: 0 } }), [
            "max-instances-per-endpoint: maxInstances: Must be greater than or equal to 1",
        ]);
    });

    it("refuses levels that are not levels and values that are neither string nor object", () => {
        assert.deepEqual(
            problemsOf({
                all: "strict",
                "max-instances-per-endpoint": { enforcementLevel: 1 },
                "allowed-instance-families": ["g5"],
            }),
            [
                'parsing enforcement level for "all": "strict" is not a valid enforcement level (use advisory, mandatory, remediate, disabled)',
                'parsing enforcement level for "max-instances-per-endpoint": 1 is not a valid enforcement level; must be a string',
                'parsing "allowed-instance-families": ["g5"] is not a valid value; must be a string or object',
            ],
        );
        assert.deepEqual(problemsOf([]), ["the file must hold one JSON object of policy names, got []"]);
    });
});
