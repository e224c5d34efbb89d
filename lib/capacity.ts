import { InstanceType } from "./catalog";

/**
 * Whether the copies of an endpoint's inference components fit its instances. SageMaker places each copy
 * whole on one instance (its `ComputeResourceRequirements`: accelerators, `MinMemoryRequiredInMb`,
 * `NumberOfCpuCoresRequired`), so a sum of needs against a sum of room is not enough: copies are packed.
 */

/** What a copy needs, or what an instance (or several) offers, per dimension the placement checks. */
export interface Resources {
    /** Accelerator devices (GPUs, Inferentia/Trainium devices). */
    readonly accelerators: number;
    /** Host memory, in MiB (`MinMemoryRequiredInMb` is in MiB: 1024 per GiB). */
    readonly memoryMib: number;
    /** CPU cores (`NumberOfCpuCoresRequired`); an instance offers its vCPUs. */
    readonly cpuCores: number;
}

/**
 * Host memory and CPU an instance keeps for SageMaker's own agents and the OS, out of the copies' reach.
 * SageMaker publishes no figure for inference-component endpoints (searched 2026-11: the API reference of
 * InferenceComponentComputeResourceRequirements and CreateInferenceComponent, the developer guide's
 * inference-component pages), so the pack assumes none: judged against the instance's nominal memory and
 * vCPUs, a verdict of "does not fit" is certain. `copies-fit-endpoint` takes a measured reserve as config
 * (`reservedMemoryMbPerInstance`, `reservedCpuCoresPerInstance`). Accelerators are never shared with the host.
 */
export const HOST_RESERVE: Resources = { accelerators: 0, memoryMib: 0, cpuCores: 0 };

/**
 * What one instance of a type offers the copies: its accelerators, its memory (GiB x 1024) and its vCPUs
 * (the API speaks of "CPU cores"; the pack takes one vCPU as one core), less `reserve`.
 */
export function instanceRoom(t: InstanceType, reserve: Resources = HOST_RESERVE): Resources {
    return {
        accelerators: Math.max(0, t.acceleratorCount - reserve.accelerators),
        memoryMib: Math.max(0, t.memoryGib * 1024 - reserve.memoryMib),
        cpuCores: Math.max(0, t.vcpus - reserve.cpuCores),
    };
}

/** `r` times `n`: the room of `n` instances. */
export const times = (r: Resources, n: number): Resources => ({
    accelerators: r.accelerators * n,
    memoryMib: r.memoryMib * n,
    cpuCores: r.cpuCores * n,
});

/** The copies of one inference component at one moment: `count` copies, each needing `perCopy`. */
export interface CopyGroup {
    /** Names the inference component in messages. */
    readonly name: string;
    readonly perCopy: Resources;
    readonly count: number;
}

/** How copies pack onto instances of one type. */
export interface Packing {
    /** Instances the packing opens; copies that fit no instance are not placed and not counted here. */
    readonly instances: number;
    /** What all the copies need together. */
    readonly need: Resources;
    /** The groups whose copy is larger than one whole instance in some dimension: no count of instances holds it. */
    readonly unplaceable: readonly CopyGroup[];
}

const DIMENSIONS = ["accelerators", "memoryMib", "cpuCores"] as const;

/** The largest share of one instance a copy takes, over the dimensions the instance offers. */
function share(perCopy: Resources, room: Resources): number {
    return Math.max(...DIMENSIONS.map((d) => (room[d] > 0 ? perCopy[d] / room[d] : perCopy[d] > 0 ? Infinity : 0)));
}

const fitsIn = (perCopy: Resources, free: Resources) => DIMENSIONS.every((d) => perCopy[d] <= free[d]);

/**
 * Packs copies onto instances offering `room` each, first-fit decreasing: copies sorted by the largest
 * share of an instance they take (accelerators first on ties), each placed on the first open instance
 * with room in every dimension, else on a new one. FFD is enough, not optimal: bin packing is NP-hard, and
 * in one dimension FFD opens at most 11/9 of the optimum + 6/9 bins (Dósa, 2007), with no such bound over
 * several dimensions. So a "does not fit" may rarely be a fleet a cleverer placement would hold (SageMaker
 * does not promise an optimal placement either). Pure: no catalog look-up, no provider.
 */
export function packCopies(room: Resources, groups: readonly CopyGroup[]): Packing {
    const need = { accelerators: 0, memoryMib: 0, cpuCores: 0 };
    const unplaceable: CopyGroup[] = [];
    const placeable: CopyGroup[] = [];
    for (const g of groups) {
        if (g.count <= 0) continue;
        for (const d of DIMENSIONS) need[d] += g.perCopy[d] * g.count;
        (fitsIn(g.perCopy, room) ? placeable : unplaceable).push(g);
    }
    const order = [...placeable].sort(
        (a, b) => share(b.perCopy, room) - share(a.perCopy, room) || b.perCopy.accelerators - a.perCopy.accelerators,
    );
    const free: { accelerators: number; memoryMib: number; cpuCores: number }[] = [];
    for (const g of order) {
        for (let i = 0; i < g.count; i++) {
            let open = free.find((f) => fitsIn(g.perCopy, f));
            if (!open) {
                open = { ...room };
                free.push(open);
            }
            for (const d of DIMENSIONS) open[d] -= g.perCopy[d];
        }
    }
    return { instances: free.length, need, unplaceable };
}

/** The copies of an endpoint against its instances, on one instance type. */
export interface Fit {
    readonly instanceType: string;
    /** What one instance offers the copies. */
    readonly perInstance: Resources;
    /** Instances the endpoint may have at this moment (its max at peak, its min at the minimum). */
    readonly instances: number;
    /** The copies packed, as given for this type. */
    readonly groups: readonly CopyGroup[];
    readonly packing: Packing;
    /** Whether every copy is placed on at most {@link instances} instances. */
    readonly fits: boolean;
}

/**
 * The copies against `instances` instances of each of `types` (a variant's own type and its fallback
 * pools: it may run on any), and the tightest of them: the type that needs the most instances, a copy that
 * fits no instance counting as the most. That is the "smallest" type among the pools, whichever dimension
 * makes it small. `undefined` when `types` is empty.
 */
export function tightestFit(
    types: readonly InstanceType[],
    groupsOn: (t: InstanceType) => readonly CopyGroup[],
    instances: number,
    reserve: Resources = HOST_RESERVE,
): Fit | undefined {
    let tightest: Fit | undefined;
    const weight = (f: Fit) => (f.packing.unplaceable.length > 0 ? Infinity : f.packing.instances);
    for (const t of types) {
        const perInstance = instanceRoom(t, reserve);
        const groups = groupsOn(t);
        const packing = packCopies(perInstance, groups);
        const fit: Fit = {
            instanceType: t.instanceType,
            perInstance,
            instances,
            groups,
            packing,
            fits: packing.unplaceable.length === 0 && packing.instances <= instances,
        };
        if (!tightest || weight(fit) > weight(tightest)) tightest = fit;
    }
    return tightest;
}

/** `64 GiB`, `7.5 GiB`: MiB as GiB for people. */
export const gibText = (mib: number): string => `${+(mib / 1024).toFixed(1)} GiB`;
