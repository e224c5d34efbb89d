import { strict as assert } from "assert";
import { simulate } from "../../../tools/simulate/simulate";
import { PROJECT_ROOT } from "../../../tools/project-root";

describe("simulator: the fleet as the program declares it", () => {
    it("reads prod's targets, policies, alarms and instance scaling from its registrations", async () => {
        const report = await simulate({ projectDir: PROJECT_ROOT, stack: "prod", trace: "idle" });
        const [chat, classic] = report.fleet.endpoints;
        assert.deepEqual(
            [chat.name, chat.instanceType, chat.instances, chat.slotsPerInstance, chat.scaleIn, chat.naiveInstances],
            [
                "chat",
                "ml.g5.12xlarge",
                { min: 2, max: 4 },
                4,
                { strategy: "CONSOLIDATION", cooldownMinutes: 20, maximumStep: 1 },
                6,
            ],
        );
        assert.deepEqual(
            chat.models.map((m) => [
                m.name,
                m.acceleratorsPerCopy,
                m.copies,
                m.targetTracking,
                m.wake,
                m.adapters.length,
            ]),
            [
                [
                    "llama3-70b",
                    4,
                    { min: 1, max: 3 },
                    {
                        metric: "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
                        targetValue: 4,
                        scaleOutCooldownSeconds: 300,
                        scaleInCooldownSeconds: 300,
                        highResolution: true,
                    },
                    undefined,
                    0,
                ],
                [
                    "llama3-8b",
                    1,
                    { min: 1, max: 4 },
                    {
                        metric: "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
                        targetValue: 5,
                        scaleOutCooldownSeconds: 300,
                        scaleInCooldownSeconds: 300,
                        highResolution: true,
                    },
                    undefined,
                    4,
                ],
            ],
        );
        assert.deepEqual(
            [classic.name, classic.kind, classic.instances, classic.models[0].copies],
            ["classic", "multi-model", { min: 2, max: 4 }, { min: 2, max: 4 }],
        );
        // Idle all day at the floor: the plan's idle floor for the window.
        const floorPerDay = (report.planCost.idleFloorUsd * 24) / 730;
        assert.ok(Math.abs(report.result.costUsd - floorPerDay) < 1e-6 * floorPerDay);
        assert.equal(report.result.coldStarts, 0);
    });
});
