import { findInstanceType, HOURS_PER_MONTH } from "../../lib/catalog";
import { DEFAULT_ACCELERATOR_MEMORY_FRACTION, Quantization, weightsGib } from "../../lib/sizing";

/** Weekdays in an average month. */
const WEEKDAYS_PER_MONTH = (HOURS_PER_MONTH / 24) * (5 / 7);
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
/**
 * Billed time around each busy period of a fleet that scales to zero: copies reach zero ~15 min after the
 * last request and the instance terminates ~10 min later; waking bills a few minutes before serving.
 */
export const SCALE_TO_ZERO_TAIL_HOURS = 0.5;

/** One way to deploy a workload, priced per month. */
export interface Deployment {
    readonly label: string;
    readonly instanceType: string;
    /** Instance-hours per month. */
    readonly instanceHours: number;
    readonly usd: number;
}

/** A reference workload and its deployments. */
export interface WorkloadCost {
    readonly name: string;
    readonly description: string;
    /** The fleet fm-fleet declares. */
    readonly fleet: Deployment;
    /** The same inference components without scale to zero (min 1 instance). */
    readonly withoutScaleToZero: Deployment;
    /** One dedicated always-on endpoint per model and per (merged) adapter. */
    readonly naive: Deployment;
    readonly notes: string[];
    /** `instanceType -> price date` of the prices used. */
    readonly priceDates: Record<string, string>;
}

function deployment(label: string, instanceType: string, instanceHours: number): Deployment {
    const price = findInstanceType(instanceType)?.usdPerHour;
    if (price === undefined) throw new Error(`${instanceType} has no price in the catalog.`);
    return { label, instanceType, instanceHours, usd: instanceHours * price };
}

function priceDates(...types: string[]): Record<string, string> {
    return Object.fromEntries(types.map((t) => [t, findInstanceType(t)?.priceAsOf ?? "unpriced"]));
}

/** Whether a model's weights fit `accelerators` devices of an instance type (the pack's rule). */
function fits(instanceType: string, billions: number, quantization: Quantization, accelerators: number): boolean {
    const t = findInstanceType(instanceType)!;
    return (
        weightsGib(billions, quantization) <=
        accelerators * t.acceleratorMemoryGibEach * DEFAULT_ACCELERATOR_MEMORY_FRACTION
    );
}

/** (i) 50 adapters of an 8B model, busy 8 h on weekdays with 2 instances at peak. */
export function adaptersOnWeekdays(): WorkloadCost {
    const type = "ml.g6.2xlarge";
    const busyInstances = 2;
    const busyHours = 8 * WEEKDAYS_PER_MONTH;
    const tail = SCALE_TO_ZERO_TAIL_HOURS * WEEKDAYS_PER_MONTH;
    if (!fits(type, 8, "none", 1)) throw new Error("8B bf16 should fit one L4");
    return {
        name: "50 adapters, weekdays",
        description:
            "50 LoRA adapters of an 8B model (bf16, 1 x L4 per copy), busy 8 h on weekdays at 2 instances, idle otherwise",
        fleet: deployment("fm-fleet: one IC endpoint, scales to zero", type, busyInstances * (busyHours + tail)),
        withoutScaleToZero: deployment("ICs, min 1 instance", type, HOURS_PER_MONTH + (busyInstances - 1) * busyHours),
        naive: deployment("naive: 51 always-on endpoints", type, 51 * HOURS_PER_MONTH),
        notes: [
            `${WEEKDAYS_PER_MONTH.toFixed(1)} weekdays/month; ${SCALE_TO_ZERO_TAIL_HOURS} h billed per busy day to scale in and wake`,
        ],
        priceDates: priceDates(type),
    };
}

/** (ii) A 70B model busy 24/7: unquantized on ml.p4d.24xlarge against AWQ on ml.g5.12xlarge (seed demo). */
export function seventyBAllDay(): WorkloadCost {
    const big = "ml.p4d.24xlarge";
    const small = "ml.g5.12xlarge";
    if (!fits(big, 70, "none", 8) || !fits(small, 70, "awq", 4)) throw new Error("70B placements should fit");
    const p4dCut = findInstanceType(big)!.usdPerHour! * 0.55 * HOURS_PER_MONTH;
    return {
        name: "70B, 24/7",
        description: "Llama-3-70B-class model serving 24/7 on one instance",
        fleet: deployment("fm-fleet: AWQ on ml.g5.12xlarge (4 x A10G)", small, HOURS_PER_MONTH),
        withoutScaleToZero: deployment("ICs, min 1 instance (same: busy all day)", small, HOURS_PER_MONTH),
        naive: deployment("naive: bf16 on ml.p4d.24xlarge (8 x A100)", big, HOURS_PER_MONTH),
        notes: [
            `ml.p4d.24xlarge's price predates AWS's June 2025 cut of up to 45%: at -45% the naive deployment costs $${Math.round(p4dCut).toLocaleString("en-US")}/month`,
            `weights: ${weightsGib(70, "none").toFixed(1)} GiB bf16 vs ${weightsGib(70, "awq").toFixed(1)} GiB AWQ`,
        ],
        priceDates: priceDates(big, small),
    };
}

/** (iii) The project's dev stack (one 8B model, three adapters) used 2 h a day. */
export function devStackTwoHoursADay(): WorkloadCost {
    const type = "ml.g6.2xlarge";
    const busyHours = 2 * DAYS_PER_MONTH;
    return {
        name: "dev stack, 2 h/day",
        description: "Pulumi.dev.yaml: an 8B model with 3 adapters on ml.g6.2xlarge, used 2 h a day",
        fleet: deployment("fm-fleet: scales to zero", type, busyHours + SCALE_TO_ZERO_TAIL_HOURS * DAYS_PER_MONTH),
        withoutScaleToZero: deployment("ICs, min 1 instance", type, HOURS_PER_MONTH),
        naive: deployment("naive: 4 always-on endpoints", type, 4 * HOURS_PER_MONTH),
        notes: [`${DAYS_PER_MONTH.toFixed(1)} days/month`],
        priceDates: priceDates(type),
    };
}

/** The three reference workloads. */
export function referenceWorkloads(): WorkloadCost[] {
    return [adaptersOnWeekdays(), seventyBAllDay(), devStackTwoHoursADay()];
}
