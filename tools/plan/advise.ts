import { formatUsd } from "../../lib/cost";
import { AdviceOption, adviseInstanceTypes } from "../../lib/performance/advise";
import type { PlanResult } from "./plan";

/** Options listed per model. */
const LISTED = 5;

/** The right-sizing advice of one model. */
export interface ModelAdvice {
    readonly inferenceComponentName: string;
    readonly currentInstanceType: string;
    readonly options: AdviceOption[];
    /** The cheapest option that meets the SLO, when it is cheaper than the current type. */
    readonly cheaper: AdviceOption | null;
}

/** Per model, the cheapest allowed instance types that hold it and meet its SLO (docs/performance.md). */
export function adviseFleet(result: PlanResult): ModelAdvice[] {
    // The effective config the pack ran with (schema defaults filled): a disabled family rule allows every type.
    const config = result.policyPack.config;
    const familyRule = config["allowed-instance-families"];
    const families =
        familyRule && familyRule.enforcementLevel !== "disabled" ? familyRule.properties.families : undefined;
    const fraction = config["weights-fit-accelerator-memory"]?.properties.memoryFraction;
    return result.fleet.flatMap((e) =>
        e.models
            .filter((m) => m.parametersBillions !== undefined)
            .map((m): ModelAdvice => {
                const all = adviseInstanceTypes({
                    parametersBillions: m.parametersBillions!,
                    slo: m.slo,
                    currentInstanceType: e.instanceType,
                    copies: m.copies?.min ?? 1,
                    families: Array.isArray(families) ? families : undefined,
                    memoryFraction: typeof fraction === "number" ? fraction : undefined,
                });
                const current = all.find((o) => o.current);
                const cheaper = all[0] && (!current || all[0].monthlyUsd < current.monthlyUsd) ? all[0] : null;
                const options = all.slice(0, LISTED);
                if (current && !options.includes(current)) options.push(current);
                return {
                    inferenceComponentName: m.inferenceComponentName,
                    currentInstanceType: e.instanceType,
                    options,
                    cheaper,
                };
            }),
    );
}

/** The advice as text lines (table and Markdown reports). */
export function renderAdvice(advice: readonly ModelAdvice[]): string {
    const lines = ["", "Right-sizing (cheapest allowed types that hold the model and meet its SLO; estimates)"];
    for (const a of advice) {
        lines.push(`  ${a.inferenceComponentName} (now ${a.currentInstanceType}):`);
        if (a.options.length === 0) lines.push("    no allowed type holds it and meets its SLO");
        for (const o of a.options) {
            const p = o.performance;
            lines.push(
                `    ${o.current ? "*" : " "} ${o.instanceType}: ${o.quantization === "none" ? "bf16" : o.quantization}, ${o.acceleratorsPerCopy} accelerator(s)/copy, ${formatUsd(o.monthlyUsd)}/month, TTFT ${p.ttftMs} ms, ${p.tokensPerSecond} tokens/s`,
            );
        }
        if (a.cheaper) {
            lines.push(
                `    cheaper and meets the SLO: ${a.cheaper.instanceType} (${a.cheaper.quantization === "none" ? "bf16" : a.cheaper.quantization}) at ${formatUsd(a.cheaper.monthlyUsd)}/month`,
            );
        }
    }
    lines.push("  (* current choice)");
    return lines.join("\n");
}
