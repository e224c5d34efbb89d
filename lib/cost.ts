import { findInstanceType, HOURS_PER_MONTH } from "./catalog";

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
     * Whether its instances launch only into an ML capacity reservation (`capacity-reservations-only`, the
     * API's only preference): a reservation is paid up front for its term, so the plan counts its instances
     * as already paid ($0 a month here) and names the endpoint in {@link StackCost.reserved}. @default false
     */
    readonly reserved?: boolean;
}

/** Monthly figures of one endpoint, in USD. `undefined` figures mean the instance type has no price. */
export interface EndpointCost extends EndpointShape {
    readonly usdPerHour: number | undefined;
    readonly priceAsOf: string | undefined;
    /** min instances x hourly price x 730: what the endpoint costs when nobody calls it. */
    readonly idleFloorUsd: number | undefined;
    /** max instances x hourly price x 730: what it costs scaled out all month, on its dearest fallback. */
    readonly peakCeilingUsd: number | undefined;
    /**
     * The naive deployment of the same models and adapters: one dedicated always-on endpoint (one instance
     * of the same type) per model and per merged adapter.
     */
    readonly naiveUsd: number | undefined;
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
    readonly naiveUsd: number;
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

/** The idle floor, peak ceiling and naive-deployment cost of one endpoint. */
export function endpointCost(endpoint: EndpointShape): EndpointCost {
    const entry = findInstanceType(endpoint.instanceType);
    // Idle instances run on the first choice; scaled out, any of them may be the dearest fallback.
    const peaks = [endpoint.instanceType, ...(endpoint.fallbackInstanceTypes ?? [])].map((t) =>
        monthlyUsd(t, endpoint.maxInstances),
    );
    // Reserved instances were paid for when the reservation was bought: running them costs nothing more.
    const reserved = endpoint.reserved === true;
    return {
        ...endpoint,
        usdPerHour: entry?.usdPerHour,
        priceAsOf: entry?.priceAsOf,
        idleFloorUsd: reserved ? 0 : monthlyUsd(endpoint.instanceType, endpoint.minInstances),
        peakCeilingUsd: reserved
            ? 0
            : peaks.some((p) => p === undefined)
              ? undefined
              : Math.max(...(peaks as number[])),
        naiveUsd: monthlyUsd(endpoint.instanceType, endpoint.models + endpoint.adapters),
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
        naiveUsd: sum((c) => c.naiveUsd),
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

/** Formats USD for people: `$1,234` (whole dollars; these are estimates). */
export function formatUsd(usd: number | undefined): string {
    return usd === undefined ? "unpriced" : `$${Math.round(usd).toLocaleString("en-US")}`;
}
