import { localStorageType } from "../../lib/catalog";
import {
    IAM_TYPES,
    SAGEMAKER_TYPES,
    SCALING_TYPES,
    TARGET_TRACKING_RANGES,
    TARGET_VALUE_BOUND_TEXT,
    TYPES,
} from "../../lib/contract";
import { isTarGz } from "../../lib/artifacts";
import { SAGEMAKER_NAME_MAX, sageMakerNameProblem } from "../../lib/names";
import { PIPELINE_CONTAINERS_MAX } from "../../lib/pipeline";
import { arr, num, shown, UNKNOWN } from "./props";
import { missingRoleGrants } from "./role-permissions";
import { Node, StackGraph } from "./stack-graph";
import {
    inferenceComponentOf,
    isAdapter,
    kmsKeyOf,
    physicalNameOf,
    provisionedVariantsOf,
    specificationSubject,
    variantLabel,
} from "./views";

/**
 * Rules of the SageMaker API that mocks never enforce and CloudFormation schemas do not encode: a resource
 * that breaks one fails at `pulumi up`, after everything before it was created. The policy pack enforces
 * them as mandatory policies and the offline plan's deploy preflight runs the same functions, so the two
 * can never disagree. Each rule names the source it rests on.
 */
export interface DeployRule {
    /** The policy name. */
    readonly name: string;
    /** "Checks whether ...". */
    readonly description: string;
    /** Where the rule comes from. */
    readonly source: string;
    /** The types it reads. */
    readonly types: readonly string[];
    /** Problems of one resource (its inputs), each a full sentence with the fix. */
    readonly check?: (node: Node) => string[];
    /** Problems that need the whole stack, each with the resource it concerns. */
    readonly checkStack?: (graph: StackGraph) => { node: Node; message: string }[];
}

const SAGEMAKER_NAMED = [
    ...SAGEMAKER_TYPES.model,
    ...SAGEMAKER_TYPES.endpointConfig,
    ...SAGEMAKER_TYPES.endpoint,
    TYPES.inferenceComponent,
    TYPES.optimizationJob,
];

/** A resource type for messages: `InferenceComponent`, `EndpointConfig`, ... */
const kind = (type: string) => type.split(/[:/]/).pop() ?? type;

/** Characters aws-native and @pulumi/aws append to a logical name when they autoname: `-` and 7 more. */
const AUTONAME_SUFFIX = 8;

export const physicalNamesRule: DeployRule = {
    name: "sagemaker-physical-names",
    description:
        "Checks whether SageMaker models, endpoint configurations, endpoints, inference components and optimization jobs get names SageMaker accepts (at most 63 characters, ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$).",
    source: "SageMaker API reference (CreateModel, CreateEndpointConfig, CreateEndpoint, CreateInferenceComponent, CreateOptimizationJob: names at most 63, pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$); aws-native autonames <logical name>-<7 random> with no length limit",
    types: SAGEMAKER_NAMED,
    check: (node) => {
        const what = `${kind(node.resource.type)} "${node.name}"`;
        const name = physicalNameOf(node.resource.type, node.props);
        if (name === UNKNOWN) return [];
        if (typeof name === "string") {
            const problem = sageMakerNameProblem(name);
            return problem
                ? [
                      `${what} must have a SageMaker name of at most ${SAGEMAKER_NAME_MAX} characters matching ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, got "${name}", which ${problem}. ` +
                          `The create call would fail: shorten the name (fm-fleet derives bounded names from the config).`,
                  ]
                : [];
        }
        // No name: the provider derives one from the logical name, and shortens nothing.
        const autonamed = `${node.name}-xxxxxxx`;
        const problem = sageMakerNameProblem(autonamed);
        return problem
            ? [
                  `${what} has no name, so the provider autonames it "${node.name}-<7 characters>", which ${problem}. ` +
                      `The create call would fail: set the name explicitly, or use a logical name of at most ${SAGEMAKER_NAME_MAX - AUTONAME_SUFFIX} letters, digits and hyphens.`,
              ]
            : [];
    },
};

/** KMS on a type with local NVMe storage: what both the KMS guardrail and the preflight report. */
export function kmsOnLocalStorage(node: Node): string[] {
    const key = kmsKeyOf(node.props);
    if (typeof key !== "string" || key === "") return [];
    // Shadow variants are created by the same call, on instances of their own.
    return provisionedVariantsOf(node.props)
        .map((v) => ({ v, local: localStorageType(v.instanceTypes) }))
        .filter(({ local }) => local !== undefined)
        .map(
            ({ v, local }) =>
                `${kind(node.resource.type)} "${node.name}" must not set a KMS key for ${local} (${variantLabel(v)}), got ${key}. ` +
                `CreateEndpointConfig fails when KmsKeyId is given for an instance type with local NVMe storage, which the instance encrypts in hardware: remove the key (fm-fleet sets it only on EBS-only types).`,
        );
}

export const kmsLocalStorageRule: DeployRule = {
    name: "endpoint-kms-encryption",
    description: "Checks whether endpoint configurations set a KMS key only where the API accepts one.",
    source: 'SageMaker API reference, CreateEndpointConfig KmsKeyId: "If you specify a value for KmsKeyId when using any nitro-based instances with local storage, the call to CreateEndpointConfig fails."',
    types: SAGEMAKER_TYPES.endpointConfig,
    check: kmsOnLocalStorage,
};

export const volumeSizeRule: DeployRule = {
    name: "endpoint-volume-size",
    description:
        "Checks whether production and shadow variants set VolumeSizeInGB only on instance types that get an EBS volume.",
    source: 'SageMaker API reference, ProductionVariant VolumeSizeInGB: "Currently only Amazon EBS gp2 storage volumes are supported"; instances with local NVMe storage get no EBS gp2 volume (SageMaker developer guide, instance storage)',
    types: SAGEMAKER_TYPES.endpointConfig,
    check: (node) =>
        provisionedVariantsOf(node.props)
            .map((v) => ({ v, local: localStorageType(v.instanceTypes) }))
            .filter(({ v, local }) => typeof v.volumeSizeInGb === "number" && local !== undefined)
            .map(
                ({ v, local }) =>
                    `${kind(node.resource.type)} "${node.name}" ${variantLabel(v)} must not set volumeSizeInGb on ${local}, got ${String(v.volumeSizeInGb)}. ` +
                    `The instance serves from its local NVMe storage and SageMaker attaches no EBS volume to it: remove volumeSizeInGb (fm-fleet: endpoints[].volumeSizeInGb), or pick an EBS-only type.`,
            ),
};

export const adapterArtifactRule: DeployRule = {
    name: "adapter-artifact-tarball",
    description: "Checks whether every adapter inference component points at a single .tar.gz artifact.",
    source: 'SageMaker API reference, InferenceComponentContainerSpecification ArtifactUrl: "must point to a single gzip compressed tar archive (.tar.gz suffix)"',
    types: [TYPES.inferenceComponent],
    check: (node) => {
        const ic = inferenceComponentOf(node.props);
        if (!isAdapter(ic) || ic.artifactUrl === UNKNOWN) return [];
        if (typeof ic.artifactUrl === "string" && isTarGz(ic.artifactUrl)) return [];
        return [
            `Adapter inference component "${node.name}" must point specification.container.artifactUrl at a .tar.gz archive, got ${shown(ic.artifactUrl)}. ` +
                `Pack the adapter directory into s3://<bucket>/<adapter>.tar.gz (fm-fleet: adapters[].artifactUrl).`,
        ];
    },
};

export const adapterComputeRule: DeployRule = {
    name: "adapter-no-compute",
    description: "Checks whether adapter inference components leave compute to their base inference component.",
    source: "SageMaker API reference, InferenceComponentSpecification ComputeResourceRequirements: omit it for an adapter inference component, which uses the compute resources of its base inference component",
    types: [TYPES.inferenceComponent],
    check: (node) => {
        const ic = inferenceComponentOf(node.props);
        if (!isAdapter(ic) || !ic.hasCompute) return [];
        return [
            `Adapter inference component "${node.name}" (base ${shown(ic.baseInferenceComponentName)}) must not set specification.computeResourceRequirements, got ${shown(node.props.specification.computeResourceRequirements)}. ` +
                `Remove it: an adapter runs on its base's copies and scales with them.`,
        ];
    },
};

export const modelDataSourcesRule: DeployRule = {
    name: "inference-component-model-data",
    description: "Checks whether the models inference components deploy carry no additional model data sources.",
    source: "SageMaker: inference components reject models with AdditionalModelDataSources (the SageMaker Python SDK folds a draft model into the single model data source for this reason)",
    types: [TYPES.inferenceComponent, ...SAGEMAKER_TYPES.model],
    checkStack: (graph) =>
        graph.inferenceComponents().flatMap(({ node, ic }) =>
            // Each specification names its own model: `specification` and each per-instance-type one.
            ic.specifications.flatMap((spec) => {
                const model = graph.modelNamed(spec.modelName);
                if (!model) return [];
                const containers = arr(model.props.containers);
                const sources = [model.props.primaryContainer, ...(containers === UNKNOWN ? [] : containers)]
                    .map((c: any) => c?.additionalModelDataSources)
                    .filter((list) => Array.isArray(list) && list.length > 0);
                if (sources.length === 0) return [];
                const channels = sources.flat().map((s: any) => shown(s?.channelName));
                return [
                    {
                        node,
                        message:
                            `${specificationSubject(node.name, spec)} deploys model "${model.name}", which must not carry additionalModelDataSources, got channel ${channels.join(", ")}. ` +
                            `Inference components reject such models: ship the extra data (e.g. a draft model) inside the model data prefix and point the serving environment at /opt/ml/model/<folder> (fm-fleet: speculativeDecoding.draftModelUrl inside modelDataUrl).`,
                    },
                ];
            }),
        ),
};

export const executionRolePermissionsRule: DeployRule = {
    name: "execution-role-permissions",
    description:
        "Checks whether each execution role the stack declares allows what SageMaker does with it for the stack's models, endpoint configurations, inference components and optimization jobs (VPC network interfaces, rollback alarms, data capture, model data, images, optimization sources and outputs).",
    source: 'SageMaker developer guide: "How to use SageMaker execution roles" (CreateModel API: Execution Role Permissions, its VPC and deployment-guardrails notes), deployment-guardrails-configuration ("cloudwatch:DescribeAlarms action on the auto-rollback alarms"), Model Monitor data capture; Amazon S3 user guide (SSE-KMS uploads need kms:GenerateDataKey)',
    types: [
        ...SAGEMAKER_TYPES.model,
        ...SAGEMAKER_TYPES.endpointConfig,
        ...SAGEMAKER_TYPES.endpoint,
        TYPES.inferenceComponent,
        TYPES.optimizationJob,
        ...SCALING_TYPES.alarm,
        ...IAM_TYPES.role,
        ...IAM_TYPES.rolePolicy,
        ...IAM_TYPES.managedPolicy,
        ...IAM_TYPES.attachment,
    ],
    checkStack: missingRoleGrants,
};

export const targetValueRule: DeployRule = {
    name: "target-tracking-value",
    description:
        "Checks whether target tracking scaling policies set a TargetValue within the API's range (-2^360 to 2^360).",
    source: 'Application Auto Scaling API reference, TargetTrackingScalingPolicyConfiguration TargetValue: "Values must be in the range of -2^360 to 2^360"',
    types: SCALING_TYPES.scalingPolicy,
    check: (node) => {
        const config = node.props.targetTrackingScalingPolicyConfiguration;
        if (config === UNKNOWN || config === undefined || config === null) return [];
        const value = num(config.targetValue);
        const [low, high] = TARGET_TRACKING_RANGES.targetValue;
        if (typeof value !== "number" || (value >= low && value <= high)) return [];
        return [
            `${kind(node.resource.type)} "${node.name}" must set targetTrackingScalingPolicyConfiguration.targetValue between -${TARGET_VALUE_BOUND_TEXT} and ${TARGET_VALUE_BOUND_TEXT}, got ${value}. ` +
                `PutScalingPolicy would fail: set the value the metric should hold per copy or instance (fm-fleet: copies.targetConcurrentRequestsPerCopy, multiModelEndpoints[].targetConcurrentRequestsPerModel).`,
        ];
    },
};

/** A model's `containers` as the rules read them: [] when it lists none, UNKNOWN when not known (preview). */
function pipelineContainersOf(props: any): any[] | typeof UNKNOWN {
    return arr(props?.containers);
}

/**
 * Whether a model is a multi-container model (an inference pipeline, or Direct invocation): it lists more
 * than one container, or says how they run (`inferenceExecutionConfig`). UNKNOWN when it cannot be told.
 */
function multiContainer(props: any): boolean | typeof UNKNOWN {
    const config = props?.inferenceExecutionConfig;
    if (config !== undefined && config !== null && config !== UNKNOWN) return true;
    const containers = pipelineContainersOf(props);
    if (containers === UNKNOWN || config === UNKNOWN) return UNKNOWN;
    return containers.length > 1;
}

export const pipelineContainersRule: DeployRule = {
    name: "pipeline-model-containers",
    description: `Checks whether SageMaker models list at most ${PIPELINE_CONTAINERS_MAX} containers, at most one of them in MultiModel mode.`,
    source: 'SageMaker developer guide: "An inference pipeline is a SageMaker model that is composed of a linear sequence of two to fifteen containers" (inference-pipelines.html), "Currently there is a limit of up to 15 containers supported on a multi-container endpoint" (multi-container-create.html); CreateModel ValidationException "More than one container in MultiModel mode is not supported with inference pipeline." (reported in OElesin/sagemaker-autopilot-step-functions#10)',
    types: SAGEMAKER_TYPES.model,
    check: (node) => {
        const containers = pipelineContainersOf(node.props);
        if (containers === UNKNOWN) return [];
        const what = `${kind(node.resource.type)} "${node.name}"`;
        const problems: string[] = [];
        if (containers.length > PIPELINE_CONTAINERS_MAX) {
            problems.push(
                `${what} must list at most ${PIPELINE_CONTAINERS_MAX} containers, got ${containers.length}. ` +
                    `CreateModel fails past ${PIPELINE_CONTAINERS_MAX} (an inference pipeline runs 2 to ${PIPELINE_CONTAINERS_MAX} containers): merge steps into fewer containers, or split the pipeline across two endpoints (fm-fleet: pipelines[].containers).`,
            );
        }
        const multiModel = containers.flatMap((c: any, i: number) => (c?.mode === "MultiModel" ? [i] : []));
        if (containers.length > 1 && multiModel.length > 1) {
            problems.push(
                `${what} must run at most one of its containers in MultiModel mode, got ${multiModel.length} (${multiModel.map((i: number) => `containers[${i}]`).join(", ")}). ` +
                    `CreateModel fails: "More than one container in MultiModel mode is not supported with inference pipeline." Keep MultiModel on the one container that loads models by TargetModel, or serve the models from a multi-model endpoint of their own (fm-fleet: multiModelEndpoints[]).`,
            );
        }
        return problems;
    },
};

export const inferenceComponentPipelineRule: DeployRule = {
    name: "inference-component-one-container",
    description:
        "Checks whether the models inference components deploy are single-container models, not inference pipelines or multi-container models.",
    source: 'SageMaker API reference, CreateInferenceComponent: "each inference component contains one model", and its specification names one container (InferenceComponentContainerSpecification: Image, ArtifactUrl, Environment); inference pipelines run on the instances of a model-based production variant (developer guide, inference-pipelines.html). The error CreateInferenceComponent returns is not documented.',
    types: [TYPES.inferenceComponent, ...SAGEMAKER_TYPES.model],
    checkStack: (graph) =>
        graph.inferenceComponents().flatMap(({ node, ic }) =>
            ic.specifications.flatMap((spec) => {
                const model = graph.modelNamed(spec.modelName);
                if (!model || multiContainer(model.props) !== true) return [];
                const containers = pipelineContainersOf(model.props);
                const count = containers === UNKNOWN ? "several" : String(containers.length);
                const mode = shown(model.props.inferenceExecutionConfig?.mode ?? "Serial");
                return [
                    {
                        node,
                        message:
                            `${specificationSubject(node.name, spec)} deploys model "${model.name}", which must be a single-container model, got ${count} containers (InferenceExecutionConfig mode ${mode}). ` +
                            `An inference component hosts one model in one container: serve the pipeline from a classic endpoint whose production variant names the model (fm-fleet: pipelines[]), or deploy each container as its own inference component.`,
                    },
                ];
            }),
        ),
};

/** Every deploy rule, in the order reports list them. */
export const DEPLOY_RULES: readonly DeployRule[] = [
    physicalNamesRule,
    kmsLocalStorageRule,
    volumeSizeRule,
    modelDataSourcesRule,
    adapterArtifactRule,
    adapterComputeRule,
    executionRolePermissionsRule,
    targetValueRule,
    pipelineContainersRule,
    inferenceComponentPipelineRule,
];
