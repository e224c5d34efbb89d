import * as assert from "node:assert/strict";
import { PlannedEndpoint, PlannedFit } from "../../tools/plan/fleet-view";
import { describeCapacity } from "../../tools/plan/report/shared";

const fit = (change: Partial<PlannedFit> = {}): PlannedFit => ({
    instanceType: "ml.g5.12xlarge",
    instancesNeeded: 6,
    instances: 4,
    need: { accelerators: 24, memoryMib: 393216, cpuCores: 0 },
    room: { accelerators: 16, memoryMib: 786432, cpuCores: 192 },
    unplaceable: [],
    fits: false,
    ...change,
});
const endpoint = (capacity: PlannedEndpoint["capacity"]) => ({ capacity }) as PlannedEndpoint;

describe("plan: the capacity line of an endpoint", () => {
    it("says peak need against room, and when it does not fit", () => {
        const min = fit({
            instancesNeeded: 2,
            instances: 2,
            fits: true,
            need: { accelerators: 5, memoryMib: 0, cpuCores: 0 },
        });
        assert.equal(
            describeCapacity(endpoint({ peak: fit(), min: { ...min, room: { ...min.room, accelerators: 8 } } })),
            "capacity: peak 24 of 16 accelerators (6 of max 4 x ml.g5.12xlarge), DOES NOT FIT, min 5 of 8 accelerators (2 of min 2 x ml.g5.12xlarge)",
        );
    });

    it("names a copy that fits no instance, host memory on CPU types, and what it cannot tell", () => {
        assert.equal(
            describeCapacity(endpoint({ peak: fit({ unplaceable: ["chat-big-ic"] }), min: undefined })),
            "capacity: peak a copy of chat-big-ic fits no ml.g5.12xlarge (max 4 x ml.g5.12xlarge), min unknown",
        );
        const cpu = fit({
            instanceType: "ml.m5.xlarge",
            instancesNeeded: 1,
            instances: 2,
            fits: true,
            need: { accelerators: 0, memoryMib: 8192, cpuCores: 0 },
            room: { accelerators: 0, memoryMib: 32768, cpuCores: 8 },
        });
        assert.equal(
            describeCapacity(endpoint({ peak: cpu, min: undefined })),
            "capacity: peak 8 GiB of 32 GiB memory (1 of max 2 x ml.m5.xlarge), min unknown",
        );
        assert.equal(describeCapacity(endpoint(undefined)), undefined);
        assert.equal(describeCapacity(endpoint({ peak: undefined, min: undefined })), undefined);
    });
});
