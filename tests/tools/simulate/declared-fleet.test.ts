import { strict as assert } from "assert";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { estimatePerformance } from "../../../lib/performance/estimate";
import { COLD_START_DEFAULTS } from "../../../runtime/cold-start";
import { simulate } from "../../../tools/simulate/simulate";
import { PROJECT_ROOT } from "../../../tools/project-root";
import { sharedProgramWorker } from "../../helpers/shared-pack";

describe("simulator: the fleet as the program declares it", () => {
    it("reads prod's targets, policies, alarms and instance scaling from its registrations", async () => {
        const report = await simulate({
            projectDir: PROJECT_ROOT,
            stack: "prod",
            trace: "idle",
            programWorker: sharedProgramWorker(),
        });
        const [chat, classic] = report.fleet.endpoints;
        assert.deepEqual(
            [
                chat.name,
                chat.instanceType,
                chat.instances,
                chat.slotsPerInstance,
                chat.scaleIn,
                chat.dedicatedUsdPerHour,
            ],
            [
                "chat",
                "ml.g5.12xlarge",
                { min: 2, max: 4 },
                4,
                { strategy: "CONSOLIDATION", cooldownMinutes: 20, maximumStep: 1 },
                // The plan's dedicated baseline: the guard, the 8B and its 4 adapters on ml.g6.xlarge, the 70B
                // (AWQ, 39.1 GiB) on ml.g6e.xlarge, 2 instances each (the endpoint's min).
                (1.1267 * 12 * 730 + 2.61 * 2 * 730) / 730,
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
                    "llama-guard-3-8b",
                    1,
                    { min: 1, max: 1 },
                    {
                        metric: "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
                        targetValue: 8,
                        scaleOutCooldownSeconds: 300,
                        scaleInCooldownSeconds: 300,
                        highResolution: true,
                    },
                    undefined,
                    0,
                ],
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
                    { min: 1, max: 3 },
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

describe("simulator: the plan's own latency figures", () => {
    it("wakes dev's model for one request after two idle hours in about the cold start the plan prints for it", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-trace-"));
        const trace = path.join(dir, "one-request.csv");
        writeFileSync(trace, "minute,endpoint,model,requests\n120,chat,llama3-8b,1\n150,chat,llama3-8b,0\n");
        const report = await simulate({
            projectDir: PROJECT_ROOT,
            stack: "dev",
            trace,
            programWorker: sharedProgramWorker(),
        });
        const model = report.fleet.endpoints[0].models[0];
        // The estimate the plan prints for dev's 8B model on a new ml.g6.2xlarge (docs/performance.md).
        const plan = estimatePerformance({
            parametersBillions: 8,
            quantization: "none",
            instanceType: "ml.g6.2xlarge",
            accelerators: 1,
            newInstance: true,
        });
        assert.equal(model.performance.source, "estimate");
        assert.equal(model.performance.coldStartSeconds, plan.coldStartSeconds);
        assert.equal(model.performance.ttftMs, plan.ttftMs);
        // Requests are counted in aggregate per 10 s step: one request, to float precision.
        assert.ok(Math.abs(report.result.coldStarts - 1) < 1e-9, `${report.result.coldStarts} cold starts`);
        const wait = report.result.coldStartWaitSeconds.max!;
        // At least the start itself; at most one alarm period to notice and one longest backoff to retry.
        assert.ok(wait >= plan.coldStartSeconds!, `waited ${wait} s`);
        assert.ok(wait <= plan.coldStartSeconds! + 60 + COLD_START_DEFAULTS.maxDelayMs / 1000, `waited ${wait} s`);
    });
});
