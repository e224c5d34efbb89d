import { IAM_TYPES, SAGEMAKER_TYPES, SCALING_TYPES, TYPES } from "../../lib/contract";
import { ecrRepositoryArn } from "../../lib/images";
import {
    accountOf,
    alarmArn,
    ANY_PART,
    bucketArn,
    DESCRIBE_ALARMS_ACTION,
    ECR_LOGIN_ACTION,
    ECR_PULL_ACTIONS,
    evaluate,
    KMS_WRITE_ACTIONS,
    objectsArn,
    parseS3,
    RequestContext,
    S3_LIST_ACTION,
    S3_READ_ACTION,
    S3_WRITE_ACTION,
    Statement,
    statementsOf,
    VPC_ACTIONS,
} from "../../lib/iam";
import { arr, str, UNKNOWN, Unknown } from "./props";
import { Node, StackGraph } from "./stack-graph";
import { inferenceComponentOf, servingContainerOf, variantsOf } from "./views";

/** Something SageMaker must do with a role for one resource of the stack. */
interface Need {
    /** The role's ARN or name as the resource gives it, and where. */
    readonly role: { readonly value: string | Unknown | undefined; readonly node: Node; readonly prop: string };
    readonly action: string;
    /** The resource, an ARN (pattern) with {@link ANY_PART} where a part is not known. */
    readonly resource: string;
    readonly context?: RequestContext;
    /** Why, as the message says it: `Model "x" reads its model data`. */
    readonly why: string;
}

const kind = (type: string) => type.split(/[:/]/).pop() ?? type;
const subject = (node: Node) => `${kind(node.resource.type)} "${node.name}"`;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;

/** Reads of an S3 URL: the objects, and the listing of a prefix (uncompressed model data, a source prefix). */
function reads(role: Need["role"], url: unknown, prefix: boolean, why: string): Need[] {
    if (typeof url !== "string") return [];
    const parsed = parseS3(url);
    const objects = objectsArn(url, prefix ? "prefix" : "object");
    if (!parsed || !objects) return [];
    const needs: Need[] = [{ role, action: S3_READ_ACTION, resource: objects, why }];
    if (prefix) {
        needs.push({
            role,
            action: S3_LIST_ACTION,
            resource: bucketArn(parsed.bucket),
            context: { "s3:prefix": parsed.key },
            why,
        });
    }
    return needs;
}

/** Writes under an S3 URL, with the KMS data key when the writer encrypts with a key. */
function writes(role: Need["role"], url: unknown, kmsKey: unknown, why: string): Need[] {
    if (typeof url !== "string") return [];
    const objects = objectsArn(url, "folder");
    if (!objects) return [];
    const needs: Need[] = [{ role, action: S3_WRITE_ACTION, resource: objects, why }];
    // Only a key ARN names the resource IAM authorizes; a key id or alias cannot be matched to a grant here.
    if (typeof kmsKey === "string" && KMS_KEY_ARN.test(kmsKey)) {
        needs.push({ role, action: KMS_WRITE_ACTIONS[0], resource: kmsKey, why });
    }
    return needs;
}

function pulls(role: Need["role"], image: unknown, why: string): Need[] {
    const repository = typeof image === "string" ? ecrRepositoryArn(image) : undefined;
    if (!repository) return [];
    return [
        ...ECR_PULL_ACTIONS.map((action) => ({ role, action, resource: repository, why })),
        { role, action: ECR_LOGIN_ACTION, resource: "*", why },
    ];
}

function vpc(role: Need["role"], vpcConfig: unknown, why: string): Need[] {
    if (vpcConfig === undefined || vpcConfig === null || vpcConfig === UNKNOWN) return [];
    return VPC_ACTIONS.map((action) => ({ role, action, resource: "*", why }));
}

const roleRef = (node: Node, prop: string): Need["role"] => ({ value: str(node.props?.[prop]), node, prop });

/** A model's containers: `primaryContainer` and each of `containers`. */
function containersOf(props: any): any[] {
    const primary = servingContainerOf(props);
    const containers = arr(props?.containers);
    return [primary, ...(containers === UNKNOWN ? [] : containers)].filter(
        (c, i, all) => c && c !== UNKNOWN && typeof c === "object" && all.indexOf(c) === i,
    );
}

/** The S3 data a container loads: `modelDataUrl`, or its model data source (either provider's shape). */
function containerData(c: any): { url: unknown; prefix: boolean }[] {
    const source = c.modelDataSource;
    const s3Sources = Array.isArray(source?.s3DataSources)
        ? source.s3DataSources
        : source?.s3DataSource
          ? [source.s3DataSource]
          : [];
    const multiModel = c.mode === "MultiModel";
    return [
        ...(c.modelDataUrl !== undefined ? [{ url: c.modelDataUrl, prefix: multiModel }] : []),
        ...s3Sources.map((s: any) => ({
            url: s?.s3Uri,
            prefix: multiModel || s?.s3DataType === "S3Prefix" || String(s?.s3Uri).endsWith("/"),
        })),
    ];
}

function modelNeeds(node: Node): Need[] {
    const role = roleRef(node, "executionRoleArn");
    const what = subject(node);
    return [
        ...containersOf(node.props).flatMap((c) => [
            ...containerData(c).flatMap(({ url, prefix }) =>
                reads(role, url, prefix, `${what} loads its model data from ${String(url)}`),
            ),
            ...pulls(role, c.image, `${what} pulls its image ${String(c.image)}`),
        ]),
        ...vpc(
            role,
            node.props?.vpcConfig,
            `${what} runs in a VPC (vpcConfig): SageMaker manages its network interfaces`,
        ),
    ];
}

/**
 * The role SageMaker uses for an endpoint configuration's own work (captures, VPC, an inference component's
 * rollout): its `executionRoleArn`; without one (a classic endpoint), the roles of its variants' models.
 */
function endpointRoles(graph: StackGraph, config: Node): Need["role"][] {
    if (config.props?.executionRoleArn !== undefined) return [roleRef(config, "executionRoleArn")];
    return variantsOf(config.props)
        .map((v) => graph.modelNamed(v.modelName))
        .filter((m): m is Node => !!m)
        .map((m) => roleRef(m, "executionRoleArn"));
}

function endpointConfigNeeds(graph: StackGraph, node: Node): Need[] {
    const what = subject(node);
    const capture = node.props?.dataCaptureConfig;
    const roles = endpointRoles(graph, node);
    return roles.flatMap((role) => [
        ...(role.node === node
            ? vpc(
                  role,
                  node.props?.vpcConfig,
                  `${what} runs in a VPC (vpcConfig): SageMaker manages its network interfaces`,
              )
            : []),
        ...(capture && capture !== UNKNOWN && capture.enableCapture !== false
            ? writes(
                  role,
                  capture.destinationS3Uri,
                  capture.kmsKeyId,
                  `${what} captures requests and responses to ${String(capture.destinationS3Uri)}`,
              )
            : []),
    ]);
}

/** The ARN a needed alarm has: the stack's alarm's own when known, else built from its name. */
function alarmArnOf(graph: StackGraph, name: string, role: Need["role"]): string {
    for (const alarm of graph.allOf(SCALING_TYPES.alarm)) {
        const own = str(alarm.props?.name ?? alarm.props?.alarmName);
        if (own !== name) continue;
        const arn = str(alarm.props?.arn);
        if (typeof arn === "string") return arn;
    }
    const account = typeof role.value === "string" ? accountOf(role.value) : undefined;
    return alarmArn(undefined, account, name, ANY_PART);
}

function inferenceComponentNeeds(graph: StackGraph, node: Node): Need[] {
    const ic = inferenceComponentOf(node.props);
    const config = graph.endpointConfigurationOf(ic.endpointName);
    // An inference component acts with its endpoint's role (the configuration's), else its model's.
    const model = graph.modelOf(ic);
    const roles = config?.props?.executionRoleArn !== undefined ? [roleRef(config, "executionRoleArn")] : [];
    if (roles.length === 0 && model) roles.push(roleRef(model, "executionRoleArn"));
    const what = subject(node);
    const alarms = arr(ic.deploymentConfig?.autoRollbackConfiguration?.alarms);
    const names = alarms === UNKNOWN ? [] : alarms.map((a: any) => str(a?.alarmName));
    return roles.flatMap((role) => [
        ...names
            .filter((n): n is string => typeof n === "string")
            .map((name) => ({
                role,
                action: DESCRIBE_ALARMS_ACTION,
                resource: alarmArnOf(graph, name, role),
                why: `${what} rolls back on alarm "${name}" (deploymentConfig.autoRollbackConfiguration)`,
            })),
        ...reads(role, ic.artifactUrl, false, `${what} loads its adapter from ${String(ic.artifactUrl)}`),
    ]);
}

function optimizationJobNeeds(node: Node): Need[] {
    const role = roleRef(node, "roleArn");
    const what = subject(node);
    const p = node.props ?? {};
    const source = p.modelSource === UNKNOWN ? undefined : p.modelSource?.s3?.s3Uri;
    const output = p.outputConfig === UNKNOWN ? undefined : p.outputConfig;
    const configs = arr(p.optimizationConfigs);
    const training = (configs === UNKNOWN ? [] : configs)
        .map((c: any) => c?.modelSpeculativeDecodingConfig?.trainingDataSource?.s3Uri)
        .filter((u: unknown) => typeof u === "string");
    return [
        ...reads(role, source, true, `${what} reads the model it optimizes from ${String(source)}`),
        ...training.flatMap((u: string) => reads(role, u, true, `${what} reads its training data from ${u}`)),
        ...writes(
            role,
            output?.s3OutputLocation,
            output?.kmsKeyId,
            `${what} writes the optimized model to ${String(output?.s3OutputLocation)}`,
        ),
        ...vpc(role, p.vpcConfig, `${what} runs in a VPC (vpcConfig): SageMaker manages its network interfaces`),
    ];
}

/** Every need of the stack's SageMaker resources. */
function needsOf(graph: StackGraph): Need[] {
    return [
        ...graph.allOf(SAGEMAKER_TYPES.model).flatMap(modelNeeds),
        ...graph.allOf(SAGEMAKER_TYPES.endpointConfig).flatMap((n) => endpointConfigNeeds(graph, n)),
        ...graph.all(TYPES.inferenceComponent).flatMap((n) => inferenceComponentNeeds(graph, n)),
        ...graph.all(TYPES.optimizationJob).flatMap(optimizationJobNeeds),
    ];
}

// ---------------------------------------------------------------------------------------------------------
// Roles and their policies

/** A role the stack declares, with every statement attached to it, or `undefined` when one is unreadable. */
interface RoleView {
    readonly node: Node;
    readonly name: string | Unknown | undefined;
    readonly arn: string | Unknown | undefined;
    statements: Statement[] | undefined;
}

const roleNameOf = (n: Node) => str(n.resource.type === TYPES.role ? n.props?.name : n.props?.roleName);
/** The role name in a role ARN (`arn:aws:iam::1:role/path/name` -> `name`). */
const nameInArn = (arn: string) => (arn.startsWith("arn:") ? arn.slice(arn.lastIndexOf("/") + 1) : arn);
/** URNs of the resources a property depends on (the engine's propertyDependencies). */
const dependencyUrns = (node: Node, prop: string): string[] =>
    ((node.resource as any).propertyDependencies?.[prop] ?? []).map((r: { urn: string }) => r.urn);

/** Whether a reference (a name, an ARN, or an unknown one with its dependencies) points at a role. */
function refersTo(role: RoleView, value: string | Unknown | undefined, node: Node, prop: string): boolean | Unknown {
    if (value === UNKNOWN) {
        const urns = dependencyUrns(node, prop);
        return urns.length === 0 ? UNKNOWN : urns.includes(role.node.resource.urn);
    }
    if (typeof value !== "string") return false;
    return value === role.arn || (typeof role.name === "string" && nameInArn(value) === role.name);
}

/** The statements of a managed policy the stack declares, found by ARN (or dependency). */
function managedStatements(graph: StackGraph, arn: unknown, node: Node, prop: string): Statement[] | undefined {
    const policies = graph.allOf(IAM_TYPES.managedPolicy);
    let policy: Node | undefined;
    if (typeof arn === "string") {
        policy = policies.find((p) => str(p.props?.arn ?? p.props?.policyArn) === arn);
    } else {
        const urns = dependencyUrns(node, prop);
        policy = policies.find((p) => urns.includes(p.resource.urn));
    }
    // An AWS managed or imported policy: its statements are not in the stack.
    if (!policy) return undefined;
    return statementsOf(policy.resource.type === TYPES.iamPolicy ? policy.props?.policy : policy.props?.policyDocument);
}

/** Every role the stack declares, with the statements of all policies attached to it. */
function rolesOf(graph: StackGraph): RoleView[] {
    const roles: RoleView[] = graph.allOf(IAM_TYPES.role).map((node) => ({
        node,
        name: roleNameOf(node),
        arn: str(node.props?.arn),
        statements: [],
    }));
    const add = (role: RoleView, statements: Statement[] | undefined) => {
        role.statements = role.statements && statements ? [...role.statements, ...statements] : undefined;
    };
    // A policy that may be attached to a role (its reference is unknown) leaves that role unjudged.
    const attach = (value: unknown, node: Node, prop: string, statements: () => Statement[] | undefined) => {
        for (const role of roles) {
            const hit = refersTo(role, value === UNKNOWN ? UNKNOWN : str(value), node, prop);
            if (hit === UNKNOWN) add(role, undefined);
            else if (hit) add(role, statements());
        }
    };
    for (const role of roles) {
        const p = role.node.props ?? {};
        const inline = arr(role.node.resource.type === TYPES.role ? p.inlinePolicies : p.policies);
        if (inline === UNKNOWN) add(role, undefined);
        else {
            for (const entry of inline) {
                add(role, statementsOf(entry?.policy ?? entry?.policyDocument));
            }
        }
        const managed = arr(p.managedPolicyArns);
        if (managed === UNKNOWN) add(role, undefined);
        else for (const arn of managed) add(role, managedStatements(graph, arn, role.node, "managedPolicyArns"));
    }
    for (const node of graph.all(TYPES.rolePolicy)) {
        attach(node.props?.role, node, "role", () => statementsOf(node.props?.policy));
    }
    for (const node of graph.all(TYPES.nativeRolePolicy)) {
        attach(node.props?.roleName, node, "roleName", () => statementsOf(node.props?.policyDocument));
    }
    for (const node of graph.all(TYPES.rolePolicyAttachment)) {
        attach(node.props?.role, node, "role", () =>
            managedStatements(graph, node.props?.policyArn, node, "policyArn"),
        );
    }
    const listed = (node: Node, prop: string, statements: () => Statement[] | undefined) => {
        const members = arr(node.props?.[prop]);
        if (members === UNKNOWN) {
            for (const role of roles) add(role, undefined);
            return;
        }
        for (const member of members) attach(member, node, prop, statements);
    };
    for (const node of graph.all(TYPES.policyAttachment)) {
        listed(node, "roles", () => managedStatements(graph, node.props?.policyArn, node, "policyArn"));
    }
    for (const node of graph.all(TYPES.nativeManagedPolicy)) {
        listed(node, "roles", () => statementsOf(node.props?.policyDocument));
    }
    return roles;
}

/** The declared role a reference names; `undefined` for a role from outside the stack or an unknown one. */
function resolve(roles: readonly RoleView[], ref: Need["role"]): RoleView | undefined {
    const hits = roles.filter((r) => refersTo(r, ref.value, ref.node, ref.prop) === true);
    return hits.length === 1 ? hits[0] : undefined;
}

const MAX_REASONS = 3;

/**
 * The grants each declared execution role lacks for what SageMaker must do with it, one finding per role
 * and resource, naming the actions and why. A role the stack does not declare (an imported ARN) and a
 * role with a policy that cannot be read (unknown in preview, an AWS managed policy) are not judged.
 */
export function missingRoleGrants(graph: StackGraph): { node: Node; message: string }[] {
    const needs = needsOf(graph);
    if (needs.length === 0) return [];
    const roles = rolesOf(graph);
    const missing = new Map<
        string,
        { role: RoleView; resource: string; actions: Set<string>; whys: Set<string>; deniedBy: Set<string> }
    >();
    for (const need of needs) {
        const role = resolve(roles, need.role);
        if (!role?.statements) continue;
        const verdict = evaluate(role.statements, need.action, need.resource, need.context);
        if (verdict.allowed) continue;
        const key = `${role.node.resource.urn}\u0000${need.resource}`;
        const entry = missing.get(key) ?? {
            role,
            resource: need.resource,
            actions: new Set<string>(),
            whys: new Set<string>(),
            deniedBy: new Set<string>(),
        };
        entry.actions.add(need.action);
        entry.whys.add(need.why);
        if (verdict.deniedBy) entry.deniedBy.add(verdict.deniedBy);
        missing.set(key, entry);
    }
    return [...missing.values()].map(({ role, resource, actions, whys, deniedBy }) => {
        const shownResource = resource.split(ANY_PART).join("<region>");
        const reasons = [...whys];
        const why =
            reasons.slice(0, MAX_REASONS).join("; ") +
            (reasons.length > MAX_REASONS ? `; and ${reasons.length - MAX_REASONS} more` : "");
        const got =
            deniedBy.size > 0
                ? `a Deny statement (${[...deniedBy].join(", ")})`
                : "no statement that allows " + (actions.size > 1 ? "them" : "it");
        return {
            node: role.node,
            message:
                `Role "${role.node.name}" must allow ${[...actions].join(", ")} on ${shownResource} (${why}), got ${got}. ` +
                `Grant ${actions.size > 1 ? "them" : "it"} in the role's policy (fm-fleet's ExecutionRole does: see docs/execution-role.md), or the create or rollout fails at pulumi up.`,
        };
    });
}
