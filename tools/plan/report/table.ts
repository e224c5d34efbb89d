import Table from "cli-table3";
import { formatPriceDate, formatUsd } from "../../../lib/cost";
import type { PlanChanges } from "../baseline";
import { PlanResult } from "../plan";
import { renderChangesTable } from "./changes";
import { DEFAULT_WIDTH, fitTable, wrap, wrapLines, wrapTree } from "./fit";
import {
    configLocationOf,
    dashboardLines,
    byLevel,
    costFooter,
    costRows,
    costSummary,
    describeCapacity,
    describeEndpoint,
    describeJob,
    describeKind,
    describeModel,
    describePerformance,
    describeTechniques,
    endpointKind,
    FindingPlace,
    jobCostOf,
    levelShown,
    namesOf,
    oneTimeSummary,
    pairFindings,
    placeOf,
    priceDates,
    unservedJobs,
    verdict,
} from "./shared";

/** Options of the human-readable report. */
export interface TableReportOptions {
    /** Adapters listed per model before the rest are summarized. @default 10 */
    readonly maxAdapters?: number;
    /** What the plan changes against `--baseline`. @default none - no "Changes against" section */
    readonly changes?: PlanChanges;
    /** Columns to fit the tree, tables and messages to (`--width`). @default 100 */
    readonly width?: number;
    /** The clock prices' ages are judged by. @default the current time */
    readonly now?: Date;
}

/** The fleet as a tree: endpoint -> base models -> adapters. */
export function renderTree(result: PlanResult, maxAdapters: number): string[] {
    const lines = [`Fleet (stack ${result.stack}, ${result.resources.length} resources)`];
    result.fleet.forEach((e, i) => {
        const lastEndpoint = i === result.fleet.length - 1;
        lines.push(`${lastEndpoint ? "└─" : "├─"} ${endpointKind(e)} ${e.endpointName}: ${describeEndpoint(e)}`);
        const indent = lastEndpoint ? "   " : "│  ";
        const modelNote = e.modelName ? `, model ${e.modelName}` : "";
        // The bar runs on down to the endpoint's children: its models, or a pipeline's containers.
        const bar = e.models.length > 0 || (e.pipeline?.containers.length ?? 0) > 0 ? "│" : " ";
        lines.push(`${indent}${bar}  config ${e.endpointConfigName}${modelNote}`);
        const capacity = describeCapacity(e);
        if (capacity) lines.push(`${indent}${bar}  ${capacity}`);
        e.pipeline?.containers.forEach((c, k, all) =>
            lines.push(`${indent}${k === all.length - 1 ? "└─" : "├─"} container ${k + 1}: ${c.image}`),
        );
        e.models.forEach((m, j) => {
            const lastModel = j === e.models.length - 1;
            lines.push(
                `${indent}${lastModel ? "└─" : "├─"} ${describeKind(m)} ${m.inferenceComponentName} (model ${m.modelName}): ${describeModel(m)}`,
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

/**
 * One finding: `[rule] logical (physical)` and any tags, the stack config it comes from, then the message,
 * each wrapped under a hanging indent.
 */
function findingLines(rule: string, place: FindingPlace, messages: readonly string[], width: number, tag = "") {
    const location = configLocationOf(place);
    return [
        ...wrap(`[${rule}] ${namesOf(place)}${tag}`, width, "    ", "        "),
        ...(location ? wrap(location, width, "      ", "        ") : []),
        ...messages.flatMap((m) => wrap(m, width, "      ")),
    ];
}

/**
 * The deploy preflight: what `pulumi up` would reject though mocks accepted it. A finding the pack reports
 * too (same rule, same resource) is listed here once, tagged with the policy and its level.
 */
export function renderPreflight(result: PlanResult, width = DEFAULT_WIDTH): string[] {
    const findings = result.preflight;
    const pairs = pairFindings(result);
    const lines = [`Would fail at deploy (${findings.length})${findings.length === 0 ? ": none" : ""}`];
    findings.forEach((f, i) => {
        const d = pairs.violationAt(i);
        const tag = d ? ` [also policy ${d.policyName}, ${levelShown(d)}]` : "";
        // The pack's own words too, when they differ from the preflight's.
        const messages =
            d && d.message !== f.message ? [f.message, `policy ${d.policyName}: ${d.message}`] : [f.message];
        lines.push(...findingLines(f.check, placeOf(result, f.urn), messages, width, tag));
    });
    return lines;
}

/** The plan for people: the tree, the deploy preflight, the violations by level, the cost. */
export function renderTable(result: PlanResult, options: TableReportOptions = {}): string {
    const width = options.width ?? DEFAULT_WIDTH;
    const lines: string[] = [];
    const pack = result.policyPack;
    lines.push(
        ...wrapLines(
            [
                `fm-fleet plan: project ${result.project}, stack ${result.stack}, policy pack ${pack.name}@${pack.version}` +
                    (pack.configFile ? ` with ${pack.configFile}` : " with its defaults"),
                ...pack.configWarnings.map((w) => `policy config warning: ${w}`),
            ],
            width,
        ),
        "",
        ...wrapTree(renderTree(result, options.maxAdapters ?? 10), width),
        ...wrapLines(dashboardLines(result), width),
        "",
        ...renderPreflight(result, width),
        "",
        "Policy violations",
    );
    // Violations listed under "Would fail at deploy" already are counted here, not listed again.
    const listed = pairFindings(result).listedAbove;
    for (const { level, items } of byLevel(result.diagnostics)) {
        const rest = items.filter((d) => !listed.has(d));
        const above = items.length - rest.length;
        const note = above > 0 ? `; ${above} of them listed under "Would fail at deploy"` : "";
        lines.push(...wrapLines([`  ${level} (${items.length}${note})${items.length === 0 ? ": none" : ""}`], width));
        for (const d of rest) lines.push(...findingLines(d.policyName, placeOf(result, d.urn), [d.message], width));
    }
    const now = options.now ?? new Date();
    const table = new Table({
        head: [
            "Endpoint",
            "Instance type",
            "$/hour",
            "Instances",
            "Idle floor",
            "Peak ceiling",
            "Dedicated",
            "Price as of",
        ],
        style: { head: [], border: [] },
    });
    for (const r of costRows(result, now)) {
        table.push([
            r.endpoint,
            r.instanceType,
            r.usdPerHour,
            r.instances,
            r.idleFloor,
            r.peakCeiling,
            r.dedicated,
            r.priceAsOf,
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
        formatUsd(c.dedicatedUsd),
        "",
    ]);
    lines.push(
        "",
        "Cost (USD per month, us-east-1 on-demand hosting, 730 h)",
        fitTable(table, width),
        ...wrapLines([...costFooter(result), costSummary(result)], width),
    );
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
                formatPriceDate(cost?.priceAsOf, now),
            ]);
        }
        lines.push(
            "",
            "One-time cost (USD, optimization jobs)",
            fitTable(jobs, width),
            ...wrapLines([oneTimeSummary(result)], width),
        );
    }
    const notes: string[] = [];
    if (c.unpriced.length) notes.push(`Not priced (no public price in the catalog): ${c.unpriced.join(", ")}.`);
    if (c.reserved.length)
        notes.push(`On an ML capacity reservation, paid up front and counted as $0 here: ${c.reserved.join(", ")}.`);
    notes.push(`Prices as of: ${priceDates(result, now)}.`);
    lines.push(...wrapLines(notes, width));
    if (options.changes) lines.push("", ...wrapLines(renderChangesTable(options.changes), width));
    lines.push("", ...wrapLines([verdict(result)], width));
    return lines.join("\n");
}
