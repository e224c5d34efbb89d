import { suggestInstanceTypes } from "../lib/catalog";

/**
 * The rules plain inputs follow and the messages that say how to fix them, in one place: the stack config
 * schema and the components' own argument checks speak with the same words.
 */

/** Renders a value for an error message. */
export const show = (value: unknown): string =>
    value === undefined ? "nothing" : typeof value === "string" ? `"${value}"` : JSON.stringify(value);

/** SageMaker resource names: lowercase letters, digits and hyphens; start and end alphanumeric. */
export const NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** SageMaker caps inference component and endpoint names at 63 characters. */
export const MAX_NAME_LENGTH = 63;
/** `s3://<bucket>/<key>` with a valid bucket name. */
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/./;

export const isS3Url = (value: string, prefixOnly = false) =>
    S3_URL.test(value) && (!prefixOnly || value.endsWith("/"));

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
    duplicate: (what: string, value: string, firstAt: string) =>
        `duplicate ${what} name "${value}" (also at ${firstAt}). Give each ${what} its own name.`,
};
