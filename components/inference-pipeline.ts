import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { takesVolumeKey } from "../lib/catalog";
import { ROUTING_STRATEGIES, Routing } from "../lib/contract";
import { SERIAL_MODE } from "../lib/pipeline";
import { INFERENCE_ENDPOINT_DEFAULTS, VpcArgs, vpcConfig } from "./inference-endpoint";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";
import { containerIssues } from "./pipeline-rules";

/** Defaults of {@link InferencePipelineArgs}, in one place. */
export const INFERENCE_PIPELINE_DEFAULTS = {
    routing: INFERENCE_ENDPOINT_DEFAULTS.routing,
    networkIsolation: true,
} as const;

/** One container of a pipeline, in SageMaker's `ContainerDefinition` terms. */
export interface PipelineContainerArgs {
    /** Image URI of the container (ECR: the execution role is granted the pull). */
    readonly image: string;
    /**
     * `s3://` URL of a single `.tar.gz` SageMaker unpacks into the container's `/opt/ml/model` (the API
     * reference's ContainerDefinition ModelDataUrl). @default none - the container loads no model data
     */
    readonly modelDataUrl?: string;
    /** Environment variables of the container. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
}

/** Arguments of {@link InferencePipeline}. */
export interface InferencePipelineArgs {
    /** Instance type, e.g. `ml.m5.xlarge`: every container runs on every instance. */
    readonly instanceType: string;
    /**
     * Instances the endpoint keeps, at all times (>= 1): a pipeline's variant is not autoscaled, so its idle
     * floor and peak ceiling are this count.
     */
    readonly instances: number;
    /** The containers, in the order a request runs through them: 1 to 15 (the API's limit). */
    readonly containers: readonly PipelineContainerArgs[];
    /** Role the containers run with: it must pull their images and read their model data. */
    readonly executionRoleArn: pulumi.Input<string>;
    /** Request routing across instances. @default "least-outstanding-requests" */
    readonly routing?: Routing;
    /**
     * KMS key for the instances' storage volume, set only on EBS-only instance types (the API refuses one
     * for types with local NVMe storage). @default none - AWS-managed encryption
     */
    readonly kmsKeyArn?: string;
    /** Runs the containers without network access. @default true */
    readonly networkIsolation?: boolean;
    /** VPC the containers run in. @default none - SageMaker's network */
    readonly vpc?: VpcArgs;
    /** Readable parts the physical names start with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for every taggable child. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A serial inference pipeline on a classic endpoint: one SageMaker model whose containers run in order
 * (`InferenceExecutionConfig.Mode: Serial`), e.g. pre-processing -> model -> post-processing, on every
 * instance of a one-variant endpoint. Clients call it with a plain InvokeEndpoint (no inference component).
 */
export class InferencePipeline extends pulumi.ComponentResource {
    /** The pipeline's SageMaker model (its `containers`, in order). */
    declare public readonly model: aws.sagemaker.Model;
    /** The endpoint configuration: one production variant serving the model. */
    declare public readonly configuration: aws.sagemaker.EndpointConfiguration;
    /** The endpoint. */
    declare public readonly endpoint: aws.sagemaker.Endpoint;
    /** The endpoint's name, for clients. */
    declare public readonly endpointName: pulumi.Output<string>;
    /** The physical names, known before deployment. */
    declare public readonly physicalNames: {
        readonly model: string;
        readonly endpointConfig: string;
        readonly endpoint: string;
    };

    constructor(name: string, args: InferencePipelineArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:sagemaker:InferencePipeline", name, {}, opts);
        const d = INFERENCE_PIPELINE_DEFAULTS;
        const tags = { ...args.tags };
        const names = new ChildNames("fm-fleet:sagemaker:InferencePipeline", name, args.nameParts ?? partsOf(name));

        // No containerHostname: the API names each container by its position, and one named container
        // would oblige every other to be named (API reference, ContainerDefinition ContainerHostname).
        const model = {
            containers: args.containers.map((c) => ({
                image: c.image,
                ...(c.modelDataUrl !== undefined && { modelDataUrl: c.modelDataUrl }),
                ...(c.environment !== undefined && { environment: { ...c.environment } }),
            })),
            inferenceExecutionConfig: { mode: SERIAL_MODE },
            enableNetworkIsolation: args.networkIsolation ?? d.networkIsolation,
            vpcConfig: vpcConfig(args.vpc),
        };
        const modelName = names.name("model", { content: model });
        const config = {
            kmsKeyArn: takesVolumeKey([args.instanceType]) ? args.kmsKeyArn : undefined,
            productionVariants: [
                {
                    variantName: INFERENCE_ENDPOINT_DEFAULTS.variantName,
                    modelName,
                    instanceType: args.instanceType,
                    initialInstanceCount: args.instances,
                    routingConfigs: [{ routingStrategy: ROUTING_STRATEGIES[args.routing ?? d.routing] }],
                },
            ],
        };
        // Models and endpoint configurations are immutable: their names hash their inputs, so a new
        // container or count is a new one beside the old. The endpoint is updated in place (no scalable
        // target holds its variant), so its name is its identity only.
        this.physicalNames = {
            model: modelName,
            endpointConfig: names.name("config", { content: config }),
            endpoint: names.name("endpoint"),
        };
        this.model = new aws.sagemaker.Model(
            `${name}-model`,
            { ...model, name: modelName, executionRoleArn: args.executionRoleArn, tags },
            { parent: this },
        );
        this.configuration = new aws.sagemaker.EndpointConfiguration(
            `${name}-config`,
            {
                ...config,
                name: this.physicalNames.endpointConfig,
                // Depend on the model resource, not just its name.
                productionVariants: config.productionVariants.map((v) => ({ ...v, modelName: this.model.name })),
                tags,
            },
            { parent: this },
        );
        this.endpoint = new aws.sagemaker.Endpoint(
            `${name}-endpoint`,
            { name: this.physicalNames.endpoint, endpointConfigName: this.configuration.name, tags },
            { parent: this },
        );
        this.endpointName = this.endpoint.name;
        this.registerOutputs({ endpointName: this.endpointName });
    }
}

/** Checks the plain arguments; throws one error naming every problem. */
function checkArgs(name: string, args: InferencePipelineArgs): void {
    const check = new ArgsCheck("InferencePipeline", name)
        .instanceType("args.instanceType", args.instanceType)
        .count("args.instances", args.instances, 1, "instances");
    args.containers.forEach((c, i) => {
        if (c.modelDataUrl !== undefined) {
            check.s3Url(`args.containers[${i}].modelDataUrl`, c.modelDataUrl, "s3://<bucket>/<step>/model.tar.gz");
        }
    });
    for (const issue of containerIssues(args.containers)) check.fail(`args.${issue.path}`, issue.message);
    check.done();
}
