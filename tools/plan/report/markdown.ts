import { formatPriceDate, formatUsd } from "../../../lib/cost";
import type { PlanChanges } from "../baseline";
import { PlanResult } from "../plan";
import { renderChangesMarkdown } from "./changes";
import {
    configLocationOf,
    dashboardLines,
    byLevel,
    costFooter,
    costRows,
    costSummary,
    describeCapacity,
    describeEndpoint,
    describeKind,
    describeModel,
    describePerformance,
    describeTechniques,
    endpointKind,
    jobCostOf,
    levelShown,
    namesOf,
    oneTimeSummary,
    pairFindings,
    placeOf,
    priceDates,
    verdict,
} from "./shared";

/** Mermaid label text: quotes and angle brackets would end or break the label. */
const label = (text: string) => text.replace(/"/g, "'").replace(/[<>]/g, "");
/** Table cell text. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A finding's resource cell: `logical` (`physical`), and the stack config it was made from, if any. */
function resourceCell(result: PlanResult, urn: string): string {
    const place = placeOf(result, urn);
    const names =
        place.logicalName === undefined
            ? "(stack)"
            : namesOf(place) === place.logicalName
              ? `\`${place.logicalName}\``
              : `\`${place.logicalName}\` (\`${place.physicalName}\`)`;
    const location = configLocationOf(place);
    return location ? `${names}<br/>${cell(location)}` : names;
}

/** Mermaid flowchart of the fleet: endpoint -> base models -> adapters (summarized past `maxAdapters`). */
export function mermaid(result: PlanResult, maxAdapters: number): string {
    const lines = ["```mermaid", "flowchart LR"];
    result.fleet.forEach((e, i) => {
        const kind = endpointKind(e);
        const capacity = describeCapacity(e);
        lines.push(
            `  e${i}["${label(`${kind} ${e.endpointName}`)}<br/>${label(describeEndpoint(e))}${capacity ? `<br/>${label(capacity)}` : ""}"]`,
        );
        e.models.forEach((m, j) => {
            const id = `e${i}m${j}`;
            lines.push(
                `  e${i} --> ${id}["${label(m.guard ? `${describeKind(m)} ${m.inferenceComponentName}` : m.inferenceComponentName)}<br/>${label(describeModel(m))}"]`,
            );
            // Input model -> job -> served model.
            const job = m.optimizationJob;
            if (job) {
                lines.push(
                    `  ${id}src[("${label(job.sourceUrl)}")] --> ${id}job[["${label(`optimization job ${job.optimizationJobName}`)}<br/>${label(describeTechniques(job))}"]] --> ${id}`,
                );
            }
            m.adapters
                .slice(0, maxAdapters)
                .forEach((a, k) => lines.push(`  ${id} --> ${id}a${k}("${label(a.inferenceComponentName)}")`));
            const hidden = m.adapters.length - maxAdapters;
            if (hidden > 0) lines.push(`  ${id} --> ${id}more("... ${hidden.toLocaleString("en-US")} more adapters")`);
        });
    });
    lines.push("```");
    return lines.join("\n");
}

/** The plan as a pull-request comment: verdict, diagram, violations, cost table. */
export function renderMarkdown(
    result: PlanResult,
    /** `now`: the clock prices' ages are judged by (default: the current time). */
    options: { maxAdapters?: number; changes?: PlanChanges; now?: Date } = {},
): string {
    const groups = byLevel(result.diagnostics);
    const pairs = pairFindings(result);
    const listed = pairs.listedAbove;
    const checkCell = (i: number) => {
        const f = result.preflight[i];
        const d = pairs.violationAt(i);
        return d ? `\`${f.check}\`<br/>also policy \`${d.policyName}\`, ${levelShown(d)}` : `\`${f.check}\``;
    };
    const out = [
        `### fm-fleet plan: \`${result.stack}\`: ${verdict(result)}`,
        "",
        `${result.resources.length} resources, policy pack \`${result.policyPack.name}@${result.policyPack.version}\`` +
            (result.policyPack.configFile ? ` with \`${result.policyPack.configFile}\`` : "") +
            ".",
        "",
        mermaid(result, options.maxAdapters ?? 5),
        ...dashboardLines(result),
        "",
        "#### Would fail at deploy",
        "",
        ...(result.preflight.length === 0
            ? ["None: every aws-native input matches its CloudFormation schema and every SageMaker API rule holds."]
            : [
                  "| Check | Resource | Message |",
                  "| --- | --- | --- |",
                  ...result.preflight.map((f, i) => {
                      const d = pairs.violationAt(i);
                      const also = d && d.message !== f.message ? `<br/>policy: ${d.message}` : "";
                      return `| ${checkCell(i)} | ${resourceCell(result, f.urn)} | ${cell(f.message + also)} |`;
                  }),
              ]),
        "",
        "#### Policy violations",
        "",
    ];
    const rest = groups.map(({ level, items }) => ({ level, items: items.filter((d) => !listed.has(d)) }));
    if (result.diagnostics.length === 0) out.push("None.");
    else {
        if (listed.size > 0) {
            out.push(
                `${groups.map(({ level, items }) => `${items.length} ${level}`).join(", ")}; ${listed.size} of them listed under "Would fail at deploy".`,
                "",
            );
        }
        if (rest.some(({ items }) => items.length > 0)) {
            out.push("| Level | Policy | Resource | Message |", "| --- | --- | --- | --- |");
        }
        for (const { level, items } of rest) {
            for (const d of items) {
                out.push(`| ${level} | \`${d.policyName}\` | ${resourceCell(result, d.urn)} | ${cell(d.message)} |`);
            }
        }
    }
    out.push(
        "",
        "#### Cost (USD per month, us-east-1 on-demand hosting, 730 h)",
        "",
        "| Endpoint | Instance type | $/hour | Instances | Idle floor | Peak ceiling | Dedicated | Price as of |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | --- |",
    );
    const now = options.now ?? new Date();
    for (const r of costRows(result, now)) {
        out.push(
            `| ${r.endpoint ? `\`${r.endpoint}\`` : ""} | ${r.instanceType} | ${r.usdPerHour} | ${r.instances} | ${r.idleFloor} | ${r.peakCeiling} | ${r.dedicated} | ${r.priceAsOf} |`,
        );
    }
    const c = result.cost;
    out.push(
        `| **Stack** | | | | **${formatUsd(c.idleFloorUsd)}** | **${formatUsd(c.peakCeilingUsd)}** | **${formatUsd(c.dedicatedUsd)}** | |`,
        "",
        ...costFooter(result).flatMap((line) => [line, ""]),
        costSummary(result),
    );
    if (c.optimizationJobs.length > 0) {
        out.push(
            "",
            "#### One-time cost (USD, optimization jobs)",
            "",
            "| Optimization job | Optimizations | Serves | Instance type | Hours | One-time | Price as of |",
            "| --- | --- | --- | --- | ---: | ---: | --- |",
        );
        for (const j of result.optimizationJobs) {
            const cost = jobCostOf(result, j.optimizationJobName);
            const served = result.fleet
                .flatMap((e) => e.models)
                .find((m) => m.optimizationJob?.resourceName === j.resourceName);
            out.push(
                `| \`${j.optimizationJobName}\` | ${describeTechniques(j)} | ${served ? `\`${served.inferenceComponentName}\`` : "no model"} | ${j.instanceType} | ${j.hours ? +j.hours.value.toFixed(2) : "unknown"} | ${formatUsd(cost?.oneTimeUsd)} | ${formatPriceDate(cost?.priceAsOf, now)} |`,
            );
        }
        out.push("", oneTimeSummary(result));
    }
    out.push("", `Prices as of: ${priceDates(result, now)}.`);
    const models = result.fleet.flatMap((e) => e.models.map((m) => ({ e, m })));
    if (models.length > 0) {
        out.push(
            "",
            "#### Latency (per copy; [how it is estimated](docs/performance.md))",
            "",
            "| Model | Instance type | Latency |",
            "| --- | --- | --- |",
            ...models.map(
                ({ e, m }) =>
                    `| \`${m.inferenceComponentName}\` | ${e.instanceType} | ${cell(describePerformance(m))} |`,
            ),
        );
    }
    if (options.changes) out.push("", ...renderChangesMarkdown(options.changes));
    return out.join("\n");
}
