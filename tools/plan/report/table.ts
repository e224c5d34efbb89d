import Table from "cli-table3";
import { formatUsd } from "../../../lib/cost";
import type { PlanChanges } from "../baseline";
import { PlanResult } from "../plan";
import { renderChangesTable } from "./changes";
import {
    dashboardLines,
    byLevel,
    costSummary,
    describeCapacity,
    describeEndpoint,
    describeJob,
    describeModel,
    describePerformance,
    describeTechniques,
    endpointKind,
    instanceTypes,
    jobCostOf,
    oneTimeSummary,
    priceDates,
    resourceNameOf,
    unservedJobs,
    verdict,
} from "./shared";

/** Options of the human-readable report. */
export interface TableReportOptions {
    /** Adapters listed per model before the rest are summarized. @default 10 */
    readonly maxAdapters?: number;
    /** What the plan changes against `--baseline`. @default none - no "Changes against" section */
    readonly changes?: PlanChanges;
}

/** The fleet as a tree: endpoint -> base models -> adapters. */
export function renderTree(result: PlanResult, maxAdapters: number): string[] {
    const lines = [`Fleet (stack ${result.stack}, ${result.resources.length} resources)`];
    result.fleet.forEach((e, i) => {
        const lastEndpoint = i === result.fleet.length - 1;
        lines.push(`${lastEndpoint ? "└─" : "├─"} ${endpointKind(e)} ${e.endpointName}: ${describeEndpoint(e)}`);
        const indent = lastEndpoint ? "   " : "│  ";
        const modelNote = e.modelName ? `, model ${e.modelName}` : "";
        lines.push(`${indent}${e.models.length > 0 ? "│" : " "}  config ${e.endpointConfigName}${modelNote}`);
        const capacity = describeCapacity(e);
        if (capacity) lines.push(`${indent}${e.models.length > 0 ? "│" : " "}  ${capacity}`);
        e.pipeline?.containers.forEach((c, k, all) =>
            lines.push(`${indent}${k === all.length - 1 ? "└─" : "├─"} container ${k + 1}: ${c.image}`),
        );
        e.models.forEach((m, j) => {
            const lastModel = j === e.models.length - 1;
            lines.push(
                `${indent}${lastModel ? "└─" : "├─"} inference component ${m.inferenceComponentName} (model ${m.modelName}): ${describeModel(m)}`,
            );
            const inner = `${indent}${lastModel ? "   " : "│  "}`;
            const shown = m.adapters.slice(0, maxAdapters);
            const hidden = m.adapters.length - shown.length;
            const job = m.optimizationJob;
            lines.push(
                `${inner}${job || shown.length > 0 || hidden > 0 ? "├─" : "└─"} latency: ${describePerformance(m)}`,
            );
            if (job) {
                const lastChild = shown.length === 0 && hidden === 0;
                lines.push(
                    `${inner}${lastChild ? "└─" : "├─"} weights from optimization job ${job.optimizationJobName}: ${describeJob(job, jobCostOf(result, job.optimizationJobName))}`,
                );
            }
            shown.forEach((a, k) => {
                const last = k === shown.length - 1 && hidden === 0;
                lines.push(`${inner}${last ? "└─" : "├─"} adapter ${a.inferenceComponentName}`);
            });
            if (hidden > 0) lines.push(`${inner}└─ ... and ${hidden.toLocaleString("en-US")} more adapters`);
        });
    });
    for (const job of unservedJobs(result)) {
        lines.push(
            `   optimization job ${job.optimizationJobName} (no model serves its output): ${describeJob(job, jobCostOf(result, job.optimizationJobName))}`,
        );
    }
    return lines;
}

/** The deploy preflight: what `pulumi up` would reject though mocks accepted it. */
export function renderPreflight(result: PlanResult): string[] {
    const findings = result.preflight;
    const lines = [`Would fail at deploy (${findings.length})${findings.length === 0 ? ": none" : ""}`];
    for (const f of findings) lines.push(`    [${f.check}] ${f.name}: ${f.message}`);
    return lines;
}

/** The plan for people: the tree, the deploy preflight, the violations by level, the cost. */
export function renderTable(result: PlanResult, options: TableReportOptions = {}): string {
    const lines: string[] = [];
    const pack = result.policyPack;
    lines.push(
        `fm-fleet plan: project ${result.project}, stack ${result.stack}, policy pack ${pack.name}@${pack.version}` +
            (pack.configFile ? ` with ${pack.configFile}` : " with its defaults"),
        ...pack.configWarnings.map((w) => `policy config warning: ${w}`),
        "",
        ...renderTree(result, options.maxAdapters ?? 10),
        ...dashboardLines(result),
        "",
        ...renderPreflight(result),
        "",
        "Policy violations",
    );
    for (const { level, items } of byLevel(result.diagnostics)) {
        lines.push(`  ${level} (${items.length})${items.length === 0 ? ": none" : ""}`);
        for (const d of items) lines.push(`    [${d.policyName}] ${resourceNameOf(d.urn)}: ${d.message}`);
    }
    const table = new Table({
        head: [
            "Endpoint",
            "Instance type",
            "$/hour",
            "Instances",
            "Idle floor",
            "Peak ceiling",
            "Naive",
            "Price as of",
        ],
        style: { head: [], border: [] },
    });
    for (const e of result.cost.endpoints) {
        table.push([
            e.name,
            instanceTypes(e),
            e.usdPerHour === undefined ? "unpriced" : `$${e.usdPerHour}`,
            `${e.minInstances}-${e.maxInstances}`,
            formatUsd(e.idleFloorUsd),
            formatUsd(e.peakCeilingUsd),
            formatUsd(e.naiveUsd),
            e.priceAsOf ?? "-",
        ]);
    }
    const c = result.cost;
    table.push([
        "Stack",
        "",
        "",
        "",
        formatUsd(c.idleFloorUsd),
        formatUsd(c.peakCeilingUsd),
        formatUsd(c.naiveUsd),
        "",
    ]);
    lines.push("", "Cost (USD per month, us-east-1 on-demand hosting, 730 h)", table.toString(), costSummary(result));
    if (c.optimizationJobs.length > 0) {
        const jobs = new Table({
            head: ["Optimization job", "Optimizations", "Instance type", "$/hour", "Hours", "One-time", "Price as of"],
            style: { head: [], border: [] },
        });
        for (const j of result.optimizationJobs) {
            const cost = jobCostOf(result, j.optimizationJobName);
            jobs.push([
                j.optimizationJobName,
                describeTechniques(j),
                `${j.instanceType}${j.instanceCount > 1 ? ` x ${j.instanceCount}` : ""}`,
                cost?.usdPerHour === undefined ? "unpriced" : `$${cost.usdPerHour}`,
                j.hours ? `${+j.hours.value.toFixed(2)} (${j.hours.source})` : "unknown",
                formatUsd(cost?.oneTimeUsd),
                cost?.priceAsOf ?? "-",
            ]);
        }
        lines.push("", "One-time cost (USD, optimization jobs)", jobs.toString(), oneTimeSummary(result));
    }
    if (c.unpriced.length) lines.push(`Not priced (no public price in the catalog): ${c.unpriced.join(", ")}.`);
    if (c.reserved.length)
        lines.push(`On an ML capacity reservation, paid up front and counted as $0 here: ${c.reserved.join(", ")}.`);
    lines.push(`Prices as of: ${priceDates(result)}.`);
    if (options.changes) lines.push("", ...renderChangesTable(options.changes));
    lines.push("", verdict(result));
    return lines.join("\n");
}
