import { gibText } from "../../../lib/capacity";
import { formatUsd, OptimizationJobCost } from "../../../lib/cost";
import { PlannedEndpoint, PlannedFit, PlannedModel, PlannedOptimizationJob } from "../fleet-view";
import { PlanResult } from "../plan";
import { Diagnostic } from "../policy-host";

/** The logical name at the end of a URN (`...::fleet-chat-config` -> `fleet-chat-config`). */
export function resourceNameOf(urn: string): string {
    return urn ? urn.slice(urn.lastIndexOf("::") + 2) : "(stack)";
}

/** Diagnostics grouped by enforcement level, mandatory first; disabled never reach here. */
export function byLevel(diagnostics: readonly Diagnostic[]): { level: string; items: Diagnostic[] }[] {
    return ["mandatory", "advisory"].map((level) => ({
        level,
        items: diagnostics
            .filter(
                (d) => d.enforcementLevel === level || (level === "mandatory" && d.enforcementLevel === "remediate"),
            )
            .sort((a, b) => a.policyName.localeCompare(b.policyName) || a.urn.localeCompare(b.urn)),
    }));
}

/** What an endpoint is called in the tree and the diagram. */
export function endpointKind(e: PlannedEndpoint): string {
    return e.kind === "multi-model" ? "multi-model endpoint" : e.kind === "pipeline" ? "pipeline" : "endpoint";
}

/** `ml.m5.xlarge x 2, 3 containers (Serial)`: a pipeline's instances and steps. */
function describePipeline(e: PlannedEndpoint, pipeline: NonNullable<PlannedEndpoint["pipeline"]>): string {
    const { min, max } = e.instances;
    const n = pipeline.containers.length;
    return `${e.instanceType} x ${min === max ? min : `${min}-${max}`}, ${n} container${n === 1 ? "" : "s"} (${pipeline.mode})`;
}

/** One line that says what an endpoint is. */
export function describeEndpoint(e: PlannedEndpoint): string {
    if (e.pipeline) return describePipeline(e, e.pipeline);
    const zero = e.instances.min === 0 ? " (scales to zero)" : "";
    const fallback = e.fallbackInstanceTypes.length ? ` (fallback ${e.fallbackInstanceTypes.join(", then ")})` : "";
    const scaleIn = e.scaleIn ? `, scale-in ${e.scaleIn}` : "";
    return `${e.instanceType}${fallback} x ${e.instances.min}-${e.instances.max}${zero}, ${e.routing}${scaleIn}`;
}

/** `16 of 16 accelerators (4 of max 4 x ml.g5.12xlarge)`: copies at one moment against the instances then. */
function describeFit(f: PlannedFit, bound: "max" | "min", accelerators: boolean): string {
    const on = `${bound} ${f.instances} x ${f.instanceType}`;
    if (f.unplaceable.length > 0) return `a copy of ${f.unplaceable.join(", ")} fits no ${f.instanceType} (${on})`;
    const what = accelerators
        ? `${f.need.accelerators} of ${f.room.accelerators} accelerators`
        : `${gibText(f.need.memoryMib)} of ${gibText(f.room.memoryMib)} memory`;
    return `${what} (${f.instancesNeeded} of ${on})${f.fits ? "" : ", DOES NOT FIT"}`;
}

/**
 * One line that says whether an inference-component endpoint's copies fit its instances, at peak and at
 * the minimum (copies-fit-endpoint's figures); `undefined` when the plan cannot tell.
 */
export function describeCapacity(e: PlannedEndpoint): string | undefined {
    const c = e.capacity;
    if (!c || (!c.peak && !c.min)) return undefined;
    // Accelerators where the endpoint has them; host memory on CPU types.
    const accelerators = [c.peak, c.min].some((f) => f && (f.room.accelerators > 0 || f.need.accelerators > 0));
    const parts = [
        c.peak ? `peak ${describeFit(c.peak, "max", accelerators)}` : "peak unknown",
        c.min ? `min ${describeFit(c.min, "min", accelerators)}` : "min unknown",
    ];
    return `capacity: ${parts.join(", ")}`;
}

/** Short name of a high-resolution metric for people. */
const metricLabel = (metric: string | undefined) =>
    metric === undefined
        ? "no autoscaling"
        : metric.replace(/^SageMaker(InferenceComponent|Variant)/, "").replace("HighResolution", " (high-res)");

/** One line that says what a base model is. */
export function describeModel(m: PlannedModel): string {
    const size = m.parametersBillions === undefined ? "size unknown" : `${m.parametersBillions}B`;
    const weights = m.quantization === "none" ? "bf16" : m.quantization;
    const copies = m.copies
        ? `copies ${m.copies.min}-${m.copies.max} on ${metricLabel(m.scalingMetric)}`
        : "no autoscaling";
    const wake = m.copies?.min === 0 ? (m.wakeAlarm ? ", wakes on NoCapacityInvocationFailures" : ", CANNOT WAKE") : "";
    const accelerators =
        m.accelerators === undefined ? "" : `, ${m.accelerators} accelerator${m.accelerators === 1 ? "" : "s"}/copy`;
    const rollout = m.rollout
        ? `, rolls out ${m.rollout.batch} per batch (rollback on ${m.rollout.rollbackAlarms.length} alarm${m.rollout.rollbackAlarms.length === 1 ? "" : "s"})`
        : "";
    const placement = m.placement
        ? `, ${m.placement.strategy}${m.placement.maxImbalance === undefined ? "" : ` (AZ imbalance at most ${m.placement.maxImbalance})`}`
        : "";
    return `${size} ${weights}${accelerators}, ${copies}${wake}${rollout}${placement}`;
}

/** `TTFT 180 ms, 32.1 tokens/s, cold start 300 s (estimate)`: a model's latency, or why it is unknown. */
export function describePerformance(m: PlannedModel): string {
    const p = m.performance;
    if (p.tokensPerSecond === null && p.ttftMs === null) return `latency unknown: ${p.reason ?? "no data"}`;
    const label = p.source === "measured" ? `measured ${p.measured.join(", ")}; rest estimate` : "estimate";
    const cold = p.coldStartSeconds === null ? "" : `, cold start ${p.coldStartSeconds} s`;
    const slo = [
        ...(m.slo.ttftMs !== undefined ? [`TTFT <= ${m.slo.ttftMs} ms`] : []),
        ...(m.slo.tokensPerSecond !== undefined ? [`>= ${m.slo.tokensPerSecond} tokens/s`] : []),
        ...(m.slo.maxColdStartSeconds !== undefined ? [`cold start <= ${m.slo.maxColdStartSeconds} s`] : []),
    ];
    return `TTFT ${p.ttftMs} ms, ${p.tokensPerSecond} tokens/s${cold} (${label})${slo.length ? `; SLO ${slo.join(", ")}` : ""}`;
}

/** `Quantization (awq) + SpeculativeDecoding`: a job's optimizations. */
export function describeTechniques(j: PlannedOptimizationJob): string {
    return j.techniques.map((t) => (t === "Quantization" ? `Quantization (${j.quantization})` : t)).join(" + ");
}

/** One line that says what an optimization job does: source -> optimizations -> output, and its cost. */
export function describeJob(j: PlannedOptimizationJob, cost: OptimizationJobCost | undefined): string {
    const price = cost?.oneTimeUsd === undefined ? "unpriced" : `one-time ${formatUsd(cost.oneTimeUsd)}`;
    const hours = j.hours ? `${+j.hours.value.toFixed(2)} h` : "hours unknown";
    return `${j.sourceUrl} -> ${describeTechniques(j)} for ${j.instanceType} -> ${j.outputUrl}, ${price} (${hours})`;
}

/** The cost of the job named `name`, if the plan priced it. */
export function jobCostOf(result: PlanResult, name: string): OptimizationJobCost | undefined {
    return result.cost.optimizationJobs.find((c) => c.name === name);
}

/** Jobs whose output no model in the plan serves (listed on their own). */
export function unservedJobs(result: PlanResult): PlannedOptimizationJob[] {
    const served = new Set(
        result.fleet.flatMap((e) =>
            e.models.flatMap((m) => (m.optimizationJob ? [m.optimizationJob.resourceName] : [])),
        ),
    );
    return result.optimizationJobs.filter((j) => !served.has(j.resourceName));
}

/** The one-time line of the cost: what the optimization jobs cost once. */
export function oneTimeSummary(result: PlanResult): string {
    const n = result.cost.optimizationJobs.length;
    return `One-time: ${formatUsd(result.cost.oneTimeUsd)} for ${n} optimization job${n === 1 ? "" : "s"}, billed while ${n === 1 ? "it runs" : "they run"} (priced at the deployment instance type's hourly rate; SageMaker picks the job's instance).`;
}

/** The summary line of the cost: what the fleet costs against the naive deployment. */
export function costSummary(result: PlanResult): string {
    const c = result.cost;
    const ratio = c.peakCeilingUsd > 0 ? ` (${(c.naiveUsd / c.peakCeilingUsd).toFixed(1)}x its peak ceiling)` : "";
    return (
        `Idle floor ${formatUsd(c.idleFloorUsd)}/month, peak ceiling ${formatUsd(c.peakCeilingUsd)}/month; ` +
        `the naive deployment (one always-on endpoint per model and per adapter) would cost ${formatUsd(c.naiveUsd)}/month${ratio}.`
    );
}

/** `ml.g6.2xlarge 2026-10-05, ...`: the dates of the prices used. */
export function priceDates(result: PlanResult): string {
    const entries = Object.entries(result.cost.priceDates);
    return entries.length ? entries.map(([t, d]) => `${t} ${d}`).join(", ") : "none";
}

/** The plan's verdict line: deploy preflight findings and mandatory violations both fail it. */
export function verdict(result: PlanResult): string {
    const mandatory = byLevel(result.diagnostics)[0].items.length;
    const failing = result.preflight.length;
    const parts = [
        ...(failing > 0 ? [`${failing} finding${failing === 1 ? "" : "s"} that would fail at deploy`] : []),
        ...(mandatory > 0 ? [`${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}`] : []),
    ];
    return parts.length > 0
        ? `FAILED: ${parts.join(", ")}.`
        : "OK: nothing would fail at deploy, no mandatory policy violation.";
}

/** An endpoint's instance types for a cost table: the first choice, then its fallbacks. */
export function instanceTypes(e: { instanceType: string; fallbackInstanceTypes?: readonly string[] }): string {
    return [e.instanceType, ...(e.fallbackInstanceTypes ?? []).map((t) => `+${t}`)].join(" ");
}

/** The stack's dashboard line (its `dashboardUrl` output), or none when the program exports no dashboard. */
export const dashboardLines = (result: { outputs: Record<string, unknown> }): string[] =>
    typeof result.outputs.dashboardUrl === "string" ? [`Dashboard: ${result.outputs.dashboardUrl}`] : [];
