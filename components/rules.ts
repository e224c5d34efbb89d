import { suggestInstanceTypes } from "../lib/catalog";
import { SAGEMAKER_NAME_MAX } from "../lib/names";
import { PIPELINE_CONTAINERS_MAX } from "../lib/pipeline";

/**
 * The rules plain inputs follow and the messages that say how to fix them, in one place: the stack config
 * schema and the components' own argument checks speak with the same words.
 */

/** A raw config object as rules read it before (or without) a schema: any keys, unknown values. */
export type Raw = Record<string, unknown>;
/** A plain object: arrays and null are not. */
export const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Renders a value for an error message. */
export const show = (value: unknown): string =>
    value === undefined ? "nothing" : typeof value === "string" ? `"${value}"` : JSON.stringify(value);

/** SageMaker resource names: lowercase letters, digits and hyphens; start and end alphanumeric. */
export const NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** SageMaker caps inference component and endpoint names at 63 characters. */
export const MAX_NAME_LENGTH = SAGEMAKER_NAME_MAX;
/** `s3://<bucket>/<key>` with a valid bucket name. */
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/./;

export const isS3Url = (value: string, prefixOnly = false) =>
    S3_URL.test(value) && (!prefixOnly || value.endsWith("/"));

export { isTarGz } from "../lib/artifacts";

/**
 * Where a draft model sits inside the model data, relative to it (`draft` for `s3://b/m/draft/` under
 * `s3://b/m/`); `undefined` when it is not inside. Inference components reject models with additional
 * data sources, so a draft must travel inside the model's own data.
 */
export function draftPathIn(modelDataUrl: string, draftModelUrl: string): string | undefined {
    if (!modelDataUrl.endsWith("/") || !draftModelUrl.startsWith(modelDataUrl)) return undefined;
    const relative = draftModelUrl.slice(modelDataUrl.length).replace(/\/+$/, "");
    return relative.length > 0 ? relative : undefined;
}

export const messages = {
    nameFormat: (value: unknown) =>
        `must use lowercase letters, digits and hyphens, starting and ending with a letter or digit, got ${show(value)}. Rename it, e.g. "${String(
            value,
        )
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "")}".`,
    nameLength: (value: unknown) =>
        `must be at most ${MAX_NAME_LENGTH} characters (the SageMaker limit), got ${String(value).length}. Shorten it.`,
    wholeNumber: (what: string, value: unknown) => `must be a whole number of ${what}, got ${show(value)}. Round it.`,
    atLeast: (least: number, value: unknown, what: string) =>
        `must be >= ${least}, got ${show(value)}. Use ${least} or more ${what}.`,
    s3Url: (value: unknown, hint: string, prefixOnly = false) =>
        `must be an s3://<bucket>/<key> URL with a valid bucket name${prefixOnly ? ", ending in /" : ""}, got ${show(value)}. Use ${hint}.`,
    unknownInstanceType: (value: unknown) =>
        `unknown instance type ${show(value)}. Use one of the catalog's types, e.g. ${suggestInstanceTypes(String(value)).join(", ")}.`,
    minAboveMax: (min: number, max: number, what: string) =>
        `\`min\` must be <= \`max\`, got ${min} > ${max}. Lower min or raise max ${what}.`,
    adapterTarball: (value: unknown) =>
        `must be a single .tar.gz archive (an inference component's ArtifactUrl cannot be a prefix), got ${show(value)}. ` +
        `Pack the adapter directory into s3://<bucket>/<adapter>.tar.gz and point artifactUrl at it.`,
    draftOutsideWeights: (draft: unknown, weights: unknown) =>
        `must be a folder inside modelDataUrl ${show(weights)} (an inference component cannot mount a second data source), got ${show(draft)}. ` +
        `Copy the draft model to ${String(weights).endsWith("/") ? String(weights) : "<weights prefix>/"}draft/ and set draftModelUrl to it.`,
    draftNeedsPrefix: (weights: unknown) =>
        `needs the weights as an S3 prefix to carry the draft model inside them, got modelDataUrl ${show(weights)}. ` +
        `Serve the weights uncompressed from s3://<bucket>/<model>/ with the draft in a sub-folder.`,
    volumeOnLocalStorage: (instanceType: string, size: unknown) =>
        `is ${show(size)}, but ${instanceType} serves from its local NVMe storage: SageMaker attaches no EBS volume to it ` +
        `(VolumeSizeInGB supports EBS gp2 volumes only). Remove volumeSizeInGb, or pick an EBS-only instance type.`,
    unknownContainerFamily: (image: unknown) =>
        `is not set, and the image ${show(image)} is neither LMI (djl-inference) nor the SageMaker vLLM DLC (vllm). ` +
        `Set it to "lmi" or "vllm", the family whose environment names the container reads.`,
    mlReservationArn: (value: unknown) =>
        `must be the ARN of an ML capacity reservation (20-258 characters), got ${show(value)}. ` +
        `Use arn:aws:sagemaker:<region>:<account>:ml-reservation/<id>, as the reservation's details show it.`,
    range: (low: number, high: number, unit: string, value: unknown) =>
        `must be between ${low} and ${high} ${unit}, got ${show(value)}. Pick a value in that range.`,
    duplicate: (what: string, value: string, firstAt: string) =>
        `duplicate ${what} name "${value}" (also at ${firstAt}). Give each ${what} its own name.`,
    noPipelineContainers: () =>
        "must list at least one container, in the order a request runs through them. Add the containers (e.g. pre-processing, model, post-processing), or remove the pipeline.",
    tooManyPipelineContainers: (count: number) =>
        `must list at most ${PIPELINE_CONTAINERS_MAX} containers (CreateModel's limit for an inference pipeline), got ${count}. ` +
        `Merge steps into fewer containers, or split the pipeline into two endpoints.`,
    pipelineModelData: (value: unknown) =>
        `must be a single .tar.gz archive (a container's ModelDataUrl, which SageMaker unpacks into /opt/ml/model), got ${show(value)}. ` +
        `Pack the container's model files into s3://<bucket>/<step>/model.tar.gz, or leave modelDataUrl out.`,
};
