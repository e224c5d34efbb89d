import type { SimulationReport } from "./simulate";

const W = 960;
const PANEL_H = 130;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 40;

const escapeXml = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fixed = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : 0);

/** A round axis maximum at or above `max`. */
function niceMax(max: number): number {
    if (!(max > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(max));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= max) return m * power;
    return 10 * power;
}

/**
 * The simulation as a self-contained SVG (no script, no external font or image): requests per bucket
 * with cold-start markers, copies and instances as step lines, and the cost so far, on one time axis.
 */
export function renderChartSvg(report: SimulationReport): string {
    const s = report.result.series;
    const n = s.requests.length;
    const plotW = W - LEFT - RIGHT;
    const x = (i: number) => LEFT + (n <= 1 ? 0 : (i / n) * plotW);
    const panels = [
        "Requests per bucket (red marks: requests that met a cold start)",
        "Copies and instances",
        "Cost so far (USD)",
    ];
    const height = TOP + panels.length * (PANEL_H + GAP) + 10;
    const top = (p: number) => TOP + p * (PANEL_H + GAP);
    const out: string[] = [];
    out.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
        `<title>${escapeXml(`fm-fleet simulation: stack ${report.stack}, trace ${report.trace.name}`)}</title>`,
        `<rect width="${W}" height="${height}" fill="white"/>`,
        `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(`Stack ${report.stack}, trace ${report.trace.name}: $${Math.round(report.result.costUsd).toLocaleString("en-US")} for the window`)}</text>`,
    );
    const axis = (p: number, max: number, label: string) => {
        const y0 = top(p);
        out.push(
            `<g class="panel" data-panel="${p}">`,
            `<text x="${LEFT}" y="${y0 - 6}" font-weight="bold">${escapeXml(label)}</text>`,
            `<line x1="${LEFT}" y1="${y0 + PANEL_H}" x2="${W - RIGHT}" y2="${y0 + PANEL_H}" stroke="#333"/>`,
            `<line x1="${LEFT}" y1="${y0}" x2="${LEFT}" y2="${y0 + PANEL_H}" stroke="#333"/>`,
            `<text x="${LEFT - 6}" y="${y0 + 4}" text-anchor="end">${escapeXml(String(fixed(max)))}</text>`,
            `<text x="${LEFT - 6}" y="${y0 + PANEL_H}" text-anchor="end">0</text>`,
            `</g>`,
        );
    };
    const y = (p: number, v: number, max: number) => fixed(top(p) + PANEL_H - (v / max) * PANEL_H);
    const steps = (p: number, values: Float64Array, max: number) => {
        let d = `M${fixed(x(0))} ${y(p, values[0] ?? 0, max)}`;
        for (let i = 1; i < n; i++) d += `H${fixed(x(i))}V${y(p, values[i], max)}`;
        return `${d}H${fixed(x(n))}`;
    };

    // Requests: bars as one path; cold-start marks.
    const reqMax = niceMax(Math.max(0, ...s.requests));
    axis(0, reqMax, panels[0]);
    let bars = "";
    for (let i = 0; i < n; i++) {
        if (s.requests[i] <= 0) continue;
        bars += `M${fixed(x(i))} ${fixed(top(0) + PANEL_H)}V${y(0, s.requests[i], reqMax)}H${fixed(x(i + 1))}V${fixed(top(0) + PANEL_H)}Z`;
    }
    out.push(`<path class="requests" d="${bars || "M0 0"}" fill="#8fb3de" stroke="none"/>`);
    for (let i = 0; i < n; i++) {
        if (s.coldStarts[i] <= 0) continue;
        const cx = fixed((x(i) + x(i + 1)) / 2);
        const cy = fixed(top(0) + PANEL_H + 8);
        out.push(
            `<path class="cold-start" d="M${cx} ${cy - 6}L${cx - 4} ${cy + 2}H${cx + 4}Z" fill="#d62728"><title>${escapeXml(`${Math.round(s.coldStarts[i])} requests met a cold start`)}</title></path>`,
        );
    }

    // Copies and instances.
    const capMax = niceMax(Math.max(1, ...s.copies, ...s.instances));
    axis(1, capMax, panels[1]);
    out.push(
        `<path class="copies" d="${steps(1, s.copies, capMax)}" fill="none" stroke="#2ca02c" stroke-width="2"/>`,
        `<path class="instances" d="${steps(1, s.instances, capMax)}" fill="none" stroke="#ff7f0e" stroke-width="2" stroke-dasharray="5 3"/>`,
        `<text x="${W - RIGHT - 150}" y="${top(1) + 12}" fill="#2ca02c">— copies</text>`,
        `<text x="${W - RIGHT - 80}" y="${top(1) + 12}" fill="#ff7f0e">- - instances</text>`,
    );

    // Cost so far.
    const costMax = niceMax(Math.max(0, ...s.costUsd));
    axis(2, costMax, panels[2]);
    let cost = "";
    for (let i = 0; i < n; i++) cost += `${i === 0 ? "M" : "L"}${fixed(x(i + 1))} ${y(2, s.costUsd[i], costMax)}`;
    out.push(
        `<path class="cost" d="M${LEFT} ${fixed(top(2) + PANEL_H)}${cost.replace(/^M/, "L")}" fill="none" stroke="#9467bd" stroke-width="2"/>`,
    );

    // Time axis: days (or hours) under the last panel.
    const minutes = n * s.minutesPerPoint;
    const unit = minutes > 2 * 1440 ? 1440 : 60;
    const every = Math.max(1, Math.ceil(minutes / unit / 12));
    for (let k = 0; k * unit <= minutes; k += every) {
        const xi = fixed(LEFT + ((k * unit) / Math.max(1, minutes)) * plotW);
        out.push(
            `<text class="tick" x="${xi}" y="${fixed(top(2) + PANEL_H + 14)}" text-anchor="middle">${unit === 1440 ? `day ${k}` : `${k} h`}</text>`,
        );
    }
    out.push(`</svg>`);
    return out.join("\n") + "\n";
}
