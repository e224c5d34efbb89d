import * as assert from "node:assert/strict";
import { HOST_RESERVE, instanceRoom, packCopies, tightestFit } from "../../lib/capacity";
import { findInstanceType } from "../../lib/catalog";

const g5x12 = findInstanceType("ml.g5.12xlarge")!;
const g5x2 = findInstanceType("ml.g5.2xlarge")!;
const copy = (name: string, accelerators: number, memoryMib: number, count: number, cpuCores = 0) => ({
    name,
    perCopy: { accelerators, memoryMib, cpuCores },
    count,
});

describe("lib: capacity (copies packed onto instances)", () => {
    it("offers an instance's accelerators, memory in MiB and vCPUs, less a reserve (none assumed)", () => {
        assert.deepEqual(HOST_RESERVE, { accelerators: 0, memoryMib: 0, cpuCores: 0 });
        assert.deepEqual(instanceRoom(g5x12), { accelerators: 4, memoryMib: 196608, cpuCores: 48 });
        assert.deepEqual(instanceRoom(g5x2, { accelerators: 0, memoryMib: 40000, cpuCores: 2 }), {
            accelerators: 1,
            memoryMib: 0,
            cpuCores: 6,
        });
    });

    it("packs prod at peak onto exactly 4 x ml.g5.12xlarge: 16 of 16 accelerators, 256 GiB of host memory", () => {
        const packing = packCopies(instanceRoom(g5x12), [
            copy("llama3-8b", 1, 16384, 4),
            copy("llama3-70b", 4, 65536, 3),
        ]);
        assert.deepEqual(packing, {
            instances: 4,
            need: { accelerators: 16, memoryMib: 262144, cpuCores: 0 },
            unplaceable: [],
        });
    });

    it("places the largest copies first (first-fit decreasing), so small copies fill the gaps", () => {
        // In the given order, first fit opens 3 instances ([1, 2] [2] [3]); sorted first, 2 ([3, 1] [2, 2]).
        const packing = packCopies(instanceRoom(g5x12), [
            copy("a", 1, 1024, 1),
            copy("b", 2, 1024, 2),
            copy("c", 3, 1024, 1),
        ]);
        assert.equal(packing.instances, 2);
    });

    it("packs on every dimension: memory and cores fill an instance before its accelerators do", () => {
        const room = instanceRoom(g5x12);
        assert.equal(packCopies(room, [copy("big-memory", 1, 102400, 2)]).instances, 2);
        assert.equal(packCopies(room, [copy("many-cores", 1, 1024, 2, 30)]).instances, 2);
    });

    it("sets aside a copy larger than one instance, and counts no copies for a count of 0", () => {
        const tooLarge = copy("seventy", 4, 65536, 2);
        const packing = packCopies(instanceRoom(g5x2), [
            tooLarge,
            copy("idle", 1, 1024, 0),
            copy("eight", 1, 16384, 1),
        ]);
        assert.deepEqual(packing, {
            instances: 1,
            need: { accelerators: 9, memoryMib: 147456, cpuCores: 0 },
            unplaceable: [tooLarge],
        });
    });

    it("judges the tightest type among a variant's pools: the one that needs the most instances", () => {
        const groups = [copy("eight", 1, 16384, 4)];
        const fit = tightestFit([g5x12, g5x2], () => groups, 2)!;
        assert.equal(fit.instanceType, "ml.g5.2xlarge");
        assert.equal(fit.packing.instances, 4);
        assert.equal(fit.fits, false);
        assert.equal(tightestFit([g5x12], () => groups, 1)!.fits, true);
        // A type on which a copy cannot be placed at all is the tightest.
        assert.equal(tightestFit([g5x12, g5x2], () => [copy("four", 4, 1024, 1)], 9)!.instanceType, "ml.g5.2xlarge");
        assert.equal(
            tightestFit([], () => groups, 2),
            undefined,
        );
    });
});
