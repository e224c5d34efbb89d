import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "csv-parse/sync";
import { Quantization } from "../sizing";

/** How an instance's accelerators talk to each other for tensor parallelism. */
export type Interconnect = "pcie" | "nvlink" | "neuronlink";

/**
 * One accelerator's datasheet figures, per device: what the performance model computes from. Dense figures
 * (no 2:4 sparsity, which serving does not use); `undefined` where the part has no such unit or none is
 * published. Keyed by the instance catalog's `accelerator` column; one source of truth:
 * `lib/data/accelerators.csv`, each row with its source and date.
 */
export interface AcceleratorSpec {
    readonly accelerator: string;
    /** Memory bandwidth per device, GB/s. */
    readonly memoryBandwidthGbPerS: number;
    readonly bf16DenseTflops: number;
    readonly fp8DenseTflops: number | undefined;
    readonly int8DenseTops: number | undefined;
    readonly interconnect: Interconnect;
    /** Where the figures come from. */
    readonly source: string;
    /** When the datasheet was published (`YYYY-MM`). */
    readonly asOf: string;
    readonly note: string;
}

interface CsvRow {
    accelerator: string;
    memory_bandwidth_gb_per_s: string;
    bf16_dense_tflops: string;
    fp8_dense_tflops: string;
    int8_dense_tops: string;
    interconnect: string;
    source: string;
    as_of: string;
    note: string;
}

const optional = (text: string): number | undefined => (text === "" ? undefined : Number(text));

function load(): ReadonlyMap<string, AcceleratorSpec> {
    const text = readFileSync(path.join(__dirname, "..", "data", "accelerators.csv"), "utf8");
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as CsvRow[];
    return new Map(
        rows.map((row) => [
            row.accelerator,
            {
                accelerator: row.accelerator,
                memoryBandwidthGbPerS: Number(row.memory_bandwidth_gb_per_s),
                bf16DenseTflops: Number(row.bf16_dense_tflops),
                fp8DenseTflops: optional(row.fp8_dense_tflops),
                int8DenseTops: optional(row.int8_dense_tops),
                interconnect: row.interconnect as Interconnect,
                source: row.source,
                asOf: row.as_of,
                note: row.note,
            },
        ]),
    );
}

let specs: ReadonlyMap<string, AcceleratorSpec> | undefined;

/** Every accelerator with performance data, keyed by the catalog's accelerator name (loaded once). */
export function acceleratorSpecs(): ReadonlyMap<string, AcceleratorSpec> {
    specs ??= load();
    return specs;
}

/** The datasheet figures of an accelerator, or `undefined` when the project has none (never invented). */
export function acceleratorSpec(accelerator: string): AcceleratorSpec | undefined {
    return acceleratorSpecs().get(accelerator);
}

/**
 * Dense tensor throughput (TFLOPS) a quantization's matrix multiplies run at: fp8 weights on fp8 units and
 * int8 on int8 units where the part has them; 4-bit AWQ/GPTQ kernels dequantize to 16-bit before the
 * multiply, and so does everything on parts without the narrower unit.
 */
export function tensorTflops(spec: AcceleratorSpec, quantization: Quantization): number {
    if (quantization === "fp8") return spec.fp8DenseTflops ?? spec.bf16DenseTflops;
    if (quantization === "int8") return spec.int8DenseTops ?? spec.bf16DenseTflops;
    return spec.bf16DenseTflops;
}
