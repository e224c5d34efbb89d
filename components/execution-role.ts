import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { s3ReadGrants } from "./s3-grants";
import { ecrRepositoryArn } from "../lib/images";
import {
    alarmArn,
    DESCRIBE_ALARMS_ACTION,
    ECR_LOGIN_ACTION,
    ECR_PULL_ACTIONS,
    S3_WRITE_ACTION,
    VPC_ACTIONS,
} from "../lib/iam";
import { IAM_POLICY_NAME_MAX, IAM_ROLE_NAME_MAX } from "../lib/names";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";

/** Arguments of {@link ExecutionRole}. */
export interface ExecutionRoleArgs {
    /**
     * S3 URLs (objects or prefixes) the role may read: model data, draft models, adapters. At least one, unless
     * `images` names some (a pipeline of code-only containers loads no model data).
     */
    readonly artifactUrls: readonly string[];
    /** S3 prefixes the role may write: where optimization jobs put optimized models. @default [] */
    readonly outputUrls?: readonly string[];
    /**
     * S3 prefixes SageMaker writes captured requests and responses to (endpoints' `dataCapture`). Write
     * only: SageMaker never reads them back. @default []
     */
    readonly captureUrls?: readonly string[];
    /**
     * Whether the role's models, endpoints or optimization jobs run in a VPC: SageMaker then creates and
     * deletes their network interfaces with the role. @default false
     */
    readonly vpc?: boolean;
    /** Physical names of the auto-rollback alarms of rollouts that run with this role. @default [] */
    readonly rollbackAlarmNames?: readonly string[];
    /** Region of the rollback alarms' ARNs. @default the `aws:region` config, else "*" (any region) */
    readonly region?: string;
    /** ECR image URIs the role may pull. Non-ECR images get no grant (they are pulled by the service). */
    readonly images: readonly string[];
    /**
     * KMS key the role may use: decrypt artifacts and volumes, and generate the data keys of what it writes
     * encrypted (captures, optimized models). @default none - no KMS grant
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Readable parts the role's name starts with. @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for the role. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The SageMaker service principal that assumes execution roles. */
const SAGEMAKER_TRUST: aws.iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/**
 * A least-privilege SageMaker execution role: reads only the S3 prefixes of its artifacts, pulls only its
 * ECR repositories, writes SageMaker logs and metrics, and decrypts with its own KMS key.
 */
export class ExecutionRole extends pulumi.ComponentResource {
    /** The role. */
    public readonly role: aws.iam.Role;
    /** The role's ARN, for endpoint configurations and models. */
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: ExecutionRoleArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkArgs(name, args);
        super("fm-fleet:iam:ExecutionRole", name, {}, opts);
        // IAM is global to the account: the name's hash carries the stack and region.
        const names = new ChildNames("fm-fleet:iam:ExecutionRole", name, args.nameParts ?? partsOf(name));

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: names.name("role", { maxLength: IAM_ROLE_NAME_MAX }),
                assumeRolePolicy: JSON.stringify(SAGEMAKER_TRUST),
                tags: { ...args.tags },
            },
            { parent: this },
        );
        const kmsKeyArn = args.kmsKeyArn;
        const region = args.region ?? new pulumi.Config("aws").get("region");
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                name: names.name("policy", { maxLength: IAM_POLICY_NAME_MAX }),
                role: this.role.id,
                policy: pulumi
                    .output(kmsKeyArn)
                    .apply((key) => JSON.stringify(executionPolicy({ ...args, region }, key))),
            },
            { parent: this },
        );
        // The ARN resolves once the policy is attached: a model or an optimization job created with it can
        // read its artifacts from the first call (a job that starts before the policy fails on S3 access).
        this.arn = pulumi.all([this.role.arn, policy.id]).apply(([arn]) => arn);
        this.registerOutputs({ arn: this.arn });
    }
}

/** The inline policy document of an execution role (pure, so it can be tested and reused). */
export function executionPolicy(args: ExecutionRoleArgs, kmsKeyArn: string | undefined): aws.iam.PolicyDocument {
    const s3 = s3ReadGrants(args.artifactUrls);
    const repositories = [...new Set(args.images.map(ecrRepositoryArn).filter((a): a is string => !!a))].sort();
    // A role whose containers load no model data (a pipeline of code-only steps) reads nothing from S3.
    const statements: aws.iam.PolicyStatement[] =
        args.artifactUrls.length === 0
            ? []
            : [
                  { Sid: "ReadArtifacts", Effect: "Allow", Action: ["s3:GetObject"], Resource: s3.objectArns },
                  {
                      Sid: "ListArtifactPrefixes",
                      Effect: "Allow",
                      Action: ["s3:ListBucket"],
                      Resource: s3.bucketArns,
                      Condition: { StringLike: { "s3:prefix": s3.listPrefixes } },
                  },
              ];
    // SageMaker writes under these URLs as folders (`<url>/<job>/...`, `<url>/<endpoint>/<variant>/...`).
    const folders = (urls: readonly string[]) => s3ReadGrants(urls.map((u) => (u.endsWith("/") ? u : `${u}/`)));
    const outputs = args.outputUrls ?? [];
    if (outputs.length > 0) {
        // Optimized models are large: multipart uploads, which PutObject covers but for aborting one.
        statements.push({
            Sid: "WriteOptimizedModels",
            Effect: "Allow",
            Action: [S3_WRITE_ACTION, "s3:AbortMultipartUpload"],
            Resource: folders(outputs).objectArns,
        });
    }
    const captures = args.captureUrls ?? [];
    if (captures.length > 0) {
        // SageMaker writes captures with the endpoint's execution role (see docs/execution-role.md).
        statements.push({
            Sid: "WriteCapturedData",
            Effect: "Allow",
            Action: [S3_WRITE_ACTION],
            Resource: folders(captures).objectArns,
        });
    }
    if (repositories.length > 0) {
        statements.push(
            {
                Sid: "PullImages",
                Effect: "Allow",
                Action: [...ECR_PULL_ACTIONS],
                Resource: repositories,
            },
            // GetAuthorizationToken has no resource-level permissions: AWS requires "*".
            { Sid: "EcrLogin", Effect: "Allow", Action: [ECR_LOGIN_ACTION], Resource: "*" },
        );
    }
    if (args.vpc) {
        // The interfaces do not exist yet and the Describe* actions take no resource: "*" (lib/iam.ts).
        statements.push({
            Sid: "ManageVpcNetworkInterfaces",
            Effect: "Allow",
            Action: [...VPC_ACTIONS],
            Resource: "*",
        });
    }
    const alarms = rollbackAlarmPatterns(args.rollbackAlarmNames ?? []);
    if (alarms.length > 0) {
        statements.push({
            Sid: "DescribeRollbackAlarms",
            Effect: "Allow",
            Action: [DESCRIBE_ALARMS_ACTION],
            Resource: alarms.map((name) => alarmArn(args.region, undefined, name)),
        });
    }
    statements.push(
        {
            Sid: "WriteLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
        },
        // PutMetricData has no resource-level permissions; the condition keeps it to SageMaker's namespaces.
        {
            Sid: "WriteMetrics",
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricData"],
            Resource: "*",
            Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "AWS/SageMaker*"] } },
        },
    );
    if (kmsKeyArn) {
        statements.push({
            Sid: "DecryptWithFleetKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DescribeKey"],
            Resource: kmsKeyArn,
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Rollback alarms named one by one up to this many; past it, one pattern per endpoint (see below). */
export const EXACT_ALARMS_MAX = 20;

/**
 * The alarm names (or patterns) DescribeAlarms is granted on: each name while there are few; past
 * {@link EXACT_ALARMS_MAX}, `<endpoint>-*rollback-*` per endpoint (the names' first part), so a fleet of many
 * rolled-out models keeps the inline policy under IAM's 10,240 characters (each exact ARN costs ~80). The
 * pattern reaches only rollback alarms of that endpoint name in the role's account and region, and
 * DescribeAlarms only reads their configuration.
 */
export function rollbackAlarmPatterns(names: readonly string[]): string[] {
    const exact = [...new Set(names)].sort();
    if (exact.length <= EXACT_ALARMS_MAX) return exact;
    return [...new Set(exact.map((n) => `${n.split("-")[0]}-*rollback-*`))].sort();
}

/** Checks the plain arguments; throws one error naming every problem. */
function checkArgs(name: string, args: ExecutionRoleArgs): void {
    const check = new ArgsCheck("ExecutionRole", name);
    // Model data or images: a role that serves neither serves nothing.
    if (args.artifactUrls.length === 0 && args.images.length === 0) {
        check.fail("args.artifactUrls", "is empty. Give the S3 URLs of the model data and adapters the role serves.");
    }
    args.artifactUrls.forEach((url, i) => check.s3Url(`args.artifactUrls[${i}]`, url, "s3://<bucket>/<prefix>/"));
    (args.outputUrls ?? []).forEach((url, i) =>
        check.s3Url(`args.outputUrls[${i}]`, url, "s3://<bucket>/<prefix>/", true),
    );
    (args.captureUrls ?? []).forEach((url, i) => check.s3Url(`args.captureUrls[${i}]`, url, "s3://<bucket>/<prefix>/"));
    check.done();
}
