import { cheapestTypeHolding, findInstanceType, HOURS_PER_MONTH } from "./catalog";
import { DEFAULT_ACCELERATOR_MEMORY_FRACTION, Quantization, weightsGib } from "./sizing";

/** A base model an endpoint hosts, as the dedicated-endpoints baseline sizes it. */
export interface HostedModel {
    /** Billions of parameters; `undefined` when unknown (then it is priced on the endpoint's own type). */
    readonly parametersBillions: number | undefined;
    /** Quantization of the weights it serves; `undefined` when unknown (then on the endpoint's own type). */
    readonly quantization: Quantization | undefined;
    /** Fine-tuned adapters on it: each merged into a copy of its weights, so sized as the base. */
    readonly adapters: number;
}

/** What the cost model needs to know of one endpoint, whoever declared it. */
export interface EndpointShape {
    readonly name: string;
    /** The type it provisions first (its idle instances run on it). */
    readonly instanceType: string;
    /** Fallback types it may provision when the first has no capacity. @default [] */
    readonly fallbackInstanceTypes?: readonly string[];
    /** Instances the endpoint keeps when idle (0 when it scales to zero). */
    readonly minInstances: number;
    /** Instances the endpoint may scale out to. */
    readonly maxInstances: number;
    /** Base models (or multi-model endpoint models) it hosts. */
    readonly models: number;
    /** Fine-tuned adapters it hosts on those models. */
    readonly adapters: number;
    /**
     * What is known of the base models (in any order): the dedicated-endpoints baseline sizes each from it.
     * Models and adapters beyond these are priced on the endpoint's own type. @default [] - sizes unknown
     */
    readonly hostedModels?: readonly HostedModel[];
    /**
     * Whether its instances launch only into an ML capacity reservation (`capacity-reservations-only`, the
     * API's only preference): a reservation is paid up front for its term, so the plan counts its instances
     * as already paid ($0 a month here) and names the endpoint in {@link StackCost.reserved}. @default false
     */
    readonly reserved?: boolean;
}

/** One instance type of an endpoint's pool: the first choice or a fallback, with its own price. */
export interface PoolTypeCost {
    readonly instanceType: string;
    /** `first`: the type the endpoint provisions first (its idle instances); `fallback`: when that has no capacity. */
    readonly role: "first" | "fallback";
    readonly usdPerHour: number | undefined;
    readonly priceAsOf: string | undefined;
    /** max instances x this type's hourly price x 730: the endpoint scaled out all month on this type alone. */
    readonly peakUsd: number | undefined;
}

/** Dedicated endpoints of one instance type in the baseline: `endpoints` endpoints of `instancesEach` instances. */
export interface DedicatedEndpoints {
    readonly instanceType: string;
    readonly endpoints: number;
    readonly instancesEach: number;
}

/**
 * The comparison baseline, in one line (the plan's footer and docs/plan.md): what the same models and
 * adapters would cost without sharing an endpoint, priced as cheaply as their weights allow. It is never
 * counted below the endpoint's idle floor, by construction; {@link EndpointCost.dedicatedAtFloor} says when
 * the floor was counted instead (sharing costs more there), so the plan can say so.
 */
export const DEDICATED_BASELINE =
    "Dedicated: each base model and each adapter (merged into its base) on its own always-on endpoint of the cheapest type of the same accelerator maker that holds its weights (weights-fit rule), with the endpoint's min instances (at least 1); a CPU type, a model of unknown size, and a multi-model endpoint or pipeline (one endpoint) stay on the endpoint's type; never counted below the endpoint's idle floor.";

/** Monthly figures of one endpoint, in USD. `undefined` figures mean the instance type has no price. */
export interface EndpointCost extends EndpointShape {
    readonly usdPerHour: number | undefined;
    readonly priceAsOf: string | undefined;
    /** Its first type, then each fallback, each with its own price. */
    readonly pool: PoolTypeCost[];
    /** min instances x hourly price x 730: what the endpoint costs when nobody calls it (on its first type). */
    readonly idleFloorUsd: number | undefined;
    /** The dearest {@link PoolTypeCost.peakUsd} of its pool: what it costs scaled out all month. */
    readonly peakCeilingUsd: number | undefined;
    /** The baseline of {@link DEDICATED_BASELINE}: at least {@link idleFloorUsd}. */
    readonly dedicatedUsd: number | undefined;
    /** The endpoints the baseline prices (before the idle-floor minimum), by type. */
    readonly dedicatedEndpoints: DedicatedEndpoints[];
    /** Whether those endpoints would cost less than the shared endpoint's idle floor, so the floor is counted. */
    readonly dedicatedAtFloor: boolean;
}

/** What the cost model needs to know of one optimization job. */
export interface OptimizationJobShape {
    readonly name: string;
    /** The type it deploys to (`DeploymentInstanceType`): it is priced at that type's hourly rate. */
    readonly instanceType: string;
    readonly instanceCount: number;
    /** Hours it is expected to bill (`undefined`: not known, so not priced), and where that figure comes from. */
    readonly hours: number | undefined;
    readonly hoursSource: string;
    /** Its optimizations (`Quantization`, `SpeculativeDecoding`, `Compilation`, `Sharding`). */
    readonly techniques: readonly string[];
}

/** One-time figures of an optimization job, in USD; `undefined` when its instance type has no price. */
export interface OptimizationJobCost extends OptimizationJobShape {
    readonly usdPerHour: number | undefined;
    readonly priceAsOf: string | undefined;
    readonly oneTimeUsd: number | undefined;
}

/**
 * The one-time cost of a job: SageMaker bills the instance a quantization or compilation job runs on for
 * as long as it runs; speculative decoding alone is free ("You incur no additional costs for jobs that
 * apply speculative decoding", SageMaker developer guide, inference optimization jobs). SageMaker picks
 * the job's instance; this estimate prices it at the deployment instance type's hosting rate.
 */
export function optimizationJobCost(job: OptimizationJobShape): OptimizationJobCost {
    const entry = findInstanceType(job.instanceType);
    const billed = job.techniques.some((t) => t !== "SpeculativeDecoding");
    const usdPerHour = entry?.usdPerHour;
    return {
        ...job,
        usdPerHour,
        priceAsOf: entry?.priceAsOf,
        oneTimeUsd: !billed
            ? 0
            : usdPerHour === undefined || job.hours === undefined
              ? undefined
              : usdPerHour * job.instanceCount * job.hours,
    };
}

/** Monthly figures of a whole stack. Totals leave out unpriced endpoints, which `unpriced` names. */
export interface StackCost {
    readonly endpoints: EndpointCost[];
    /** Optimization jobs, billed once (when they run), not per month. */
    readonly optimizationJobs: OptimizationJobCost[];
    /** The sum of the jobs' one-time costs (priced ones). */
    readonly oneTimeUsd: number;
    readonly idleFloorUsd: number;
    readonly peakCeilingUsd: number;
    /** The sum of the endpoints' {@link EndpointCost.dedicatedUsd}: at least {@link idleFloorUsd}. */
    readonly dedicatedUsd: number;
    /** Endpoints whose dedicated endpoints would idle below the shared floor ({@link EndpointCost.dedicatedAtFloor}). */
    readonly dedicatedAtFloor: string[];
    readonly unpriced: string[];
    /** Endpoints on an ML capacity reservation, counted as already paid (see {@link EndpointShape.reserved}). */
    readonly reserved: string[];
    /** `instanceType -> price date` of every price used, for the reader to judge freshness. */
    readonly priceDates: Record<string, string>;
}

/** USD per month of `instances` instances of `instanceType` running all month, or `undefined` if unpriced. */
export function monthlyUsd(instanceType: string, instances: number): number | undefined {
    const price = findInstanceType(instanceType)?.usdPerHour;
    return price === undefined ? undefined : price * instances * HOURS_PER_MONTH;
}

/**
 * The type a dedicated endpoint of one model would run on: the cheapest priced catalog type whose
 * accelerators come from the same maker as `instanceType`'s (a model built for NVIDIA GPUs does not move to
 * Inferentia) and hold its weights in {@link DEFAULT_ACCELERATOR_MEMORY_FRACTION} of their memory, the rule
 * of weights-fit-accelerator-memory. `instanceType` itself for a CPU type, an unknown size or quantization,
 * or weights no priced type holds.
 */
export function dedicatedInstanceType(
    instanceType: string,
    parametersBillions: number | undefined,
    quantization: Quantization | undefined,
): string {
    const own = findInstanceType(instanceType);
    if (!own || own.acceleratorCount === 0 || parametersBillions === undefined || quantization === undefined) {
        return instanceType;
    }
    const need = weightsGib(parametersBillions, quantization);
    const cheapest = cheapestTypeHolding(own.accelerator.split(" ")[0], need, DEFAULT_ACCELERATOR_MEMORY_FRACTION);
    return cheapest?.instanceType ?? instanceType;
}

/** The endpoints of {@link DEDICATED_BASELINE} for one shared endpoint, grouped by type. */
function dedicatedEndpointsOf(endpoint: EndpointShape): DedicatedEndpoints[] {
    const instancesEach = Math.max(1, endpoint.minInstances);
    const counts = new Map<string, number>();
    const add = (t: string, n: number) => n > 0 && counts.set(t, (counts.get(t) ?? 0) + n);
    const hosted = (endpoint.hostedModels ?? []).slice(0, endpoint.models);
    for (const m of hosted)
        add(dedicatedInstanceType(endpoint.instanceType, m.parametersBillions, m.quantization), 1 + m.adapters);
    const sizedAdapters = hosted.reduce((n, m) => n + m.adapters, 0);
    add(endpoint.instanceType, endpoint.models - hosted.length + Math.max(0, endpoint.adapters - sizedAdapters));
    return [...counts].map(([instanceType, endpoints]) => ({ instanceType, endpoints, instancesEach }));
}

/** The idle floor, peak ceiling and dedicated-endpoints baseline of one endpoint. */
export function endpointCost(endpoint: EndpointShape): EndpointCost {
    const entry = findInstanceType(endpoint.instanceType);
    // Reserved instances were paid for when the reservation was bought: running them costs nothing more.
    const reserved = endpoint.reserved === true;
    // Idle instances run on the first choice; scaled out, any of them may be the dearest fallback.
    const pool = [endpoint.instanceType, ...(endpoint.fallbackInstanceTypes ?? [])].map(
        (instanceType, i): PoolTypeCost => {
            const t = findInstanceType(instanceType);
            return {
                instanceType,
                role: i === 0 ? "first" : "fallback",
                usdPerHour: t?.usdPerHour,
                priceAsOf: t?.priceAsOf,
                peakUsd: reserved ? 0 : monthlyUsd(instanceType, endpoint.maxInstances),
            };
        },
    );
    const idleFloorUsd = reserved ? 0 : monthlyUsd(endpoint.instanceType, endpoint.minInstances);
    const dedicatedEndpoints = dedicatedEndpointsOf(endpoint);
    const dedicated = dedicatedEndpoints.map((d) => monthlyUsd(d.instanceType, d.endpoints * d.instancesEach));
    // Not priced when the floor it must not go below is not (or when one of its types has no price).
    const dedicatedSum =
        idleFloorUsd === undefined || dedicated.some((d) => d === undefined)
            ? undefined
            : dedicated.reduce<number>((sum, d) => sum + d!, 0);
    const dedicatedUsd =
        dedicatedSum === undefined || idleFloorUsd === undefined ? undefined : Math.max(idleFloorUsd, dedicatedSum);
    return {
        ...endpoint,
        usdPerHour: entry?.usdPerHour,
        priceAsOf: entry?.priceAsOf,
        pool,
        idleFloorUsd,
        peakCeilingUsd: pool.some((p) => p.peakUsd === undefined)
            ? undefined
            : Math.max(...pool.map((p) => p.peakUsd as number)),
        dedicatedUsd,
        dedicatedEndpoints,
        dedicatedAtFloor: dedicatedSum !== undefined && idleFloorUsd !== undefined && dedicatedSum < idleFloorUsd,
    };
}

/** Sums endpoint costs into stack totals, and prices the jobs, naming what could not be priced. */
export function stackCost(
    endpoints: readonly EndpointShape[],
    optimizationJobs: readonly OptimizationJobShape[] = [],
): StackCost {
    const costs = endpoints.map(endpointCost);
    const jobs = optimizationJobs.map(optimizationJobCost);
    const sum = (pick: (c: EndpointCost) => number | undefined) =>
        costs.reduce((total, c) => total + (pick(c) ?? 0), 0);
    const priceDates: Record<string, string> = {};
    for (const c of costs) {
        for (const t of [c.instanceType, ...(c.fallbackInstanceTypes ?? [])]) {
            const asOf = findInstanceType(t)?.priceAsOf;
            if (asOf !== undefined) priceDates[t] = asOf;
        }
    }
    for (const j of jobs) if (j.priceAsOf !== undefined) priceDates[j.instanceType] = j.priceAsOf;
    return {
        endpoints: costs,
        optimizationJobs: jobs,
        oneTimeUsd: jobs.reduce((total, j) => total + (j.oneTimeUsd ?? 0), 0),
        idleFloorUsd: sum((c) => c.idleFloorUsd),
        peakCeilingUsd: sum((c) => c.peakCeilingUsd),
        dedicatedUsd: sum((c) => c.dedicatedUsd),
        dedicatedAtFloor: costs.filter((c) => c.dedicatedAtFloor).map((c) => c.name),
        unpriced: [
            ...costs
                .filter((c) => c.usdPerHour === undefined && c.reserved !== true)
                .map((c) => `${c.name} (${c.instanceType})`),
            ...jobs.filter((j) => j.oneTimeUsd === undefined).map((j) => `${j.name} (${j.instanceType})`),
        ],
        reserved: costs.filter((c) => c.reserved === true).map((c) => `${c.name} (${c.instanceType})`),
        priceDates,
    };
}

/** A price older than this many months is flagged (with its date) wherever the plan shows it. */
export const STALE_PRICE_MONTHS = 12;

/**
 * Whole months from a price's date (`YYYY-MM-DD`, or `YYYY-MM` read as its first day) to `now`, and whether
 * it is older than {@link STALE_PRICE_MONTHS} months; `undefined` for a date it cannot read.
 */
export function priceAge(asOf: string | undefined, now: Date): { months: number; stale: boolean } | undefined {
    const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(asOf ?? "");
    if (!match) return undefined;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3] ?? "1")];
    let months = (now.getUTCFullYear() - year) * 12 + (now.getUTCMonth() + 1 - month);
    if (now.getUTCDate() < day) months -= 1;
    // Older than 12 months: past the same day a year later (2024-08-01 is stale from 2025-08-02), judged by
    // calendar day, so 12 whole months and some days (2024-08-15 on 2025-09-01) is stale too.
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const stale = today > Date.UTC(year, month - 1 + STALE_PRICE_MONTHS, day);
    return { months: Math.max(0, months), stale };
}

/** A price's date for people: `2024-08-01`, and `2024-08-01 (over 12 months old)` when it is stale. */
export function formatPriceDate(asOf: string | undefined, now: Date): string {
    if (asOf === undefined) return "-";
    return priceAge(asOf, now)?.stale ? `${asOf} (over ${STALE_PRICE_MONTHS} months old)` : asOf;
}

/** Formats USD for people: `$1,234` (whole dollars; these are estimates). */
export function formatUsd(usd: number | undefined): string {
    return usd === undefined ? "unpriced" : `$${Math.round(usd).toLocaleString("en-US")}`;
}
