import { HOURS_PER_MONTH } from "../../../lib/catalog";
import { DEDICATED_BASELINE, priceAge, STALE_PRICE_MONTHS } from "../../../lib/cost";
import type { PlanChanges } from "../baseline";
import { planResourcesJson } from "../baseline";
import { PlannedFit } from "../fleet-view";
import { PlanResult } from "../plan";
import { changesJson } from "./changes";
import { pairFindings, placeOf, resourceNameOf } from "./shared";

/**
 * Version of the JSON shape below; bumped on any incompatible change. 3: `resources[]` carry their inputs
 * and ignoreChanges (what `--baseline` diffs), and `changes` what the plan changes against a baseline.
 * 4: the cost's `naiveUsd` became `dedicatedUsd` (a baseline never below the idle floor), endpoints list
 * each pool type with its price, and prices carry their age.
 */
export const PLAN_JSON_SCHEMA_VERSION = 4;

/** A price's date with its age in whole months and whether it is over {@link STALE_PRICE_MONTHS} months old. */
const priceJson = (usdPerHour: number | undefined, asOf: string | undefined, now: Date) => {
    const age = priceAge(asOf, now);
    return {
        usdPerHour: usdPerHour ?? null,
        priceAsOf: asOf ?? null,
        priceAgeMonths: age?.months ?? null,
        stale: age?.stale ?? null,
    };
};

/** A capacity figure (README, "Plan JSON"): `null` when a deciding value is not known. */
const fitJson = (f: PlannedFit | undefined) =>
    f
        ? {
              instanceType: f.instanceType,
              instancesNeeded: f.instancesNeeded,
              instances: f.instances,
              fits: f.fits,
              need: f.need,
              room: f.room,
              unplaceable: f.unplaceable,
          }
        : null;

/**
 * The plan as stable JSON for other tools (documented in the README, "Plan JSON"). Every field is always
 * present; unknown values are `null`.
 */
export function planJson(result: PlanResult, changes?: PlanChanges, now: Date = new Date()): Record<string, unknown> {
    const pairs = pairFindings(result);
    // Where each finding points: the name AWS knows the resource by, and the stack config it was made from.
    const placeJson = (urn: string) => {
        const place = placeOf(result, urn);
        return {
            physicalName: place.physicalName ?? null,
            configFile: place.configFile ?? null,
            configPath: place.configPath ?? null,
        };
    };
    return {
        schemaVersion: PLAN_JSON_SCHEMA_VERSION,
        project: result.project,
        stack: result.stack,
        exitCode: result.exitCode,
        policyPack: {
            name: result.policyPack.name,
            version: result.policyPack.version,
            configFile: result.policyPack.configFile ?? null,
            config: result.policyPack.config,
            configWarnings: result.policyPack.configWarnings,
        },
        summary: {
            resources: result.resources.length,
            wouldFailAtDeploy: result.preflight.length,
            mandatory: result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
            advisory: result.diagnostics.filter((d) => d.enforcementLevel === "advisory").length,
        },
        // Both lists are whole: a finding that is also a violation is in each, and each names the other.
        deployPreflight: result.preflight.map((f, i) => ({
            check: f.check,
            type: f.type,
            resource: f.name,
            urn: f.urn,
            ...placeJson(f.urn),
            message: f.message,
            alsoViolation: pairs.violationOf.get(i) ?? null,
        })),
        violations: result.diagnostics.map((d, k) => ({
            policy: d.policyName,
            enforcementLevel: d.enforcementLevel,
            resource: d.urn ? resourceNameOf(d.urn) : null,
            urn: d.urn || null,
            ...placeJson(d.urn),
            message: d.message,
            alsoDeployPreflight: pairs.findingOf.get(k) ?? null,
        })),
        fleet: result.fleet.map((e) => ({
            kind: e.kind,
            resourceName: e.resourceName,
            endpointName: e.endpointName,
            endpointConfigName: e.endpointConfigName,
            modelName: e.modelName ?? null,
            pipeline: e.pipeline
                ? {
                      mode: e.pipeline.mode,
                      containers: e.pipeline.containers.map((c) => ({
                          image: c.image,
                          modelDataUrl: c.modelDataUrl ?? null,
                      })),
                  }
                : null,
            instanceType: e.instanceType,
            fallbackInstanceTypes: e.fallbackInstanceTypes,
            scaleIn: e.scaleIn ?? null,
            instances: e.instances,
            routing: e.routing,
            capacity: e.capacity ? { peak: fitJson(e.capacity.peak), min: fitJson(e.capacity.min) } : null,
            models: e.models.map((m) => ({
                resourceName: m.resourceName,
                inferenceComponentName: m.inferenceComponentName,
                guard: m.guard ?? null,
                modelName: m.modelName,
                parametersBillions: m.parametersBillions ?? null,
                quantization: m.quantization,
                accelerators: m.accelerators ?? null,
                copies: m.copies ?? null,
                scalingMetric: m.scalingMetric ?? null,
                wakeAlarm: m.wakeAlarm,
                rollout: m.rollout ?? null,
                placement: m.placement
                    ? { strategy: m.placement.strategy, maxImbalance: m.placement.maxImbalance ?? null }
                    : null,
                adapters: m.adapters.map((a) => ({
                    resourceName: a.resourceName,
                    inferenceComponentName: a.inferenceComponentName,
                    artifactUrl: a.artifactUrl ?? null,
                })),
                optimizationJob: m.optimizationJob?.optimizationJobName ?? null,
                performance: m.performance,
                slo: {
                    ttftMs: m.slo.ttftMs ?? null,
                    tokensPerSecond: m.slo.tokensPerSecond ?? null,
                    maxColdStartSeconds: m.slo.maxColdStartSeconds ?? null,
                },
            })),
        })),
        optimizationJobs: result.optimizationJobs.map((j) => ({
            resourceName: j.resourceName,
            optimizationJobName: j.optimizationJobName,
            techniques: j.techniques,
            quantization: j.quantization,
            instanceType: j.instanceType,
            instanceCount: j.instanceCount,
            sourceUrl: j.sourceUrl,
            outputUrl: j.outputUrl,
            hours: j.hours?.value ?? null,
            hoursSource: j.hours?.source ?? null,
        })),
        cost: {
            currency: "USD",
            hoursPerMonth: HOURS_PER_MONTH,
            idleFloorUsd: result.cost.idleFloorUsd,
            peakCeilingUsd: result.cost.peakCeilingUsd,
            dedicatedUsd: result.cost.dedicatedUsd,
            dedicatedAtFloor: result.cost.dedicatedAtFloor,
            dedicatedBaseline: DEDICATED_BASELINE,
            stalePriceMonths: STALE_PRICE_MONTHS,
            unpriced: result.cost.unpriced,
            reserved: result.cost.reserved,
            priceDates: result.cost.priceDates,
            endpoints: result.cost.endpoints.map((e) => ({
                resourceName: e.name,
                instanceType: e.instanceType,
                ...priceJson(e.usdPerHour, e.priceAsOf, now),
                minInstances: e.minInstances,
                maxInstances: e.maxInstances,
                models: e.models,
                adapters: e.adapters,
                // The first type, then each fallback: the ceiling is the dearest one's peakCeilingUsd.
                instanceTypes: e.pool.map((p) => ({
                    instanceType: p.instanceType,
                    role: p.role,
                    ...priceJson(p.usdPerHour, p.priceAsOf, now),
                    peakCeilingUsd: p.peakUsd ?? null,
                })),
                idleFloorUsd: e.idleFloorUsd ?? null,
                peakCeilingUsd: e.peakCeilingUsd ?? null,
                dedicatedUsd: e.dedicatedUsd ?? null,
                dedicatedEndpoints: e.dedicatedEndpoints,
                dedicatedAtFloor: e.dedicatedAtFloor,
            })),
            oneTimeUsd: result.cost.oneTimeUsd,
            optimizationJobs: result.cost.optimizationJobs.map((j) => ({
                optimizationJobName: j.name,
                instanceType: j.instanceType,
                ...priceJson(j.usdPerHour, j.priceAsOf, now),
                hours: j.hours ?? null,
                oneTimeUsd: j.oneTimeUsd ?? null,
            })),
        },
        // The stack's exports, as `pulumi stack output --json` would print them: clients resolve names from them.
        outputs: result.outputs,
        resources: planResourcesJson(result.resources, result.physicalNames),
        // Against --baseline: added, replaced, updated, deleted; null without one.
        changes: changes ? changesJson(changes) : null,
    };
}
