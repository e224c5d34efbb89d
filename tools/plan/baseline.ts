import { createHash } from "crypto";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { TYPES } from "../../lib/contract";
import type { RecordedResource } from "../mocks/recorder";

/**
 * A plan against an earlier plan (`--baseline`): which resources `pulumi up` would add, replace, update and
 * delete, by logical and physical name, with the inputs that differ and, for a replacement, the create-only
 * input that forces it. Resources are matched by URN, as the engine matches its state; components are not
 * deployed and are left out.
 */

/** One resource of a plan's JSON (`resources[]`): what a diff needs. */
export interface PlanResourceJson {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly physicalName: string | null;
    readonly parent: string | null;
    readonly dependencies: readonly string[];
    /** Paths the program tells the engine to ignore (`ignoreChanges`). */
    readonly ignoreChanges: readonly string[];
    /**
     * The inputs as the engine receives them; `null` for components. Secrets appear as a digest of their
     * value (a change still shows, the value never does), unknowns as `"<unknown>"`, resource references as
     * their URN; a dynamic provider's serialized code (`__provider`) is left out.
     */
    readonly inputs: Record<string, unknown> | null;
}

/** What makes the input digest of a secret: never its value. */
const secretDigest = (value: unknown) =>
    `<secret sha256:${createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16)}>`;

/** Wire-form inputs (a protobuf Struct as JavaScript) as plain JSON for the plan. */
function plainInputs(wire: unknown, rpc: typeof import("@pulumi/pulumi/runtime/rpc")): unknown {
    if (wire === rpc.unknownValue) return "<unknown>";
    if (Array.isArray(wire)) return wire.map((v) => plainInputs(v, rpc));
    if (wire === null || typeof wire !== "object") return wire;
    const object = wire as Record<string, unknown>;
    const sig = object[rpc.specialSigKey];
    if (sig === rpc.specialSecretSig) return secretDigest(object.value);
    if (sig === rpc.specialResourceSig) return object.urn;
    return Object.fromEntries(
        Object.entries(object)
            .filter(([key]) => !key.startsWith("__"))
            .map(([key, value]) => [key, plainInputs(value, rpc)]),
    );
}

/** The resources of a plan as its JSON carries them. */
export function planResourcesJson(
    resources: readonly RecordedResource[],
    physicalNames: readonly (string | null)[],
): PlanResourceJson[] {
    // Loaded on use: the command line reads a baseline (this module) before the plan starts.
    const rpc = require("@pulumi/pulumi/runtime/rpc") as typeof import("@pulumi/pulumi/runtime/rpc");
    return resources.map((r, i) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        physicalName: physicalNames[i] ?? null,
        parent: r.parent || null,
        dependencies: r.dependencies,
        ignoreChanges: r.ignoreChanges,
        inputs: r.custom ? (plainInputs(r.inputsStruct.toJavaScript(), rpc) as Record<string, unknown>) : null,
    }));
}

// ---------------------------------------------------------------------------------------------------------
// Which inputs replace a resource when they change.

/** aws-native's camel-cased name of a CloudFormation property path (`/properties/KmsKeyId` -> `kmsKeyId`). */
const nativeName = (pointer: string) => {
    const property = pointer.replace(/^\/properties\//, "").split("/")[0];
    return property.charAt(0).toLowerCase() + property.slice(1);
};

/** `createOnlyProperties` of a pinned CloudFormation schema, in aws-native's names. */
function schemaCreateOnly(type: string): string[] {
    const { PINNED_SCHEMAS } =
        require("./preflight/cloudformation-schemas") as typeof import("./preflight/cloudformation-schemas");
    const file = PINNED_SCHEMAS[type];
    const schema = JSON.parse(readFileSync(path.join(__dirname, "preflight", "schemas", file), "utf8"));
    return (schema.createOnlyProperties ?? []).map(nativeName);
}

/** Every input but these replaces the resource. */
interface AllBut {
    readonly allBut: readonly string[];
}
type CreateOnly = readonly string[] | AllBut;

/**
 * Create-only inputs per type: a change to one replaces the resource. `@pulumi/aws` types follow the
 * Terraform provider's `ForceNew` arguments (hashicorp/terraform-provider-aws, internal/service/...);
 * aws-native types their CloudFormation schema's `createOnlyProperties` (tools/plan/preflight/schemas).
 */
const CREATE_ONLY: Readonly<Record<string, () => CreateOnly>> = {
    // sagemaker/model.go: every argument is ForceNew except tags (CreateModel has no update counterpart).
    [TYPES.model]: () => ({ allBut: ["tags", "tagsAll"] }),
    // iam/role.go: name, name_prefix and path are ForceNew; the trust and inline policies update in place.
    [TYPES.role]: () => ["name", "namePrefix", "path"],
    // iam/role_policy.go: name, name_prefix and role are ForceNew; policy is PutRolePolicy again.
    [TYPES.rolePolicy]: () => ["name", "namePrefix", "role"],
    // appautoscaling/target.go: resource_id, scalable_dimension, service_namespace are ForceNew.
    [TYPES.scalableTarget]: () => ["resourceId", "scalableDimension", "serviceNamespace"],
    // appautoscaling/policy.go: the same three and the policy's name.
    [TYPES.scalingPolicy]: () => ["name", "resourceId", "scalableDimension", "serviceNamespace"],
    // cloudwatch/metric_alarm.go: alarm_name is ForceNew; PutMetricAlarm updates everything else.
    [TYPES.metricAlarm]: () => ["name"],
    [TYPES.inferenceComponent]: () => schemaCreateOnly(TYPES.inferenceComponent),
    // The pinned schema lists every property but Tags; MetricsConfig (from the overlay, which the pinned
    // schema predates) is create-only too: SageMaker has no UpdateEndpointConfig.
    [TYPES.nativeEndpointConfig]: () => [...schemaCreateOnly(TYPES.nativeEndpointConfig), "metricsConfig"],
    [TYPES.nativeEndpoint]: () => schemaCreateOnly(TYPES.nativeEndpoint),
    // components/optimization/job-provider.ts diff(): all but what does not shape the output.
    [TYPES.optimizationJob]: () => ({ allBut: ["waitTimeoutSeconds", "roleArn", "tags", "outputConfig.kmsKeyId"] }),
};

const createOnlyCache = new Map<string, CreateOnly | undefined>();
function createOnlyOf(type: string): CreateOnly | undefined {
    if (!createOnlyCache.has(type)) createOnlyCache.set(type, CREATE_ONLY[type]?.());
    return createOnlyCache.get(type);
}

/** Whether a type's create-only inputs are known here; for others only a new physical name says "replace". */
export const knowsCreateOnly = (type: string) => CREATE_ONLY[type] !== undefined;

/** `a.b` and `a[0]` are `a`, or under it. */
const within = (pathName: string, prefix: string) =>
    pathName === prefix || pathName.startsWith(`${prefix}.`) || pathName.startsWith(`${prefix}[`);

/** The changed paths that force a replacement of a resource of `type`. */
export function replacingPaths(type: string, changed: readonly string[]): string[] {
    const spec = createOnlyOf(type);
    if (spec === undefined) return [];
    if ("allBut" in spec) return changed.filter((p) => !spec.allBut.some((kept) => within(p, kept)));
    return changed.filter((p) => spec.some((key) => within(p, key)));
}

// ---------------------------------------------------------------------------------------------------------
// The diff.

/** One input that differs: its path (`primaryContainer.environment.OPTION_MAX_LORAS`), before and after. */
export interface InputChange {
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

/** A resource that would change. */
export interface ResourceChange {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly physicalName: { readonly before: string | null; readonly after: string | null };
    /** Inputs that differ (empty for added and deleted resources). */
    readonly inputs: readonly InputChange[];
    /** Replacements: what forces it, e.g. `create-only input primaryContainer.image` or `new physical name`. */
    readonly replacedBecause: readonly string[];
}

/** What a plan changes against its baseline. */
export interface PlanChanges {
    /** The baseline file, as given. */
    readonly baseline: string;
    readonly added: ResourceChange[];
    readonly replaced: ResourceChange[];
    readonly updated: ResourceChange[];
    readonly deleted: ResourceChange[];
    /** Resources in both plans with the same inputs. */
    readonly unchanged: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);

/** Leaf paths where two input trees differ (arrays of different lengths differ as a whole). */
export function inputChanges(before: unknown, after: unknown, at = ""): InputChange[] {
    if (isPlainObject(before) && isPlainObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => inputChanges(before[k], after[k], at ? `${at}.${k}` : k));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((v, i) => inputChanges(v, after[i], `${at}[${i}]`));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: at, before, after }];
}

/** `runtimeConfig.copyCount` of ignoreChanges matches `runtimeConfig.copyCount` and what is under it. */
const ignored = (pathName: string, ignore: readonly string[]) =>
    ignore.some((i) => within(pathName.replace(/\[(\d+)\]/g, ".$1"), i.replace(/\[(\d+)\]/g, ".$1")));

/** The changes from `before` to `after`, each list in the order of its plan. */
export function diffPlans(
    baseline: string,
    before: readonly PlanResourceJson[],
    after: readonly PlanResourceJson[],
): PlanChanges {
    const custom = (rs: readonly PlanResourceJson[]) => rs.filter((r) => r.inputs !== null);
    const old = new Map(custom(before).map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const changes = { baseline, added: [], replaced: [], updated: [], deleted: [], unchanged: 0 } as {
        -readonly [K in keyof PlanChanges]: PlanChanges[K];
    };
    for (const r of custom(after)) {
        const was = old.get(r.urn);
        const physicalName = { before: was?.physicalName ?? null, after: r.physicalName };
        if (!was) {
            changes.added.push({
                urn: r.urn,
                type: r.type,
                name: r.name,
                physicalName,
                inputs: [],
                replacedBecause: [],
            });
            continue;
        }
        seen.add(r.urn);
        const differ = inputChanges(was.inputs, r.inputs).filter((c) => !ignored(c.path, r.ignoreChanges));
        if (differ.length === 0) {
            changes.unchanged++;
            continue;
        }
        const replacing = replacingPaths(
            r.type,
            differ.map((c) => c.path),
        );
        const renamed = was.physicalName !== r.physicalName && !knowsCreateOnly(r.type);
        const replacedBecause = [
            ...replacing.map((p) => `create-only input ${p}`),
            ...(renamed ? ["new physical name"] : []),
        ];
        const change = { urn: r.urn, type: r.type, name: r.name, physicalName, inputs: differ, replacedBecause };
        (replacedBecause.length > 0 ? changes.replaced : changes.updated).push(change);
    }
    for (const r of custom(before)) {
        if (seen.has(r.urn)) continue;
        changes.deleted.push({
            urn: r.urn,
            type: r.type,
            name: r.name,
            physicalName: { before: r.physicalName, after: null },
            inputs: [],
            replacedBecause: [],
        });
    }
    return changes;
}

// ---------------------------------------------------------------------------------------------------------
// Reading a baseline.

/** A `--baseline` that cannot be used: the plan exits 2 with this one line. */
export class BaselineError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BaselineError";
    }
}

/** A plan's JSON, as far as a diff reads it. */
export interface BaselinePlan {
    readonly file: string;
    readonly project: string;
    readonly stack: string;
    readonly resources: PlanResourceJson[];
}

const isResource = (r: unknown): r is PlanResourceJson =>
    isPlainObject(r) &&
    typeof r.urn === "string" &&
    typeof r.type === "string" &&
    typeof r.name === "string" &&
    (r.inputs === null || isPlainObject(r.inputs)) &&
    Array.isArray(r.ignoreChanges);

/** The first plan JSON schema whose resources carry their inputs, all a baseline needs. */
export const BASELINE_SCHEMA_VERSION_MIN = 3;

/**
 * Reads `file` (as given on the command line, resolved against `cwd`) as a plan's JSON of `stack`; throws a
 * {@link BaselineError} naming the file and the fix otherwise. `schemaVersion` is the current one.
 */
export function readBaseline(file: string, cwd: string, stack: string, schemaVersion: number): BaselinePlan {
    const at = `--baseline ${file}`;
    const resolved = path.resolve(cwd, file);
    if (!existsSync(resolved))
        throw new BaselineError(`${at}: no such file. Give an earlier plan's JSON (--format json).`);
    const text = readFileSync(resolved, "utf8");
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        // `npm run plan > file` writes npm's banner first; `npm run --silent` does not.
        if (/^\s*> /.test(text)) {
            throw new BaselineError(
                `${at} is not JSON: it starts with npm's "> ..." banner. Write it with npm run --silent plan -- --format json.`,
            );
        }
        // The parser's own words vary with the Node version; the file is what matters.
        throw new BaselineError(`${at} is not JSON. Give an earlier plan's JSON (--format json).`);
    }
    const notPlan = (what: string) =>
        new BaselineError(`${at} is not a plan's JSON: ${what}. Give the output of fm-fleet plan --format json.`);
    if (!isPlainObject(json) || typeof json.project !== "string" || typeof json.stack !== "string")
        throw notPlan("it has no project and stack");
    // The changes read only resources[], whose shape has not changed since schema 3 (4 renamed cost fields),
    // so a base branch's plan of an earlier schema still serves as a baseline.
    const version = json.schemaVersion;
    if (typeof version !== "number" || version < BASELINE_SCHEMA_VERSION_MIN || version > schemaVersion) {
        throw notPlan(
            `its schemaVersion is ${JSON.stringify(version ?? null)}, this plan reads ${BASELINE_SCHEMA_VERSION_MIN} to ${schemaVersion} (plan the baseline again with this version)`,
        );
    }
    if (!Array.isArray(json.resources) || !json.resources.every(isResource))
        throw notPlan("its resources[] do not carry urn, type, name, inputs and ignoreChanges");
    if (json.stack !== stack) {
        throw new BaselineError(
            `${at} is a plan of stack ${json.stack}, not ${stack}. Give the baseline of the same stack.`,
        );
    }
    return { file, project: json.project, stack: json.stack, resources: json.resources };
}

/** The project check, once the plan knows its project (from Pulumi.yaml). */
export function checkBaselineProject(baseline: BaselinePlan, project: string): void {
    if (baseline.project !== project) {
        throw new BaselineError(
            `--baseline ${baseline.file} is a plan of project ${baseline.project}, not ${project}. Give the baseline of this project's stack.`,
        );
    }
}
