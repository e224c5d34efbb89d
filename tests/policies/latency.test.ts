import * as assert from "node:assert/strict";
import { coldStartBudget, latencySlo } from "../../policies/latency";
import { stackViolations } from "../helpers/policy-args";
import { happyStack, stackWith } from "../helpers/policy-fixtures";

/** The happy stack's base IC (8B bf16 on one A10G of ml.g5.2xlarge, scales to zero) with these tags added. */
function tagged(tags: Record<string, string>, change: (s: ReturnType<typeof happyStack>) => void = () => {}) {
    return stackWith((s) => {
        for (const [key, value] of Object.entries(tags)) s.ic.props.tags.push({ key, value });
        change(s);
    });
}

describe("latency policies", () => {
    describe("latency-slo", () => {
        it("passes a model without an SLO and one whose estimate meets it", async () => {
            assert.deepEqual(await stackViolations(latencySlo, stackWith()), []);
            const met = tagged({ "fmfleet:slo-ttft-ms": "1000", "fmfleet:slo-tokens-per-second": "20" });
            assert.deepEqual(await stackViolations(latencySlo, met), []);
        });

        it("fails when the estimate misses the SLO, naming the figure, the type and the fixes", async () => {
            const missed = tagged({ "fmfleet:slo-ttft-ms": "100", "fmfleet:slo-tokens-per-second": "40" });
            assert.deepEqual(await stackViolations(latencySlo, missed), [
                'Inference component "chat-llama-ic" must meet its SLO on ml.g5.2xlarge: time to first token <= 100 ms, got 235 ms; >= 40 tokens/s per request, got 25.6 (estimate, one request, 512-token prompt; see docs/performance.md). Pick a faster instance type (npm run plan -- --advise lists the cheapest that meet it), quantize (fp8/awq read fewer bytes per token), give each copy more accelerators, or relax the SLO (tag fmfleet:slo-ttft-ms, fmfleet:slo-tokens-per-second; fm-fleet: slo). @ chat-llama-ic',
            ]);
        });

        it("judges measured figures instead of the estimate, and says so", async () => {
            const slow = tagged({ "fmfleet:slo-tokens-per-second": "20", "fmfleet:measured-tokens-per-second": "12" });
            assert.deepEqual(await stackViolations(latencySlo, slow), [
                'Inference component "chat-llama-ic" must meet its SLO on ml.g5.2xlarge: >= 20 tokens/s per request, got 12 (measured by the team\'s load test). Pick a faster instance type (npm run plan -- --advise lists the cheapest that meet it), quantize (fp8/awq read fewer bytes per token), give each copy more accelerators, or relax the SLO (tag fmfleet:slo-tokens-per-second; fm-fleet: slo). @ chat-llama-ic',
            ]);
            const fast = tagged({ "fmfleet:slo-tokens-per-second": "40", "fmfleet:measured-tokens-per-second": "55" });
            assert.deepEqual(await stackViolations(latencySlo, fast), []);
        });

        it("skips what it cannot judge: a CPU-only type, an unknown size, a tag that is no number", async () => {
            const cpu = tagged({ "fmfleet:slo-ttft-ms": "1" }, (s) => {
                s.config.props.productionVariants[0].instanceType = "ml.m5.xlarge";
            });
            assert.deepEqual(await stackViolations(latencySlo, cpu), []);
            const notANumber = tagged({ "fmfleet:slo-ttft-ms": "fast" });
            assert.deepEqual(await stackViolations(latencySlo, notANumber), []);
        });
    });

    describe("cold-start-budget", () => {
        it("passes a model without a budget and one that wakes within it", async () => {
            assert.deepEqual(await stackViolations(coldStartBudget, stackWith()), []);
            const met = tagged({ "fmfleet:slo-max-cold-start-seconds": "600" });
            assert.deepEqual(await stackViolations(coldStartBudget, met), []);
        });

        it("fails a model that scales to zero and wakes too slowly, naming both ways out", async () => {
            const tight = tagged({ "fmfleet:slo-max-cold-start-seconds": "120" });
            assert.deepEqual(await stackViolations(coldStartBudget, tight), [
                'Inference component "chat-llama-ic" can scale to zero (scalable target "chat-llama-scaling-target" has minCapacity 0) and must wake within 120 s, got an estimated 255 s on ml.g5.2xlarge (new instance 134 s (image cached) + weights download 75 s + load 46 s; see docs/performance.md). Keep a copy so no caller waits (minCapacity >= 1; fm-fleet: copies.min: 1), or raise the budget to at least 255 s (tag fmfleet:slo-max-cold-start-seconds; fm-fleet: slo.maxColdStartSeconds). @ chat-llama-ic',
            ]);
        });

        it("passes a model that keeps a copy, whatever its budget", async () => {
            const kept = tagged({ "fmfleet:slo-max-cold-start-seconds": "1" }, (s) => {
                s.target.props.minCapacity = 1;
            });
            assert.deepEqual(await stackViolations(coldStartBudget, kept), []);
        });
    });
});
