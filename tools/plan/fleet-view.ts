import { PolicyResource } from "@pulumi/policy";
import { Fit, Resources, times } from "../../lib/capacity";
import {
    IC_COPY_DIMENSION,
    NO_CAPACITY_METRIC,
    SAGEMAKER_TYPES,
    SCALING_TYPES,
    TYPES,
    VARIANT_INSTANCE_DIMENSION,
    GUARD_FOR_TAG,
} from "../../lib/contract";
import { Quantization } from "../../lib/sizing";
import type { EndpointShape } from "../../lib/cost";
import { estimatePerformance, PerformanceEstimate } from "../../lib/performance/estimate";
import { Slo } from "../../lib/performance/slo";
import { latencyViewOf } from "../../policies/support/latency-view";
import { outputsOf, RecordedResource } from "../mocks/recorder";
import { EndpointCapacity, endpointCapacities } from "../../policies/support/capacity";
import { plain, UNKNOWN } from "../../policies/support/props";
import { tagsOf } from "../../policies/support/tags";
import { StackGraph } from "../../policies/support/stack-graph";
import {
    inferenceComponentOf,
    minInstancesOf,
    modelEnvironmentOf,
    modelSizeOf,
    optimizationJobOf,
    physicalNameOf,
    quantizationOf,
    servedWeightsUrlOf,
    VariantView,
    variantsOf,
} from "../../policies/support/views";

/** A fine-tuned adapter as planned. */
export interface PlannedAdapter {
    readonly resourceName: string;
    readonly inferenceComponentName: string;
    readonly artifactUrl: string | undefined;
}

/** An optimization job as planned: the model it reads, the optimizations, the model it writes. */
export interface PlannedOptimizationJob {
    readonly resourceName: string;
    readonly optimizationJobName: string;
    readonly instanceType: string;
    readonly instanceCount: number;
    /** `Quantization`, `SpeculativeDecoding`, `Compilation`, `Sharding`, in config order. */
    readonly techniques: string[];
    readonly quantization: Quantization | "unknown";
    /** The model it reads (an S3 URL, or `sagemaker-model:<name>`). */
    readonly sourceUrl: string;
    /** Where it writes the optimized model. */
    readonly outputUrl: string;
    /** Hours it is priced at, and where the figure comes from; `undefined` when neither is known. */
    readonly hours: { value: number; source: string } | undefined;
}

/** A base model (inference component) as planned. */
export interface PlannedModel {
    readonly resourceName: string;
    readonly inferenceComponentName: string;
    /** The SageMaker model the base inference component deploys. */
    readonly modelName: string;
    readonly parametersBillions: number | undefined;
    readonly quantization: Quantization | "unknown";
    readonly accelerators: number | undefined;
    /** Copy bounds from its scalable target; `undefined` when not autoscaled. */
    readonly copies: { min: number; max: number } | undefined;
    /** Predefined metric of its target tracking policy, if any. */
    readonly scalingMetric: string | undefined;
    /** Whether a NoCapacityInvocationFailures alarm watches it (it can wake from zero). */
    readonly wakeAlarm: boolean;
    /** Its rolling update: the batch (`25%`, `1 copy`) and the rollback alarms' names; `undefined`: all at once. */
    readonly rollout: { batch: string; rollbackAlarms: string[] } | undefined;
    /** Its placement (`SPREAD`, `BINPACK`) and maximum AZ imbalance; `undefined`: the API's default. */
    readonly placement: { strategy: string; maxImbalance: number | undefined } | undefined;
    readonly adapters: PlannedAdapter[];
    /** The optimization job whose output its model serves, if any. */
    readonly optimizationJob: PlannedOptimizationJob | undefined;
    /** Its latency on the endpoint's first instance type, as the pack's latency rules compute it. */
    readonly performance: PerformanceEstimate;
    /** Its latency targets (`fmfleet:slo-*` tags). */
    readonly slo: Slo;
    /** Set when it is its endpoint's safety guard (IC tag fmfleet:guard-for): what it checks. */
    readonly guard: { checks: string[] } | undefined;
}

/** Copies against instances at one moment (peak or minimum), on the tightest of the endpoint's types. */
export interface PlannedFit {
    /** The type judged: the one among the variant's pools on which the copies need the most instances. */
    readonly instanceType: string;
    /** Instances the copies need, packed first-fit decreasing (lib/capacity); copies that fit no instance aside. */
    readonly instancesNeeded: number;
    /** Instances the endpoint may have then: its max at peak, its min at the minimum. */
    readonly instances: number;
    /** What the copies need together, and what those instances offer (vCPUs as cores). */
    readonly need: Resources;
    readonly room: Resources;
    /** Base inference components (resource names) whose copy is larger than one instance. */
    readonly unplaceable: string[];
    readonly fits: boolean;
}

/** An inference-component endpoint's copies against its instances, as copies-fit-endpoint judges them. */
export interface PlannedCapacity {
    /** Every base model at its copies max, on max instances; `undefined` when a deciding value is not known. */
    readonly peak: PlannedFit | undefined;
    /** Every base model at its copies min, on min instances. */
    readonly min: PlannedFit | undefined;
}

const plannedFit = (fit: Fit | undefined): PlannedFit | undefined =>
    fit && {
        instanceType: fit.instanceType,
        instancesNeeded: fit.packing.instances,
        instances: fit.instances,
        need: fit.packing.need,
        room: times(fit.perInstance, fit.instances),
        unplaceable: fit.packing.unplaceable.map((g) => g.name),
        fits: fit.fits,
    };

/**
 * The capacity of every inference-component endpoint, by endpoint name: the pack's own function over the
 * same resources (as a stack policy sees their outputs), so the plan and copies-fit-endpoint never disagree.
 */
function capacitiesOf(resources: readonly RecordedResource[]): Map<string, EndpointCapacity[]> {
    const types = new Set<string>([
        ...SAGEMAKER_TYPES.endpoint,
        ...SAGEMAKER_TYPES.endpointConfig,
        TYPES.inferenceComponent,
        ...SCALING_TYPES.scalableTarget,
    ]);
    const graph = new StackGraph(
        resources
            .filter((r) => types.has(r.type))
            .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: outputsOf(r) }) as unknown as PolicyResource),
    );
    const byEndpoint = new Map<string, EndpointCapacity[]>();
    for (const c of endpointCapacities(graph))
        byEndpoint.set(c.endpointName, [...(byEndpoint.get(c.endpointName) ?? []), c]);
    return byEndpoint;
}

/** A serial inference pipeline's model as planned: its containers in the order a request runs through them. */
export interface PlannedPipeline {
    /** `InferenceExecutionConfig.Mode` (the API's default when unset: `Serial`). */
    readonly mode: string;
    readonly containers: { readonly image: string; readonly modelDataUrl: string | undefined }[];
}

/** An endpoint as planned. */
export interface PlannedEndpoint {
    readonly kind: "inference-components" | "multi-model" | "pipeline";
    readonly resourceName: string;
    readonly endpointName: string;
    readonly endpointConfigName: string;
    /** Multi-model endpoints and pipelines: the SageMaker model behind the variant. */
    readonly modelName: string | undefined;
    /** Pipelines: the model's containers and execution mode. */
    readonly pipeline?: PlannedPipeline;
    readonly instanceType: string;
    /** Fallback types in priority order (its instance pools after the first). */
    readonly fallbackInstanceTypes: string[];
    /** Its scale-in strategy (`IDLE_RELEASE`, `CONSOLIDATION`); `undefined`: the API's default. */
    readonly scaleIn: string | undefined;
    readonly instances: { min: number; max: number };
    readonly routing: string;
    /** The ML capacity reservation its instances launch into (priced as already paid); `undefined`: none. */
    readonly mlReservationArn?: string;
    readonly models: PlannedModel[];
    /** Models the endpoint hosts (multi-model endpoints: unknown up front, counted as 1). */
    readonly modelCount: number;
    readonly adapterCount: number;
    /** Inference-component endpoints: its copies at peak and at the minimum against its instances. */
    readonly capacity?: PlannedCapacity;
}

const text = (v: unknown) => (typeof v === "string" ? v : "");

/** A rolling update as the plan shows it. */
function rolloutOf(deployment: any): PlannedModel["rollout"] {
    const batch = deployment?.rollingUpdatePolicy?.maximumBatchSize;
    if (!batch || typeof batch.value !== "number") return undefined;
    const alarms = Array.isArray(deployment.autoRollbackConfiguration?.alarms)
        ? deployment.autoRollbackConfiguration.alarms.map((a: any) => text(a?.alarmName))
        : [];
    const size =
        batch.type === "CAPACITY_PERCENT" ? `${batch.value}%` : `${batch.value} cop${batch.value === 1 ? "y" : "ies"}`;
    return { batch: size, rollbackAlarms: alarms };
}
const count = (v: unknown) => (typeof v === "number" ? v : 0);

/** The optimization jobs among the recorded resources, by resource name. */
export function optimizationJobsView(resources: readonly RecordedResource[]): PlannedOptimizationJob[] {
    return resources
        .filter((r) => r.type === TYPES.optimizationJob)
        .map((r): PlannedOptimizationJob => {
            const job = optimizationJobOf(plain(outputsOf(r)));
            return {
                resourceName: r.name,
                optimizationJobName: text(job.optimizationJobName),
                instanceType: text(job.instanceType),
                instanceCount: typeof job.instanceCount === "number" ? job.instanceCount : 1,
                techniques: job.techniques,
                quantization: job.quantization === UNKNOWN ? "unknown" : job.quantization,
                sourceUrl: text(job.source),
                outputUrl: text(job.outputUrl),
                hours: job.hours,
            };
        })
        .sort((a, b) => a.resourceName.localeCompare(b.resourceName));
}

/**
 * The fleet as the recorded resources describe it, joined by physical names like SageMaker joins them:
 * endpoint -> configuration -> variant; inference components -> endpoint; adapters -> base; autoscaling
 * and alarms -> inference component. Reads outputs, so it describes any program's SageMaker fleet.
 */
export function fleetView(
    resources: readonly RecordedResource[],
    /** The stack's optimization jobs, when the caller has read them already. */
    jobs: readonly PlannedOptimizationJob[] = optimizationJobsView(resources),
): PlannedEndpoint[] {
    const of = (...types: readonly string[]) =>
        resources
            .filter((r) => types.includes(r.type))
            .map((r) => {
                const props = plain(outputsOf(r)) as any;
                return { r, props, name: text(physicalNameOf(r.type, props)) };
            });
    const configs = new Map(of(...SAGEMAKER_TYPES.endpointConfig).map((c) => [c.name, c]));
    const ics = of(TYPES.inferenceComponent).map((x) => ({ ...x, ic: inferenceComponentOf(x.props) }));
    const models = new Map(of(...SAGEMAKER_TYPES.model).map((m) => [m.name, m.props]));
    const targets = of(TYPES.scalableTarget);
    const policies = of(TYPES.scalingPolicy);
    const alarms = of(TYPES.metricAlarm);
    // A model serves a job's output when it reads its weights from where the job writes them.
    const jobWriting = (url: string) => (url ? jobs.find((j) => j.outputUrl === url) : undefined);
    const capacities = capacitiesOf(resources);

    const byName = <T extends { resourceName: string }>(a: T, b: T) => a.resourceName.localeCompare(b.resourceName);
    // Registration order is asynchronous; sorting by resource name keeps reports stable run to run.
    const endpoints = of(...SAGEMAKER_TYPES.endpoint).map(({ r, props, name: endpointName }) => {
        const config = configs.get(props.endpointConfigName);
        const variant = config ? variantsOf(config.props)[0] : undefined;
        const variantTarget = targets.find(
            (t) =>
                t.props.scalableDimension === VARIANT_INSTANCE_DIMENSION &&
                t.props.resourceId === `endpoint/${endpointName}/variant/${text(variant?.variantName)}`,
        );
        const min = count(variant ? minInstancesOf(variant) : 0);
        const max = count(variant?.managed?.max ?? variantTarget?.props.maxCapacity ?? variant?.initialInstanceCount);
        const onEndpoint = ics.filter((x) => x.ic.endpointName === endpointName);
        const planned: PlannedModel[] = onEndpoint
            .filter((x) => x.ic.baseInferenceComponentName === undefined)
            .map(({ r: icResource, ic, props: icProps }): PlannedModel => {
                const name = text(ic.inferenceComponentName);
                const resourceId = `inference-component/${name}`;
                const target = targets.find(
                    (t) => t.props.resourceId === resourceId && t.props.scalableDimension === IC_COPY_DIMENSION,
                );
                const tracking = policies.find(
                    (p) => p.props.resourceId === resourceId && p.props.policyType === "TargetTrackingScaling",
                );
                const model = models.get(text(ic.modelName));
                // Its serving container's env, as the pack reads it (primaryContainer, else containers[0]).
                const modelEnv = modelEnvironmentOf(model);
                const quantization = quantizationOf(ic, modelEnv);
                const latency = latencyViewOf(ic, modelEnv);
                const billions = modelSizeOf(ic, modelEnv)?.billions;
                return {
                    resourceName: icResource.name,
                    inferenceComponentName: name,
                    modelName: text(ic.modelName),
                    parametersBillions: billions,
                    quantization: quantization === UNKNOWN ? "unknown" : quantization,
                    accelerators: typeof ic.accelerators === "number" ? ic.accelerators : undefined,
                    copies: target && { min: count(target.props.minCapacity), max: count(target.props.maxCapacity) },
                    scalingMetric:
                        tracking?.props.targetTrackingScalingPolicyConfiguration?.predefinedMetricSpecification
                            ?.predefinedMetricType,
                    rollout: rolloutOf(ic.deploymentConfig),
                    placement:
                        typeof ic.schedulingConfig?.placementStrategy === "string"
                            ? {
                                  strategy: ic.schedulingConfig.placementStrategy,
                                  maxImbalance:
                                      typeof ic.schedulingConfig.availabilityZoneBalance?.maxImbalance === "number"
                                          ? ic.schedulingConfig.availabilityZoneBalance.maxImbalance
                                          : undefined,
                              }
                            : undefined,
                    wakeAlarm: alarms.some(
                        (a) =>
                            a.props.metricName === NO_CAPACITY_METRIC &&
                            a.props.dimensions?.InferenceComponentName === name,
                    ),
                    adapters: onEndpoint
                        .filter((x) => x.ic.baseInferenceComponentName === name)
                        .map((x) => ({
                            resourceName: x.r.name,
                            inferenceComponentName: text(x.ic.inferenceComponentName),
                            artifactUrl: x.props.specification?.container?.artifactUrl,
                        })),
                    optimizationJob: jobWriting(text(servedWeightsUrlOf(model))),
                    performance: estimatePerformance({
                        parametersBillions: billions,
                        quantization: quantization === UNKNOWN ? "none" : quantization,
                        instanceType: text(variant?.instanceType),
                        accelerators: typeof ic.accelerators === "number" ? ic.accelerators : undefined,
                        speculativeDecoding: latency.speculativeDecoding,
                        // The first copy needs a new instance when the endpoint can be at zero instances.
                        newInstance: min === 0,
                        measured: latency.measured,
                    }),
                    slo: latency.slo,
                    guard: guardOf(icProps),
                };
            })
            .sort(byName);
        const variantModel = variant?.modelName ? models.get(text(variant.modelName)) : undefined;
        // A multi-model container may be the primary one or the only one in `containers`.
        const soleContainer = variantModel?.primaryContainer ?? singleContainerOf(variantModel);
        const multiModel = soleContainer?.mode === "MultiModel";
        const pipeline = pipelineOf(variantModel);
        return {
            kind: pipeline ? "pipeline" : multiModel ? "multi-model" : "inference-components",
            resourceName: r.name,
            endpointName,
            endpointConfigName: text(props.endpointConfigName),
            modelName: multiModel || pipeline ? text(variant?.modelName) : undefined,
            ...(pipeline && { pipeline }),
            instanceType: text(variant?.instanceType),
            fallbackInstanceTypes: (variant?.instanceTypes ?? []).slice(1).map(text),
            scaleIn: typeof variant?.scaleIn === "string" ? variant.scaleIn : undefined,
            instances: { min, max },
            routing: text(variant?.routing) || "RANDOM",
            mlReservationArn: text(variant?.mlReservationArn) || undefined,
            models: planned,
            modelCount: multiModel || pipeline ? 1 : planned.length,
            adapterCount: planned.reduce((n, m) => n + m.adapters.length, 0),
            capacity: capacityOf(capacities.get(endpointName), variant),
        } satisfies PlannedEndpoint;
    });
    return endpoints.sort(byName);
}

/** A model's only container when it lists exactly one in `containers` (no primaryContainer). */
function singleContainerOf(model: any): any {
    return Array.isArray(model?.containers) && model.containers.length === 1 ? model.containers[0] : undefined;
}

/**
 * A model's containers when it is a serial inference pipeline: a `containers` list run in `Serial` mode (the
 * API's default, multi-container-create.html). A `Direct` multi-container model is not a pipeline.
 */
function pipelineOf(model: any): PlannedPipeline | undefined {
    const containers = Array.isArray(model?.containers) ? model.containers : [];
    const declared = text(model?.inferenceExecutionConfig?.mode);
    // A pipeline: several containers (Serial when no mode is given), or one the model declares Serial. One
    // container in `containers` alone is an ordinary model (a multi-model endpoint's may sit there).
    if (declared === "Direct" || containers.length === 0) return undefined;
    if (containers.length === 1 && declared !== "Serial") return undefined;
    const mode = declared || "Serial";
    return {
        mode,
        containers: containers.map((c: any) => ({
            image: text(c?.image),
            modelDataUrl: text(c?.modelDataUrl) || undefined,
        })),
    };
}

/** The planned capacity of the variant the plan shows (the configuration's first). */
function capacityOf(
    list: EndpointCapacity[] | undefined,
    variant: VariantView | undefined,
): PlannedCapacity | undefined {
    const c = list?.find((x) => x.variant.variantName === variant?.variantName);
    return c && { peak: plannedFit(c.peak), min: plannedFit(c.min) };
}

/** What the cost model needs of a planned endpoint (lib/cost.ts): the plan and the simulator price the same. */
export function endpointShapeOf(e: PlannedEndpoint): EndpointShape {
    return {
        name: e.endpointName,
        instanceType: e.instanceType,
        fallbackInstanceTypes: e.fallbackInstanceTypes,
        minInstances: e.instances.min,
        maxInstances: e.instances.max,
        models: e.modelCount,
        adapters: e.adapterCount,
        hostedModels: e.models.map((m) => ({
            parametersBillions: m.parametersBillions,
            quantization: m.quantization === "unknown" ? undefined : m.quantization,
            adapters: m.adapters.length,
        })),
        reserved: e.mlReservationArn !== undefined,
    };
}

/** A guard inference component's checks, from its `fmfleet:guard-for` tag (`input,output`); unknown -> none listed. */
function guardOf(props: any): PlannedModel["guard"] {
    const tags = tagsOf(props);
    const tag = tags === UNKNOWN ? undefined : tags[GUARD_FOR_TAG];
    if (tag === undefined) return undefined;
    return { checks: typeof tag === "string" ? tag.split(",").filter(Boolean) : [] };
}
