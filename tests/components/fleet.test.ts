import * as assert from "node:assert/strict";
import { Fleet } from "../../components";
import { TYPES } from "../../lib/contract";
import { stackConfig } from "../helpers/configs";
import { countByType, find, inputsOf, underMocks, unwrap } from "../helpers/pulumi";

function fleetOf(stack: string) {
    const config = stackConfig(stack);
    return () => new Fleet("fleet", { fleet: config["fm-fleet:fleet"], costCenter: config["fm-fleet:costCenter"] });
}

describe("Fleet", () => {
    it("builds the dev stack: one endpoint that scales to zero, one model, three adapters", async () => {
        const { result, resources } = await underMocks(fleetOf("dev"), "dev");
        assert.equal(resources.length, 19);
        assert.deepEqual(countByType(resources), {
            "fm-fleet:index:Fleet": 1,
            "fm-fleet:iam:ExecutionRole": 1,
            "fm-fleet:sagemaker:InferenceEndpoint": 1,
            "fm-fleet:sagemaker:FoundationModel": 1,
            "fm-fleet:autoscaling:CopyAutoscaling": 1,
            "fm-fleet:sagemaker:FineTunedAdapters": 1,
            [TYPES.role]: 1,
            [TYPES.rolePolicy]: 1,
            [TYPES.endpointConfiguration]: 1,
            [TYPES.endpoint]: 1,
            [TYPES.model]: 1,
            [TYPES.inferenceComponent]: 4,
            [TYPES.scalableTarget]: 1,
            [TYPES.scalingPolicy]: 2,
            [TYPES.metricAlarm]: 1,
        });
        // The tree reads endpoint -> model -> adapters.
        const endpoint = find(resources, "fm-fleet:sagemaker:InferenceEndpoint", "fleet-chat");
        const model = find(resources, "fm-fleet:sagemaker:FoundationModel", "fleet-chat-llama3-8b");
        const adapters = find(resources, "fm-fleet:sagemaker:FineTunedAdapters", "fleet-chat-llama3-8b-adapters");
        assert.equal(model.parent, endpoint.urn);
        assert.equal(adapters.parent, model.urn);

        const variant = inputsOf(find(resources, TYPES.endpointConfiguration, "fleet-chat-config"))
            .productionVariants[0];
        assert.deepEqual(variant.managedInstanceScaling, {
            status: "ENABLED",
            minInstanceCount: 0,
            maxInstanceCount: 1,
        });
        assert.equal(
            inputsOf(find(resources, TYPES.scalableTarget, "fleet-chat-llama3-8b-scaling-target")).minCapacity,
            0,
        );
        for (const r of resources.filter((x) => x.type === TYPES.inferenceComponent)) {
            assert.ok(
                inputsOf(r).tags.some((t: any) => t.key === "cost-center" && t.value === "ml-platform-dev"),
                `${r.name} carries the cost-center tag`,
            );
        }

        const names = await unwrap(result.endpointNames);
        assert.deepEqual(Object.keys(names.chat.models["llama3-8b"].adapters), [
            "support-bot",
            "sql-helper",
            "release-notes",
        ]);
        assert.match(names.chat.endpointName, /^fleet-chat-endpoint-[0-9a-f]{7}$/);
        assert.deepEqual(await unwrap(result.multiModelEndpointNames), {});
    });

    it("builds the prod stack: HA endpoint with a quantized 70B beside an 8B with adapters, and a multi-model endpoint", async () => {
        const { result, resources } = await underMocks(fleetOf("prod"), "prod");
        assert.equal(resources.length, 30);
        assert.equal(resources.filter((r) => r.type === TYPES.inferenceComponent).length, 6);
        assert.equal(resources.filter((r) => r.type === TYPES.metricAlarm).length, 0);
        const variant = inputsOf(find(resources, TYPES.endpointConfiguration, "fleet-chat-config"))
            .productionVariants[0];
        assert.deepEqual(variant.managedInstanceScaling, {
            status: "ENABLED",
            minInstanceCount: 2,
            maxInstanceCount: 4,
        });
        const big = inputsOf(find(resources, TYPES.model, "fleet-chat-llama3-70b-model"));
        assert.equal(big.primaryContainer.environment.OPTION_QUANTIZE, "awq");
        assert.equal(
            big.primaryContainer.environment.OPTION_SPECULATIVE_DRAFT_MODEL,
            "/opt/ml/additional-model-data-sources/draft_model",
        );
        const names = await unwrap(result.multiModelEndpointNames);
        assert.match(names.classic, /^fleet-classic-endpoint-[0-9a-f]{7}$/);
    });
});
