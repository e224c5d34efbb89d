import * as pulumi from "@pulumi/pulumi";
import type { DescribeOptimizationJobResponse, SageMakerClient } from "@aws-sdk/client-sagemaker";
import {
    createJobRequest,
    JOB_OUTPUT_KEYS,
    jobOutputs,
    OptimizationJobInputs,
    OptimizationJobOutputs,
    withoutUndefined,
} from "./job-request";

/**
 * The SageMaker SDK, loaded on first use: it takes ~0.2 s to load, and every stack's program loads this
 * module, though only `pulumi up` of a job (in the dynamic provider's process) calls SageMaker.
 */
function sageMaker(): typeof import("@aws-sdk/client-sagemaker") {
    return require("@aws-sdk/client-sagemaker");
}

/** Settings of the provider that are not API fields. */
export interface ProviderSettings {
    /** AWS region of the job (a change replaces it: a job lives in one region). @default the SDK's own */
    readonly region?: string;
    /** How long `pulumi up` waits for the job to finish. @default 6 hours */
    readonly waitTimeoutSeconds?: number;
    /**
     * The shared-config profile the provider's calls use: the stack's `aws:profile`, so the job is created
     * with the credentials the aws provider uses (README, "Optimization jobs and credentials").
     * @default the SDK's default chain (environment, `AWS_PROFILE`, the default profile)
     */
    readonly profile?: string;
}

/** The dynamic resource's whole input: the API's fields and the provider's settings. */
export type ProviderInputs = OptimizationJobInputs & ProviderSettings;
/** The dynamic resource's whole state. */
export type ProviderOutputs = OptimizationJobOutputs & ProviderSettings;

/** Polling of DescribeOptimizationJob: delays double from `firstDelaySeconds` up to `maxDelaySeconds`. */
export const WAIT_DEFAULTS = {
    waitTimeoutSeconds: 6 * 3600,
    firstDelaySeconds: 15,
    maxDelaySeconds: 120,
    /** How long a delete waits for a stopped job to reach STOPPED before deleting its record. */
    stopTimeoutSeconds: 900,
} as const;

/**
 * Retries of a CreateOptimizationJob that fails because the role is not usable yet. IAM is eventually
 * consistent: a role or policy created seconds before can still be refused ("changes usually propagate
 * within seconds", IAM user guide, troubleshooting; terraform-provider-aws retries CreateModel on
 * ValidationException for 2 minutes for this reason, internal/service/sagemaker/model.go). The same bound.
 */
export const ROLE_RETRY_DEFAULTS = {
    timeoutSeconds: 120,
    firstDelaySeconds: 2,
    maxDelaySeconds: 20,
} as const;

/**
 * Whether a create failed on a role that is not usable yet, as SageMaker's Create* calls say it:
 * `ValidationException: Could not assume role <arn>. Please ensure that the role exists and allows principal
 * 'sagemaker.amazonaws.com' to assume the role.` (CreateTransformJob, awslabs/predictive-maintenance-using-
 * machine-learning#3), `ValidationException: Could not access model data at ... Please ensure that the role
 * "<arn>" exists and that its trust relationship policy allows the action "sts:AssumeRole" ...` (CreateModel,
 * philschmid/llm-sagemaker-sample#2), and `AccessDeniedException` while a policy propagates. Any other
 * ValidationException is the request's own fault and fails at once.
 */
export function isRoleNotReady(err: unknown): boolean {
    const { name, message } = (err ?? {}) as { name?: string; message?: string };
    if (name === "AccessDeniedException" || name === "AccessDenied") return true;
    return (
        name === "ValidationException" &&
        /could not assume role|unable to assume|sts:AssumeRole|ensure that the role/i.test(message ?? "")
    );
}

// Arrays, not Sets: Pulumi serializes this provider's closure, and a serialized Set loses its entries.
/** Statuses after which a job does nothing more (DescribeOptimizationJob `OptimizationJobStatus`). */
const TERMINAL: readonly string[] = ["COMPLETED", "FAILED", "STOPPED"];
/** Statuses in which StopOptimizationJob has something to stop. */
const RUNNING: readonly string[] = ["STARTING", "INPROGRESS"];

/**
 * The inputs that decide what a job makes: all but how long `pulumi up` waits, the role, the tags and the
 * key the output is encrypted with. A change to these is a new job (a new name, a replacement: see diff);
 * a change to the others updates the finished job in place. The job's default name hashes these. The
 * others are left undefined, which names' hashes and diff's comparisons both skip.
 */
export function outputShapingInputs(inputs: {
    readonly outputConfig?: object;
    readonly [key: string]: unknown;
}): Record<string, unknown> {
    const { outputConfig } = inputs;
    return {
        ...inputs,
        waitTimeoutSeconds: undefined,
        profile: undefined,
        roleArn: undefined,
        tags: undefined,
        outputConfig: outputConfig && { ...outputConfig, kmsKeyId: undefined },
    };
}

/** What the provider talks to and how it waits; tests replace these, `pulumi up` uses the defaults. */
export interface ProviderDeps {
    /**
     * The SageMaker client of a region and profile. @default a new `SageMakerClient` per operation, in
     * `region` and with `profile` if set
     */
    readonly client?: (region: string | undefined, profile?: string) => Pick<SageMakerClient, "send">;
    readonly sleep?: (ms: number) => Promise<void>;
    /** Progress lines. @default Pulumi's log */
    readonly log?: (message: string) => void;
    /** A number in [0, 1) for the jitter of each delay. @default Math.random */
    readonly random?: () => number;
    /** Milliseconds since the epoch. @default Date.now */
    readonly now?: () => number;
    /** Overrides of {@link WAIT_DEFAULTS}'s delays (not of the timeout, which is an input). */
    readonly delays?: { readonly firstDelaySeconds?: number; readonly maxDelaySeconds?: number };
}

/**
 * A job that failed, was stopped or did not finish in time: the message is what `pulumi up` prints. A
 * plain Error with its own name, not a subclass: a serialized subclass loses its message in the host.
 */
export function optimizationJobError(message: string): Error {
    return Object.assign(new Error(message), { name: "OptimizationJobError" });
}

/** Whether a SageMaker error is the exception `name` (`ResourceNotFound`, `ResourceInUse`). */
const isError = (err: unknown, name: string) => (err as { name?: string } | undefined)?.name === name;

/** Delay before poll `attempt` (0-based): doubling, capped, with jitter down to half so pollers spread out. */
export function pollDelayMs(attempt: number, random: number, first: number, max: number): number {
    const ceiling = Math.min(max, first * 2 ** attempt) * 1000;
    return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** How the provider waits: the resolved {@link ProviderDeps}. */
interface Waiting {
    readonly sleep: (ms: number) => Promise<void>;
    readonly log: (message: string) => void;
    readonly random: () => number;
    readonly now: () => number;
    readonly first: number;
    readonly max: number;
}

// Module-level functions with explicit parameters, named unlike any global (mocha's `describe` once hid
// one from the serializer): Pulumi serializes the provider's closure, and skips names it takes for globals.

function describeJob(client: Pick<SageMakerClient, "send">, name: string): Promise<DescribeOptimizationJobResponse> {
    return client.send(new (sageMaker().DescribeOptimizationJobCommand)({ OptimizationJobName: name }));
}

/** Polls until the job is in one of `until` or `timeoutSeconds` pass; returns the last description. */
async function waitFor(
    waiting: Waiting,
    client: Pick<SageMakerClient, "send">,
    name: string,
    until: readonly string[],
    timeoutSeconds: number,
): Promise<{ described: DescribeOptimizationJobResponse; timedOut: boolean }> {
    const started = waiting.now();
    let last = "";
    for (let attempt = 0; ; attempt++) {
        const described = await describeJob(client, name);
        const status = described.OptimizationJobStatus ?? "";
        const minutes = Math.round((waiting.now() - started) / 60000);
        if (status !== last) waiting.log(`optimization job ${name}: ${status} (${minutes} min)`);
        last = status;
        if (until.includes(status)) return { described, timedOut: false };
        const delay = pollDelayMs(attempt, waiting.random(), waiting.first, waiting.max);
        if (waiting.now() - started + delay > timeoutSeconds * 1000) return { described, timedOut: true };
        await waiting.sleep(delay);
    }
}

/** Deletes a finished job's record, so its name can be used again; a missing record is fine. */
async function deleteRecord(client: Pick<SageMakerClient, "send">, name: string): Promise<void> {
    try {
        await client.send(new (sageMaker().DeleteOptimizationJobCommand)({ OptimizationJobName: name }));
    } catch (err) {
        if (!isError(err, "ResourceNotFound")) throw err;
    }
}

/**
 * CreateOptimizationJob, retried with growing, jittered delays while the role is not usable yet (see
 * {@link isRoleNotReady}), for at most {@link ROLE_RETRY_DEFAULTS}.timeoutSeconds.
 */
async function createJob(waiting: Waiting, client: Pick<SageMakerClient, "send">, inputs: ProviderInputs) {
    const started = waiting.now();
    const r = ROLE_RETRY_DEFAULTS;
    for (let attempt = 0; ; attempt++) {
        try {
            await client.send(new (sageMaker().CreateOptimizationJobCommand)(createJobRequest(inputs)));
            return;
        } catch (err) {
            if (!isRoleNotReady(err)) throw err;
            const delay = pollDelayMs(attempt, waiting.random(), r.firstDelaySeconds, r.maxDelaySeconds);
            const { name, message } = err as Error;
            if (waiting.now() - started + delay > r.timeoutSeconds * 1000) {
                throw optimizationJobError(
                    `Optimization job "${inputs.optimizationJobName}" could not be created with role ${inputs.roleArn} ` +
                        `within ${r.timeoutSeconds} s: ${name}: ${message} Check that the role trusts sagemaker.amazonaws.com ` +
                        `and that the caller may pass it (iam:PassRole), then run pulumi up again.`,
                );
            }
            waiting.log(
                `optimization job ${inputs.optimizationJobName}: the role is not usable yet (${name}), retrying in ${Math.round(delay / 1000)} s`,
            );
            await waiting.sleep(delay);
        }
    }
}

/**
 * Starts the job. A job of this name may exist already: an earlier `pulumi up` was interrupted after it
 * started it (a generated name hashes every field that shapes the output, so it is this very job). A running or finished one is taken
 * over; a failed or stopped one is deleted and started again.
 */
async function startJob(waiting: Waiting, client: Pick<SageMakerClient, "send">, inputs: ProviderInputs) {
    const name = inputs.optimizationJobName;
    try {
        await createJob(waiting, client, inputs);
        waiting.log(`optimization job ${name}: created, waiting for it to finish`);
        return;
    } catch (err) {
        if (!isError(err, "ResourceInUse")) throw err;
    }
    const status = (await describeJob(client, name)).OptimizationJobStatus ?? "";
    if (!["FAILED", "STOPPED"].includes(status)) {
        waiting.log(`optimization job ${name}: already ${status}, taking it over`);
        return;
    }
    await deleteRecord(client, name);
    await createJob(waiting, client, inputs);
    waiting.log(`optimization job ${name}: created again after an earlier ${status} run, waiting for it to finish`);
}

/**
 * Stops the job if it runs, waits until it has stopped and deletes its record. Returns false when there
 * was no job; throws when it does not stop in time (the record then stays, and so does Pulumi's).
 */
async function stopAndDelete(waiting: Waiting, client: Pick<SageMakerClient, "send">, name: string): Promise<boolean> {
    try {
        const status = (await describeJob(client, name)).OptimizationJobStatus ?? "";
        if (RUNNING.includes(status)) {
            await client.send(new (sageMaker().StopOptimizationJobCommand)({ OptimizationJobName: name }));
        }
        if (!TERMINAL.includes(status)) {
            const stopped = await waitFor(waiting, client, name, TERMINAL, WAIT_DEFAULTS.stopTimeoutSeconds);
            if (stopped.timedOut) {
                throw optimizationJobError(
                    `Optimization job "${name}" was asked to stop but is still ${stopped.described.OptimizationJobStatus} ` +
                        `after ${WAIT_DEFAULTS.stopTimeoutSeconds} s. Run pulumi destroy (or up) again once it has stopped.`,
                );
            }
        }
    } catch (err) {
        if (isError(err, "ResourceNotFound")) return false;
        throw err;
    }
    await deleteRecord(client, name);
    return true;
}

/** Makes the job's tags `next`: adds new and changed ones, deletes removed ones (AddTags / DeleteTags). */
async function retag(
    client: Pick<SageMakerClient, "send">,
    arn: string,
    previous: Readonly<Record<string, string>>,
    next: Readonly<Record<string, string>>,
): Promise<void> {
    const added = Object.entries(next).filter(([k, v]) => previous[k] !== v);
    const removed = Object.keys(previous).filter((k) => !(k in next));
    if (added.length > 0) {
        await client.send(
            new (sageMaker().AddTagsCommand)({ ResourceArn: arn, Tags: added.map(([Key, Value]) => ({ Key, Value })) }),
        );
    }
    if (removed.length > 0)
        await client.send(new (sageMaker().DeleteTagsCommand)({ ResourceArn: arn, TagKeys: removed }));
}

/**
 * The CRUD of an optimization job for a Pulumi dynamic provider. Create starts the job (or takes over the
 * one an interrupted run left) and waits for it to finish; a failed, stopped or timed-out job fails the
 * update with its reason, and its record is deleted so that the same job can be created again. A change
 * of anything that shapes the output replaces the job; the role, the tags, the output's key and the wait
 * update it in place. Delete stops a running job and deletes its record; the optimized model it wrote
 * stays in S3.
 */
export function optimizationJobProvider(deps: ProviderDeps = {}): pulumi.dynamic.ResourceProvider {
    // The client's `profile` is the shared-config profile its credentials and settings come from.
    const clientOf =
        deps.client ??
        ((region: string | undefined, profile?: string) =>
            new (sageMaker().SageMakerClient)({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) }));
    const waiting: Waiting = {
        sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        log: deps.log ?? ((message: string) => void pulumi.log.info(message)),
        random: deps.random ?? Math.random,
        now: deps.now ?? Date.now,
        first: deps.delays?.firstDelaySeconds ?? WAIT_DEFAULTS.firstDelaySeconds,
        max: deps.delays?.maxDelaySeconds ?? WAIT_DEFAULTS.maxDelaySeconds,
    };

    return {
        async create(inputs: ProviderInputs) {
            const name = inputs.optimizationJobName;
            const client = clientOf(inputs.region, inputs.profile);
            await startJob(waiting, client, inputs);
            const timeout = inputs.waitTimeoutSeconds ?? WAIT_DEFAULTS.waitTimeoutSeconds;
            const { described, timedOut } = await waitFor(waiting, client, name, TERMINAL, timeout);
            const status = described.OptimizationJobStatus;
            if (timedOut) {
                // Nothing may run that Pulumi has no record of, and the next `pulumi up` must be able to start
                // the same job again: stop it and delete its record.
                await stopAndDelete(waiting, client, name);
                throw optimizationJobError(
                    `Optimization job "${name}" did not finish within ${timeout} s (status ${status}); it was stopped and its record deleted. ` +
                        `Raise waitTimeoutSeconds (fm-fleet: optimization.waitTimeoutMinutes) and run pulumi up again.`,
                );
            }
            if (status !== "COMPLETED") {
                await deleteRecord(client, name);
                const reason = described.FailureReason ?? "no FailureReason given";
                throw optimizationJobError(
                    `Optimization job "${name}" ended ${status}: ${reason}. Fix the cause and run pulumi up again ` +
                        `(its record was deleted so the same job can run again).`,
                );
            }
            // The inputs (API fields and provider settings) with what the job added; no undefined values.
            const outs: ProviderOutputs = jobOutputs(inputs, described);
            return { id: name, outs };
        },

        async read(id: string, props: ProviderOutputs) {
            try {
                const described = await describeJob(clientOf(props.region, props.profile), id);
                return { id, props: { ...props, ...jobOutputs(props, described) } };
            } catch (err) {
                // An empty id tells the engine the job is gone.
                if (isError(err, "ResourceNotFound")) return { id: "", props: {} };
                throw err;
            }
        },

        async diff(_id: string, olds: ProviderOutputs, news: ProviderInputs) {
            const before = olds as unknown as Record<string, unknown>;
            const after = news as unknown as Record<string, unknown>;
            const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
            const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
            const changed = keys.filter(
                (k) => !(JOB_OUTPUT_KEYS as readonly string[]).includes(k) && !same(before[k], after[k]),
            );
            // Changes to what does not shape the output are recorded (tags applied), never re-run.
            const shapingBefore = outputShapingInputs(before);
            const shapingAfter = outputShapingInputs(after);
            const replaces = changed.filter((k) => !same(shapingBefore[k], shapingAfter[k]));
            // A job name is unique in the account: a replacement under the same name must delete the old one first.
            const sameName = olds.optimizationJobName === news.optimizationJobName;
            return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && sameName };
        },

        async update(_id: string, olds: ProviderOutputs, news: ProviderInputs) {
            // Only what diff does not replace on reaches here: the job stays, its tags follow the inputs.
            await retag(clientOf(news.region, news.profile), olds.optimizationJobArn, olds.tags ?? {}, news.tags ?? {});
            const outs = withoutUndefined({
                ...olds,
                roleArn: news.roleArn,
                tags: news.tags,
                outputConfig: news.outputConfig,
                waitTimeoutSeconds: news.waitTimeoutSeconds,
                profile: news.profile,
            });
            return { outs };
        },

        async delete(id: string, props: ProviderOutputs) {
            if (await stopAndDelete(waiting, clientOf(props.region, props.profile), id)) {
                waiting.log(
                    `optimization job ${id}: deleted; the optimized model stays in S3 at ${props.optimizedModelUrl}`,
                );
            }
        },
    };
}
