import * as pulumi from "@pulumi/pulumi";
import { COST_CENTER_TAG } from "../lib/contract";
import { FleetConfig, validateStackSettings } from "./config";
import { ExecutionRole } from "./execution-role";
import { FoundationModel } from "./foundation-model";
import { InferenceEndpoint } from "./inference-endpoint";
import { MultiModelEndpoint } from "./multi-model-endpoint";

/** Arguments of {@link Fleet}: the stack config, validated by the fleet before anything is created. */
export interface FleetArgs {
    /** The `fm-fleet:fleet` config (shape in the README); validated, so it may come straight from YAML. */
    readonly fleet: unknown;
    /** The `fm-fleet:costCenter` config: the `cost-center` tag of every taggable resource. */
    readonly costCenter: unknown;
}

/** What clients need to call one inference-component endpoint. */
export interface EndpointNames {
    readonly endpointName: string;
    /** Foundation model -> its base inference component and its adapters' inference components. */
    readonly models: Record<string, { inferenceComponentName: string; adapters: Record<string, string> }>;
}

/**
 * The whole fleet of a stack: one execution role, the inference-component endpoints with their foundation
 * models, adapters and autoscaling, and the multi-model endpoints. Throws a `FleetConfigError` listing
 * every config problem before any resource is registered.
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
    /** Config name -> the multi-model endpoint component. */
    public readonly multiModelEndpoints: ReadonlyMap<string, MultiModelEndpoint>;
    /** Config endpoint name -> names to invoke it with. */
    public readonly endpointNames: pulumi.Output<Record<string, EndpointNames>>;
    /** Config name -> multi-model endpoint name. */
    public readonly multiModelEndpointNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): not even this component is registered from an invalid config.
        const settings = validateStackSettings(args.fleet, args.costCenter);
        super("fm-fleet:index:Fleet", name, {}, opts);
        const fleet = settings.fleet;
        this.config = fleet;
        const tags = { [COST_CENTER_TAG]: settings.costCenter };
        const endpoints = fleet.endpoints ?? [];
        const mmes = fleet.multiModelEndpoints ?? [];

        this.role = new ExecutionRole(
            `${name}-execution`,
            {
                artifactUrls: [
                    ...endpoints.flatMap((e) =>
                        e.foundationModels.flatMap((m) => [
                            m.modelDataUrl,
                            ...(m.speculativeDecoding ? [m.speculativeDecoding.draftModelUrl] : []),
                            ...(m.adapters ?? []).map((a) => a.artifactUrl),
                        ]),
                    ),
                    ...mmes.map((m) => m.modelsPrefix),
                    ...[...endpoints, ...mmes].flatMap((e) => (e.dataCapture ? [e.dataCapture.destinationS3Uri] : [])),
                ],
                images: [
                    ...endpoints.flatMap((e) => e.foundationModels.map((m) => m.image)),
                    ...mmes.map((m) => m.image),
                ],
                kmsKeyArn: fleet.kmsKeyArn,
                tags,
            },
            { parent: this },
        );

        const endpointComponents = new Map<string, InferenceEndpoint>();
        const models = new Map<string, FoundationModel>();
        for (const e of endpoints) {
            const endpoint = new InferenceEndpoint(
                `${name}-${e.name}`,
                {
                    instanceType: e.instanceType,
                    instances: e.instances,
                    routing: e.routing,
                    executionRoleArn: this.role.arn,
                    kmsKeyArn: fleet.kmsKeyArn,
                    dataCapture: e.dataCapture,
                    volumeSizeInGb: e.volumeSizeInGb,
                    tags,
                },
                { parent: this },
            );
            endpointComponents.set(e.name, endpoint);
            for (const m of e.foundationModels) {
                models.set(
                    `${e.name}/${m.name}`,
                    new FoundationModel(
                        `${name}-${e.name}-${m.name}`,
                        {
                            ...m,
                            endpointName: endpoint.endpointName,
                            variantName: endpoint.variantName,
                            executionRoleArn: this.role.arn,
                            vpc: fleet.vpc,
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

        this.multiModelEndpoints = new Map(
            mmes.map((m) => [
                m.name,
                new MultiModelEndpoint(
                    `${name}-${m.name}`,
                    { ...m, executionRoleArn: this.role.arn, kmsKeyArn: fleet.kmsKeyArn, vpc: fleet.vpc, tags },
                    { parent: this },
                ),
            ]),
        );

        // pulumi.output unwraps nested Outputs, so the export is one plain object per endpoint.
        this.endpointNames = pulumi.output(
            Object.fromEntries(
                endpoints.map((e) => [
                    e.name,
                    {
                        endpointName: endpointComponents.get(e.name)!.endpointName,
                        models: Object.fromEntries(
                            e.foundationModels.map((m) => {
                                const model = models.get(`${e.name}/${m.name}`)!;
                                return [
                                    m.name,
                                    {
                                        inferenceComponentName: model.inferenceComponentName,
                                        adapters: model.adapters?.componentNames ?? {},
                                    },
                                ];
                            }),
                        ),
                    },
                ]),
            ),
        ) as pulumi.Output<Record<string, EndpointNames>>;
        this.multiModelEndpointNames = pulumi
            .all(mmes.map((m) => this.multiModelEndpoints.get(m.name)!.endpointName))
            .apply((list) => Object.fromEntries(mmes.map((m, i) => [m.name, list[i]])));

        this.registerOutputs({ endpoints: this.endpointNames, multiModelEndpoints: this.multiModelEndpointNames });
    }
}
