import { formatUsd } from "../../../lib/cost";
import { PlannedEndpoint, PlannedModel } from "../fleet-view";
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

/** One line that says what an endpoint is. */
export function describeEndpoint(e: PlannedEndpoint): string {
    const zero = e.instances.min === 0 ? " (scales to zero)" : "";
    const fallback = e.fallbackInstanceTypes.length ? ` (fallback ${e.fallbackInstanceTypes.join(", then ")})` : "";
    const scaleIn = e.scaleIn ? `, scale-in ${e.scaleIn}` : "";
    return `${e.instanceType}${fallback} x ${e.instances.min}-${e.instances.max}${zero}, ${e.routing}${scaleIn}`;
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
