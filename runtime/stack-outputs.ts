import type { Target } from "./client";
import type { Guard } from "./guard";
import { categoriesOf, GUARD_CHECKS, GUARD_FAMILIES } from "../lib/guard";

/**
 * The names a stack's outputs map: config names (what application teams write in `Pulumi.<stack>.yaml`) to
 * the physical names SageMaker knows. Read from `pulumi stack output --json`, or from the offline plan's
 * JSON (its `outputs`) for a dry run.
 */
export interface FleetNames {
    /** Endpoint config name -> physical names of the endpoint and what runs on it. */
    readonly endpoints: Record<
        string,
        {
            readonly endpointName: string;
            readonly models: Record<
                string,
                { readonly inferenceComponentName: string; readonly adapters: Record<string, string> }
            >;
            /** The endpoint's safety guard, when it has one (stack config `endpoints[].guard`). */
            readonly guard?: Guard;
        }
    >;
    /** Multi-model endpoint config name -> its physical endpoint name. */
    readonly multiModelEndpoints: Record<string, { readonly endpointName: string }>;
    /**
     * Serial inference pipeline config name -> its physical endpoint name: a plain InvokeEndpoint (no
     * inference component, no target model) runs every container in order. Absent in older stacks' outputs.
     */
    readonly pipelines?: Record<string, { readonly endpointName: string }>;
}

/** What a caller names: config names, or (without stack outputs) physical ones. */
export interface TargetRef {
    readonly endpoint: string;
    readonly model?: string;
    readonly adapter?: string;
    /** A model key under a multi-model endpoint's prefix. */
    readonly targetModel?: string;
}

/** Stack outputs that are not an fm-fleet stack's, or a name they do not hold. */
export class StackOutputsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackOutputsError";
    }
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
const names = (record: Record<string, unknown>) => Object.keys(record).sort().join(", ") || "none";

/**
 * Reads stack outputs: the object `pulumi stack output --json` prints, or the plan's JSON, whose `outputs`
 * hold the same. `source` names where they came from, for messages.
 */
export function parseStackOutputs(json: unknown, source: string): FleetNames {
    const outputs = isObject(json) && "schemaVersion" in json && isObject(json.outputs) ? json.outputs : json;
    const problem = (what: string) =>
        new StackOutputsError(
            `${source} is not the outputs of an fm-fleet stack: ${what}. Pass \`pulumi stack output --json\` or the plan's --format json.`,
        );
    if (!isObject(outputs)) throw problem("expected a JSON object");
    if (!isObject(outputs.endpoints)) throw problem("it has no `endpoints` object");
    for (const [name, endpoint] of Object.entries(outputs.endpoints)) {
        if (!isObject(endpoint) || typeof endpoint.endpointName !== "string" || !isObject(endpoint.models)) {
            throw problem(`endpoints.${name} has no endpointName and models`);
        }
        for (const [model, m] of Object.entries(endpoint.models)) {
            if (!isObject(m) || typeof m.inferenceComponentName !== "string" || !isObject(m.adapters)) {
                throw problem(`endpoints.${name}.models.${model} has no inferenceComponentName and adapters`);
            }
        }
        if (endpoint.guard !== undefined) {
            const g = endpoint.guard;
            const family =
                isObject(g) && typeof g.family === "string" && g.family in GUARD_FAMILIES ? g.family : undefined;
            const known = family ? categoriesOf(family as keyof typeof GUARD_FAMILIES) : [];
            const valid =
                isObject(g) &&
                typeof g.name === "string" &&
                typeof g.inferenceComponentName === "string" &&
                family !== undefined &&
                Array.isArray(g.checks) &&
                g.checks.length > 0 &&
                g.checks.every((c: unknown) => (GUARD_CHECKS as readonly unknown[]).includes(c)) &&
                Array.isArray(g.categories) &&
                g.categories.every((c: unknown) => known.includes(c as string));
            // A guard the client cannot read must not turn into no guard: refuse the outputs.
            if (!valid) {
                throw problem(
                    `endpoints.${name}.guard is not a guard this client knows (name, inferenceComponentName, family ${Object.keys(GUARD_FAMILIES).join("|")}, checks, categories)`,
                );
            }
        }
    }
    const mmes = outputs.multiModelEndpoints ?? {};
    if (!isObject(mmes)) throw problem("`multiModelEndpoints` is not an object");
    for (const [name, mme] of Object.entries(mmes)) {
        if (!isObject(mme) || typeof mme.endpointName !== "string")
            throw problem(`multiModelEndpoints.${name} has no endpointName`);
    }
    const pipelines = outputs.pipelines ?? {};
    if (!isObject(pipelines)) throw problem("`pipelines` is not an object");
    for (const [name, p] of Object.entries(pipelines)) {
        if (!isObject(p) || typeof p.endpointName !== "string") throw problem(`pipelines.${name} has no endpointName`);
    }
    return { endpoints: outputs.endpoints, multiModelEndpoints: mmes, pipelines } as FleetNames;
}

/** The physical target of config names; every unknown name fails with the names it could have been. */
export function resolveTarget(fleet: FleetNames, ref: TargetRef): Target {
    const mme = fleet.multiModelEndpoints[ref.endpoint];
    if (mme) {
        if (ref.model !== undefined || ref.adapter !== undefined) {
            throw new StackOutputsError(
                `"${ref.endpoint}" is a multi-model endpoint: name its model with --target-model, not --model or --adapter.`,
            );
        }
        return { endpointName: mme.endpointName, targetModel: ref.targetModel };
    }
    const pipeline = fleet.pipelines?.[ref.endpoint];
    if (pipeline) {
        if (ref.model !== undefined || ref.adapter !== undefined || ref.targetModel !== undefined) {
            throw new StackOutputsError(
                `"${ref.endpoint}" is a serial inference pipeline: call it with --endpoint alone (every container runs in order), not --model, --adapter or --target-model.`,
            );
        }
        return { endpointName: pipeline.endpointName };
    }
    const endpoint = fleet.endpoints[ref.endpoint];
    if (!endpoint) {
        throw new StackOutputsError(
            `unknown endpoint "${ref.endpoint}". Known: ${names({ ...fleet.endpoints, ...fleet.multiModelEndpoints, ...fleet.pipelines })}.`,
        );
    }
    if (ref.targetModel !== undefined) {
        throw new StackOutputsError(
            `"${ref.endpoint}" hosts inference components: name them with --model, not --target-model.`,
        );
    }
    const modelNames = Object.keys(endpoint.models);
    const modelName = ref.model ?? (modelNames.length === 1 ? modelNames[0] : undefined);
    if (modelName === undefined) {
        throw new StackOutputsError(
            `endpoint "${ref.endpoint}" hosts several models: name one with --model (${names(endpoint.models)}).`,
        );
    }
    const model = endpoint.models[modelName];
    if (!model) {
        throw new StackOutputsError(
            `unknown model "${modelName}" on endpoint "${ref.endpoint}". Known: ${names(endpoint.models)}.`,
        );
    }
    const guard = endpoint.guard && { guard: endpoint.guard };
    if (ref.adapter === undefined) {
        return { endpointName: endpoint.endpointName, inferenceComponentName: model.inferenceComponentName, ...guard };
    }
    const adapter = model.adapters[ref.adapter];
    if (adapter === undefined) {
        throw new StackOutputsError(
            `unknown adapter "${ref.adapter}" of model "${modelName}" on endpoint "${ref.endpoint}". Known: ${names(model.adapters)}.`,
        );
    }
    return { endpointName: endpoint.endpointName, inferenceComponentName: adapter, ...guard };
}

/** The guard of the endpoint with this physical name, if the outputs know one. */
export function guardOfEndpoint(fleet: FleetNames, endpointName: string): Guard | undefined {
    return Object.values(fleet.endpoints).find((e) => e.endpointName === endpointName)?.guard;
}

/** Every callable name, one row each: config names and the physical names they map to. */
export function nameRows(fleet: FleetNames): {
    endpoint: string;
    model: string;
    adapter: string;
    endpointName: string;
    inferenceComponentName: string;
}[] {
    const rows = [];
    for (const [endpoint, e] of Object.entries(fleet.endpoints)) {
        for (const [model, m] of Object.entries(e.models)) {
            rows.push({
                endpoint,
                model,
                adapter: "",
                endpointName: e.endpointName,
                inferenceComponentName: m.inferenceComponentName,
            });
            for (const [adapter, ic] of Object.entries(m.adapters)) {
                rows.push({ endpoint, model, adapter, endpointName: e.endpointName, inferenceComponentName: ic });
            }
        }
        if (e.guard) {
            rows.push({
                endpoint,
                model: "(guard)",
                adapter: e.guard.name,
                endpointName: e.endpointName,
                inferenceComponentName: e.guard.inferenceComponentName,
            });
        }
    }
    for (const [endpoint, m] of Object.entries(fleet.multiModelEndpoints)) {
        rows.push({
            endpoint,
            model: "(target model)",
            adapter: "",
            endpointName: m.endpointName,
            inferenceComponentName: "",
        });
    }
    for (const [endpoint, p] of Object.entries(fleet.pipelines ?? {})) {
        rows.push({
            endpoint,
            model: "(pipeline)",
            adapter: "",
            endpointName: p.endpointName,
            inferenceComponentName: "",
        });
    }
    return rows;
}
