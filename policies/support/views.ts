import { findInstanceType, InstanceType } from "../../lib/catalog";
import { NAME_PROPERTY, PARAMETERS_BILLIONS_TAG, QUANTIZATION_TAG, QUANTIZE_ENVS } from "../../lib/contract";
import { parseParametersBillions, Quantization, quantizationFromOption } from "../../lib/sizing";
import { ESTIMATED_HOURS_TAG, OPTIMIZATION_QUANTIZE_ENV } from "../../lib/optimization";
import { arr, num, shown, str, UNKNOWN, Unknown } from "./props";
import { tagsOf } from "./tags";

/** One variant of an endpoint configuration (production or shadow), as the rules read it. */
export interface VariantView {
    readonly variantName: string | Unknown | undefined;
    /** Whether it is one of `shadowProductionVariants` (billed instances that serve no response). */
    readonly shadow: boolean;
    /** The type it provisions first: `instanceType`, or the priority-1 instance pool. */
    readonly instanceType: string | Unknown | undefined;
    /** Every type it may provision, in priority order: `instanceType`, or each of its `instancePools`. */
    readonly instanceTypes: (string | Unknown)[];
    /** Whether it declares fallback pools (`instancePools` with more than one type). */
    readonly hasFallback: boolean;
    readonly modelName: string | Unknown | undefined;
    readonly initialInstanceCount: number | Unknown | undefined;
    /** `managedInstanceScaling.scaleInPolicy.strategy`, when set. */
    readonly scaleIn: string | Unknown | undefined;
    /** `managedInstanceScaling` when its status is ENABLED. */
    readonly managed: { min: number | Unknown | undefined; max: number | Unknown | undefined } | undefined;
    /** Routing strategy; `undefined` when not set (the service then routes RANDOM). */
    readonly routing: string | Unknown | undefined;
    /** `VolumeSizeInGB`: the EBS volume per instance. */
    readonly volumeSizeInGb: number | Unknown | undefined;
    /** `capacityReservationConfig.mlReservationArn`: the ML capacity reservation its instances launch into. */
    readonly mlReservationArn: string | Unknown | undefined;
}

/** The physical name a SageMaker resource's props carry, whichever provider declared it. */
export function physicalNameOf(type: string, props: any): string | Unknown | undefined {
    const key = NAME_PROPERTY[type];
    return key === undefined ? undefined : str(props?.[key]);
}

/** The routing strategy of a variant: @pulumi/aws lists `routingConfigs`, aws-native has one `routingConfig`. */
function routingOf(v: any): string | Unknown | undefined {
    if (v?.routingConfig !== undefined) {
        return v.routingConfig === UNKNOWN ? UNKNOWN : str(v.routingConfig?.routingStrategy);
    }
    const list = arr(v?.routingConfigs);
    return list === UNKNOWN ? UNKNOWN : str(list[0]?.routingStrategy);
}

/** The KMS key of an endpoint configuration: `kmsKeyArn` in @pulumi/aws, `kmsKeyId` in aws-native. */
export function kmsKeyOf(props: any): string | Unknown | undefined {
    return str(props?.kmsKeyId ?? props?.kmsKeyArn);
}

/** The production variants of an endpoint configuration (plain props of either provider). */
export function variantsOf(props: any): VariantView[] {
    return variantListOf(props?.productionVariants, false);
}

/**
 * Every variant SageMaker provisions instances for: the production variants, then the shadow variants
 * (`shadowProductionVariants`, the same shape in both providers). A shadow variant gets a copy of
 * production traffic and serves no response, but its instances are created and billed like any other.
 */
export function provisionedVariantsOf(props: any): VariantView[] {
    return [...variantsOf(props), ...variantListOf(props?.shadowProductionVariants, true)];
}

/** How messages name a variant: `variant "AllTraffic"`, or `shadow variant "Shadow"`. */
export function variantLabel(v: VariantView): string {
    return `${v.shadow ? "shadow variant" : "variant"} "${shown(v.variantName)}"`;
}

function variantListOf(list: unknown, shadow: boolean): VariantView[] {
    const variants = arr(list);
    if (variants === UNKNOWN) return [];
    return variants.map((v: any) => {
        const scaling = v?.managedInstanceScaling;
        const pools = arr(v?.instancePools);
        const pooled: (string | Unknown)[] =
            pools === UNKNOWN
                ? [UNKNOWN]
                : [...pools]
                      .sort((a: any, b: any) => (num(a?.priority) as number) - (num(b?.priority) as number))
                      .map((p: any) => str(p?.instanceType))
                      .filter((t): t is string | Unknown => t !== undefined);
        const own = str(v?.instanceType);
        const instanceTypes: (string | Unknown)[] = pooled.length > 0 ? pooled : own === undefined ? [] : [own];
        return {
            variantName: str(v?.variantName),
            shadow,
            instanceType: instanceTypes[0] as string | Unknown | undefined,
            instanceTypes,
            hasFallback: pools === UNKNOWN || pools.length > 1,
            scaleIn: scaling === UNKNOWN ? UNKNOWN : str(scaling?.scaleInPolicy?.strategy),
            modelName: str(v?.modelName),
            initialInstanceCount: num(v?.initialInstanceCount),
            managed:
                scaling && scaling !== UNKNOWN && scaling.status === "ENABLED"
                    ? { min: num(scaling.minInstanceCount), max: num(scaling.maxInstanceCount) }
                    : undefined,
            routing: routingOf(v),
            volumeSizeInGb: num(v?.volumeSizeInGb),
            mlReservationArn:
                v?.capacityReservationConfig === UNKNOWN
                    ? UNKNOWN
                    : str(v?.capacityReservationConfig?.mlReservationArn),
        };
    });
}

/** The fewest instances a variant keeps: the managed minimum, else its initial count. */
export function minInstancesOf(v: VariantView): number | Unknown | undefined {
    return v.managed ? v.managed.min : v.initialInstanceCount;
}

/** Catalog entry of a known instance type value. */
export function catalogEntry(instanceType: string | Unknown | undefined): InstanceType | undefined {
    return typeof instanceType === "string" ? findInstanceType(instanceType) : undefined;
}

/** An inference component, as the rules read it. */
export interface InferenceComponentView {
    readonly inferenceComponentName: string | Unknown | undefined;
    readonly endpointName: string | Unknown | undefined;
    readonly variantName: string | Unknown | undefined;
    /** Set on adapter ICs, which run on their base's compute. */
    readonly baseInferenceComponentName: string | Unknown | undefined;
    readonly modelName: string | Unknown | undefined;
    readonly image: string | Unknown | undefined;
    /** `specification.container.artifactUrl`: an adapter's artifact. */
    readonly artifactUrl: string | Unknown | undefined;
    /** Whether the spec states compute requirements (adapters must not: they use their base's compute). */
    readonly hasCompute: boolean;
    readonly environment: Record<string, unknown>;
    readonly accelerators: number | Unknown | undefined;
    readonly copyCount: number | Unknown | undefined;
    readonly tags: Record<string, string | Unknown> | Unknown;
    /** `deploymentConfig` (rolling update, rollback alarms) as given; UNKNOWN or undefined. */
    readonly deploymentConfig: any;
    /** `specification.schedulingConfig` (placement, AZ balance) as given; UNKNOWN or undefined. */
    readonly schedulingConfig: any;
    /**
     * Every specification it deploys: `specification`, then each entry of aws-native's `specifications` (one
     * per instance type). An IC with neither reads as one empty `specification`, so a rule that needs one
     * reports it missing. The fields above read `specification` only.
     */
    readonly specifications: SpecificationView[];
}

/** One specification of an inference component, as the rules that read every specification read it. */
export interface SpecificationView {
    /** Where it is in the props: `specification`, or `specifications[<i>]`. */
    readonly path: string;
    /** The instance type an entry of `specifications` applies to; `undefined` for `specification`. */
    readonly instanceType: string | Unknown | undefined;
    readonly modelName: string | Unknown | undefined;
    readonly image: string | Unknown | undefined;
    /** `schedulingConfig` (placement, AZ balance) as given; UNKNOWN or undefined. */
    readonly schedulingConfig: any;
    /** `container.environment`: {} when it sets none, UNKNOWN when unknown. */
    readonly environment: Record<string, unknown> | Unknown;
    /** Whether it states `computeResourceRequirements`. */
    readonly hasCompute: boolean;
    /** `computeResourceRequirements`, per copy: what one copy takes on one instance. */
    readonly compute: SpecificationCompute;
}

/** An IC's compute per copy (`computeResourceRequirements`), each UNKNOWN or `undefined` when not known or set. */
export interface SpecificationCompute {
    readonly accelerators: number | Unknown | undefined;
    /** `minMemoryRequiredInMb` (MiB). */
    readonly memoryMib: number | Unknown | undefined;
    readonly cpuCores: number | Unknown | undefined;
}

const SINGLE_SPECIFICATION = "specification";

function computeOf(compute: any): SpecificationCompute {
    if (compute === UNKNOWN) return { accelerators: UNKNOWN, memoryMib: UNKNOWN, cpuCores: UNKNOWN };
    return {
        accelerators: num(compute?.numberOfAcceleratorDevicesRequired),
        memoryMib: num(compute?.minMemoryRequiredInMb),
        cpuCores: num(compute?.numberOfCpuCoresRequired),
    };
}

function specificationViewOf(spec: any, path: string): SpecificationView {
    const perInstanceType = path !== SINGLE_SPECIFICATION;
    if (spec === UNKNOWN) {
        return {
            path,
            instanceType: perInstanceType ? UNKNOWN : undefined,
            modelName: UNKNOWN,
            image: UNKNOWN,
            schedulingConfig: UNKNOWN,
            environment: UNKNOWN,
            hasCompute: true,
            compute: computeOf(UNKNOWN),
        };
    }
    const container = spec?.container;
    const env = container === UNKNOWN ? UNKNOWN : container?.environment;
    const compute = spec?.computeResourceRequirements;
    return {
        path,
        instanceType: perInstanceType ? str(spec?.instanceType) : undefined,
        modelName: str(spec?.modelName),
        image: container === UNKNOWN ? UNKNOWN : str(container?.image),
        schedulingConfig: spec?.schedulingConfig,
        environment: env === UNKNOWN ? UNKNOWN : env && typeof env === "object" && !Array.isArray(env) ? env : {},
        hasCompute: compute !== undefined && compute !== null,
        compute: computeOf(compute),
    };
}

function specificationsOf(props: any): SpecificationView[] {
    const perType = arr(props?.specifications);
    const entries =
        perType === UNKNOWN
            ? [specificationViewOf(UNKNOWN, "specifications")]
            : perType.map((spec, i) => specificationViewOf(spec, `specifications[${i}]`));
    const single = props?.specification;
    const hasSingle = single !== undefined && single !== null;
    return hasSingle || entries.length === 0
        ? [specificationViewOf(single, SINGLE_SPECIFICATION), ...entries]
        : entries;
}

/**
 * How messages name an IC's specification: `Inference component "<name>"` for `specification`, and
 * `Inference component "<name>" specification for <instance type>` for an entry of `specifications`.
 */
export function specificationSubject(resourceName: string, spec: SpecificationView): string {
    const what = `Inference component "${resourceName}"`;
    if (spec.path === SINGLE_SPECIFICATION) return what;
    return `${what} ${typeof spec.instanceType === "string" ? `specification for ${spec.instanceType}` : spec.path}`;
}

/**
 * The specification an IC deploys on `instanceType`: its entry of `specifications` for that type, else the
 * singular `specification` (`undefined` when it has neither for that type). UNKNOWN when an unknown entry
 * or type may be the one.
 */
export function specificationFor(
    ic: InferenceComponentView,
    instanceType: string,
): SpecificationView | Unknown | undefined {
    const perType = ic.specifications.filter((s) => s.path !== SINGLE_SPECIFICATION);
    const own = perType.find((s) => s.instanceType === instanceType);
    if (own) return own;
    if (perType.some((s) => s.instanceType === UNKNOWN)) return UNKNOWN;
    return ic.specifications.find((s) => s.path === SINGLE_SPECIFICATION);
}

/**
 * An IC as one of its specifications deploys it: the model, image, container env and accelerators of that
 * specification, the rest (name, tags, endpoint) of the IC. The sizing rules read each specification so.
 */
export function asSpecification(ic: InferenceComponentView, spec: SpecificationView): InferenceComponentView {
    return {
        ...ic,
        modelName: spec.modelName,
        image: spec.image,
        environment: spec.environment === UNKNOWN ? {} : spec.environment,
        hasCompute: spec.hasCompute,
        accelerators: spec.compute.accelerators,
    };
}

/** Reads an inference component's plain props. */
export function inferenceComponentOf(props: any): InferenceComponentView {
    const spec = props?.specification === UNKNOWN ? {} : (props?.specification ?? {});
    const container = spec.container === UNKNOWN ? {} : (spec.container ?? {});
    const compute = spec.computeResourceRequirements === UNKNOWN ? {} : (spec.computeResourceRequirements ?? {});
    const env = container.environment;
    return {
        inferenceComponentName: str(props?.inferenceComponentName),
        endpointName: str(props?.endpointName),
        variantName: str(props?.variantName),
        baseInferenceComponentName: str(spec.baseInferenceComponentName),
        modelName: str(spec.modelName),
        image: str(container.image),
        artifactUrl: str(container.artifactUrl),
        hasCompute: spec.computeResourceRequirements !== undefined && spec.computeResourceRequirements !== null,
        environment: env && env !== UNKNOWN && typeof env === "object" ? env : {},
        accelerators: num(compute.numberOfAcceleratorDevicesRequired),
        copyCount: num(props?.runtimeConfig === UNKNOWN ? UNKNOWN : props?.runtimeConfig?.copyCount),
        tags: tagsOf(props),
        deploymentConfig: props?.deploymentConfig,
        schedulingConfig: spec.schedulingConfig,
        specifications: specificationsOf(props),
    };
}

/** Whether an IC is a fine-tuned adapter on a base (it has no compute or size of its own). */
export function isAdapter(ic: InferenceComponentView): boolean {
    return ic.baseInferenceComponentName !== undefined;
}

/** A model size and where it was read from. */
export interface ModelSize {
    readonly billions: number;
    readonly source: string;
}

/**
 * The size of an IC's model: the `fmfleet:parameters-billions` tag, else a size parsed from the model
 * name, the env's model id, the image or the IC's name (`...-70b-...`), else `undefined`.
 */
export function modelSizeOf(
    ic: InferenceComponentView,
    modelEnvironment: Record<string, unknown> | Unknown = {},
): ModelSize | undefined {
    const tag = ic.tags === UNKNOWN ? undefined : num(ic.tags[PARAMETERS_BILLIONS_TAG]);
    if (typeof tag === "number" && tag > 0) return { billions: tag, source: `tag ${PARAMETERS_BILLIONS_TAG}` };
    const env = { ...(modelEnvironment === UNKNOWN ? {} : modelEnvironment), ...ic.environment };
    const candidates: [string, unknown][] = [
        ["env HF_MODEL_ID", env.HF_MODEL_ID],
        ["env OPTION_MODEL_ID", env.OPTION_MODEL_ID],
        ["model name", ic.modelName],
        ["image", ic.image],
        ["inference component name", ic.inferenceComponentName],
    ];
    for (const [source, value] of candidates) {
        const billions = parseParametersBillions(typeof value === "string" ? value : undefined);
        if (billions !== undefined) return { billions, source };
    }
    return undefined;
}

/**
 * The weight quantization of an IC: `OPTION_QUANTIZE` in its container env (or its model's), else the
 * `fmfleet:quantization` tag, else "none". UNKNOWN when the deciding value is unknown.
 */
export function quantizationOf(
    ic: InferenceComponentView,
    modelEnvironment: Record<string, unknown> | Unknown = {},
): Quantization | Unknown {
    const quantizeOption = (env: Record<string, unknown>) =>
        QUANTIZE_ENVS.map((k) => env[k]).find((v) => v !== undefined);
    // An unknown model env may set the option: only the IC's own env decides then.
    if (modelEnvironment === UNKNOWN && quantizeOption(ic.environment) === undefined) return UNKNOWN;
    const option = quantizeOption({ ...(modelEnvironment === UNKNOWN ? {} : modelEnvironment), ...ic.environment });
    if (option === UNKNOWN) return UNKNOWN;
    const fromEnv = quantizationFromOption(typeof option === "string" ? option : undefined);
    if (fromEnv) return fromEnv;
    if (ic.tags === UNKNOWN) return UNKNOWN;
    const tag = ic.tags[QUANTIZATION_TAG];
    if (tag === UNKNOWN) return UNKNOWN;
    // Tags from hand-written programs may be anything: only a string names a quantization.
    return quantizationFromOption(typeof tag === "string" ? tag : undefined) ?? "none";
}

/**
 * The container a SageMaker model serves from, in either provider's shape: `primaryContainer`, else the
 * first of `containers` (both providers accept either). UNKNOWN when unknown; `undefined` when neither is set.
 */
export function servingContainerOf(modelProps: any): any {
    const primary = modelProps?.primaryContainer;
    if (primary !== undefined && primary !== null) return primary;
    const containers = arr(modelProps?.containers);
    return containers === UNKNOWN ? UNKNOWN : containers[0];
}

/** The environment of a SageMaker model's serving container: {} when it sets none, UNKNOWN when unknown. */
export function modelEnvironmentOf(modelProps: any): Record<string, unknown> | Unknown {
    const container = servingContainerOf(modelProps);
    const env = container === UNKNOWN ? UNKNOWN : container?.environment;
    if (env === UNKNOWN) return UNKNOWN;
    return env && typeof env === "object" && !Array.isArray(env) ? env : {};
}

/**
 * Where a SageMaker model (either provider's shape) reads its weights: its serving container's S3 data
 * source, else its `modelDataUrl`. A model serves an optimization job's output when this is the job's.
 */
export function servedWeightsUrlOf(modelProps: any): string | Unknown | undefined {
    const container = servingContainerOf(modelProps);
    if (container === UNKNOWN) return UNKNOWN;
    const source = container?.modelDataSource;
    if (source === UNKNOWN) return UNKNOWN;
    const first = Array.isArray(source?.s3DataSources) ? source.s3DataSources[0] : undefined;
    return str(first?.s3Uri ?? container?.modelDataUrl);
}

/** An optimization job (fm-fleet's dynamic resource), read defensively from its plain props. */
export interface OptimizationJobView {
    readonly optimizationJobName: string | Unknown | undefined;
    /** `deploymentInstanceType`: the type the job optimizes for and is priced at. */
    readonly instanceType: string | Unknown | undefined;
    /** `maxInstanceCount` (1 when not set). */
    readonly instanceCount: number | Unknown;
    /** The model it reads: `modelSource.s3.s3Uri`, or `sagemaker-model:<name>`. */
    readonly source: string | Unknown | undefined;
    /** Where it writes the optimized model: `outputConfig.s3OutputLocation`. */
    readonly outputUrl: string | Unknown | undefined;
    /** Its optimizations, by the API's config names without `Model...Config` (`Quantization`, `SpeculativeDecoding`). */
    readonly techniques: string[];
    /** The quantization its quantization config sets (`OPTION_QUANTIZE`); "none" without one. */
    readonly quantization: Quantization | Unknown;
    /** The `fmfleet:estimated-hours` tag, else the stopping condition's maximum runtime, in hours. */
    readonly hours: { readonly value: number; readonly source: string } | undefined;
    readonly tags: Record<string, string | Unknown> | Unknown;
}

/** Reads an optimization job's plain props. */
export function optimizationJobOf(props: any): OptimizationJobView {
    const configs = arr(props?.optimizationConfigs);
    const list = configs === UNKNOWN ? [] : configs.filter((c) => c && typeof c === "object");
    const techniques = list.flatMap((c) =>
        Object.keys(c)
            .filter((k) => c[k] !== undefined && c[k] !== null)
            .map((k) => k.replace(/^model/, "").replace(/Config$/, "")),
    );
    const quantize = list.map((c) => c.modelQuantizationConfig?.overrideEnvironment?.[OPTIMIZATION_QUANTIZE_ENV]);
    const option = quantize.find((v) => v !== undefined);
    const quantization =
        configs === UNKNOWN || option === UNKNOWN
            ? UNKNOWN
            : (quantizationFromOption(typeof option === "string" ? option : undefined) ?? "none");
    const source = props?.modelSource;
    const sageMakerModel = str(source?.sageMakerModel?.modelName);
    const tags = tagsOf(props);
    const tagged = tags === UNKNOWN ? undefined : num(tags[ESTIMATED_HOURS_TAG]);
    const maxRuntime = num(props?.stoppingCondition?.maxRuntimeInSeconds);
    const count = num(props?.maxInstanceCount);
    return {
        optimizationJobName: str(props?.optimizationJobName),
        instanceType: str(props?.deploymentInstanceType),
        instanceCount: count === UNKNOWN ? UNKNOWN : count !== undefined && count >= 1 ? count : 1,
        source:
            source === UNKNOWN
                ? UNKNOWN
                : (str(source?.s3?.s3Uri) ??
                  (typeof sageMakerModel === "string" ? `sagemaker-model:${sageMakerModel}` : undefined)),
        outputUrl: props?.outputConfig === UNKNOWN ? UNKNOWN : str(props?.outputConfig?.s3OutputLocation),
        techniques,
        quantization,
        hours:
            typeof tagged === "number" && tagged > 0
                ? { value: tagged, source: `tag ${ESTIMATED_HOURS_TAG}` }
                : typeof maxRuntime === "number" && maxRuntime > 0
                  ? { value: maxRuntime / 3600, source: "its maximum runtime" }
                  : undefined,
        tags,
    };
}
