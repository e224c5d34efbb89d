import * as assert from "node:assert/strict";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { allowedInstanceFamilies, maxInstancesPerEndpoint, monthlyCostBudget } from "../../policies/cost";
import { inferenceComponentOneContainer, pipelineModelContainers } from "../../policies/deployability";
import { minCopies, prodInstanceCount } from "../../policies/availability";
import { policies } from "../../policies/policies";
import { TYPES } from "../../lib/contract";
import {
    stackViolations,
    TestResource,
    UNKNOWN_ARRAY,
    UNKNOWN_NUMBER,
    UNKNOWN_STRING,
    violations,
} from "../helpers/policy-args";
import { happyStack } from "../helpers/policy-fixtures";

const XGB = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
const PRE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-preprocess:1.4.0";

/** A serial inference pipeline written by hand: model (3 containers, Serial), classic config, endpoint. */
function pipelineStack(): Record<string, TestResource> {
    const tags = { "cost-center": "ml" };
    return {
        model: {
            type: TYPES.model,
            name: "churn-model",
            props: {
                name: "churn-model-1234567",
                executionRoleArn: "arn:aws:iam::123456789012:role/r",
                enableNetworkIsolation: true,
                containers: [
                    { image: PRE, modelDataUrl: "s3://models/churn/pre/model.tar.gz", environment: { A: "1" } },
                    { image: XGB, modelDataUrl: "s3://models/churn/xgb/model.tar.gz" },
                    { image: PRE, environment: { STEP: "post" } },
                ],
                inferenceExecutionConfig: { mode: "Serial" },
                tags,
            },
        },
        config: {
            type: TYPES.endpointConfiguration,
            name: "churn-config",
            props: {
                name: "churn-config-1234567",
                kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
                productionVariants: [
                    {
                        variantName: "AllTraffic",
                        modelName: "churn-model-1234567",
                        instanceType: "ml.m5.xlarge",
                        initialInstanceCount: 2,
                        routingConfigs: [{ routingStrategy: "LEAST_OUTSTANDING_REQUESTS" }],
                    },
                ],
                tags,
            },
        },
        endpoint: {
            type: TYPES.endpoint,
            name: "churn-endpoint",
            props: { name: "churn-1234567", endpointConfigName: "churn-config-1234567", tags },
        },
    };
}

const resourcePolicies = policies.filter(
    (p): p is ResourceValidationPolicy => "validateResource" in p && !!p.validateResource,
);
const stackPolicies = policies.filter((p): p is StackValidationPolicy => "validateStack" in p && !!p.validateStack);

/** Every leaf of a resource's props replaced, one at a time, by `value`. */
function everyLeafReplaced(resource: TestResource, value: unknown): TestResource[] {
    const out: TestResource[] = [];
    const walk = (node: any, path: (string | number)[]) => {
        for (const [key, child] of Object.entries(node)) {
            const here = [...path, Array.isArray(node) ? Number(key) : key];
            if (child !== null && typeof child === "object") walk(child, here);
            const copy = structuredClone(resource);
            let target: any = copy.props;
            for (const k of here.slice(0, -1)) target = target[k];
            target[here[here.length - 1]] = value;
            out.push(copy);
        }
    };
    walk(resource.props, []);
    return out;
}

describe("the pack on a serial inference pipeline", () => {
    it("finds nothing wrong with a pipeline of 2 instances under prod-like settings", async () => {
        const stack = Object.values(pipelineStack());
        const config = { minInstances: 2, minInstancesAtLeast: 2 };
        const strict = (p: { configSchema?: { properties?: Record<string, unknown> } }) =>
            Object.fromEntries(Object.entries(config).filter(([k]) => k in (p.configSchema?.properties ?? {})));
        for (const policy of resourcePolicies)
            for (const r of stack) assert.deepEqual(await violations(policy, r, strict(policy)), [], policy.name);
        for (const policy of stackPolicies)
            assert.deepEqual(await stackViolations(policy, stack, strict(policy)), [], policy.name);
    });

    it("judges its instance type and count as a classic variant's", async () => {
        const { config } = pipelineStack();
        assert.deepEqual(await violations(allowedInstanceFamilies, config, { families: ["g5", "g6"] }), [
            'Endpoint configuration "churn-config" variant "AllTraffic" must use an allowed instance family (g5, g6), got ml.m5.xlarge (family m5). Pick a type from an allowed family, or ask the platform team to add m5 to allowed-instance-families.families.',
        ]);
        assert.equal((await violations(maxInstancesPerEndpoint, config, { maxInstances: 1 })).length, 1);
        assert.equal((await violations(minCopies, config, { minInstancesAtMost: 0 })).length, 1);
        config.props.productionVariants[0].initialInstanceCount = 1;
        assert.equal((await violations(prodInstanceCount, config, { minInstances: 2 })).length, 1);
        // Its fixed instances are its idle floor: $0.23/h x 2 x 730 = $336 a month.
        assert.deepEqual(
            await stackViolations(monthlyCostBudget, Object.values(pipelineStack()), { maxIdleFloorUsd: 100 }),
            [await budgetMessage()],
        );
    });

    for (const [label, value] of [
        ["unknown (preview)", UNKNOWN_STRING],
        ["unknown number", UNKNOWN_NUMBER],
        ["unknown array", UNKNOWN_ARRAY],
        ["missing", undefined],
        ["null", null],
        ["an object", {}],
    ] as const) {
        it(`never throws when any property of the pipeline is ${label}`, async () => {
            let runs = 0;
            const stack = pipelineStack();
            for (const [key, resource] of Object.entries(stack)) {
                for (const variant of everyLeafReplaced(resource, value)) {
                    for (const policy of resourcePolicies) {
                        await violations(policy, variant);
                        runs++;
                    }
                    for (const policy of stackPolicies) {
                        await stackViolations(policy, Object.values({ ...stack, [key]: variant }));
                        runs++;
                    }
                }
            }
            assert.ok(runs > 500, `ran ${runs} checks`);
        });
    }
});

/** monthly-cost-budget's message for the pipeline's $336 idle floor against $100 (read from the policy). */
async function budgetMessage(): Promise<string> {
    const [message] = await stackViolations(monthlyCostBudget, Object.values(pipelineStack()), {
        maxIdleFloorUsd: 100,
    });
    assert.match(message, /\$336/);
    return message;
}

describe("pipeline-model-containers", () => {
    it("fails a model of 16 containers, for either provider", async () => {
        for (const type of [TYPES.model, TYPES.nativeModel]) {
            const { model } = pipelineStack();
            model.type = type;
            model.props.containers = Array.from({ length: 16 }, () => ({ image: XGB }));
            assert.deepEqual(await violations(pipelineModelContainers, model), [
                `Model "churn-model" must list at most 15 containers, got 16. CreateModel fails past 15 (an inference pipeline runs 2 to 15 containers): merge steps into fewer containers, or split the pipeline across two endpoints (fm-fleet: pipelines[].containers).`,
            ]);
        }
    });

    it("passes 15 containers, and one container in MultiModel mode at the end of a pipeline", async () => {
        const { model } = pipelineStack();
        model.props.containers = Array.from({ length: 15 }, () => ({ image: XGB }));
        model.props.containers[14].mode = "MultiModel";
        assert.deepEqual(await violations(pipelineModelContainers, model), []);
    });

    it("fails a pipeline with two containers in MultiModel mode, quoting the API's error", async () => {
        const { model } = pipelineStack();
        model.props.containers[1].mode = "MultiModel";
        model.props.containers[2].mode = "MultiModel";
        assert.deepEqual(await violations(pipelineModelContainers, model), [
            'Model "churn-model" must run at most one of its containers in MultiModel mode, got 2 (containers[1], containers[2]). CreateModel fails: "More than one container in MultiModel mode is not supported with inference pipeline." Keep MultiModel on the one container that loads models by TargetModel, or serve the models from a multi-model endpoint of their own (fm-fleet: multiModelEndpoints[]).',
        ]);
    });

    it("skips a model whose containers are unknown", async () => {
        const { model } = pipelineStack();
        model.props.containers = UNKNOWN_ARRAY;
        assert.deepEqual(await violations(pipelineModelContainers, model), []);
    });
});

describe("inference-component-one-container", () => {
    /** The happy IC stack, its base IC deploying the pipeline's model instead of its own. */
    function icOnPipeline(change: (model: TestResource) => void = () => {}): TestResource[] {
        const stack = happyStack();
        const { model } = pipelineStack();
        change(model);
        stack.ic.props.specification.modelName = model.props.name;
        return [...Object.values(stack), model];
    }

    it("fails an inference component that deploys a pipeline's model", async () => {
        assert.deepEqual(await stackViolations(inferenceComponentOneContainer, icOnPipeline()), [
            'Inference component "chat-llama-ic" deploys model "churn-model", which must be a single-container model, got 3 containers (InferenceExecutionConfig mode Serial). An inference component hosts one model in one container: serve the pipeline from a classic endpoint whose production variant names the model (fm-fleet: pipelines[]), or deploy each container as its own inference component. @ chat-llama-ic',
        ]);
    });

    it("fails one that deploys a model of one container run Direct, and passes a model of one container", async () => {
        const direct = await stackViolations(
            inferenceComponentOneContainer,
            icOnPipeline((m) => {
                m.props.containers = [{ image: XGB }];
                m.props.inferenceExecutionConfig = { mode: "Direct" };
            }),
        );
        assert.equal(direct.length, 1);
        assert.match(direct[0], /got 1 containers \(InferenceExecutionConfig mode Direct\)/);
        const single = await stackViolations(
            inferenceComponentOneContainer,
            icOnPipeline((m) => {
                m.props.containers = [{ image: XGB }];
                delete m.props.inferenceExecutionConfig;
            }),
        );
        assert.deepEqual(single, []);
        assert.deepEqual(await stackViolations(inferenceComponentOneContainer, Object.values(happyStack())), []);
    });
});
