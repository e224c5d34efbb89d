import * as pulumi from "@pulumi/pulumi";
import { COST_CENTER_TAG, GUARD_CATEGORIES_TAG, GUARD_FAMILY_TAG, GUARD_FOR_TAG } from "../lib/contract";
import { categoriesOf, GUARD_DEFAULTS, GuardNames } from "../lib/guard";
import { FleetConfig, GuardConfig, unreadConfigKeyWarning, validateStackSettings } from "./config";
import { recordConfigSource } from "./config-source";
import { ExecutionRole } from "./execution-role";
import { FoundationModel, rollbackAlarmNamesOf } from "./foundation-model";
import { InferenceEndpoint } from "./inference-endpoint";
import { InferencePipeline } from "./inference-pipeline";
import { MultiModelEndpoint } from "./multi-model-endpoint";
import { FleetObservability } from "./observability";
import { RolloutArgs } from "./rollout";

/** Arguments of {@link Fleet}: the stack config, validated by the fleet before anything is created. */
export interface FleetArgs {
    /** The `fm-fleet:fleet` config (shape in the README); validated, so it may come straight from YAML. */
    readonly fleet: unknown;
    /** The `fm-fleet:costCenter` config: the `cost-center` tag of every taggable resource. */
    readonly costCenter: unknown;
    /**
     * Every key the stack sets in the `fm-fleet` config namespace, without the namespace (index.ts passes
     * them from `pulumi.runtime.allConfig()`), so a misspelt one (`costCentre`) is named beside the key it
     * leaves missing; any other key the program does not read (`team`, for other tooling) gets a warning,
     * not an error. @default [] - other keys of the namespace are not looked for
     */
    readonly configKeys?: readonly string[];
}

/** The physical names of one foundation model: its SageMaker model, base IC and adapter ICs. */
export interface ModelNames {
    readonly modelName: string;
    readonly inferenceComponentName: string;
    /** Adapter config name -> adapter inference component name. */
    readonly adapters: Record<string, string>;
}

/** What clients need to call one inference-component endpoint, and the names of what it is made of. */
export interface EndpointNames {
    readonly endpointName: string;
    readonly endpointConfigName: string;
    /** Foundation model config name -> its physical names. */
    readonly models: Record<string, ModelNames>;
    /** The endpoint's safety guard, when it has one. */
    readonly guard?: GuardNames;
}

/** The safety guard of an endpoint: what the runtime client needs to screen prompts and answers. */
export type { GuardNames };

/** The physical names of one multi-model endpoint. */
export interface MultiModelEndpointNames {
    readonly endpointName: string;
    readonly endpointConfigName: string;
    readonly modelName: string;
}

/** The physical names of one serial inference pipeline: a plain InvokeEndpoint on `endpointName` runs it. */
export interface PipelineNames {
    readonly endpointName: string;
    readonly endpointConfigName: string;
    readonly modelName: string;
}

/**
 * The whole fleet of a stack: one execution role, the inference-component endpoints with their foundation
 * models, adapters and autoscaling, the multi-model endpoints, and the serial inference pipelines. Throws a
 * `FleetConfigError` listing every config problem before any resource is registered.
 */
export class Fleet extends pulumi.ComponentResource {
    /** The validated config. */
    public readonly config: FleetConfig;
    /** The execution role all endpoints and models use. */
    public readonly role: ExecutionRole;
    /** Config endpoint name -> the endpoint component. */
    public readonly endpoints: ReadonlyMap<string, InferenceEndpoint>;
    /** `<endpoint>/<model>` -> the foundation model component. */
    public readonly foundationModels: ReadonlyMap<string, FoundationModel>;
    /** Config endpoint name -> its safety guard (a FoundationModel of its own base inference component). */
    public readonly guards: ReadonlyMap<string, FoundationModel>;
    /** Config name -> the multi-model endpoint component. */
    public readonly multiModelEndpoints: ReadonlyMap<string, MultiModelEndpoint>;
    /** Config endpoint name -> its physical names (known before deployment: see the README's naming rule). */
    public readonly endpointNames: Record<string, EndpointNames>;
    /** Config name -> the multi-model endpoint's physical names. */
    public readonly multiModelEndpointNames: Record<string, MultiModelEndpointNames>;
    /** Config name -> the serial inference pipeline component. */
    public readonly pipelines: ReadonlyMap<string, InferencePipeline>;
    /** Config name -> the pipeline's physical names. */
    public readonly pipelineNames: Record<string, PipelineNames>;
    /** The dashboard and SLO alarms of the inference-component endpoints; `undefined` when there are none. */
    public readonly observability: FleetObservability | undefined;
    /** The dashboard's address in the CloudWatch console; `undefined` without inference-component endpoints. */
    public readonly dashboardUrl: string | undefined;

    constructor(name: string, args: FleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): not even this component is registered from an invalid config.
        const settings = validateStackSettings(args.fleet, args.costCenter, args.configKeys);
        super("fm-fleet:index:Fleet", name, {}, opts);
        for (const key of settings.unreadConfigKeys) void pulumi.log.warn(unreadConfigKeyWarning(key), this);
        const fleet = settings.fleet;
        this.config = fleet;
        const tags = { [COST_CENTER_TAG]: settings.costCenter };
        const endpoints = fleet.endpoints ?? [];
        const mmes = fleet.multiModelEndpoints ?? [];
        const pipelines = fleet.pipelines ?? [];

        this.role = new ExecutionRole(
            `${name}-execution`,
            {
                artifactUrls: [
                    ...endpoints.flatMap((e) =>
                        // A draft model sits inside its model data: the model's grant covers it.
                        [...e.foundationModels, ...(e.guard ? [e.guard] : [])].flatMap((m: ModelLike) => [
                            m.modelDataUrl,
                            ...(m.adapters ?? []).map((a) => a.artifactUrl),
                            // An optimization job reads its training data; the model reads the job's output.
                            ...(m.optimization?.speculativeDecoding?.trainingDataUrl
                                ? [m.optimization.speculativeDecoding.trainingDataUrl]
                                : []),
                            ...(m.optimization ? [m.optimization.outputUrl] : []),
                        ]),
                    ),
                    ...mmes.map((m) => m.modelsPrefix),
                    ...pipelines.flatMap((p) => p.containers.flatMap((c) => (c.modelDataUrl ? [c.modelDataUrl] : []))),
                ],
                // Optimization jobs run as this role too: they write the optimized models.
                outputUrls: endpoints.flatMap((e) =>
                    e.foundationModels.flatMap((m) => (m.optimization ? [m.optimization.outputUrl] : [])),
                ),
                // SageMaker writes captured data with the endpoint's role; it never reads it back.
                captureUrls: [...endpoints, ...mmes].flatMap((e) =>
                    e.dataCapture ? [e.dataCapture.destinationS3Uri] : [],
                ),
                // Every model, endpoint configuration and optimization job of the fleet runs in fleet.vpc.
                vpc: fleet.vpc !== undefined,
                // SageMaker reads the rollback alarms of a rollout (DescribeAlarms) with the endpoint's role.
                rollbackAlarmNames: endpoints.flatMap((e) =>
                    [...e.foundationModels, ...(e.guard ? [e.guard] : [])].flatMap((m: ModelLike) =>
                        rolloutOf(m, fleet)
                            ? rollbackAlarmNamesOf(`${name}/${e.name}/${m.name}`, [e.name, m.name])
                            : [],
                    ),
                ),
                images: [
                    ...endpoints.flatMap((e) =>
                        [...e.foundationModels, ...(e.guard ? [e.guard] : [])].flatMap((m: ModelLike) => [
                            m.image,
                            ...(m.optimization?.image ? [m.optimization.image] : []),
                        ]),
                    ),
                    ...mmes.map((m) => m.image),
                    ...pipelines.flatMap((p) => p.containers.map((c) => c.image)),
                ],
                kmsKeyArn: fleet.kmsKeyArn,
                tags,
            },
            { parent: this },
        );

        const endpointComponents = new Map<string, InferenceEndpoint>();
        const models = new Map<string, FoundationModel>();
        for (const e of endpoints) {
            // Logical names join config names with "/", which config names cannot contain: endpoint "chat" with
            // model "llama3-8b" and endpoint "chat-llama3" with model "8b" stay two resources.
            const endpoint = new InferenceEndpoint(
                `${name}/${e.name}`,
                {
                    instanceType: e.instanceType,
                    fallbackPools: e.fallbackInstanceTypes?.map((instanceType, k) => ({
                        instanceType,
                        priority: k + 2,
                    })),
                    provisionTimeoutSeconds: e.provisionTimeoutSeconds,
                    scaleIn: e.scaleIn,
                    instances: e.instances,
                    routing: e.routing,
                    prefixRouting: e.prefixRouting,
                    capacityReservation: e.capacityReservation,
                    inferenceAmiVersion: e.inferenceAmiVersion,
                    metrics: fleet.metrics,
                    executionRoleArn: this.role.arn,
                    kmsKeyArn: fleet.kmsKeyArn,
                    networkIsolation: e.networkIsolation,
                    vpc: fleet.vpc,
                    dataCapture: e.dataCapture,
                    volumeSizeInGb: e.volumeSizeInGb,
                    nameParts: [e.name],
                    tags,
                },
                { parent: this },
            );
            endpointComponents.set(e.name, endpoint);
            for (const m of e.foundationModels) {
                models.set(
                    `${e.name}/${m.name}`,
                    new FoundationModel(
                        `${name}/${e.name}/${m.name}`,
                        {
                            ...m,
                            // A model's own rollout and placement replace the fleet's; `rollout: false` opts out.
                            rollout: rolloutOf(m, fleet),
                            placement: m.placement ?? fleet.placement,
                            instanceTypes: [e.instanceType, ...(e.fallbackInstanceTypes ?? [])],
                            nameParts: [e.name, m.name],
                            endpointName: endpoint.endpointName,
                            variantName: endpoint.variantName,
                            executionRoleArn: this.role.arn,
                            vpc: fleet.vpc,
                            // The job optimizes for the endpoint's type unless told otherwise, and encrypts
                            // its output with the fleet's key.
                            optimization: m.optimization && {
                                ...m.optimization,
                                instanceType: m.optimization.instanceType ?? e.instanceType,
                                kmsKeyId: fleet.kmsKeyArn,
                            },
                            tags,
                        },
                        // Models hang under their endpoint so the stack tree reads endpoint -> model -> adapters.
                        { parent: endpoint },
                    ),
                );
            }
        }
        this.endpoints = endpointComponents;
        this.foundationModels = models;
        this.guards = new Map(
            endpoints.flatMap((e) => {
                const g = e.guard;
                if (!g) return [];
                const endpoint = endpointComponents.get(e.name)!;
                const guard = new FoundationModel(
                    `${name}/${e.name}/${g.name}`,
                    {
                        image: g.image,
                        modelDataUrl: g.modelDataUrl,
                        parametersBillions: g.parametersBillions,
                        quantization: g.quantization,
                        accelerators: g.accelerators,
                        memoryMb: g.memoryMb,
                        copies: g.copies,
                        // A guard rolls out and spreads as the fleet's models do.
                        rollout: fleet.rollout,
                        placement: fleet.placement,
                        instanceTypes: [e.instanceType, ...(e.fallbackInstanceTypes ?? [])],
                        nameParts: [e.name, g.name],
                        endpointName: endpoint.endpointName,
                        variantName: endpoint.variantName,
                        executionRoleArn: this.role.arn,
                        vpc: fleet.vpc,
                        tags,
                        inferenceComponentTags: guardTags(g),
                    },
                    { parent: endpoint },
                );
                return [[e.name, guard] as const];
            }),
        );

        // One dashboard and each base model's SLO alarms: what a deployed fleet looks like, and when it misses.
        this.observability =
            endpoints.length === 0
                ? undefined
                : new FleetObservability(
                      `${name}-observability`,
                      {
                          endpoints: endpoints.map((e) => ({
                              endpoint: e.name,
                              endpointName: endpointComponents.get(e.name)!.physicalNames.endpoint,
                              variantName: endpointComponents.get(e.name)!.variantName,
                          })),
                          // A guard is a base model of its endpoint too: watched and alarmed like the others.
                          models: endpoints.flatMap((e) => [
                              ...e.foundationModels.map((m) => {
                                  const model = models.get(`${e.name}/${m.name}`)!;
                                  return {
                                      endpoint: e.name,
                                      model: m.name,
                                      inferenceComponentName: model.physicalNames.inferenceComponent,
                                      adapterComponentNames: [...(model.adapters?.physicalNames.values() ?? [])],
                                      scalesToZero: m.copies.min === 0,
                                      slo: m.slo,
                                  };
                              }),
                              ...(e.guard
                                  ? [
                                        {
                                            endpoint: e.name,
                                            model: e.guard.name,
                                            inferenceComponentName: this.guards.get(e.name)!.physicalNames
                                                .inferenceComponent,
                                            adapterComponentNames: [],
                                            scalesToZero: e.guard.copies.min === 0,
                                            slo: undefined,
                                        },
                                    ]
                                  : []),
                          ]),
                          periodSeconds: fleet.metrics?.publishFrequencySeconds,
                          topicArn: fleet.alarms?.topicArn,
                          latencyMs: fleet.alarms?.latencyMs,
                          errorRatePercent: fleet.alarms?.errorRatePercent,
                          nameParts: ["fleet"],
                          tags,
                      },
                      { parent: this },
                  );
        this.dashboardUrl = this.observability?.dashboardUrl;

        this.multiModelEndpoints = new Map(
            mmes.map((m) => [
                m.name,
                new MultiModelEndpoint(
                    `${name}/${m.name}`,
                    {
                        ...m,
                        executionRoleArn: this.role.arn,
                        kmsKeyArn: fleet.kmsKeyArn,
                        vpc: fleet.vpc,
                        nameParts: [m.name],
                        tags,
                    },
                    { parent: this },
                ),
            ]),
        );

        this.pipelines = new Map(
            pipelines.map((p) => [
                p.name,
                new InferencePipeline(
                    `${name}/${p.name}`,
                    {
                        ...p,
                        executionRoleArn: this.role.arn,
                        kmsKeyArn: fleet.kmsKeyArn,
                        vpc: fleet.vpc,
                        nameParts: [p.name],
                        tags,
                    },
                    { parent: this },
                ),
            ]),
        );
        this.pipelineNames = Object.fromEntries(
            pipelines.map((p) => {
                const names = this.pipelines.get(p.name)!.physicalNames;
                return [
                    p.name,
                    { endpointName: names.endpoint, endpointConfigName: names.endpointConfig, modelName: names.model },
                ];
            }),
        );

        // Where in the stack config each component comes from: the offline plan points a violation back to it.
        recordConfigSource(this, "fleet");
        endpoints.forEach((e, i) => {
            const at = `fleet.endpoints[${i}]`;
            recordConfigSource(endpointComponents.get(e.name)!, at);
            e.foundationModels.forEach((m, j) => {
                const model = models.get(`${e.name}/${m.name}`)!;
                recordConfigSource(model, `${at}.foundationModels[${j}]`);
                (m.adapters ?? []).forEach((a, k) => {
                    const ic = model.adapters?.components.get(a.name);
                    if (ic) recordConfigSource(ic, `${at}.foundationModels[${j}].adapters[${k}]`);
                });
            });
            const guard = this.guards.get(e.name);
            if (guard) recordConfigSource(guard, `${at}.guard`);
        });
        mmes.forEach((m, i) =>
            recordConfigSource(this.multiModelEndpoints.get(m.name)!, `fleet.multiModelEndpoints[${i}]`),
        );
        pipelines.forEach((p, i) => recordConfigSource(this.pipelines.get(p.name)!, `fleet.pipelines[${i}]`));

        this.endpointNames = Object.fromEntries(
            endpoints.map((e) => {
                const endpoint = endpointComponents.get(e.name)!;
                const modelNames = e.foundationModels.map((m): [string, ModelNames] => {
                    const model = models.get(`${e.name}/${m.name}`)!;
                    return [
                        m.name,
                        {
                            modelName: model.physicalNames.model,
                            inferenceComponentName: model.physicalNames.inferenceComponent,
                            adapters: Object.fromEntries(model.adapters?.physicalNames ?? []),
                        },
                    ];
                });
                const guard = this.guards.get(e.name);
                return [
                    e.name,
                    {
                        endpointName: endpoint.physicalNames.endpoint,
                        endpointConfigName: endpoint.physicalNames.endpointConfig,
                        models: Object.fromEntries(modelNames),
                        ...(e.guard &&
                            guard && {
                                guard: {
                                    name: e.guard.name,
                                    inferenceComponentName: guard.physicalNames.inferenceComponent,
                                    family: e.guard.family ?? GUARD_DEFAULTS.family,
                                    checks: e.guard.checks,
                                    categories:
                                        e.guard.categories ?? categoriesOf(e.guard.family ?? GUARD_DEFAULTS.family),
                                },
                            }),
                    },
                ];
            }),
        );
        this.multiModelEndpointNames = Object.fromEntries(
            mmes.map((m) => {
                const names = this.multiModelEndpoints.get(m.name)!.physicalNames;
                return [
                    m.name,
                    { endpointName: names.endpoint, endpointConfigName: names.endpointConfig, modelName: names.model },
                ];
            }),
        );

        this.registerOutputs({
            endpoints: this.endpointNames,
            multiModelEndpoints: this.multiModelEndpointNames,
            pipelines: this.pipelineNames,
            dashboardUrl: this.dashboardUrl,
        });
    }
}

type ModelConfig = NonNullable<FleetConfig["endpoints"]>[number]["foundationModels"][number];
/** A foundation model or a guard, as the execution role reads them. */
type ModelLike = Partial<ModelConfig> & Pick<ModelConfig, "name" | "modelDataUrl" | "image">;

/** A model's own rollout, else the fleet's; `rollout: false` opts out. A guard takes the fleet's. */
function rolloutOf(m: ModelLike, fleet: FleetConfig): RolloutArgs | undefined {
    return m.rollout === false ? undefined : (m.rollout ?? fleet.rollout);
}

/** The contract tags of a guard's inference component (lib/contract), which the pack recognizes it by. */
function guardTags(g: GuardConfig): Record<string, string> {
    return {
        [GUARD_FOR_TAG]: g.checks.join(","),
        [GUARD_FAMILY_TAG]: g.family ?? GUARD_DEFAULTS.family,
        ...(g.categories && { [GUARD_CATEGORIES_TAG]: g.categories.join(",") }),
    };
}
