import type { SimulationResult, WaitStats } from "./engine";
import type { SimulationReport } from "./simulate";

/** Version of the JSON report's shape (2: `counterfactuals.naive` became `dedicated`, the plan's baseline): CI tools may read `costUsd`, `coldStarts`, `coldStartWaitSeconds`. */
export const SIMULATION_SCHEMA_VERSION = 2;

/** A number for JSON: rounded, and `null` (never NaN or Infinity) when it is not finite. */
export const finite = (x: number | null | undefined, digits = 2): number | null =>
    typeof x === "number" && Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null;

/** Waits for JSON: `null` figures carry the reason. */
function waits(w: WaitStats, none: string) {
    return {
        count: finite(w.count),
        p50: finite(w.p50, 1),
        p95: finite(w.p95, 1),
        p99: finite(w.p99, 1),
        max: finite(w.max, 1),
        ...(w.count === 0 && { reason: none }),
    };
}

function totals(r: SimulationResult) {
    return {
        costUsd: finite(r.costUsd) ?? 0,
        monthlyUsd: finite(r.monthlyUsd) ?? 0,
        requests: finite(r.requests) ?? 0,
        served: finite(r.served) ?? 0,
        coldStarts: finite(r.coldStarts) ?? 0,
        coldStartTimeouts: finite(r.coldStartTimeouts) ?? 0,
        coldStartWaitSeconds: waits(r.coldStartWaitSeconds, "no request met a cold start"),
        queueWaitSeconds: waits(r.queueWaitSeconds, "no request was served"),
        latencySeconds: waits(r.latencySeconds, "no request was served"),
    };
}

const list = (a: Float64Array, digits = 2) => Array.from(a, (x) => finite(x, digits) ?? 0);

/** The simulation as JSON, for CI and tools. */
export function simulationJson(report: SimulationReport) {
    const r = report.result;
    const performance = [...new Set(report.fleet.endpoints.flatMap((e) => e.models.map((m) => m.performance.note)))];
    return {
        schemaVersion: SIMULATION_SCHEMA_VERSION,
        project: report.project,
        stack: report.stack,
        trace: report.trace,
        startWith: r.startWith,
        performance,
        ...totals(r),
        unpriced: r.unpriced,
        instanceHours: Object.fromEntries(Object.entries(r.instanceHours).map(([k, v]) => [k, finite(v) ?? 0])),
        endpoints: r.endpoints.map((e) => ({
            endpoint: e.endpoint,
            instanceType: e.instanceType,
            instanceHours: finite(e.instanceHours) ?? 0,
            costUsd: finite(e.costUsd),
            ...(e.costUsd === null && { costReason: `${e.instanceType} has no price in the catalog` }),
            instances: { min: e.instances.min, max: e.instances.max, mean: finite(e.instances.mean) ?? 0 },
        })),
        models: r.models.map((m) => ({
            endpoint: m.endpoint,
            model: m.model,
            requests: finite(m.requests) ?? 0,
            served: finite(m.served) ?? 0,
            coldStarts: finite(m.coldStarts) ?? 0,
            coldStartTimeouts: finite(m.coldStartTimeouts) ?? 0,
            unfinished: finite(m.unfinished) ?? 0,
            wakes: m.wakes,
            coldStartEstimateSeconds: finite(m.coldStartEstimateSeconds),
            coldStartWaitSeconds: waits(m.coldStartWaitSeconds, "no request met a cold start"),
            queueWaitSeconds: waits(m.queueWaitSeconds, "no request was served"),
            latencySeconds: waits(m.latencySeconds, "no request was served"),
            copies: { min: m.copies.min, max: m.copies.max, mean: finite(m.copies.mean) ?? 0 },
            performanceSource: m.performanceSource,
            slo: m.slo
                ? {
                      declared: m.slo.declared,
                      ttftMet: finite(m.slo.ttftMet, 4),
                      tokensPerSecondMet: m.slo.tokensPerSecondMet,
                      coldStartMet: finite(m.slo.coldStartMet, 4),
                  }
                : null,
            ...(!m.slo && { sloReason: "the model declares no slo" }),
        })),
        counterfactuals: {
            noScaleToZero: totals(report.counterfactuals.noScaleToZero),
            dedicated: {
                costUsd: finite(report.counterfactuals.dedicated.costUsd) ?? 0,
                monthlyUsd: finite(report.counterfactuals.dedicated.monthlyUsd) ?? 0,
                coldStarts: 0,
            },
        },
        plan: {
            idleFloorUsdPerMonth: finite(report.planCost.idleFloorUsd),
            peakCeilingUsdPerMonth: finite(report.planCost.peakCeilingUsd),
            dedicatedUsdPerMonth: finite(report.planCost.dedicatedUsd),
        },
        series: {
            minutesPerPoint: r.series.minutesPerPoint,
            requests: list(r.series.requests),
            copies: list(r.series.copies),
            instances: list(r.series.instances),
            coldStarts: list(r.series.coldStarts),
            costUsd: list(r.series.costUsd),
        },
    };
}
