import { Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";

/**
 * The engine passes a policy config key its schema does not declare without a word (JSON Schema without
 * `additionalProperties`): a typo such as `maxInstance` leaves the real limit at its default. Every policy
 * of the pack reports such keys as a violation of its own, so `pulumi preview --policy-pack` catches them.
 *
 * A policy reports them on the first resource (or stack) it validates under a given config, once: the
 * analyzer deserializes a stack's resources for every stack policy, so adding a stack check to each
 * resource policy would cost more than the rule is worth at thousands of resources.
 */
const reported = new Set<string>();

function undeclaredKeysMessage(policy: Policy, config: Record<string, unknown> | undefined): string | undefined {
    const declared = Object.keys(policy.configSchema?.properties ?? {});
    const extra = Object.keys(config ?? {}).filter((k) => !declared.includes(k));
    if (extra.length === 0) return undefined;
    const memo = `${policy.name}\0${JSON.stringify(config)}`;
    if (reported.has(memo)) return undefined;
    reported.add(memo);
    return (
        `Policy config of ${policy.name} must use the keys its schema declares (${declared.length ? declared.join(", ") : "none"}), got ${extra.join(", ")}. ` +
        `The engine ignores ${extra.length === 1 ? "it" : "them"} without a word, so the policy runs with its defaults: fix the spelling in the policy pack config.`
    );
}

/** `policy`, also reporting undeclared keys of its config (see above). Keeps the analyzer's type fast path. */
export function reportingUndeclaredConfig<P extends Policy>(policy: P): P {
    const out: any = { ...policy };
    const original = policy as any;
    if (typeof original.validateResource === "function") {
        const validate = original.validateResource;
        const wrapped = (args: ResourceValidationArgs, report: ReportViolation) => {
            const message = undeclaredKeysMessage(policy, args.getConfig<Record<string, unknown>>());
            if (message) report(message);
            return validate(args, report);
        };
        out.validateResource = Object.assign(wrapped, { __pulumiType: validate.__pulumiType });
    }
    if (typeof original.validateStack === "function") {
        const validate = original.validateStack;
        out.validateStack = (args: StackValidationArgs, report: ReportViolation) => {
            const message = undeclaredKeysMessage(policy, args.getConfig<Record<string, unknown>>());
            if (message) report(message);
            return validate(args, report);
        };
    }
    return out as P;
}
