import { createHash } from "crypto";

/**
 * Physical names: one function derives every name the fleet gives AWS. Neither provider shortens the names
 * it generates (aws-native autonames an inference component `<logical name>-<7 random>` with no length limit;
 * @pulumi/aws autonames SageMaker names up to 255 and then rejects > 63 itself), so the fleet names
 * everything explicitly:
 *
 * - readable: the config names, shortened evenly when they do not fit;
 * - unique per stack and region: a suffix hashes the project, stack, region and the resource's identity
 *   (its component type and full logical name), so two stacks in one account never collide;
 * - stable: the same inputs give the same name on every run;
 * - replaceable: resources whose every input is create-only (SageMaker models and endpoint configurations)
 *   also hash their content, so a change that forces a replacement creates the new one under a new name
 *   before the old one is deleted, as Pulumi does by default.
 */

/** SageMaker names (models, endpoint configs, endpoints, inference components): API reference limits. */
export const SAGEMAKER_NAME_MAX = 63;
/** `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`, from the CreateInferenceComponent / CreateEndpoint API reference. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** IAM role names: at most 64 characters of `[\w+=,.@-]` (IAM CreateRole API reference). */
export const IAM_ROLE_NAME_MAX = 64;
/** IAM inline policy names: at most 128 characters (IAM PutRolePolicy API reference). */
export const IAM_POLICY_NAME_MAX = 128;
/**
 * Application Auto Scaling policy names: PutScalingPolicy takes 256 characters, but @pulumi/aws's
 * `appautoscaling.Policy` (terraform-provider-aws's validation) takes 1 to 255: the lower one.
 */
export const SCALING_POLICY_NAME_MAX = 255;
/** CloudWatch alarm names: at most 255 characters (PutMetricAlarm). */
export const ALARM_NAME_MAX = 255;

/** Characters of the hash suffix; with the hyphen before it, a name keeps max - 9 readable characters. */
export const NAME_HASH_LENGTH = 8;

/** What makes a name unique: the stack it belongs to and the resource within the stack. */
export interface NameIdentity {
    /** `<project>/<stack>/<region>`: the same config names in two stacks or regions give two names. */
    readonly scope: string;
    /** The resource within the stack, e.g. `fm-fleet:sagemaker:FoundationModel/fleet/chat/llama3-8b/model`. */
    readonly resource: string;
    /** For resources whose inputs are all create-only: the inputs, so a replacement gets a new name. */
    readonly content?: unknown;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function stableJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/** The hash suffix of an identity. */
export function nameHash(identity: NameIdentity): string {
    return createHash("sha256")
        .update(stableJson([identity.scope, identity.resource, identity.content ?? null]))
        .digest("hex")
        .slice(0, NAME_HASH_LENGTH);
}

/** A part of a readable name: lowercase letters, digits and single hyphens, no hyphen at either end. */
function clean(part: string): string {
    return part
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * Joins `parts` with hyphens into at most `budget` characters. When they do not fit, the longest part is
 * shortened first, one character at a time, so every part stays recognizable.
 */
export function readableName(parts: readonly string[], budget: number): string {
    const cleaned = parts.map(clean).filter((p) => p.length > 0);
    const lengths = cleaned.map((p) => p.length);
    const total = () => lengths.reduce((a, b) => a + b, 0) + Math.max(0, lengths.length - 1);
    while (total() > budget) {
        const longest = lengths.indexOf(Math.max(...lengths));
        if (lengths[longest] <= 1) {
            lengths.splice(longest, 1);
            cleaned.splice(longest, 1);
        } else lengths[longest]--;
    }
    return cleaned
        .map((p, i) => p.slice(0, lengths[i]).replace(/-+$/, ""))
        .filter((p) => p.length > 0)
        .join("-");
}

/**
 * The physical name of a resource: its readable parts, shortened to fit `maxLength`, then a hash of its
 * identity. Always matches {@link SAGEMAKER_NAME_PATTERN} and is at most `maxLength` long.
 */
export function physicalName(parts: readonly string[], identity: NameIdentity, maxLength = SAGEMAKER_NAME_MAX): string {
    const hash = nameHash(identity);
    const readable = readableName(parts, maxLength - NAME_HASH_LENGTH - 1);
    return readable ? `${readable}-${hash}` : hash;
}

/** Why a SageMaker name would be rejected, or `undefined` when it is fine. */
export function sageMakerNameProblem(name: string): string | undefined {
    if (name.length > SAGEMAKER_NAME_MAX) return `is ${name.length} characters, over SageMaker's ${SAGEMAKER_NAME_MAX}`;
    if (!SAGEMAKER_NAME_PATTERN.test(name))
        return `does not match SageMaker's pattern ${SAGEMAKER_NAME_PATTERN.source}`;
    return undefined;
}
