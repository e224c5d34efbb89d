import Table from "cli-table3";
import { formatUsd } from "../../lib/cost";
import type { ModelResult, SimulationResult, WaitStats } from "./engine";
import type { SimulationReport } from "./simulate";

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const seconds = (x: number | null) => (x === null ? "-" : x < 10 ? `${x.toFixed(1)} s` : `${Math.round(x)} s`);
const waits = (w: WaitStats) =>
    w.count === 0
        ? "none"
        : `p50 ${seconds(w.p50)}, p95 ${seconds(w.p95)}, p99 ${seconds(w.p99)}, max ${seconds(w.max)}`;
const share = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);
const window = (minutes: number) =>
    minutes % 1440 === 0
        ? `${minutes / 1440} days`
        : minutes % 60 === 0
          ? `${minutes / 60} hours`
          : `${minutes} minutes`;

/** A line of block characters: the shape of a series at a glance. */
export function sparkline(values: ArrayLike<number>, width = 60): string {
    const blocks = "▁▂▃▄▅▆▇█";
    const n = values.length;
    if (n === 0) return "";
    const step = Math.max(1, Math.ceil(n / width));
    const buckets: number[] = [];
    for (let i = 0; i < n; i += step) {
        let max = 0;
        for (let j = i; j < Math.min(n, i + step); j++) max = Math.max(max, values[j]);
        buckets.push(max);
    }
    const top = Math.max(...buckets);
    return buckets.map((v) => (top <= 0 ? blocks[0] : blocks[Math.round((v / top) * (blocks.length - 1))])).join("");
}

function sloText(m: ModelResult): string {
    if (!m.slo) return "-";
    const d = m.slo.declared;
    const parts = [];
    if (d.ttftMs !== undefined) parts.push(`TTFT <= ${d.ttftMs} ms: ${share(m.slo.ttftMet)}`);
    if (d.tokensPerSecond !== undefined)
        parts.push(`>= ${d.tokensPerSecond} tok/s: ${m.slo.tokensPerSecondMet ? "met" : "missed"}`);
    if (d.maxColdStartSeconds !== undefined)
        parts.push(`cold start <= ${d.maxColdStartSeconds} s: ${share(m.slo.coldStartMet)}`);
    return parts.join("; ");
}

function summaryLines(report: SimulationReport): string[] {
    const r = report.result;
    const cf = report.counterfactuals;
    const lines = [
        `Stack ${report.stack}: trace ${report.trace.name} over ${window(report.trace.minutes)}, starting ${r.startWith} (${report.trace.description})`,
        `Cost: ${formatUsd(r.costUsd)} for the window, ${formatUsd(r.monthlyUsd)}/month at that rate` +
            (r.unpriced.length > 0 ? ` (unpriced: ${r.unpriced.join(", ")})` : ""),
        `Instance-hours: ${Object.entries(r.instanceHours)
            .map(([t, h]) => `${t} ${h.toFixed(1)}`)
            .join(", ")}`,
        `Requests: ${count(r.requests)} arrived, ${count(r.served)} served` +
            (r.coldStartTimeouts > 0 ? `, ${count(r.coldStartTimeouts)} gave up waiting for a start` : ""),
        `Cold starts: ${count(r.coldStarts)} requests waited: ${waits(r.coldStartWaitSeconds)}`,
        `Queueing: ${waits(r.queueWaitSeconds)}`,
        `Latency: ${waits(r.latencySeconds)}`,
        `Without scale to zero (copies.min 1): ${formatUsd(cf.noScaleToZero.costUsd)} (${formatUsd(cf.noScaleToZero.monthlyUsd)}/month), ${count(cf.noScaleToZero.coldStarts)} cold starts`,
        `Dedicated endpoints (each model and adapter on its own always-on endpoint, as the plan prices them): ${formatUsd(cf.dedicated.costUsd)} (${formatUsd(cf.dedicated.monthlyUsd)}/month), no cold starts`,
        `Plan: idle floor ${formatUsd(report.planCost.idleFloorUsd)}/month, peak ceiling ${formatUsd(report.planCost.peakCeilingUsd)}/month`,
    ];
    return lines;
}

function overTime(r: SimulationResult): string[] {
    const s = r.series;
    const per = s.minutesPerPoint >= 60 ? `${(s.minutesPerPoint / 60).toFixed(1)} h` : `${s.minutesPerPoint} min`;
    return [
        `Over time (each mark up to ${per} or more; peaks):`,
        `  requests  ${sparkline(s.requests)}  peak ${count(Math.max(0, ...s.requests))}`,
        `  copies    ${sparkline(s.copies)}  peak ${count(Math.max(0, ...s.copies))}`,
        `  instances ${sparkline(s.instances)}  peak ${count(Math.max(0, ...s.instances))}`,
    ];
}

function notes(report: SimulationReport): string[] {
    return [
        ...new Set(report.fleet.endpoints.flatMap((e) => e.models.map((m) => `Performance: ${m.performance.note}`))),
    ];
}

/** The simulation for a terminal. */
export function renderSimulationTable(report: SimulationReport): string {
    const r = report.result;
    const models = new Table({
        style: { head: [], border: [] },
        head: [
            "endpoint",
            "model",
            "requests",
            "cold starts",
            "cold wait p50/p95/max",
            "queue p95",
            "copies min-max (mean)",
            "SLO",
        ],
    });
    for (const m of r.models) {
        models.push([
            m.endpoint,
            m.model,
            count(m.requests),
            count(m.coldStarts),
            m.coldStartWaitSeconds.count === 0
                ? "-"
                : `${seconds(m.coldStartWaitSeconds.p50)} / ${seconds(m.coldStartWaitSeconds.p95)} / ${seconds(m.coldStartWaitSeconds.max)}`,
            seconds(m.queueWaitSeconds.p95),
            `${m.copies.min}-${m.copies.max} (${m.copies.mean.toFixed(2)})`,
            sloText(m),
        ]);
    }
    const endpoints = new Table({
        style: { head: [], border: [] },
        head: ["endpoint", "instance type", "instances min-max (mean)", "instance-hours", "cost"],
    });
    for (const e of r.endpoints) {
        endpoints.push([
            e.endpoint,
            e.instanceType,
            `${e.instances.min}-${e.instances.max} (${e.instances.mean.toFixed(2)})`,
            e.instanceHours.toFixed(1),
            e.costUsd === null ? "unpriced" : formatUsd(e.costUsd),
        ]);
    }
    return [
        ...summaryLines(report),
        "",
        models.toString(),
        endpoints.toString(),
        ...overTime(r),
        ...notes(report),
    ].join("\n");
}

/** The simulation for a pull request comment; `chart` is the SVG's path or URL, when one was written. */
export function renderSimulationMarkdown(report: SimulationReport, chart?: string): string {
    const r = report.result;
    const lines = [`### Simulated: stack \`${report.stack}\`, trace \`${report.trace.name}\``, ""];
    for (const l of summaryLines(report).slice(1)) lines.push(`- ${l}`);
    lines.push(
        "",
        "| endpoint | model | requests | cold starts | cold wait p50 / p95 / max | queue p95 | copies min-max (mean) | SLO |",
    );
    lines.push("|---|---|---:|---:|---|---:|---|---|");
    for (const m of r.models) {
        const w = m.coldStartWaitSeconds;
        lines.push(
            `| ${m.endpoint} | ${m.model} | ${count(m.requests)} | ${count(m.coldStarts)} | ${w.count === 0 ? "-" : `${seconds(w.p50)} / ${seconds(w.p95)} / ${seconds(w.max)}`} | ${seconds(m.queueWaitSeconds.p95)} | ${m.copies.min}-${m.copies.max} (${m.copies.mean.toFixed(2)}) | ${sloText(m)} |`,
        );
    }
    lines.push(
        "",
        "| endpoint | instance type | instances min-max (mean) | instance-hours | cost |",
        "|---|---|---|---:|---:|",
    );
    for (const e of r.endpoints) {
        lines.push(
            `| ${e.endpoint} | ${e.instanceType} | ${e.instances.min}-${e.instances.max} (${e.instances.mean.toFixed(2)}) | ${e.instanceHours.toFixed(1)} | ${e.costUsd === null ? "unpriced" : formatUsd(e.costUsd)} |`,
        );
    }
    lines.push("");
    if (chart) lines.push(`![load, copies, instances, cold starts and cost over time](${chart})`, "");
    else lines.push("```", ...overTime(r), "```", "");
    lines.push(...notes(report).map((n) => `_${n}_`));
    return lines.join("\n");
}
