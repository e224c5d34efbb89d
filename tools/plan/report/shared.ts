import { gibText } from "../../../lib/capacity";
import { DEDICATED_BASELINE, formatPriceDate, formatUsd, OptimizationJobCost } from "../../../lib/cost";
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
            .filter((d) => levelShown(d) === level)
            .sort((a, b) => a.policyName.localeCompare(b.policyName) || a.urn.localeCompare(b.urn)),
    }));
}

/** The level a violation is reported under: a remediating policy fails the plan as a mandatory one does. */
export function levelShown(d: Diagnostic): string {
    return d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel;
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

/** `inference component`, or `guard (input, output) inference component` for an endpoint's safety guard. */
export function describeKind(m: PlannedModel): string {
    return m.guard
        ? `guard (${m.guard.checks.join(", ") || "checks unknown"}) inference component`
        : "inference component";
}

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

/** The summary line of the cost: the fleet's floor and ceiling against dedicated endpoints. */
export function costSummary(result: PlanResult): string {
    const c = result.cost;
    return (
        `Idle floor ${formatUsd(c.idleFloorUsd)}/month, peak ceiling ${formatUsd(c.peakCeilingUsd)}/month; ` +
        `dedicated endpoints would cost ${formatUsd(c.dedicatedUsd)}/month.` +
        // Said, not hidden: here sharing costs more at idle than the models on endpoints of their own would.
        (c.dedicatedAtFloor.length > 0
            ? ` ${c.dedicatedAtFloor.join(", ")}: dedicated endpoints would idle for less than the shared endpoint's floor, which is counted instead.`
            : "")
    );
}

/** How an endpoint with fallback types reads in the cost table (shown when one has them). */
export const POOL_ROWS_NOTE =
    "An endpoint with fallback types has a row per type at its own price: idle instances run on the first; its peak ceiling is its dearest row (max instances all on that type), and the Stack row adds that one.";

/** The lines under the cost table: what the Dedicated column is, and how a pool's rows add up. */
export function costFooter(result: PlanResult): string[] {
    return [DEDICATED_BASELINE, ...(result.cost.endpoints.some((e) => e.pool.length > 1) ? [POOL_ROWS_NOTE] : [])];
}

/** One row of the cost table, as text: the first type of an endpoint, or one of its fallback types. */
export interface CostRow {
    readonly endpoint: string;
    readonly instanceType: string;
    readonly usdPerHour: string;
    readonly instances: string;
    readonly idleFloor: string;
    readonly peakCeiling: string;
    readonly dedicated: string;
    readonly priceAsOf: string;
}

/** The cost table's rows: per endpoint its first type, then a row per fallback type with its own price. */
export function costRows(result: PlanResult, now: Date): CostRow[] {
    return result.cost.endpoints.flatMap((e) =>
        e.pool.map((p): CostRow =>
            p.role === "first"
                ? {
                      endpoint: e.name,
                      instanceType: p.instanceType,
                      usdPerHour: p.usdPerHour === undefined ? "unpriced" : `$${p.usdPerHour}`,
                      instances: `${e.minInstances}-${e.maxInstances}`,
                      idleFloor: formatUsd(e.idleFloorUsd),
                      peakCeiling: formatUsd(p.peakUsd),
                      dedicated: formatUsd(e.dedicatedUsd),
                      priceAsOf: formatPriceDate(p.priceAsOf, now),
                  }
                : {
                      endpoint: "",
                      instanceType: `${p.instanceType} (fallback)`,
                      usdPerHour: p.usdPerHour === undefined ? "unpriced" : `$${p.usdPerHour}`,
                      instances: `up to ${e.maxInstances}`,
                      idleFloor: "",
                      peakCeiling: formatUsd(p.peakUsd),
                      dedicated: "",
                      priceAsOf: formatPriceDate(p.priceAsOf, now),
                  },
        ),
    );
}

/** `ml.g6.2xlarge 2026-10-05, ...`: the dates of the prices used, the stale ones flagged. */
export function priceDates(result: PlanResult, now: Date): string {
    const entries = Object.entries(result.cost.priceDates);
    return entries.length ? entries.map(([t, d]) => `${t} ${formatPriceDate(d, now)}`).join(", ") : "none";
}

/**
 * The plan's verdict line: deploy preflight findings and mandatory violations both fail it. A finding that is
 * both counts in both, and the line says how many are, so the distinct total can be read off it.
 */
export function verdict(result: PlanResult): string {
    const mandatoryItems = byLevel(result.diagnostics)[0].items;
    const mandatory = mandatoryItems.length;
    const failing = result.preflight.length;
    const paired = pairFindings(result).listedAbove;
    const both = mandatoryItems.filter((d) => paired.has(d)).length;
    const parts = [
        ...(failing > 0 ? [`${failing} finding${failing === 1 ? "" : "s"} that would fail at deploy`] : []),
        ...(mandatory > 0 ? [`${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}`] : []),
    ];
    const overlap = both > 0 ? ` (${both} in both, ${failing + mandatory - both} in all)` : "";
    return parts.length > 0
        ? `FAILED: ${parts.join(", ")}${overlap}.`
        : "OK: nothing would fail at deploy, no mandatory policy violation.";
}

/** The stack's dashboard line (its `dashboardUrl` output), or none when the program exports no dashboard. */
export const dashboardLines = (result: { outputs: Record<string, unknown> }): string[] =>
    typeof result.outputs.dashboardUrl === "string" ? [`Dashboard: ${result.outputs.dashboardUrl}`] : [];

/**
 * Where a finding points: the resource's logical name (`fleet/chat/llama3-8b-ic`), the name AWS knows it by
 * (`chat-llama3-8b-c519d311`, when it differs), and the stack config it was made from (`Pulumi.dev.yaml`,
 * `fleet.endpoints[0].foundationModels[1]`; none for resources a program made by hand).
 */
export interface FindingPlace {
    readonly logicalName: string | undefined;
    readonly physicalName: string | undefined;
    readonly configFile: string | undefined;
    readonly configPath: string | undefined;
}

const byUrn = new WeakMap<readonly unknown[], Map<string, string>>();

/** URN -> physical name, built once per plan (a report looks up every finding's resource). */
function physicalNamesByUrn(result: Pick<PlanResult, "resources" | "physicalNames">): Map<string, string> {
    let names = byUrn.get(result.resources);
    if (!names) {
        names = new Map();
        // Two resources can share a URN (the preflight reports it): the first one's name stands for both.
        for (const [i, r] of result.resources.entries()) {
            const name = result.physicalNames[i];
            if (name !== null && name !== undefined && !names.has(r.urn)) names.set(r.urn, name);
        }
        byUrn.set(result.resources, names);
    }
    return names;
}

/** The place of the resource `urn` names (`""`: the stack as a whole). */
export function placeOf(
    result: Pick<PlanResult, "resources" | "physicalNames" | "stackFile" | "configPaths">,
    urn: string,
): FindingPlace {
    if (!urn) return { logicalName: undefined, physicalName: undefined, configFile: undefined, configPath: undefined };
    const configPath = result.configPaths[urn];
    return {
        logicalName: resourceNameOf(urn),
        physicalName: physicalNamesByUrn(result).get(urn),
        configFile: configPath === undefined ? undefined : result.stackFile,
        configPath,
    };
}

/** `fleet/big-config (big-14c6a07a)`: a finding's resource by its logical and, when it differs, physical name. */
export function namesOf(place: FindingPlace): string {
    if (place.logicalName === undefined) return "(stack)";
    return place.physicalName && place.physicalName !== place.logicalName
        ? `${place.logicalName} (${place.physicalName})`
        : place.logicalName;
}

/** `Pulumi.dev.yaml: fleet.endpoints[0]`, or undefined for a resource made by hand. */
export function configLocationOf(place: FindingPlace): string | undefined {
    return place.configPath === undefined ? undefined : `${place.configFile}: ${place.configPath}`;
}

/**
 * Deploy preflight findings that are also policy violations: the same rule (the check is named as the
 * policy) on the same resource. Pairs by position in `result.preflight` and `result.diagnostics`, each used
 * once; a finding pairs with a violation of its own message first.
 */
export interface FindingPairs {
    /** Preflight position -> diagnostic position. */
    readonly violationOf: ReadonlyMap<number, number>;
    /** Diagnostic position -> preflight position. */
    readonly findingOf: ReadonlyMap<number, number>;
    /** The violations paired with a finding: listed under "Would fail at deploy", not again. */
    readonly listedAbove: ReadonlySet<Diagnostic>;
    /** The violation the preflight finding at `i` also is, if any. */
    violationAt(i: number): Diagnostic | undefined;
}

export function pairFindings(result: Pick<PlanResult, "preflight" | "diagnostics">): FindingPairs {
    const violationOf = new Map<number, number>();
    const findingOf = new Map<number, number>();
    // Violations by rule and resource: a big fleet has thousands of them.
    const byRule = new Map<string, { d: PlanResult["diagnostics"][number]; k: number }[]>();
    result.diagnostics.forEach((d, k) => {
        const key = `${d.policyName} ${d.urn}`;
        const list = byRule.get(key);
        if (list) list.push({ d, k });
        else byRule.set(key, [{ d, k }]);
    });
    result.preflight.forEach((f, i) => {
        const open = (byRule.get(`${f.check} ${f.urn}`) ?? []).filter(({ k }) => !findingOf.has(k));
        const match = open.find(({ d }) => d.message === f.message) ?? open[0];
        if (!match) return;
        violationOf.set(i, match.k);
        findingOf.set(match.k, i);
    });
    return {
        violationOf,
        findingOf,
        listedAbove: new Set([...findingOf.keys()].map((k) => result.diagnostics[k])),
        violationAt: (i) => {
            const k = violationOf.get(i);
            return k === undefined ? undefined : result.diagnostics[k];
        },
    };
}
