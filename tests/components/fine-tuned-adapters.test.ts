import * as assert from "node:assert/strict";
import { FineTunedAdapters } from "../../components";
import { TYPES } from "../../lib/contract";
import { find, inputsOf, underMocks, unwrap } from "../helpers/pulumi";

describe("FineTunedAdapters", () => {
    it("declares one adapter inference component per adapter on the base, with no compute of its own", async () => {
        const { result, resources } = await underMocks(
            () =>
                new FineTunedAdapters("chat-llama-adapters", {
                    endpointName: "chat-endpoint-1234567",
                    baseInferenceComponentName: "chat-llama-ic-7654321",
                    adapters: [
                        { name: "support-bot", artifactUrl: "s3://models/adapters/support-bot.tar.gz" },
                        { name: "sql-helper", artifactUrl: "s3://models/adapters/sql-helper.tar.gz" },
                    ],
                    nameParts: ["chat", "llama"],
                    tags: [{ key: "cost-center", value: "ml" }],
                }),
        );
        const component = find(resources, "fm-fleet:sagemaker:FineTunedAdapters", "chat-llama-adapters");
        const adapter = find(resources, TYPES.inferenceComponent, "chat-llama-adapters/support-bot");
        assert.equal(adapter.parent, component.urn);
        const physical = result.physicalNames.get("support-bot")!;
        assert.match(physical, /^chat-llama-support-bot-[0-9a-f]{8}$/);
        assert.deepEqual(inputsOf(adapter), {
            inferenceComponentName: physical,
            endpointName: "chat-endpoint-1234567",
            specification: {
                baseInferenceComponentName: "chat-llama-ic-7654321",
                container: { artifactUrl: "s3://models/adapters/support-bot.tar.gz" },
            },
            tags: [{ key: "cost-center", value: "ml" }],
        });
        const spec = inputsOf(adapter).specification;
        assert.equal("computeResourceRequirements" in spec, false);
        assert.equal("runtimeConfig" in inputsOf(adapter), false);
        assert.equal(
            inputsOf(find(resources, TYPES.inferenceComponent, "chat-llama-adapters/sql-helper")).specification
                .container.artifactUrl,
            "s3://models/adapters/sql-helper.tar.gz",
        );
        const names = await unwrap(result.componentNames);
        assert.deepEqual(Object.keys(names), ["support-bot", "sql-helper"]);
        assert.equal(names["support-bot"], physical);
    });

    it("costs one registration per adapter and one for the whole set, at a thousand adapters", async () => {
        const adapters = Array.from({ length: 1000 }, (_, i) => ({
            name: `t${i}`,
            artifactUrl: `s3://tenant-adapters/t${i}.tar.gz`,
        }));
        const { resources } = await underMocks(
            () => new FineTunedAdapters("set", { endpointName: "e", baseInferenceComponentName: "b", adapters }),
        );
        assert.equal(resources.length, 1001);
        assert.equal(resources.filter((r) => r.type === TYPES.inferenceComponent).length, 1000);
    });
});
