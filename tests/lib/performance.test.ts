import * as assert from "node:assert/strict";
import { findInstanceType } from "../../lib/catalog";
import {
    acceleratorSpec,
    acceleratorSpecs,
    approximateArchitecture,
    batchTokensPerSecond,
    coldStart,
    deploymentOf,
    estimatePerformance,
    latencyFigureIssues,
    PerformanceInput,
} from "../../lib/performance";

const eightB: PerformanceInput = { parametersBillions: 8, quantization: "none", instanceType: "ml.g5.2xlarge" };

describe("lib: performance model", () => {
    it("has datasheet figures with a source and a date for every accelerator of the catalog", () => {
        const catalogAccelerators = new Set(
            ["ml.g4dn.xlarge", "ml.g5.xlarge", "ml.g6.xlarge", "ml.g6e.xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge"]
                .concat(["ml.p5.48xlarge", "ml.p5e.48xlarge", "ml.inf2.xlarge", "ml.trn1.32xlarge"])
                .map((t) => findInstanceType(t)!.accelerator),
        );
        for (const name of catalogAccelerators) assert.ok(acceleratorSpec(name), `${name} has performance data`);
        assert.ok(acceleratorSpec("NVIDIA B200") && acceleratorSpec("AWS Trainium2"));
        for (const spec of acceleratorSpecs().values()) {
            assert.ok(spec.memoryBandwidthGbPerS > 0 && spec.bf16DenseTflops > 0, spec.accelerator);
            assert.match(spec.asOf, /^\d{4}-\d{2}$/);
            assert.ok(spec.source.length > 20, `${spec.accelerator} names its source`);
        }
        assert.deepEqual(
            {
                bw: acceleratorSpec("NVIDIA L4")!.memoryBandwidthGbPerS,
                fp8: acceleratorSpec("NVIDIA L4")!.fp8DenseTflops,
            },
            { bw: 300, fp8: 242 },
        );
    });

    it("approximates a model's shape from its size (Llama 2 7B: 32 layers)", () => {
        assert.deepEqual(approximateArchitecture(6.74), { layers: 32, kvHeads: 8, headDim: 128 });
        assert.equal(approximateArchitecture(70).layers, 71);
    });

    it("gives more tokens/s with more memory bandwidth (A10G 600 GB/s < L40S 864 GB/s)", () => {
        const a10g = estimatePerformance({ ...eightB, instanceType: "ml.g5.2xlarge" }).tokensPerSecond!;
        const l40s = estimatePerformance({ ...eightB, instanceType: "ml.g6e.2xlarge" }).tokensPerSecond!;
        const l4 = estimatePerformance({ ...eightB, instanceType: "ml.g6.2xlarge" }).tokensPerSecond!;
        assert.ok(l4 < a10g && a10g < l40s, `${l4} < ${a10g} < ${l40s}`);
    });

    it("decodes 4-bit weights faster than bf16 on the same type", () => {
        const bf16 = estimatePerformance(eightB).tokensPerSecond!;
        const awq = estimatePerformance({ ...eightB, quantization: "awq" }).tokensPerSecond!;
        assert.ok(awq > bf16 * 2, `${awq} > 2 x ${bf16}`);
    });

    it("makes a 70B model slower and slower to start than an 8B on the same type", () => {
        const on = { instanceType: "ml.g6e.12xlarge", accelerators: 4, quantization: "awq" as const };
        const small = estimatePerformance({ ...on, parametersBillions: 8 });
        const large = estimatePerformance({ ...on, parametersBillions: 70 });
        assert.ok(large.tokensPerSecond! < small.tokensPerSecond!);
        assert.ok(large.ttftMs! > small.ttftMs!);
        assert.ok(large.coldStartSeconds! > small.coldStartSeconds!);
    });

    it("grows batch throughput up to the compute bound, and speeds decode with speculative decoding", () => {
        const d = deploymentOf(eightB)!;
        const one = batchTokensPerSecond(d, 640, 1);
        const many = batchTokensPerSecond(d, 640, 64);
        const huge = batchTokensPerSecond(d, 640, 4096);
        assert.ok(many > one * 10 && huge >= many * 0.9, `${one} ${many} ${huge}`);
        const spec = estimatePerformance({ ...eightB, speculativeDecoding: true }).tokensPerSecond!;
        assert.equal(Math.round((spec / estimatePerformance(eightB).tokensPerSecond!) * 100), 182);
    });

    it("starts a copy on a running instance without provisioning, and matches AWS's cached Qwen3-8B figure", () => {
        const g6 = findInstanceType("ml.g6.2xlarge")!;
        const fresh = coldStart(16.4, g6, { newInstance: true });
        assert.equal(Math.round(fresh.totalSeconds), 257); // AWS: 258 s with the image cached
        assert.equal(Math.round(coldStart(16.4, g6, { newInstance: true, imageCached: false }).totalSeconds), 513); // AWS: 525 s
        const onRunning = coldStart(16.4, g6, { newInstance: false });
        assert.equal(onRunning.provisioningSeconds, 0);
        assert.equal(Math.round(onRunning.totalSeconds), 123);
    });

    it("labels measured figures and keeps the rest estimates", () => {
        const p = estimatePerformance({ ...eightB, measured: { tokensPerSecond: 31 } });
        assert.equal(p.source, "measured");
        assert.deepEqual(p.measured, ["tokensPerSecond"]);
        assert.equal(p.tokensPerSecond, 31);
        assert.equal(p.ttftMs, estimatePerformance(eightB).ttftMs);
        assert.equal(estimatePerformance(eightB).source, "estimate");
    });

    it("says why a figure is unknown instead of inventing one: null, never NaN or Infinity", () => {
        const cases: [PerformanceInput, string][] = [
            [{ ...eightB, instanceType: "ml.m5.xlarge" }, "ml.m5.xlarge has no accelerator"],
            [{ ...eightB, instanceType: "ml.x9.large" }, "instance type ml.x9.large is not in the catalog"],
            [{ ...eightB, parametersBillions: undefined }, "the model size is unknown"],
            [{ ...eightB, parametersBillions: Number.NaN }, "the model size is unknown"],
        ];
        for (const [input, reason] of cases) {
            assert.deepEqual(estimatePerformance(input), {
                ttftMs: null,
                tokensPerSecond: null,
                coldStartSeconds: null,
                source: "estimate",
                measured: [],
                reason,
            });
        }
    });

    it("reports every bad latency figure with its path, value, unit and fix", () => {
        assert.deepEqual(latencyFigureIssues({ ttftMs: -5, tokensPerSecond: Infinity }, { ttftMs: "fast" }), [
            {
                path: "slo.ttftMs",
                message: "must be a positive number of milliseconds, got -5. Give it as a number, e.g. 500.",
            },
            {
                path: "slo.tokensPerSecond",
                message: "must be a positive number of tokens per second, got Infinity. Give it as a number, e.g. 30.",
            },
            {
                path: "performance.ttftMs",
                message: 'must be a positive number of milliseconds, got "fast". Give it as a number, e.g. 500.',
            },
        ]);
    });
});
