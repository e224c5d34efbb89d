import {
    MEASURED_TOKENS_PER_SECOND_TAG,
    MEASURED_TTFT_MS_TAG,
    SLO_MAX_COLD_START_SECONDS_TAG,
    SLO_TOKENS_PER_SECOND_TAG,
    SLO_TTFT_MS_TAG,
    SPECULATIVE_ENVS,
} from "../../lib/contract";
import { MeasuredPerformance } from "../../lib/performance/estimate";
import { isLatencyFigure, Slo } from "../../lib/performance/slo";
import { num, UNKNOWN, Unknown } from "./props";
import { InferenceComponentView } from "./views";

/** What an IC says about its latency: its SLO and measured figures (tags), and whether it decodes speculatively. */
export interface LatencyView {
    readonly slo: Slo;
    readonly measured: MeasuredPerformance;
    readonly speculativeDecoding: boolean;
}

/**
 * Reads the contract: `fmfleet:slo-*` and `fmfleet:measured-*` tags (a tag that is not a positive number
 * counts as absent), and a speculative decoding option in the IC's container env or its model's. Unknown
 * tags (preview) read as absent: the rules then judge less, never crash.
 */
export function latencyViewOf(
    ic: InferenceComponentView,
    modelEnvironment: Record<string, unknown> | Unknown = {},
): LatencyView {
    const tags = ic.tags === UNKNOWN ? {} : ic.tags;
    const figure = (key: string): number | undefined => {
        const v = num(tags[key]);
        return isLatencyFigure(v) ? v : undefined;
    };
    const env = { ...(modelEnvironment === UNKNOWN ? {} : modelEnvironment), ...ic.environment };
    return {
        slo: {
            ttftMs: figure(SLO_TTFT_MS_TAG),
            tokensPerSecond: figure(SLO_TOKENS_PER_SECOND_TAG),
            maxColdStartSeconds: figure(SLO_MAX_COLD_START_SECONDS_TAG),
        },
        measured: { ttftMs: figure(MEASURED_TTFT_MS_TAG), tokensPerSecond: figure(MEASURED_TOKENS_PER_SECOND_TAG) },
        speculativeDecoding: SPECULATIVE_ENVS.some((k) => typeof env[k] === "string" && env[k] !== ""),
    };
}
