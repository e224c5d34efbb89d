import { findInstanceType, localStorageType } from "../../lib/catalog";
import { PLACEMENT_RANGES, ROLLING_UPDATE_RANGES, SCALE_IN_RANGES } from "../../lib/contract";
import { optimizationIssues } from "../optimization/model-optimization";
import { containerFamilyOf, loraIssues } from "../serving-environment";
import { draftPathIn, isObject, isS3Url, messages, Raw, show } from "../rules";
import { categoriesOf, GUARD_DEFAULTS, GUARD_FAMILIES, GuardFamilyName } from "../../lib/guard";
import { ConfigIssue } from "./issues";
import { containerIssues } from "../pipeline-rules";

/**
 * Rules that span fields, which a schema alone cannot state. They read the raw config defensively, so they
 * run (and report) even when other fields are malformed: users see every problem at once.
 */
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
const indexed = (v: unknown): [number, Raw][] =>
    Array.isArray(v) ? v.flatMap((x, i): [number, Raw][] => (isObject(x) ? [[i, x]] : [])) : [];

function checkBounds(path: string, bounds: unknown, what: string, issues: ConfigIssue[]): void {
    if (!isObject(bounds)) return;
    const min = int(bounds.min);
    const max = int(bounds.max);
    if (min !== undefined && max !== undefined && min > max) {
        issues.push({ path, message: messages.minAboveMax(min, max, what) });
    }
}

function checkUnique(path: string, items: [number, Raw][], what: string, issues: ConfigIssue[]): void {
    const seen = new Map<string, number>();
    for (const [i, item] of items) {
        if (typeof item.name !== "string") continue;
        const first = seen.get(item.name);
        if (first === undefined) seen.set(item.name, i);
        else
            issues.push({
                path: `${path}[${i}].name`,
                message: messages.duplicate(what, item.name, `${path}[${first}]`),
            });
    }
}

/**
 * A model's optimization job: the rules the FoundationModel checks too (one function), and, knowing the
 * endpoint, that the job optimizes for a type the endpoint serves on.
 */
function checkOptimization(
    { path, endpointPath }: { path: string; endpointPath: string },
    model: Raw,
    endpoint: Raw,
    issues: ConfigIssue[],
): void {
    const optimization = model.optimization;
    if (!isObject(optimization)) return;
    const instanceType = optimization.instanceType ?? endpoint.instanceType;
    for (const issue of optimizationIssues({ ...optimization, instanceType }, model, { fieldsChecked: true })) {
        // A defaulted instance type is reported where it comes from: the endpoint.
        const at =
            issue.path === "optimization.instanceType" && optimization.instanceType === undefined
                ? `${endpointPath}.instanceType`
                : `${path}.${issue.path}`;
        issues.push({ path: at, message: issue.message });
    }
    const served = [
        endpoint.instanceType,
        ...(Array.isArray(endpoint.fallbackInstanceTypes) ? endpoint.fallbackInstanceTypes : []),
    ];
    if (typeof optimization.instanceType === "string" && !served.includes(optimization.instanceType)) {
        issues.push({
            path: `${path}.optimization.instanceType`,
            message: `is ${optimization.instanceType}, but endpoint "${String(endpoint.name)}" serves on ${served.filter((t) => typeof t === "string").join(", ")}: the job optimizes for the type it is told. Use one of those, or leave it out for the endpoint's.`,
        });
    }
}

/** A model's serving container family is known, and its draft model travels inside its weights. */
function checkServing(path: string, model: Raw, issues: ConfigIssue[]): void {
    if (model.containerFamily === undefined && typeof model.image === "string" && model.image !== "") {
        if (containerFamilyOf(model.image) === undefined) {
            issues.push({ path: `${path}.containerFamily`, message: messages.unknownContainerFamily(model.image) });
        }
    }
    // With an optimization job the draft question is the job's (checkOptimization reports it).
    if (model.optimization !== undefined) return;
    const draft = isObject(model.speculativeDecoding) ? model.speculativeDecoding.draftModelUrl : undefined;
    const weights = model.modelDataUrl;
    if (typeof draft !== "string" || typeof weights !== "string" || !isS3Url(draft) || !isS3Url(weights)) return;
    if (!weights.endsWith("/")) {
        issues.push({ path: `${path}.speculativeDecoding`, message: messages.draftNeedsPrefix(weights) });
    } else if (draftPathIn(weights, draft) === undefined) {
        issues.push({
            path: `${path}.speculativeDecoding.draftModelUrl`,
            message: messages.draftOutsideWeights(draft, weights),
        });
    }
}

/** A number within one of the API's `[low, high]` ranges (other types are the schema's to report). */
function checkRange(
    path: string,
    value: unknown,
    [low, high]: readonly [number, number],
    unit: string,
    issues: ConfigIssue[],
): void {
    if (typeof value === "number" && !(value >= low && value <= high)) {
        issues.push({ path, message: messages.range(low, high, unit, value) });
    }
}

/** The API's ranges of a rollout (UpdateInferenceComponent DeploymentConfig). */
function checkRollout(path: string, rollout: unknown, issues: ConfigIssue[]): void {
    if (!isObject(rollout)) return;
    const r = ROLLING_UPDATE_RANGES;
    for (const [key, percent] of [
        ["maxBatch", r.batchPercent],
        ["rollbackBatch", r.rollbackPercent],
    ] as const) {
        const batch = rollout[key];
        if (!isObject(batch)) continue;
        if (batch.type === "percent") {
            checkRange(`${path}.${key}.value`, batch.value, percent, "percent of the copies", issues);
        } else if (
            batch.type === "copies" &&
            typeof batch.value === "number" &&
            !(Number.isInteger(batch.value) && batch.value >= 1)
        ) {
            issues.push({ path: `${path}.${key}.value`, message: messages.atLeast(1, batch.value, "copies") });
        }
    }
    checkRange(`${path}.waitSeconds`, rollout.waitSeconds, r.waitSeconds, "seconds", issues);
    checkRange(`${path}.timeoutSeconds`, rollout.timeoutSeconds, r.timeoutSeconds, "seconds", issues);
}

/** The API's range of a placement's AZ imbalance: here too, so a fleet registers nothing from a bad one. */
function checkPlacement(path: string, placement: unknown, issues: ConfigIssue[]): void {
    if (!isObject(placement)) return;
    checkRange(`${path}.maxImbalance`, placement.maxImbalance, PLACEMENT_RANGES.maxImbalance, "copies", issues);
}

/** A base IC's copies: bounds, scale to zero with its endpoint, and one copy fits every type it may land on. */
function checkCopies(
    mat: string,
    model: Raw,
    endpoint: Raw,
    placed: { at: string; entry: NonNullable<ReturnType<typeof findInstanceType>> }[],
    issues: ConfigIssue[],
): void {
    const at = mat.replace(/\.(foundationModels\[\d+\]|guard)$/, "");
    const scalesToZero = isObject(endpoint.instances) && endpoint.instances.min === 0;
    checkBounds(`${mat}.copies`, model.copies, "copies", issues);
    const copiesMin = isObject(model.copies) ? int(model.copies.min) : undefined;
    if (scalesToZero && copiesMin !== undefined && copiesMin > 0) {
        issues.push({
            path: `${mat}.copies.min`,
            message:
                `is ${copiesMin}, but endpoint "${String(endpoint.name)}" has instances.min 0: it can never reach zero instances ` +
                `while this model keeps copies. Set copies.min to 0 to scale to zero, or raise instances.min to 1 or more.`,
        });
    }
    // A copy must fit every type the endpoint may land on: its own and each fallback.
    const accelerators = int(model.accelerators);
    const memoryMb = int(model.memoryMb);
    for (const { at: where, entry } of placed) {
        const on = where.endsWith(".instanceType") ? "" : ` (${where.slice(at.length + 1)})`;
        if (accelerators !== undefined && accelerators > entry.acceleratorCount) {
            issues.push({
                path: `${mat}.accelerators`,
                message:
                    `asks for ${accelerators} accelerator devices per copy, but ${entry.instanceType}${on} has ${entry.acceleratorCount}. ` +
                    `Lower accelerators or pick an instance type with more devices.`,
            });
        }
        if (memoryMb !== undefined && memoryMb > entry.memoryGib * 1024) {
            issues.push({
                path: `${mat}.memoryMb`,
                message: `asks for ${memoryMb} MiB per copy, but ${entry.instanceType}${on} has ${entry.memoryGib * 1024} MiB. Lower memoryMb or pick a larger instance type.`,
            });
        }
    }
}

/**
 * A guard: its copies like a model's, its name apart from the endpoint's models (they share the physical
 * naming scheme), its checks listed once, and only category codes its family defines.
 */
function checkGuard(
    at: string,
    guard: Raw,
    endpoint: Raw,
    models: [number, Raw][],
    placed: { at: string; entry: NonNullable<ReturnType<typeof findInstanceType>> }[],
    issues: ConfigIssue[],
): void {
    checkCopies(at, guard, endpoint, placed, issues);
    const twin = models.find(([, m]) => m.name === guard.name);
    if (twin && typeof guard.name === "string") {
        issues.push({
            path: `${at}.name`,
            message: messages.duplicate(
                "guard",
                guard.name,
                `${at.replace(/\.guard$/, "")}.foundationModels[${twin[0]}]`,
            ),
        });
    }
    if (Array.isArray(guard.checks)) {
        const seen = new Set<unknown>();
        guard.checks.forEach((c: unknown, k: number) => {
            if (seen.has(c))
                issues.push({ path: `${at}.checks[${k}]`, message: `repeats ${show(c)}. List each check once.` });
            seen.add(c);
        });
    }
    const family = (typeof guard.family === "string" ? guard.family : GUARD_DEFAULTS.family) as GuardFamilyName;
    if (!(family in GUARD_FAMILIES) || !Array.isArray(guard.categories)) return;
    const known = categoriesOf(family);
    guard.categories.forEach((c: unknown, k: number) => {
        if (typeof c !== "string" || !known.includes(c)) {
            issues.push({
                path: `${at}.categories[${k}]`,
                message: `${show(c)} is not a ${GUARD_FAMILIES[family].title} category. Use codes of ${known[0]}-${known[known.length - 1]} (e.g. S1, S10), or leave categories out to block all.`,
            });
        }
    });
    if (guard.categories.length === 0) {
        issues.push({
            path: `${at}.categories`,
            message: "is empty: nothing would block. List the codes that block, or leave categories out to block all.",
        });
    }
}

/**
 * Pipelines: their containers by the component's own rules (1 to 15, model data in one .tar.gz), and a
 * name no other endpoint of the stack has (the stack outputs and the client name endpoints by it).
 */
function checkPipelines(
    pipelines: [number, Raw][],
    endpoints: [number, Raw][],
    mmes: [number, Raw][],
    issues: ConfigIssue[],
): void {
    const others = new Map<unknown, string>([
        ...mmes.map(([i, m]): [unknown, string] => [
            m.name,
            `a multi-model endpoint (fleet.multiModelEndpoints[${i}])`,
        ]),
        ...endpoints.map(([i, e]): [unknown, string] => [
            e.name,
            `an inference-component endpoint (fleet.endpoints[${i}])`,
        ]),
    ]);
    for (const [i, p] of pipelines) {
        const at = `fleet.pipelines[${i}]`;
        const clash = typeof p.name === "string" ? others.get(p.name) : undefined;
        if (clash) {
            issues.push({
                path: `${at}.name`,
                message: `"${String(p.name)}" is also the name of ${clash}. Endpoint names must be unique: rename one.`,
            });
        }
        for (const issue of containerIssues(p.containers))
            issues.push({ path: `${at}.${issue.path}`, message: issue.message });
    }
}

/** Cross-field rules of the `fleet` config. */
export function crossFieldIssues(fleet: unknown): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (!isObject(fleet)) return issues;
    const endpoints = indexed(fleet.endpoints);
    const mmes = indexed(fleet.multiModelEndpoints);
    checkRollout("fleet.rollout", fleet.rollout, issues);
    checkPlacement("fleet.placement", fleet.placement, issues);
    checkUnique("fleet.endpoints", endpoints, "endpoint", issues);
    checkUnique("fleet.multiModelEndpoints", mmes, "multi-model endpoint", issues);
    const pipelines = indexed(fleet.pipelines);
    checkUnique("fleet.pipelines", pipelines, "pipeline", issues);
    checkPipelines(pipelines, endpoints, mmes, issues);
    const icNames = new Set(endpoints.map(([, e]) => e.name));
    for (const [i, e] of mmes) {
        if (typeof e.name === "string" && icNames.has(e.name)) {
            issues.push({
                path: `fleet.multiModelEndpoints[${i}].name`,
                message: `"${e.name}" is also the name of an inference-component endpoint. Endpoint names must be unique: rename one.`,
            });
        }
    }

    for (const [i, endpoint] of endpoints) {
        const at = `fleet.endpoints[${i}]`;
        checkBounds(`${at}.instances`, endpoint.instances, "instances", issues);
        const models = indexed(endpoint.foundationModels);
        checkUnique(`${at}.foundationModels`, models, "foundation model", issues);
        const instance =
            typeof endpoint.instanceType === "string" ? findInstanceType(endpoint.instanceType) : undefined;
        const fallbacks = (Array.isArray(endpoint.fallbackInstanceTypes) ? endpoint.fallbackInstanceTypes : []).flatMap(
            (t: unknown, k: number) => {
                const entry = typeof t === "string" ? findInstanceType(t) : undefined;
                return entry ? [{ at: `${at}.fallbackInstanceTypes[${k}]`, entry }] : [];
            },
        );
        const seenTypes = new Map<string, string>();
        if (instance) seenTypes.set(instance.instanceType, `${at}.instanceType`);
        for (const { at: where, entry } of fallbacks) {
            const first = seenTypes.get(entry.instanceType);
            if (first)
                issues.push({
                    path: where,
                    message: `repeats ${entry.instanceType} (also at ${first}). List each fallback type once.`,
                });
            else seenTypes.set(entry.instanceType, where);
        }
        const scaleIn = endpoint.scaleIn;
        if (isObject(scaleIn)) {
            const s = SCALE_IN_RANGES;
            checkRange(`${at}.scaleIn.cooldownMinutes`, scaleIn.cooldownMinutes, s.cooldownMinutes, "minutes", issues);
            checkRange(`${at}.scaleIn.maximumStep`, scaleIn.maximumStep, s.maximumStep, "instances", issues);
        }
        if (endpoint.prefixRouting !== undefined && endpoint.routing !== "prefix-aware") {
            issues.push({
                path: `${at}.prefixRouting`,
                message: `applies only to routing prefix-aware, got routing ${endpoint.routing === undefined ? "unset (least-outstanding-requests)" : JSON.stringify(endpoint.routing)}. Set routing: prefix-aware, or remove prefixRouting.`,
            });
        }
        const placed = [...(instance ? [{ at: `${at}.instanceType`, entry: instance }] : []), ...fallbacks];
        const local = localStorageType(placed.map((p) => p.entry.instanceType));
        if (local && endpoint.volumeSizeInGb !== undefined) {
            issues.push({
                path: `${at}.volumeSizeInGb`,
                message: messages.volumeOnLocalStorage(local, endpoint.volumeSizeInGb),
            });
        }

        for (const [j, model] of models) {
            const mat = `${at}.foundationModels[${j}]`;
            checkCopies(mat, model, endpoint, placed, issues);
            checkUnique(`${mat}.adapters`, indexed(model.adapters), "adapter", issues);
            checkServing(mat, model, issues);
            for (const issue of loraIssues(model))
                issues.push({ path: `${mat}.${issue.path}`, message: issue.message });
            checkOptimization({ path: mat, endpointPath: at }, model, endpoint, issues);
            checkRollout(`${mat}.rollout`, model.rollout, issues);
            checkPlacement(`${mat}.placement`, model.placement, issues);
        }
        if (isObject(endpoint.guard)) checkGuard(`${at}.guard`, endpoint.guard, endpoint, models, placed, issues);
    }

    for (const [i, mme] of mmes) {
        if (mme.guard !== undefined) {
            issues.push({
                path: `fleet.multiModelEndpoints[${i}].guard`,
                message:
                    "is not supported: a guard is an inference component, and a multi-model endpoint hosts none. " +
                    "Move the guard to an inference-component endpoint (endpoints[].guard), or remove it.",
            });
        }
        const at = `fleet.multiModelEndpoints[${i}].instances`;
        checkBounds(at, mme.instances, "instances", issues);
        if (isObject(mme.instances) && mme.instances.min === 0) {
            issues.push({
                path: `${at}.min`,
                message:
                    "is 0, but only inference-component endpoints scale to zero: a multi-model endpoint needs at least 1 instance. " +
                    "Set instances.min to 1, or move the models to an inference-component endpoint.",
            });
        }
    }
    return issues;
}
