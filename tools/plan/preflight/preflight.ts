import type { PolicyResource } from "@pulumi/policy";
import { DEPLOY_RULES } from "../../../policies/support/deploy-rules";
import { plain } from "../../../policies/support/props";
import { Node, StackGraph } from "../../../policies/support/stack-graph";
import { inputsOf, RecordedResource } from "../../mocks/recorder";
import { hasPinnedSchema, schemaProblems } from "./cloudformation-schemas";
import { dependencyOrderProblems, orderMessage } from "./dependency-order";

/** The checks of the deploy preflight, each named as reports name it. */
export const PREFLIGHT_CHECKS = {
    schema: "cloudformation-schema",
    duplicateUrn: "duplicate-urn",
    dependencyOrder: "dependency-order",
    ...Object.fromEntries(DEPLOY_RULES.map((r) => [r.name, r.name])),
} as const;

/** Something the real API (or the engine) would reject at `pulumi up`, though mocks accepted it. */
export interface PreflightFinding {
    /** The check that found it: `cloudformation-schema`, `duplicate-urn`, or a deploy rule's name. */
    readonly check: string;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly message: string;
}

/**
 * The deploy preflight: what mocks accept and `pulumi up` would not. It validates every aws-native
 * resource's inputs against the pinned CloudFormation schema of its type, runs the SageMaker API rules
 * the policy pack enforces (the same functions), finds duplicate URNs, which the engine rejects, and inputs
 * that name another resource without depending on it, which the engine would create at the same time.
 */
export function preflight(resources: readonly RecordedResource[]): PreflightFinding[] {
    const findings: PreflightFinding[] = [];
    const seen = new Map<string, number>();
    for (const r of resources) seen.set(r.urn, (seen.get(r.urn) ?? 0) + 1);
    for (const [urn, count] of seen) {
        if (count < 2) continue;
        const r = resources.find((x) => x.urn === urn)!;
        findings.push({
            check: PREFLIGHT_CHECKS.duplicateUrn,
            urn,
            type: r.type,
            name: r.name,
            message: `${count} resources share the URN ${urn}: the engine rejects the program. Give each a distinct logical name (or parent).`,
        });
    }

    // Custom resources only: components have no API to reject them.
    const custom = resources.filter((r) => r.custom);
    const nodes: Node[] = custom.map((r) => {
        const props = plain(inputsOf(r));
        // As the engine hands a stack policy: each property's dependencies, by URN (the execution-role
        // check finds a role that a reference unknown in preview names through them).
        const propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map((urn) => ({ urn }))]),
        );
        const resource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props,
            propertyDependencies,
        } as unknown as PolicyResource;
        return { resource, name: r.name, props };
    });
    const finding = (check: string, node: Node, message: string): PreflightFinding => ({
        check,
        urn: node.resource.urn,
        type: node.resource.type,
        name: node.name,
        message,
    });
    for (const node of nodes) {
        if (hasPinnedSchema(node.resource.type)) {
            for (const problem of schemaProblems(node.resource.type, node.props)) {
                findings.push(
                    finding(
                        PREFLIGHT_CHECKS.schema,
                        node,
                        `${node.resource.type} "${node.name}" does not match its CloudFormation schema: ${problem}.`,
                    ),
                );
            }
        }
        for (const rule of DEPLOY_RULES) {
            if (!rule.check || !rule.types.includes(node.resource.type)) continue;
            for (const message of rule.check(node)) findings.push(finding(rule.name, node, message));
        }
    }
    // The inputs each custom resource was decoded to above, by resource (two may share a URN): decoding every
    // resource's inputs a second time would cost as much again.
    const decoded = new Map<RecordedResource, Record<string, any>>(custom.map((r, i) => [r, nodes[i].props]));
    const inputsDecoded = (r: RecordedResource) => decoded.get(r) ?? inputsOf(r);
    for (const problem of dependencyOrderProblems(resources, inputsDecoded)) {
        findings.push({
            check: PREFLIGHT_CHECKS.dependencyOrder,
            urn: problem.resource.urn,
            type: problem.resource.type,
            name: problem.resource.name,
            message: orderMessage(problem),
        });
    }
    const graph = new StackGraph(nodes.map((n) => n.resource));
    for (const rule of DEPLOY_RULES) {
        for (const { node, message } of rule.checkStack?.(graph) ?? [])
            findings.push(finding(rule.name, node, message));
    }
    return findings;
}
