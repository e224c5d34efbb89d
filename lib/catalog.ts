import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "csv-parse/sync";
import { editDistance } from "./edit-distance";

/** Hours in a billing month, as AWS prices monthly figures (365 x 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** One SageMaker hosting instance type: hardware and its us-east-1 on-demand real-time hosting price. */
export interface InstanceType {
    /** e.g. `ml.g5.12xlarge`. */
    readonly instanceType: string;
    /** e.g. `g5`. */
    readonly family: string;
    readonly vcpus: number;
    readonly memoryGib: number;
    /** e.g. `NVIDIA A10G`; `none` for CPU-only types. */
    readonly accelerator: string;
    /** Accelerator devices per instance; 0 for CPU-only types. */
    readonly acceleratorCount: number;
    /** Nominal memory of one accelerator device, in GiB; 0 for CPU-only types. */
    readonly acceleratorMemoryGibEach: number;
    /**
     * Local NVMe instance storage in GB; 0 for EBS-only types. SageMaker attaches no EBS volume to a type
     * with local storage (hardware-encrypted), so KMS keys and volume sizes do not apply to it.
     */
    readonly localNvmeGb: number;
    /** Where {@link localNvmeGb} comes from. */
    readonly localStorageSource: string;
    /** USD per instance-hour in us-east-1; `undefined` when no public price was found. */
    readonly usdPerHour: number | undefined;
    /** When the price was read (`YYYY-MM-DD` or `YYYY-MM`); `undefined` when unpriced. */
    readonly priceAsOf: string | undefined;
    /** Where the price comes from and how far to trust it. */
    readonly priceNote: string;
    /** Network bandwidth of the underlying EC2 type in Gbps (an "up to" burst figure for the small sizes). */
    readonly networkGbps: number;
    /** Where {@link networkGbps} comes from. */
    readonly networkSource: string;
}

interface CsvRow {
    instance_type: string;
    family: string;
    vcpus: string;
    memory_gib: string;
    accelerator: string;
    accelerator_count: string;
    accelerator_memory_gib_each: string;
    local_nvme_gb: string;
    local_storage_source: string;
    usd_per_hour_us_east_1: string;
    price_as_of: string;
    price_note: string;
    network_gbps: string;
    network_source: string;
}

const optionalNumber = (text: string): number | undefined => (text === "" ? undefined : Number(text));

function load(): ReadonlyMap<string, InstanceType> {
    // The CSV is the catalog's single source: it keeps each price's date and provenance beside it.
    const text = readFileSync(path.join(__dirname, "data", "sagemaker-instances.csv"), "utf8");
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as CsvRow[];
    const types = new Map<string, InstanceType>();
    for (const row of rows) {
        types.set(row.instance_type, {
            instanceType: row.instance_type,
            family: row.family,
            vcpus: Number(row.vcpus),
            memoryGib: Number(row.memory_gib),
            accelerator: row.accelerator,
            acceleratorCount: Number(row.accelerator_count),
            acceleratorMemoryGibEach: optionalNumber(row.accelerator_memory_gib_each) ?? 0,
            localNvmeGb: Number(row.local_nvme_gb),
            localStorageSource: row.local_storage_source,
            usdPerHour: optionalNumber(row.usd_per_hour_us_east_1),
            priceAsOf: row.price_as_of === "" ? undefined : row.price_as_of,
            priceNote: row.price_note,
            networkGbps: Number(row.network_gbps),
            networkSource: row.network_source,
        });
    }
    return types;
}

let catalog: ReadonlyMap<string, InstanceType> | undefined;

/** All instance types the project knows, keyed by name (loaded once, lazily). */
export function instanceCatalog(): ReadonlyMap<string, InstanceType> {
    catalog ??= load();
    return catalog;
}

/** The catalog entry of `instanceType`, or `undefined` when the project does not know it. */
export function findInstanceType(instanceType: string): InstanceType | undefined {
    return instanceCatalog().get(instanceType);
}

/**
 * The cheapest priced instance type whose accelerators come from `maker` (the first word of their name:
 * a model built for NVIDIA GPUs does not move to Inferentia) and hold `needGib` in `fraction` of their
 * memory; among equal prices, the catalog's order (smallest size first). `families` limits the search.
 */
export function cheapestTypeHolding(
    maker: string,
    needGib: number,
    fraction: number,
    families?: readonly string[],
): InstanceType | undefined {
    return [...instanceCatalog().values()]
        .filter((t) => t.usdPerHour !== undefined && t.acceleratorCount > 0 && t.accelerator.split(" ")[0] === maker)
        .filter((t) => families === undefined || families.includes(t.family))
        .filter((t) => t.acceleratorCount * t.acceleratorMemoryGibEach * fraction >= needGib)
        .sort((a, b) => a.usdPerHour! - b.usdPerHour!)[0];
}

/** The family of an `ml.<family>.<size>` instance type (`ml.g5.12xlarge` -> `g5`), known or not. */
export function instanceFamily(instanceType: string): string | undefined {
    const match = /^ml\.([a-z0-9-]+)\.[a-z0-9]+$/.exec(instanceType);
    return match?.[1];
}

/** Instance types close to `instanceType` by name, to suggest in an error message. */
export function suggestInstanceTypes(instanceType: string, limit = 3): string[] {
    const all = [...instanceCatalog().keys()];
    // `g6.2xlarge` or `ML.G6.2XLARGE`: the type with its `ml.` prefix or in lowercase is the one meant.
    const written = instanceType.trim().toLowerCase();
    const exact = [written, `ml.${written}`].find((t) => all.includes(t));
    const meant = exact ?? (written.startsWith("ml.") ? written : `ml.${written}`);
    const family = instanceFamily(meant);
    const sameFamily = family === undefined ? [] : all.filter((t) => instanceFamily(t) === family);
    // Nearest first (fewest edits); ties keep the catalog's order (smallest size first).
    const nearest = (sameFamily.length > 0 ? sameFamily : all)
        .map((t, i) => ({ t, i, d: editDistance(meant, t) }))
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .map((c) => c.t);
    return [...(exact ? [exact] : []), ...nearest.filter((t) => t !== exact)].slice(0, limit);
}

/** Whether an instance type has local NVMe storage; `undefined` when the catalog does not know the type. */
export function hasLocalStorage(instanceType: string): boolean | undefined {
    const entry = findInstanceType(instanceType);
    return entry === undefined ? undefined : entry.localNvmeGb > 0;
}

/** The first of `types` (a variant's own and fallback types) with local NVMe storage, if any. */
export const localStorageType = (types: readonly unknown[]): string | undefined =>
    types.find((t): t is string => typeof t === "string" && hasLocalStorage(t) === true);

/**
 * Whether a variant that may land on `types` takes a volume KMS key: only when every one is a known EBS-only
 * type (CreateEndpointConfig fails with a key on a type with local NVMe storage).
 */
export const takesVolumeKey = (types: readonly unknown[]): boolean =>
    types.length > 0 && types.every((t) => typeof t === "string" && hasLocalStorage(t) === false);
