import * as assert from "node:assert/strict";
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
import { happyStack, perInstanceType, shadowVariant, stackWith, withNativeScaling } from "../helpers/policy-fixtures";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

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

/**
 * The happy stack with its base IC tagged as quantized, so the tag's value can be replaced too, a shadow
 * variant, a second base IC declared with per-instance-type `specifications`, and the copy autoscaling
 * declared again with aws-native (target, policies by resource id and by `scalingTargetId`, alarm).
 */
function quantizedStack(): Record<string, TestResource> {
    const stack = happyStack();
    stack.ic.props.tags.push({ key: "fmfleet:quantization", value: "awq" });
    stack.config.props.shadowProductionVariants = [shadowVariant()];
    const perType = perInstanceType(["ml.g5.2xlarge"], (entry) => (entry.container = { image: "i" }));
    perType.name = "chat-llama-ic-per-type";
    perType.props.inferenceComponentName = "chat-llama-ic-per-type-1234567";
    stack.icPerType = perType;
    for (const [key, resource] of Object.entries(withNativeScaling(happyStack()))) {
        if (!["target", "tracking", "wake", "alarm"].includes(key)) continue;
        stack[`native${key[0].toUpperCase()}${key.slice(1)}`] = { ...resource, name: `native-${resource.name}` };
    }
    return stack;
}

describe("policies on unknown and missing values", () => {
    const resources = Object.values(quantizedStack());

    for (const [label, value] of [
        ["unknown (preview)", UNKNOWN_STRING],
        ["unknown number", UNKNOWN_NUMBER],
        ["unknown array", UNKNOWN_ARRAY],
        ["missing", undefined],
        ["a number", 42],
        ["a string", "x"],
        ["null", null],
        ["an array", []],
        ["an object", {}],
    ] as const) {
        it(`never throw when any property is ${label}`, async () => {
            let runs = 0;
            for (const resource of resources) {
                for (const variant of everyLeafReplaced(resource, value)) {
                    for (const policy of resourcePolicies) {
                        await violations(policy, variant);
                        runs++;
                    }
                }
            }
            for (const key of Object.keys(quantizedStack())) {
                for (const variant of everyLeafReplaced(quantizedStack()[key], value)) {
                    const stack = Object.values({ ...quantizedStack(), [key]: variant });
                    for (const policy of stackPolicies) {
                        await stackViolations(policy, stack);
                        runs++;
                    }
                }
            }
            assert.ok(runs > 500, `ran ${runs} checks`);
        });
    }

    /** The config that makes every check bite, restricted to the keys each policy declares. */
    const strict = (
        policy: { configSchema?: { properties?: Record<string, unknown> } },
        config: Record<string, unknown>,
    ) => Object.fromEntries(Object.entries(config).filter(([k]) => k in (policy.configSchema?.properties ?? {})));

    it("skips a check whose deciding value is unknown instead of failing it", async () => {
        const config = happyStack().config;
        config.props.kmsKeyId = UNKNOWN_STRING;
        config.props.productionVariants[0].instanceType = UNKNOWN_STRING;
        for (const policy of resourcePolicies)
            assert.deepEqual(
                await violations(policy, config, strict(policy, { minInstancesAtMost: 0, minInstances: 0 })),
                [],
                policy.name,
            );
        const stack = stackWith((s) => (s.alarm.props.alarmActions = UNKNOWN_ARRAY));
        for (const policy of stackPolicies) {
            assert.deepEqual(
                await stackViolations(policy, stack, strict(policy, { minCopiesAtMost: 0, minInstancesAtMost: 0 })),
                [],
                policy.name,
            );
        }
    });

    it("ignores resource types it does not govern", async () => {
        const bucket = { type: "aws:s3/bucket:Bucket", name: "b", props: { tags: {} } };
        for (const policy of resourcePolicies) assert.deepEqual(await violations(policy, bucket), [], policy.name);
        assert.equal(TYPES.endpoint, "aws:sagemaker/endpoint:Endpoint");
    });
});
