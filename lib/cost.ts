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

/** Monthly figures of a whole stack. Totals leave out unpriced endpoints, which `unpriced` names. */
export interface StackCost {
    readonly endpoints: EndpointCost[];
    readonly idleFloorUsd: number;
    readonly peakCeilingUsd: number;
    readonly naiveUsd: number;
    readonly unpriced: string[];
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
    return {
        ...endpoint,
        usdPerHour: entry?.usdPerHour,
        priceAsOf: entry?.priceAsOf,
        idleFloorUsd: monthlyUsd(endpoint.instanceType, endpoint.minInstances),
        peakCeilingUsd: peaks.some((p) => p === undefined) ? undefined : Math.max(...(peaks as number[])),
        naiveUsd: monthlyUsd(endpoint.instanceType, endpoint.models + endpoint.adapters),
    };
}

/** Sums endpoint costs into stack totals, naming what could not be priced. */
export function stackCost(endpoints: readonly EndpointShape[]): StackCost {
    const costs = endpoints.map(endpointCost);
    const sum = (pick: (c: EndpointCost) => number | undefined) =>
        costs.reduce((total, c) => total + (pick(c) ?? 0), 0);
    const priceDates: Record<string, string> = {};
    for (const c of costs) {
        for (const t of [c.instanceType, ...(c.fallbackInstanceTypes ?? [])]) {
            const asOf = findInstanceType(t)?.priceAsOf;
            if (asOf !== undefined) priceDates[t] = asOf;
        }
    }
    return {
        endpoints: costs,
        idleFloorUsd: sum((c) => c.idleFloorUsd),
        peakCeilingUsd: sum((c) => c.peakCeilingUsd),
        naiveUsd: sum((c) => c.naiveUsd),
        unpriced: costs.filter((c) => c.usdPerHour === undefined).map((c) => `${c.name} (${c.instanceType})`),
        priceDates,
    };
}

/** Formats USD for people: `$1,234` (whole dollars; these are estimates). */
export function formatUsd(usd: number | undefined): string {
    return usd === undefined ? "unpriced" : `$${Math.round(usd).toLocaleString("en-US")}`;
}
