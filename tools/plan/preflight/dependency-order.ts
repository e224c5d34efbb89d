import { NAME_PROPERTY, SCALING_TYPES, TYPES } from "../../../lib/contract";
import { inputsOf, outputsOf, RecordedResource } from "../../mocks/recorder";

/**
 * Creation order, as the engine would derive it. Mocks create everything at once and never notice a
 * missing dependency; the engine creates a resource as soon as the resources it depends on exist, so an
 * input that names another resource by a precomputed string (its physical name, its ARN, an S3 prefix it
 * writes) lets `pulumi up` create the two at the same time: a model before the job that writes its weights,
 * a scalable target before the component it scales. This check finds every such reference that has no
 * dependency (direct, transitive, or through a component) behind it.
 */

/** Something a resource is known by, and the resource. */
interface Identity {
    readonly resource: RecordedResource;
    /** How messages say what was matched: `name`, `ARN`, `output prefix`. */
    readonly what: string;
}

/** An input that names another resource the resource does not depend on. */
export interface OrderProblem {
    readonly resource: RecordedResource;
    readonly referenced: RecordedResource;
    /** Path of the input, e.g. `primaryContainer.modelDataSource.s3DataSources[0].s3Uri`. */
    readonly path: string;
    readonly value: string;
    readonly what: string;
}

/**
 * Inputs that may name a resource without depending on it, each with the reason the API does not need the
 * named resource to exist first. Keyed by type (`*`: every type), the values are top-level input names.
 */
export const ORDER_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    "*": {
        tags: "tags are labels: no API resolves a tag's value, so naming a resource there needs no order",
        tagsAll: "tags are labels: no API resolves a tag's value, so naming a resource there needs no order",
    },
    ...Object.fromEntries(
        SCALING_TYPES.alarm.map((type) => [
            type,
            {
                dimensions:
                    "CloudWatch alarms watch metrics by dimension values whether or not the resource exists yet (PutMetricAlarm does not resolve them)",
                metrics:
                    "CloudWatch alarms watch metrics by dimension values whether or not the resource exists yet (PutMetricAlarm does not resolve them)",
                // @pulumi/aws names a metric-math alarm's metrics `metricQueries` (aws-native: `metrics`).
                metricQueries:
                    "CloudWatch alarms watch metrics by dimension values whether or not the resource exists yet (PutMetricAlarm does not resolve them)",
            },
        ]),
    ),
    [TYPES.role]: {
        assumeRolePolicy: "IAM policy documents may name resources that do not exist yet (IAM does not resolve them)",
        inlinePolicies: "IAM policy documents may name resources that do not exist yet (IAM does not resolve them)",
    },
    [TYPES.rolePolicy]: {
        policy: "IAM policy documents may name resources that do not exist yet (IAM does not resolve them)",
    },
};

/** Input names no API reads: the SDK's own (a dynamic provider's serialized code). */
const isInternal = (key: string) => key.startsWith("__");

const S3_URL = /^s3:\/\//;

/**
 * Strings that name resources in their segments: ARNs, and Application Auto Scaling resource ids
 * (`inference-component/<name>`, `endpoint/<name>/variant/<variant>`). Other paths, S3 keys above all,
 * may hold a resource's name as a folder without referring to it.
 */
const RESOURCE_ID = /^(arn:|[a-z][a-z-]*\/[^/\s])/;

/** The S3 prefix a resource writes, if it writes one the rest of a stack may read. */
function writtenPrefix(r: RecordedResource, inputs: Record<string, any>): string | undefined {
    if (r.type !== TYPES.optimizationJob) return undefined;
    const location = inputs.outputConfig?.s3OutputLocation;
    return typeof location === "string" && S3_URL.test(location) ? location : undefined;
}

/** A resource's own identities: its physical name and the ARNs it gets (outputs that are not its inputs). */
function identitiesOf(r: RecordedResource, inputs: Record<string, any>): [string, string][] {
    const outputs = outputsOf(r);
    const found: [string, string][] = [];
    const nameKey = NAME_PROPERTY[r.type] ?? "name";
    const name = outputs[nameKey] ?? inputs[nameKey];
    if (typeof name === "string" && name !== "") found.push([name, "name"]);
    for (const [key, value] of Object.entries(outputs)) {
        if (key in inputs || typeof value !== "string" || !value.startsWith("arn:")) continue;
        found.push([value, "ARN"]);
    }
    return found;
}

/** Every string leaf of `value` with its path, skipping the excepted top-level inputs. */
function* stringLeaves(value: unknown, path: string): Generator<[string, string]> {
    if (typeof value === "string") yield [path, value];
    else if (Array.isArray(value))
        for (let i = 0; i < value.length; i++) yield* stringLeaves(value[i], `${path}[${i}]`);
    else if (value !== null && typeof value === "object")
        for (const [k, v] of Object.entries(value)) yield* stringLeaves(v, path === "" ? k : `${path}.${k}`);
}

/**
 * References without a dependency: for each custom resource, each input (outside {@link ORDER_EXCEPTIONS})
 * equal to another resource's name or ARN, an ARN or resource id holding its name as a `/`- or `:`-separated
 * segment (a scalable target's `inference-component/<name>`), or under an S3 prefix another resource writes, whose
 * resource is not among its dependencies, their dependencies, or the children of a component it depends on.
 */
export function dependencyOrderProblems(
    resources: readonly RecordedResource[],
    /** A resource's plain inputs; the preflight passes the ones it has already decoded. */
    inputsOfResource: (r: RecordedResource) => Record<string, any> = inputsOf,
): OrderProblem[] {
    const custom = resources.filter((r) => r.custom);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (!r.parent) continue;
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const inputs = new Map(custom.map((r) => [r, inputsOfResource(r)]));
    const identities = new Map<string, Identity[]>();
    const writers: { prefix: string; resource: RecordedResource }[] = [];
    for (const r of custom) {
        for (const [key, what] of identitiesOf(r, inputs.get(r)!)) {
            const list = identities.get(key) ?? [];
            list.push({ resource: r, what });
            identities.set(key, list);
        }
        const prefix = writtenPrefix(r, inputs.get(r)!);
        if (prefix) writers.push({ prefix, resource: r });
    }

    // Everything a resource waits for: its dependencies, theirs, and a component's descendants.
    const closures = new Map<string, Set<string>>();
    const closureOf = (urn: string): Set<string> => {
        const known = closures.get(urn);
        if (known) return known;
        const seen = new Set<string>();
        closures.set(urn, seen);
        const r = byUrn.get(urn);
        const direct = r ? [...r.dependencies, ...Object.values(r.propertyDependencies).flat()] : [];
        const visit = (dep: string) => {
            if (seen.has(dep)) return;
            seen.add(dep);
            const d = byUrn.get(dep);
            if (d && !d.custom) for (const child of children.get(dep) ?? []) visit(child.urn);
            for (const transitive of closureOf(dep)) seen.add(transitive);
        };
        direct.forEach(visit);
        return seen;
    };

    const problems: OrderProblem[] = [];
    for (const r of custom) {
        const excepted = { ...ORDER_EXCEPTIONS["*"], ...ORDER_EXCEPTIONS[r.type] };
        const reported = new Set<RecordedResource>();
        for (const [key, value] of Object.entries(inputs.get(r)!)) {
            if (isInternal(key) || key in excepted) continue;
            for (const [path, leaf] of stringLeaves(value, key)) {
                const matches: Identity[] = [];
                if (S3_URL.test(leaf)) {
                    for (const w of writers)
                        if (leaf.startsWith(w.prefix)) matches.push({ resource: w.resource, what: "output prefix" });
                }
                matches.push(...(identities.get(leaf) ?? []));
                if (RESOURCE_ID.test(leaf)) {
                    for (const segment of leaf.split(/[/:]/))
                        for (const id of identities.get(segment) ?? []) if (id.what === "name") matches.push(id);
                }
                for (const { resource: referenced, what } of matches) {
                    if (referenced === r || reported.has(referenced)) continue;
                    if (closureOf(r.urn).has(referenced.urn)) continue;
                    reported.add(referenced);
                    problems.push({ resource: r, referenced, path, value: leaf, what });
                }
            }
        }
    }
    return problems;
}

/** A resource type for messages: `Model`, `InferenceComponent`, ... */
const kind = (type: string) => type.split(/[:/]/).pop() ?? type;

/** The sentence a report prints for a problem: what names what, and the fix. */
export function orderMessage(p: OrderProblem): string {
    return (
        `${kind(p.resource.type)} "${p.resource.name}" names ${kind(p.referenced.type)} "${p.referenced.name}" by its ${p.what} in \`${p.path}\` ("${p.value}") without depending on it, ` +
        `so \`pulumi up\` may create both at once. Pass the resource's output (e.g. its name or URL as an Output) instead of a string, or add it to \`dependsOn\`.`
    );
}
