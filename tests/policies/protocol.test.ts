import * as assert from "node:assert/strict";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PolicyPackHost } from "../../tools/plan/policy-host";
import { sharedPack } from "../helpers/shared-pack";
import type { RecordedResource } from "../../tools/mocks/recorder";
import { TestResource, UNKNOWN_STRING } from "../helpers/policy-args";
import { happyStack, stackWith } from "../helpers/policy-fixtures";
import { policies } from "../../policies/policies";

const PACK_VERSION: string = require("../../policies/package.json").version;

/** A test resource in the wire form the engine sends (inputs and outputs alike). */
function wire(r: TestResource): RecordedResource {
    const struct = Struct.fromJavaScript(r.props as any);
    return {
        urn: `urn:pulumi:test::fm-fleet::${r.type}::${r.name}`,
        type: r.type,
        name: r.name,
        custom: true,
        id: r.name,
        parent: "",
        dependencies: [],
        propertyDependencies: {},
        ignoreChanges: [],
        provider: "",
        inputsStruct: struct,
        outputsStruct: struct,
    };
}

describe("policy pack over the analyzer protocol (as the Pulumi CLI runs it)", function () {
    this.timeout(120_000);
    let host: PolicyPackHost;

    before(async () => {
        host = await sharedPack();
    });

    it("describes itself: name, version from package.json, every policy with its schema", async () => {
        assert.equal(host.packName, "fm-fleet-guardrails");
        assert.equal(host.packVersion, require("../../policies/package.json").version);
        assert.deepEqual(
            host.policies.map((p) => p.name),
            policies.map((p) => p.name),
        );
        for (const p of host.policies) {
            assert.match(p.description, /^Checks whether /, p.name);
            assert.match(p.name, /^[a-z]+(-[a-z]+)*$/);
        }
        const budget = host.policies.find((p) => p.name === "monthly-cost-budget")!;
        assert.equal(budget.enforcementLevel, "mandatory");
        assert.deepEqual(budget.configSchema?.properties.maxIdleFloorUsd, {
            type: "number",
            minimum: 0,
            default: 5000,
        });
        assert.equal(host.policies.find((p) => p.name === "model-size-known")!.enforcementLevel, "advisory");
        assert.equal(host.logs.length, 0, host.logs.join("\n"));
    });

    it("configures the pack with what the engine would send, and reports its warnings", async () => {
        const read = await host.configure({
            "max-instances-per-endpoint": { maxInstance: 8 },
            "prod-instance-count": "disabled",
        });
        assert.deepEqual(read.config["max-instances-per-endpoint"], {
            enforcementLevel: "mandatory",
            properties: { maxInstances: 4, maxInstance: 8 },
        });
        assert.deepEqual(read.warnings, [
            "max-instances-per-endpoint: key maxInstance is not in its schema (maxInstances): the engine passes it without a word and the policy never reads it. Did you mean maxInstances?",
        ]);
        // The pack itself reports the undeclared key, once, so the CLI path catches the typo too.
        const first = await host.analyze(wire(happyStack().config));
        assert.deepEqual(
            first.map((d) => [d.policyName, d.enforcementLevel, d.message]),
            [
                [
                    "max-instances-per-endpoint",
                    "mandatory",
                    "Policy config of max-instances-per-endpoint must use the keys its schema declares (maxInstances), got maxInstance. The engine ignores it without a word, so the policy runs with its defaults: fix the spelling in the policy pack config.",
                ],
            ],
        );
        assert.deepEqual(await host.analyze(wire(happyStack().endpoint)), []);
    });

    it("reports Analyze violations at their configured level, with the pack's name and version", async () => {
        await host.configure({ "load-aware-routing": "mandatory", "prod-instance-count": "disabled" });
        const config = happyStack().config;
        config.props.productionVariants[0].instanceType = "ml.p5.48xlarge";
        config.props.productionVariants[0].routingConfig = { routingStrategy: "RANDOM" };
        const diagnostics = await host.analyze(wire(config));
        assert.deepEqual(
            diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.policyPackName, d.policyPackVersion]),
            [
                ["allowed-instance-families", "mandatory", "fm-fleet-guardrails", PACK_VERSION],
                ["load-aware-routing", "mandatory", "fm-fleet-guardrails", PACK_VERSION],
                // p5 is often short of capacity, and this variant has no fallback pool.
                ["capacity-fallback", "advisory", "fm-fleet-guardrails", PACK_VERSION],
            ],
        );
        assert.equal(
            diagnostics[0].message,
            'Endpoint configuration "chat-config" variant "AllTraffic" must use an allowed instance family (g5, g6, g6e, inf2, m5, c5), got ml.p5.48xlarge (family p5). Pick a type from an allowed family, or ask the platform team to add p5 to allowed-instance-families.families.',
        );
    });

    it("applies a config file's properties and disables what it disables", async () => {
        await host.configure({ "allowed-instance-families": { families: ["p5"] }, "load-aware-routing": "disabled" });
        const config = happyStack().config;
        config.props.productionVariants[0].instanceType = "ml.p5.48xlarge";
        config.props.productionVariants[0].routingConfig = { routingStrategy: "RANDOM" };
        // p5 has local NVMe storage too: no KMS key needed, none set.
        assert.deepEqual(
            (await host.analyze(wire(config))).map((d) => d.policyName),
            ["prod-instance-count", "capacity-fallback"],
        );
    });

    it("never fails a call on unknown (preview) values", async () => {
        await host.configure({});
        const config = happyStack().config;
        config.props.kmsKeyId = UNKNOWN_STRING;
        config.props.productionVariants[0].instanceType = UNKNOWN_STRING;
        config.props.productionVariants[0].managedInstanceScaling.minInstanceCount = 2;
        assert.deepEqual(await host.analyze(wire(config)), []);
    });

    it("runs the stack rules on AnalyzeStack, attributing each finding to its resource", async () => {
        await host.configure({ "min-copies": { minCopiesAtMost: 0, minInstancesAtMost: 0 } });
        assert.deepEqual(await host.analyzeStack(stackWith().map(wire)), []);
        const diagnostics = await host.analyzeStack(stackWith((s) => delete s.alarm).map(wire));
        assert.deepEqual(
            diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn]),
            [
                [
                    "scale-to-zero-can-wake",
                    "mandatory",
                    "urn:pulumi:test::fm-fleet::aws:appautoscaling/target:Target::chat-llama-scaling-target",
                ],
            ],
        );
        assert.match(
            diagnostics[0].message,
            /but no NoCapacityInvocationFailures alarm watches it, so it can never wake up\./,
        );
    });
});
