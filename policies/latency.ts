import { StackValidationPolicy } from "@pulumi/policy";
import { findInstanceType } from "../lib/catalog";
import {
    IC_COPY_DIMENSION,
    SCALING_TYPES,
    SLO_MAX_COLD_START_SECONDS_TAG,
    SLO_TOKENS_PER_SECOND_TAG,
    SLO_TTFT_MS_TAG,
} from "../lib/contract";
import { coldStart } from "../lib/performance/cold-start";
import { deploymentOf, estimatePerformance, PerformanceInput, weightsGb } from "../lib/performance/estimate";
import { DEFAULT_PROMPT_TOKENS } from "../lib/performance/prefill";
import { latencyMisses, SloMiss } from "../lib/performance/slo";
import { latencyViewOf, LatencyView } from "./support/latency-view";
import { num, UNKNOWN } from "./support/props";
import { Node, StackGraph } from "./support/stack-graph";
import { InferenceComponentView, isAdapter, minInstancesOf, modelEnvironmentOf } from "./support/views";

/** An IC's copy as the performance model sees it, on each instance type its endpoint may land on. */
interface JudgedCopy {
    readonly node: Node;
    readonly latency: LatencyView;
    /** One input per known instance type of the endpoint (its own, then each fallback). */
    readonly inputs: PerformanceInput[];
}

/** Reads what the estimates need, as the sizing rules read it; `undefined` when a deciding value is unknown. */
function judgedCopy(graph: StackGraph, node: Node, ic: InferenceComponentView): JudgedCopy | undefined {
    const latency = latencyViewOf(ic, modelEnvironmentOf(graph.modelOf(ic)?.props));
    const { size, quantization } = graph.servedModelOf(ic);
    const placement = graph.variantOf(ic);
    const accelerators =
        typeof ic.accelerators === "number" ? ic.accelerators : ic.accelerators === UNKNOWN ? undefined : 1;
    if (!size || quantization === UNKNOWN || accelerators === undefined || !placement) return undefined;
    const min = minInstancesOf(placement.variant);
    const inputs = placement.variant.instanceTypes
        .filter((t): t is string => typeof t === "string")
        .map((instanceType): PerformanceInput => ({
            parametersBillions: size.billions,
            quantization,
            instanceType,
            accelerators,
            speculativeDecoding: latency.speculativeDecoding,
            // A model at zero copies on an endpoint that keeps instances wakes on a running one.
            newInstance: typeof min !== "number" || min === 0,
            measured: latency.measured,
        }));
    return { node, latency, inputs };
}

const FIGURE_TEXT: Record<SloMiss["figure"], (m: SloMiss) => string> = {
    ttftMs: (m) => `time to first token <= ${m.target} ms, got ${m.got} ms`,
    tokensPerSecond: (m) => `>= ${m.target} tokens/s per request, got ${m.got}`,
};

const SLO_TAG: Record<SloMiss["figure"], string> = {
    ttftMs: SLO_TTFT_MS_TAG,
    tokensPerSecond: SLO_TOKENS_PER_SECOND_TAG,
};

// ---------------------------------------------------------------------------------------------------------

/**
 * A copy that cannot meet its latency SLO on the instance type it is given fails its callers however well it
 * scales. Judged on the estimate (or the team's measured figures) on every type the endpoint may land on.
 */
export const latencySlo: StackValidationPolicy = {
    name: "latency-slo",
    description:
        "Checks whether each base inference component's estimated or measured time to first token and tokens per second meet its SLO on every instance type its endpoint may use.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const graph = new StackGraph(args.resources);
        for (const { node, ic } of graph.inferenceComponents()) {
            if (isAdapter(ic)) continue;
            const copy = judgedCopy(graph, node, ic);
            if (!copy || (copy.latency.slo.ttftMs === undefined && copy.latency.slo.tokensPerSecond === undefined))
                continue;
            for (const input of copy.inputs) {
                const estimate = estimatePerformance(input);
                const misses = latencyMisses(estimate, copy.latency.slo);
                if (misses.length === 0) continue;
                const measured = misses.every((m) => estimate.measured.includes(m.figure));
                const basis = measured
                    ? "measured by the team's load test"
                    : `estimate, one request, ${DEFAULT_PROMPT_TOKENS}-token prompt; see docs/performance.md`;
                reportViolation(
                    `Inference component "${node.name}" must meet its SLO on ${input.instanceType}: ${misses.map((m) => FIGURE_TEXT[m.figure](m)).join("; ")} (${basis}). ` +
                        `Pick a faster instance type (npm run plan -- --advise lists the cheapest that meet it), quantize (fp8/awq read fewer bytes per token), ` +
                        `give each copy more accelerators, or relax the SLO (tag ${misses.map((m) => SLO_TAG[m.figure]).join(", ")}; fm-fleet: slo).`,
                    node.resource.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------

/**
 * A model that scales to zero makes its first caller wait for a cold start: provisioning, image pull,
 * weights download and load. The budget says how long that may be.
 */
export const coldStartBudget: StackValidationPolicy = {
    name: "cold-start-budget",
    description:
        "Checks whether each inference component that can scale to zero copies wakes within its maxColdStartSeconds, by the cold-start estimate on every instance type its endpoint may use.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const graph = new StackGraph(args.resources);
        const byName = new Map(
            graph
                .inferenceComponents()
                .filter(({ ic }) => !isAdapter(ic) && typeof ic.inferenceComponentName === "string")
                .map((x) => [x.ic.inferenceComponentName as string, x]),
        );
        for (const target of graph.allOf(SCALING_TYPES.scalableTarget)) {
            const resourceId = target.props.resourceId;
            if (typeof resourceId !== "string" || !resourceId.startsWith("inference-component/")) continue;
            if (target.props.scalableDimension !== IC_COPY_DIMENSION || num(target.props.minCapacity) !== 0) continue;
            const found = byName.get(resourceId.slice("inference-component/".length));
            if (!found) continue;
            const copy = judgedCopy(graph, found.node, found.ic);
            const budget = copy?.latency.slo.maxColdStartSeconds;
            if (!copy || budget === undefined) continue;
            for (const input of copy.inputs) {
                const d = deploymentOf(input);
                const instance = findInstanceType(input.instanceType);
                if (!d || !instance) continue;
                const cold = coldStart(weightsGb(d.parametersBillions, d.quantization), instance, {
                    newInstance: input.newInstance ?? true,
                });
                const seconds = Math.round(cold.totalSeconds);
                if (seconds <= budget) continue;
                const steps = [
                    ...(cold.provisioningSeconds > 0
                        ? [`new instance ${Math.round(cold.provisioningSeconds)} s (image cached)`]
                        : []),
                    `weights download ${Math.round(cold.weightsDownloadSeconds)} s`,
                    `load ${Math.round(cold.loadSeconds)} s`,
                ];
                reportViolation(
                    `Inference component "${found.node.name}" can scale to zero (scalable target "${target.name}" has minCapacity 0) and must wake within ${budget} s, ` +
                        `got an estimated ${seconds} s on ${input.instanceType} (${steps.join(" + ")}; see docs/performance.md). ` +
                        `Keep a copy so no caller waits (minCapacity >= 1; fm-fleet: copies.min: 1), ` +
                        `or raise the budget to at least ${seconds} s (tag ${SLO_MAX_COLD_START_SECONDS_TAG}; fm-fleet: slo.maxColdStartSeconds).`,
                    found.node.resource.urn,
                );
            }
        }
    },
};
