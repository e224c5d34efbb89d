import { createReadStream, existsSync, statSync } from "fs";
import { parse } from "csv-parse";
import type { SimFleet } from "./declared-fleet";

/** Means a trace row may leave out: a chat-sized prompt and answer (stand-in; state them in the trace). */
export const DEFAULT_TOKENS = { inputTokens: 512, outputTokens: 256 } as const;

/** The longest window a trace may span: a year of minutes (366 days). */
export const MAX_TRACE_MINUTES = 366 * 24 * 60;

/** Requests per minute of one model (and its adapters), with their token sums for weighted means. */
export interface TraceSeries {
    readonly requests: Float64Array;
    /** Sum of inputTokens x requests per minute. */
    readonly inputTokens: Float64Array;
    /** Sum of outputTokens x requests per minute. */
    readonly outputTokens: Float64Array;
}

/** A trace, per minute and model, as the simulator reads it. */
export interface Trace {
    /** `weekday`, `spiky`, ... or the file's path. */
    readonly name: string;
    /** Minutes in the window (the last row's minute + 1, or the generator's length). */
    readonly minutes: number;
    /** By {@link seriesKey} of endpoint and model. */
    readonly series: ReadonlyMap<string, TraceSeries>;
    /** How it was made, for the report (a generator's description and seed). */
    readonly description: string;
}

/** The key of one model's series: its endpoint's and its own trace names. */
export const seriesKey = (endpoint: string, model: string) => `${endpoint}/${model}`;

/** A trace that cannot be read: one line naming the file, the line and the fix. */
export class TraceError extends Error {
    constructor(
        public readonly file: string,
        public readonly line: number,
        detail: string,
    ) {
        super(`${file}:${line}: ${detail}`);
        this.name = "TraceError";
    }
}

/** A per-minute series that grows as rows arrive (rows need not be sorted). */
export class SeriesBuilder {
    private size = 0;
    requests = new Float64Array(1024);
    inputTokens = new Float64Array(1024);
    outputTokens = new Float64Array(1024);

    add(minute: number, requests: number, inputTokens: number, outputTokens: number): void {
        if (minute >= this.requests.length) {
            let length = this.requests.length;
            while (length <= minute) length *= 2;
            const grow = (a: Float64Array) => {
                const b = new Float64Array(length);
                b.set(a);
                return b;
            };
            this.requests = grow(this.requests);
            this.inputTokens = grow(this.inputTokens);
            this.outputTokens = grow(this.outputTokens);
        }
        this.requests[minute] += requests;
        this.inputTokens[minute] += inputTokens * requests;
        this.outputTokens[minute] += outputTokens * requests;
        this.size = Math.max(this.size, minute + 1);
    }

    /** The series cut (or padded with zeros) to `minutes`. */
    build(minutes: number): TraceSeries {
        const fit = (a: Float64Array) => {
            const b = new Float64Array(minutes);
            b.set(a.subarray(0, Math.min(minutes, a.length)));
            return b;
        };
        return {
            requests: fit(this.requests),
            inputTokens: fit(this.inputTokens),
            outputTokens: fit(this.outputTokens),
        };
    }
}

const REQUIRED = ["minute", "endpoint", "model", "requests"] as const;
const OPTIONAL = ["adapter", "inputTokens", "outputTokens"] as const;
const HEADER_FIX = `Start the file with a header: ${REQUIRED.join(",")} (optional: ${OPTIONAL.join(", ")}).`;

/** Names a trace may use, and the keys they map to. */
interface Known {
    endpoints: Map<
        string,
        { models: Map<string, { key: string; adapters: Set<string> }>; modelNames: string; anyModel?: string }
    >;
    endpointList: string;
}

function knownNames(fleet: SimFleet): Known {
    const endpoints: Known["endpoints"] = new Map();
    for (const e of fleet.endpoints) {
        const models = new Map<string, { key: string; adapters: Set<string> }>();
        let anyModel: string | undefined;
        for (const m of e.models) {
            const key = seriesKey(e.name, m.name);
            if (e.kind !== "inference-components") anyModel = key;
            const entry = { key, adapters: new Set(m.adapters) };
            models.set(m.name, entry);
            if (m.inferenceComponentName) models.set(m.inferenceComponentName, entry);
        }
        const entry = { models, anyModel, modelNames: e.models.map((m) => m.name).join(", ") || "none" };
        endpoints.set(e.name, entry);
        endpoints.set(e.endpointName, entry);
    }
    return { endpoints, endpointList: fleet.endpoints.map((e) => e.name).join(", ") || "none" };
}

const isWhole = (text: string) => /^\d+$/.test(text);

/**
 * Reads a trace CSV as a stream (a file of any size is never held whole: memory grows with the window's
 * minutes and models, not the rows), checking each row against the fleet's names. Throws a
 * {@link TraceError} at the first bad row.
 */
export async function readTraceFile(file: string, fleet: SimFleet): Promise<Trace> {
    if (!existsSync(file) || !statSync(file).isFile())
        throw new TraceError(
            file,
            0,
            "no such file. Pass a CSV file, or a built-in trace: weekday, spiky, nightly-batch, idle.",
        );
    const known = knownNames(fleet);
    const builders = new Map<string, SeriesBuilder>();
    let minutes = 0;
    let rows = 0;
    let columns: string[] | undefined;
    const parser = createReadStream(file).pipe(
        parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: false, info: true }),
    );
    try {
        for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
            const line = info.lines;
            if (!columns) {
                columns = record;
                const missing = REQUIRED.filter((c) => !columns!.includes(c));
                if (missing.length > 0)
                    throw new TraceError(file, line, `the header lacks ${missing.join(", ")}. ${HEADER_FIX}`);
                continue;
            }
            const row: Record<string, string> = {};
            columns.forEach((c, i) => (row[c] = record[i] ?? ""));
            rows++;
            if (!isWhole(row.minute))
                throw new TraceError(
                    file,
                    line,
                    `minute must be a whole number >= 0 (minutes since the trace's start), got "${row.minute}". Write it as 0, 1, 2, ...`,
                );
            const minute = Number(row.minute);
            if (minute >= MAX_TRACE_MINUTES)
                throw new TraceError(
                    file,
                    line,
                    `minute must be below ${MAX_TRACE_MINUTES} (a year), got ${row.minute}. Split a longer trace into windows.`,
                );
            const requests = Number(row.requests);
            if (row.requests === "" || !Number.isFinite(requests) || requests < 0)
                throw new TraceError(
                    file,
                    line,
                    `requests must be a finite number >= 0 (arrivals in that minute), got "${row.requests}". Write 0 for a quiet minute, or leave the minute out.`,
                );
            const tokens = (column: "inputTokens" | "outputTokens") => {
                const text = row[column];
                if (text === undefined || text === "") return DEFAULT_TOKENS[column];
                const n = Number(text);
                if (!Number.isFinite(n) || n < 0)
                    throw new TraceError(
                        file,
                        line,
                        `${column} must be a finite number >= 0 (the mean per request that minute), got "${text}". Leave it empty for the default ${DEFAULT_TOKENS[column]}.`,
                    );
                return n;
            };
            const inputTokens = tokens("inputTokens");
            const outputTokens = tokens("outputTokens");
            const endpoint = known.endpoints.get(row.endpoint);
            if (!endpoint)
                throw new TraceError(
                    file,
                    line,
                    `unknown endpoint "${row.endpoint}". The stack declares: ${known.endpointList}.`,
                );
            const model = endpoint.models.get(row.model);
            const key = model?.key ?? endpoint.anyModel;
            if (!key)
                throw new TraceError(
                    file,
                    line,
                    `unknown model "${row.model}" on endpoint "${row.endpoint}". It hosts: ${endpoint.modelNames}.`,
                );
            const adapter = row.adapter ?? "";
            if (adapter !== "" && model && !model.adapters.has(adapter))
                throw new TraceError(
                    file,
                    line,
                    `unknown adapter "${adapter}" of model "${row.model}". Its adapters: ${[...model.adapters].join(", ") || "none"}. Leave adapter empty for the base model.`,
                );
            let builder = builders.get(key);
            if (!builder) builders.set(key, (builder = new SeriesBuilder()));
            builder.add(minute, requests, inputTokens, outputTokens);
            minutes = Math.max(minutes, minute + 1);
        }
    } catch (e) {
        if (e instanceof TraceError) throw e;
        const lines = (e as { lines?: number }).lines ?? 0;
        throw new TraceError(
            file,
            lines,
            `not valid CSV: ${(e as Error).message.replace(/\s+/g, " ")}. Quote fields with commas, one row per line.`,
        );
    } finally {
        parser.destroy();
    }
    if (!columns) throw new TraceError(file, 1, `the file is empty. ${HEADER_FIX}`);
    if (rows === 0)
        throw new TraceError(
            file,
            2,
            "no rows after the header. Add a row per minute with traffic (a row with requests 0 at the last minute sets the window), or use --trace idle.",
        );
    const series = new Map<string, TraceSeries>();
    for (const [key, builder] of builders) series.set(key, builder.build(minutes));
    return { name: file, minutes, series, description: `${rows} rows over ${minutes} minutes` };
}
