import { StackValidationPolicy } from "@pulumi/policy";
import { CUSTOMER_FACING_TAG, GUARD_FOR_TAG, SAGEMAKER_TYPES } from "../lib/contract";
import { GUARD_CHECKS } from "../lib/guard";
import { NAME_HASH_LENGTH } from "../lib/names";
import { configOf } from "./support/config";
import { UNKNOWN } from "./support/props";
import { Node, StackGraph } from "./support/stack-graph";
import { tagsOf } from "./support/tags";
import { physicalNameOf } from "./support/views";

/** Config of {@link guardRequired}. */
export interface GuardRequiredConfig {
    /**
     * Endpoints that must have a guard: their stack config names (`chat`, matched against the fleet's
     * physical names `chat-<hash>`), physical or logical names, or `"*"` for every inference-component endpoint.
     */
    readonly endpoints: string[];
    /** Also require one on every endpoint tagged `fmfleet:customer-facing=true`. */
    readonly customerFacing: boolean;
    /** The checks a guard must run. */
    readonly checks: string[];
}

/** Whether `endpoint` is one a configured name means. */
function named(endpoint: Node, physical: unknown, names: readonly string[]): boolean {
    return names.some(
        (n) =>
            n === "*" ||
            n === physical ||
            n === endpoint.resource.name ||
            // The fleet's physical names: the config name, a hyphen, the hash (lib/names).
            (typeof physical === "string" &&
                new RegExp(`^${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{${NAME_HASH_LENGTH}}$`).test(
                    physical,
                )),
    );
}

export const guardRequired: StackValidationPolicy = {
    name: "guard-required",
    description:
        "Checks whether the endpoints the config names (or tags customer-facing) have a safety guard inference component on the same endpoint, running the required checks.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            endpoints: { type: "array", items: { type: "string" }, default: [] },
            customerFacing: { type: "boolean", default: true },
            checks: { type: "array", items: { type: "string", enum: [...GUARD_CHECKS] }, default: ["input"] },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = configOf<GuardRequiredConfig>(guardRequired, args);
        const graph = new StackGraph(args.resources);
        // Guards by the endpoint they sit on: the checks their contract tag names (UNKNOWN while unknown).
        const guards = new Map<string, (string[] | typeof UNKNOWN)[]>();
        let guardOnUnknownEndpoint = false;
        for (const { node, ic } of graph.inferenceComponents()) {
            const tags = tagsOf(node.props);
            const tag = tags === UNKNOWN ? UNKNOWN : tags[GUARD_FOR_TAG];
            if (tag === undefined) continue;
            if (typeof ic.endpointName !== "string") {
                guardOnUnknownEndpoint = true;
                continue;
            }
            const checks = typeof tag === "string" ? tag.split(",").map((c) => c.trim()) : UNKNOWN;
            guards.set(ic.endpointName, [...(guards.get(ic.endpointName) ?? []), checks]);
        }
        for (const endpoint of graph.allOf(SAGEMAKER_TYPES.endpoint)) {
            const physical = physicalNameOf(endpoint.resource.type, endpoint.props);
            const tags = tagsOf(endpoint.props);
            const tagged = config.customerFacing && tags !== UNKNOWN && tags[CUSTOMER_FACING_TAG] === "true";
            if (!tagged && !named(endpoint, physical, config.endpoints)) continue;
            if (typeof physical !== "string" || guardOnUnknownEndpoint) continue;
            // Only inference-component endpoints host a guard: a multi-model endpoint's config names a model.
            const onIt = guards.get(physical) ?? [];
            const hostsIcs = graph.inferenceComponents().some(({ ic }) => ic.endpointName === physical);
            if (!hostsIcs && onIt.length === 0) continue;
            const why = tagged ? `it is tagged ${CUSTOMER_FACING_TAG}=true` : "the policy config names it";
            if (onIt.length === 0) {
                reportViolation(
                    `Endpoint "${endpoint.resource.name}" must have a safety guard inference component (${why}), got none tagged ${GUARD_FOR_TAG}. ` +
                        `Add endpoints[].guard to its stack config (Llama Guard 3, docs/guarded-inference.md).`,
                    endpoint.resource.urn,
                );
                continue;
            }
            if (onIt.some((c) => c === UNKNOWN)) continue;
            const best = onIt as string[][];
            const missing = config.checks.filter((c) => !best.some((g) => g.includes(c)));
            if (missing.length > 0) {
                reportViolation(
                    `Endpoint "${endpoint.resource.name}" must have a guard that checks ${config.checks.join(" and ")}, got ${best.map((g) => g.join(",")).join("; ")}. ` +
                        `Add ${missing.join(", ")} to its guard's checks.`,
                    endpoint.resource.urn,
                );
            }
        }
    },
};
