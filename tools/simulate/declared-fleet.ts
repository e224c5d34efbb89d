import { findInstanceType, HOURS_PER_MONTH } from "../../lib/catalog";
import {
    IC_COPY_DIMENSION,
    NO_CAPACITY_METRIC,
    SAGEMAKER_TYPES,
    SCALING_TYPES,
    VARIANT_INSTANCE_DIMENSION,
} from "../../lib/contract";
import { plain } from "../../policies/support/props";
import { parseStackOutputs } from "../../runtime/stack-outputs";
import { outputsOf, RecordedResource } from "../mocks/recorder";
import { endpointCost } from "../../lib/cost";
import { endpointShapeOf, PlannedEndpoint } from "../plan/fleet-view";
import { ESTIMATED_PERFORMANCE, ModelPerformance, PerformanceProvider } from "./performance";
import { SCALING_RULES } from "./scaling-rules";

/** A target tracking policy as declared. */
export interface TargetTracking {
    readonly metric: string;
    readonly targetValue: number;
    readonly scaleOutCooldownSeconds: number;
    readonly scaleInCooldownSeconds: number;
    /** Whether its metric is high-resolution (10 s datapoints). */
    readonly highResolution: boolean;
}

/** The wake-from-zero step policy and the alarm that triggers it, as declared. */
export interface WakeRule {
    readonly alarmPeriodSeconds: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    /** Alarm threshold on NoCapacityInvocationFailures (>=). */
    readonly threshold: number;
    readonly cooldownSeconds: number;
    /** Copies its step adds. */
    readonly adjustment: number;
}

/** A model's SLO, when the stack config declares one (issue 21's `slo`). */
export interface ModelSlo {
    readonly ttftMs?: number;
    readonly tokensPerSecond?: number;
    readonly maxColdStartSeconds?: number;
}

/** One scaled unit: a base model's inference component, or a multi-model endpoint's instances. */
export interface SimModel {
    /** The name a trace uses (the config name when the stack outputs map it, else the physical name). */
    readonly name: string;
    readonly inferenceComponentName: string;
    /** Accelerator devices one copy takes; a multi-model endpoint's "copy" takes a whole instance. */
    readonly acceleratorsPerCopy: number;
    readonly copies: { readonly min: number; readonly max: number };
    readonly targetTracking: TargetTracking | undefined;
    readonly wake: WakeRule | undefined;
    /** Adapter names a trace may use (they run on this model's copies). */
    readonly adapters: readonly string[];
    readonly performance: ModelPerformance;
    readonly slo: ModelSlo | undefined;
}

/** An endpoint and how its instances scale. */
export interface SimEndpoint {
    readonly name: string;
    readonly endpointName: string;
    readonly kind: "inference-components" | "multi-model" | "pipeline";
    readonly instanceType: string;
    /** USD per instance-hour; `undefined` when the catalog has no price. */
    readonly usdPerHour: number | undefined;
    /** Accelerator slots per instance (a CPU type counts as one slot per copy it can hold: 1). */
    readonly slotsPerInstance: number;
    readonly instances: { readonly min: number; readonly max: number };
    /** `IDLE_RELEASE` (the default when none is declared) or `CONSOLIDATION`. */
    readonly scaleIn: { readonly strategy: string; readonly cooldownMinutes: number; readonly maximumStep: number };
    readonly models: readonly SimModel[];
    /**
     * USD per hour of the dedicated-endpoints baseline (lib/cost.ts `dedicatedUsd` / 730); `undefined` when
     * it has no price.
     */
    readonly dedicatedUsdPerHour: number | undefined;
}

/** The fleet the simulator replays a trace through. */
export interface SimFleet {
    readonly endpoints: readonly SimEndpoint[];
}

/** The hourly rate of an endpoint's dedicated-endpoints baseline, as the plan prices it per month. */
function dedicatedUsdPerHour(e: PlannedEndpoint): number | undefined {
    const monthly = endpointCost(endpointShapeOf(e)).dedicatedUsd;
    return monthly === undefined ? undefined : monthly / HOURS_PER_MONTH;
}

const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

/** The config names of a stack's outputs, physical -> config, when the program exports fm-fleet's names. */
function configNames(outputs: Record<string, unknown>): {
    endpoints: Map<string, string>;
    models: Map<string, { name: string; adapters: Record<string, string> }>;
} {
    const endpoints = new Map<string, string>();
    const models = new Map<string, { name: string; adapters: Record<string, string> }>();
    try {
        const names = parseStackOutputs(outputs, "the stack outputs");
        for (const [name, e] of Object.entries(names.endpoints)) {
            endpoints.set(e.endpointName, name);
            for (const [model, m] of Object.entries(e.models))
                models.set(m.inferenceComponentName, { name: model, adapters: m.adapters });
            // A guard is a base IC of its own: traces name it by its config name too.
            if (e.guard) models.set(e.guard.inferenceComponentName, { name: e.guard.name, adapters: {} });
        }
        for (const [name, e] of Object.entries(names.multiModelEndpoints)) endpoints.set(e.endpointName, name);
    } catch {
        // A hand-written program: traces name its endpoints and components by their physical names.
    }
    return { endpoints, models };
}

/** SLOs from the stack's fleet config (`fleet.endpoints[].foundationModels[].slo`), by endpoint and model name. */
export function slosOf(fleetConfig: unknown): Map<string, ModelSlo> {
    const slos = new Map<string, ModelSlo>();
    const endpoints = (fleetConfig as any)?.endpoints;
    if (!Array.isArray(endpoints)) return slos;
    for (const e of endpoints) {
        for (const m of Array.isArray(e?.foundationModels) ? e.foundationModels : []) {
            const s = m?.slo;
            if (!s || typeof s !== "object") continue;
            const slo: ModelSlo = {
                ...(positive(s.ttftMs) && { ttftMs: s.ttftMs }),
                ...(positive(s.tokensPerSecond) && { tokensPerSecond: s.tokensPerSecond }),
                ...(positive(s.maxColdStartSeconds) && { maxColdStartSeconds: s.maxColdStartSeconds }),
            };
            if (Object.keys(slo).length > 0) slos.set(`${e.name}/${m.name}`, slo);
        }
    }
    return slos;
}

/** What {@link declaredFleet} reads besides the registrations. */
export interface DeclaredFleetOptions {
    /** The stack's exports: config names of endpoints and models. @default none - physical names */
    readonly outputs?: Record<string, unknown>;
    /** SLOs by `endpoint/model` config names. @default none */
    readonly slos?: ReadonlyMap<string, ModelSlo>;
    /** Each model's speed and start-up. @default lib/performance's estimates ({@link ESTIMATED_PERFORMANCE}) */
    readonly performance?: PerformanceProvider;
}

/**
 * The fleet's scaling rules as the program registered them: the plan's fleet view (endpoints, components,
 * instance bounds, scale-in policy) joined with the scalable targets, target tracking and step policies and
 * the wake alarms of either provider, matched by resource id and component name as AWS matches them. So a
 * hand-written program is simulated by what it declares, not by fm-fleet's defaults.
 */
export function declaredFleet(
    resources: readonly RecordedResource[],
    fleet: readonly PlannedEndpoint[],
    options: DeclaredFleetOptions = {},
): SimFleet {
    const of = (types: readonly string[]) =>
        resources.filter((r) => types.includes(r.type)).map((r) => plain(outputsOf(r)) as any);
    const targets = of(SCALING_TYPES.scalableTarget);
    const policies = of(SCALING_TYPES.scalingPolicy);
    const alarms = of(SCALING_TYPES.alarm);
    const names = configNames(options.outputs ?? {});
    const performance = options.performance ?? ESTIMATED_PERFORMANCE;

    const trackingOf = (resourceId: string): TargetTracking | undefined => {
        const p = policies.find((x) => x.resourceId === resourceId && x.policyType === "TargetTrackingScaling");
        const c = p?.targetTrackingScalingPolicyConfiguration;
        if (!c || !positive(c.targetValue)) return undefined;
        const metric = String(c.predefinedMetricSpecification?.predefinedMetricType ?? "custom");
        return {
            metric,
            targetValue: c.targetValue,
            scaleOutCooldownSeconds: num(c.scaleOutCooldown, SCALING_RULES.defaultCooldownSeconds),
            scaleInCooldownSeconds: num(c.scaleInCooldown, SCALING_RULES.defaultCooldownSeconds),
            highResolution: metric.endsWith("HighResolution"),
        };
    };
    const dimensionOf = (a: any): string | undefined =>
        Array.isArray(a.dimensions)
            ? a.dimensions.find((d: any) => d?.name === "InferenceComponentName")?.value
            : a.dimensions?.InferenceComponentName;
    const wakeOf = (resourceId: string, icName: string): WakeRule | undefined => {
        const watching = alarms.filter((a) => a.metricName === NO_CAPACITY_METRIC && dimensionOf(a) === icName);
        // The wake alarm is the one that triggers a scaling policy; an SLO alarm on the same metric only notifies.
        const alarm =
            watching.find(
                (a) =>
                    Array.isArray(a.alarmActions) &&
                    a.alarmActions.some((x: unknown) => typeof x === "string" && x.includes(":scalingPolicy:")),
            ) ?? watching.find((a) => !String(a.name ?? "").includes("slo-"));
        const step = policies.find((x) => x.resourceId === resourceId && x.policyType === "StepScaling");
        const config = step?.stepScalingPolicyConfiguration;
        if (!alarm || !config) return undefined;
        const adjustment = num(config.stepAdjustments?.[0]?.scalingAdjustment, 0);
        if (adjustment <= 0) return undefined;
        return {
            alarmPeriodSeconds: num(alarm.period, 60),
            evaluationPeriods: Math.max(1, num(alarm.evaluationPeriods, 1)),
            datapointsToAlarm: Math.max(1, num(alarm.datapointsToAlarm, num(alarm.evaluationPeriods, 1))),
            threshold: num(alarm.threshold, 1),
            cooldownSeconds: num(config.cooldown, 0),
            adjustment,
        };
    };
    const targetOf = (resourceId: string, dimension: string) =>
        targets.find((t) => t.resourceId === resourceId && t.scalableDimension === dimension);

    return {
        endpoints: fleet.map((e): SimEndpoint => {
            const entry = findInstanceType(e.instanceType);
            const slotsPerInstance = Math.max(1, entry?.acceleratorCount ?? 1);
            const endpointConfigName = names.endpoints.get(e.endpointName) ?? e.endpointName;
            const base = {
                name: endpointConfigName,
                endpointName: e.endpointName,
                kind: e.kind,
                instanceType: e.instanceType,
                usdPerHour: entry?.usdPerHour,
                instances: e.instances,
                dedicatedUsdPerHour: dedicatedUsdPerHour(e),
            };
            const shape = (icName: string, p: Partial<PlannedEndpoint["models"][number]>) => ({
                endpointName: e.endpointName,
                inferenceComponentName: icName,
                instanceType: e.instanceType,
                parametersBillions: p.parametersBillions,
                quantization: p.quantization ?? "unknown",
                accelerators: p.accelerators,
                kind: e.kind,
                planned: p.performance,
            });
            if (e.kind !== "inference-components") {
                // A classic variant (multi-model or pipeline): its instances are its copies, each a whole instance.
                const resourceId = `endpoint/${e.endpointName}/variant/`;
                const target = targets.find(
                    (t) =>
                        t.scalableDimension === VARIANT_INSTANCE_DIMENSION &&
                        String(t.resourceId).startsWith(resourceId),
                );
                return {
                    ...base,
                    slotsPerInstance: 1,
                    scaleIn: { strategy: "IDLE_RELEASE", cooldownMinutes: 0, maximumStep: 1 },
                    models: [
                        {
                            name: "*",
                            inferenceComponentName: "",
                            acceleratorsPerCopy: 1,
                            copies: {
                                min: Math.max(num(target?.minCapacity, e.instances.min), e.instances.min),
                                max: num(target?.maxCapacity, e.instances.max),
                            },
                            targetTracking: target ? trackingOf(String(target.resourceId)) : undefined,
                            wake: undefined,
                            adapters: [],
                            performance: performance(shape("", {})),
                            slo: undefined,
                        },
                    ],
                };
            }
            return {
                ...base,
                slotsPerInstance,
                scaleIn: {
                    strategy: e.scaleIn ?? "IDLE_RELEASE",
                    cooldownMinutes: SCALING_RULES.consolidationCooldownMinutes,
                    maximumStep: SCALING_RULES.consolidationMaximumStep,
                    ...scaleInPolicyOf(resources, e.endpointConfigName),
                },
                models: e.models.map((m): SimModel => {
                    const resourceId = `inference-component/${m.inferenceComponentName}`;
                    const target = targetOf(resourceId, IC_COPY_DIMENSION);
                    const config = names.models.get(m.inferenceComponentName);
                    const name = config?.name ?? m.inferenceComponentName;
                    const adapterNames = config
                        ? Object.keys(config.adapters)
                        : m.adapters.map((a) => a.inferenceComponentName);
                    // Not autoscaled: the copies it was created with, fixed.
                    const fixed = Math.max(1, num(m.copies?.min, 1));
                    return {
                        name,
                        inferenceComponentName: m.inferenceComponentName,
                        acceleratorsPerCopy: Math.min(slotsPerInstance, Math.max(1, m.accelerators ?? 1)),
                        copies: target
                            ? { min: num(target.minCapacity, 0), max: Math.max(1, num(target.maxCapacity, 1)) }
                            : { min: fixed, max: fixed },
                        targetTracking: target ? trackingOf(resourceId) : undefined,
                        wake: target ? wakeOf(resourceId, m.inferenceComponentName) : undefined,
                        adapters: adapterNames,
                        performance: performance(shape(m.inferenceComponentName, m)),
                        slo: options.slos?.get(`${endpointConfigName}/${name}`),
                    };
                }),
            };
        }),
    };
}

/** The declared `ScaleInPolicy` cooldown and step of an endpoint configuration, when set. */
function scaleInPolicyOf(
    resources: readonly RecordedResource[],
    endpointConfigName: string,
): { cooldownMinutes?: number; maximumStep?: number } {
    for (const r of resources) {
        if (!(SAGEMAKER_TYPES.endpointConfig as readonly string[]).includes(r.type)) continue;
        const props = plain(outputsOf(r)) as any;
        if (props?.endpointConfigName !== endpointConfigName && props?.name !== endpointConfigName) continue;
        const policy = props?.productionVariants?.[0]?.managedInstanceScaling?.scaleInPolicy;
        if (!policy) continue;
        return {
            ...(positive(policy.cooldownInMinutes) && { cooldownMinutes: policy.cooldownInMinutes }),
            ...(positive(policy.maximumStepSize) && { maximumStep: policy.maximumStepSize }),
        };
    }
    return {};
}
