/**
 * What a SageMaker execution role must be allowed to do, and a small evaluator of IAM identity policies
 * that decides whether a set of policy documents allows it. Provider-free: the execution role component
 * grants from these lists and the policy pack's `execution-role-permissions` checks against them, so the
 * two can never disagree.
 */

/**
 * A model, endpoint configuration or optimization job in a VPC: SageMaker creates and deletes the network
 * interfaces of its containers with the execution role. SageMaker developer guide, "How to use SageMaker
 * execution roles", CreateModel API: Execution Role Permissions ("If you specify a private VPC for your
 * model, add the following permissions"), and host-vpc ("Give SageMaker access to resources in your VPC").
 * None of these actions takes a resource-level ARN for the interfaces SageMaker has yet to create, and the
 * Describe* actions support no resource-level permissions at all (Service Authorization Reference, Amazon
 * EC2): the grant is on "*".
 */
export const VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
] as const;

/** Pulling a private ECR image, scoped to its repository (CreateModel API: Execution Role Permissions). */
export const ECR_PULL_ACTIONS = [
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability",
] as const;
/** The registry login before a pull; it has no resource-level permissions, so AWS requires "*". */
export const ECR_LOGIN_ACTION = "ecr:GetAuthorizationToken";

/**
 * Rolling updates with auto-rollback: "Ensure that your IAM execution role has permission to perform the
 * cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify" (SageMaker developer guide,
 * deployment-guardrails-configuration; also the note under CreateModel API: Execution Role Permissions).
 */
export const DESCRIBE_ALARMS_ACTION = "cloudwatch:DescribeAlarms";

/** Reading model data, adapters and optimization sources. */
export const S3_READ_ACTION = "s3:GetObject";
/** Listing a prefix: needed for uncompressed (S3Prefix) model data (CreateModel's own error text asks for it). */
export const S3_LIST_ACTION = "s3:ListBucket";
/** Writing captured data and optimized models; covers CreateMultipartUpload, UploadPart and Complete. */
export const S3_WRITE_ACTION = "s3:PutObject";
/**
 * Writing an object encrypted with SSE-KMS needs the data key of the KMS key (Amazon S3 user guide, "Using
 * server-side encryption with AWS KMS keys": "kms:GenerateDataKey" for PutObject, "kms:Decrypt" as well for
 * multipart uploads).
 */
export const KMS_WRITE_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/**
 * The aggregate size of a role's inline policies, in characters, whitespace excepted (IAM user guide, "IAM
 * and AWS STS quotas": "Role policy size cannot exceed 10,240 characters").
 */
export const ROLE_INLINE_POLICY_MAX = 10_240;

/** `s3://bucket/key` as bucket and key, or `undefined`. */
export function parseS3(url: string): { bucket: string; key: string } | undefined {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** The ARN of an S3 bucket. */
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;

/**
 * The objects under an S3 URL, as an ARN pattern. `object`: the URL itself. `prefix`: every key that starts
 * with it (S3Prefix model data, an optimization job's source). `folder`: every key under it as a folder,
 * whether or not it ends in `/` (SageMaker writes captures and optimized models under the URL).
 */
export function objectsArn(url: string, kind: "object" | "prefix" | "folder"): string | undefined {
    const parsed = parseS3(url);
    if (!parsed) return undefined;
    const key = parsed.key;
    if (kind === "object") return `arn:aws:s3:::${parsed.bucket}/${key}`;
    const folder = kind === "folder" && key !== "" && !key.endsWith("/") ? `${key}/` : key;
    return `arn:aws:s3:::${parsed.bucket}/${folder}*`;
}

/**
 * A part of a needed ARN that is not known (an alarm's region in an offline plan): any value a grant names
 * there covers it. Never written into a policy.
 */
export const ANY_PART = "\u0001";

/**
 * A CloudWatch alarm's ARN. An unknown region or account is "*": alarm names are unique per account and
 * region, and CloudWatch has no resource-based policies, so a role can only ever describe alarms of its own
 * account whatever the account part says.
 */
export const alarmArn = (
    region: string | undefined,
    account: string | undefined,
    name: string,
    unknown: string = "*",
) => `arn:aws:cloudwatch:${region ?? unknown}:${account ?? unknown}:alarm:${name}`;

/** The account of an ARN (`arn:aws:iam::123456789012:role/x` -> `123456789012`), if it has one. */
export function accountOf(arn: string): string | undefined {
    const account = arn.split(":")[4];
    return account && /^\d{12}$/.test(account) ? account : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** One statement of an identity policy, normalized. */
export interface Statement {
    readonly sid: string | undefined;
    readonly effect: "Allow" | "Deny";
    readonly actions: readonly string[] | undefined;
    readonly notActions: readonly string[] | undefined;
    readonly resources: readonly string[] | undefined;
    readonly notResources: readonly string[] | undefined;
    readonly condition: Record<string, Record<string, unknown>> | undefined;
}

const list = (v: unknown): string[] | undefined =>
    v === undefined ? undefined : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");

/**
 * The statements of a policy document given as JSON text or as an object; `undefined` when it cannot be
 * read (not JSON, not a policy), so the caller can leave the role unjudged rather than guess.
 */
export function statementsOf(document: unknown): Statement[] | undefined {
    let doc = document;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (!doc || typeof doc !== "object") return undefined;
    const raw = (doc as { Statement?: unknown }).Statement;
    const entries = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : undefined;
    if (!entries) return undefined;
    const out: Statement[] = [];
    for (const s of entries as Record<string, unknown>[]) {
        if (!s || typeof s !== "object" || (s.Effect !== "Allow" && s.Effect !== "Deny")) return undefined;
        out.push({
            sid: typeof s.Sid === "string" ? s.Sid : undefined,
            effect: s.Effect,
            actions: list(s.Action),
            notActions: list(s.NotAction),
            resources: list(s.Resource),
            notResources: list(s.NotResource),
            condition:
                s.Condition && typeof s.Condition === "object"
                    ? (s.Condition as Record<string, Record<string, unknown>>)
                    : undefined,
        });
    }
    return out;
}

/** IAM's wildcard match: `*` any run of characters, `?` one; actions compare case-insensitively. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

/** A character no ARN holds: a `*` of a needed resource becomes this, so only a grant's wildcard covers it. */
const ANY = "\u0000";

/**
 * Whether a policy's resource pattern covers every resource a needed pattern stands for. ARNs compare part
 * by part (partition, service, region, account, resource); a needed `*` is covered only by a wildcard of the
 * grant at that place.
 */
export function resourceCovers(grant: string, needed: string): boolean {
    if (grant === "*") return true;
    const concrete = needed.split("*").join(ANY);
    const g = grant.split(":");
    const n = concrete.split(":");
    if (g.length < 6 || n.length < 6) return globMatch(grant, concrete, false);
    const gParts = [...g.slice(0, 5), g.slice(5).join(":")];
    const nParts = [...n.slice(0, 5), n.slice(5).join(":")];
    return gParts.every((p, i) => nParts[i] === ANY_PART || globMatch(p, nParts[i], false));
}

const actionIn = (patterns: readonly string[], action: string) => patterns.some((p) => globMatch(p, action, true));

function statementApplies(s: Statement, action: string, resource: string): boolean {
    const actionHit = s.actions ? actionIn(s.actions, action) : s.notActions ? !actionIn(s.notActions, action) : false;
    if (!actionHit) return false;
    if (s.resources) return s.resources.some((r) => resourceCovers(r, resource));
    // NotResource: the statement applies to what none of its patterns could name.
    if (s.notResources) return !s.notResources.some((r) => globMatch(r, resource.split("*").join(ANY), false));
    return false;
}

/** Condition keys this evaluator can judge, with the request's values. */
export type RequestContext = Readonly<Record<string, string>>;

/**
 * Whether a statement's condition holds for a request. Only StringEquals/StringLike (and their IfExists
 * forms) on keys the request context carries are evaluated; any other operator or key is taken to hold for
 * an Allow (the grant may well apply: the rule never fails a role on a condition it cannot judge) and not
 * to hold for a Deny (likewise).
 */
function conditionHolds(s: Statement, context: RequestContext): boolean {
    if (!s.condition) return true;
    for (const [operator, entries] of Object.entries(s.condition)) {
        const op = operator.replace(/IfExists$/, "");
        for (const [key, expected] of Object.entries(entries ?? {})) {
            const actual = context[key];
            const values = list(expected) ?? [];
            if (actual === undefined || (op !== "StringEquals" && op !== "StringLike")) {
                if (s.effect === "Deny") return false;
                continue;
            }
            const hit = values.some((v) => (op === "StringLike" ? globMatch(v, actual, false) : v === actual));
            if (!hit) return false;
        }
    }
    return true;
}

/** The verdict on one action on one resource. */
export type Verdict = { readonly allowed: true } | { readonly allowed: false; readonly deniedBy?: string };

/**
 * Whether identity-policy statements allow `action` on `resource` (an ARN, possibly a pattern of what is
 * needed). An explicit Deny wins over any Allow, as IAM evaluates; permission boundaries, session policies,
 * SCPs and resource policies are not seen here (they can only narrow what this allows).
 */
export function evaluate(
    statements: readonly Statement[],
    action: string,
    resource: string,
    context: RequestContext = {},
): Verdict {
    const deny = statements.find(
        (s) => s.effect === "Deny" && statementApplies(s, action, resource) && conditionHolds(s, context),
    );
    if (deny) return { allowed: false, deniedBy: deny.sid ?? "(no Sid)" };
    const allow = statements.some(
        (s) => s.effect === "Allow" && statementApplies(s, action, resource) && conditionHolds(s, context),
    );
    return allow ? { allowed: true } : { allowed: false };
}
