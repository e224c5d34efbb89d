import { IncomingMessage, ServerResponse } from "http";
import { LoopbackServer } from "./loopback-server";
import { mockArn } from "../mocks/fleet-mocks";

/** A control-plane call as the server saw it. */
export interface SeenCall {
    /** The operation, from `X-Amz-Target: SageMaker.<operation>`. */
    readonly operation: string;
    readonly headers: Record<string, string | string[] | undefined>;
    readonly body: Record<string, unknown>;
}

/** How a job the server creates will behave. */
export interface JobScript {
    /** Describes answered INPROGRESS (after one STARTING) before the job ends. @default 0 */
    readonly describesUntilDone?: number;
    /** How it ends. @default "COMPLETED" */
    readonly outcome?: "COMPLETED" | "FAILED";
    /** `FailureReason` of a failed job. */
    readonly failureReason?: string;
    /** `OptimizationOutput.RecommendedInferenceImage` of a completed job. */
    readonly recommendedImage?: string;
    /** Describes answered STOPPING after a stop, before STOPPED. @default 1 */
    readonly describesUntilStopped?: number;
}

interface JobState {
    request: Record<string, unknown>;
    status: string;
    describes: number;
    stopDescribes: number;
    script: JobScript;
    created: Date;
}

/**
 * A loopback stand-in of the SageMaker control plane for optimization jobs, speaking the protocol the
 * SDK uses (awsJson1_1: `POST /`, `X-Amz-Target: SageMaker.<operation>`, JSON bodies, errors as
 * `{"__type", "message"}` with `x-amzn-ErrorType`). It runs Create/Describe/Stop/DeleteOptimizationJob and
 * AddTags/DeleteTags over scripted jobs (a job that is not finished cannot be deleted), and can throttle the
 * next calls the way SageMaker does.
 */
export class FakeSageMakerControlPlane extends LoopbackServer {
    public readonly calls: SeenCall[] = [];
    /** Scripts of jobs by name; jobs without one complete on their first describe. */
    public readonly scripts = new Map<string, JobScript>();
    /** Calls answered with ThrottlingException before the next one goes through. */
    public throttle = 0;
    /**
     * Errors the next CreateOptimizationJob calls are answered with, in order, before one goes through: a
     * role that IAM has not propagated yet (`ValidationException: Could not assume role ...`).
     */
    public readonly createErrors: { type: string; message: string }[] = [];
    private readonly jobs = new Map<string, JobState>();

    reset(): void {
        this.calls.length = 0;
        this.scripts.clear();
        this.jobs.clear();
        this.throttle = 0;
        this.createErrors.length = 0;
    }

    /** The operations called, in order. */
    operations(): string[] {
        return this.calls.map((c) => c.operation);
    }

    /** Whether the server still holds a record of the job. */
    hasJob(name: string): boolean {
        return this.jobs.has(name);
    }

    /** The job's status and tags, or `undefined` when there is no such job. */
    job(name: string): { status: string; tags: unknown } | undefined {
        const job = this.jobs.get(name);
        return job && { status: job.status, tags: job.request.Tags };
    }

    protected async handle(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
        const target = String(req.headers["x-amz-target"] ?? "");
        const operation = target.startsWith("SageMaker.") ? target.slice("SageMaker.".length) : target;
        const body = JSON.parse(text || "{}") as Record<string, unknown>;
        this.calls.push({ operation, headers: req.headers, body });
        if (this.throttle > 0) {
            this.throttle--;
            return this.error(res, "ThrottlingException", "Rate exceeded");
        }
        const name = String(body.OptimizationJobName ?? "");
        const job = this.jobs.get(name);
        switch (operation) {
            case "CreateOptimizationJob": {
                const refusal = this.createErrors.shift();
                if (refusal) return this.error(res, refusal.type, refusal.message);
                if (job) return this.error(res, "ResourceInUse", `Optimization job ${name} already exists.`);
                this.jobs.set(name, {
                    request: body,
                    status: "STARTING",
                    describes: 0,
                    stopDescribes: 0,
                    script: this.scripts.get(name) ?? {},
                    created: new Date(1_790_000_000_000),
                });
                return this.ok(res, { OptimizationJobArn: this.arn(name) });
            }
            case "DescribeOptimizationJob":
                if (!job) return this.notFound(res, name);
                this.advance(job);
                return this.ok(res, this.describe(name, job));
            case "StopOptimizationJob":
                if (!job) return this.notFound(res, name);
                if (job.status === "STARTING" || job.status === "INPROGRESS") job.status = "STOPPING";
                return this.ok(res, {});
            case "DeleteOptimizationJob":
                if (!job) return this.notFound(res, name);
                if (["STARTING", "INPROGRESS", "STOPPING"].includes(job.status)) {
                    return this.error(res, "ResourceInUse", `Optimization job ${name} is ${job.status}.`);
                }
                this.jobs.delete(name);
                return this.ok(res, {});
            case "AddTags":
            case "DeleteTags": {
                const tagged = [...this.jobs.entries()].find(([n]) => this.arn(n) === body.ResourceArn)?.[1];
                if (!tagged) return this.error(res, "ResourceNotFound", `No resource ${String(body.ResourceArn)}.`);
                const tags = new Map(
                    ((tagged.request.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [
                        t.Key,
                        t.Value,
                    ]),
                );
                if (operation === "AddTags")
                    for (const t of body.Tags as { Key: string; Value: string }[]) tags.set(t.Key, t.Value);
                else for (const k of body.TagKeys as string[]) tags.delete(k);
                tagged.request.Tags = [...tags].map(([Key, Value]) => ({ Key, Value }));
                return this.ok(res, operation === "AddTags" ? { Tags: body.Tags } : {});
            }
            default:
                return this.error(res, "UnknownOperationException", `Unknown operation ${target}`);
        }
    }

    /** One describe's worth of progress. */
    private advance(job: JobState): void {
        if (job.status === "STOPPING") {
            if (job.stopDescribes++ >= (job.script.describesUntilStopped ?? 1)) job.status = "STOPPED";
            return;
        }
        if (job.status !== "STARTING" && job.status !== "INPROGRESS") return;
        const until = job.script.describesUntilDone ?? 0;
        if (job.describes >= until) job.status = job.script.outcome ?? "COMPLETED";
        else job.status = job.describes === 0 ? "STARTING" : "INPROGRESS";
        job.describes++;
    }

    private describe(name: string, job: JobState): Record<string, unknown> {
        const seconds = (d: Date) => d.getTime() / 1000;
        const ended = ["COMPLETED", "FAILED", "STOPPED"].includes(job.status);
        return {
            ...job.request,
            OptimizationJobArn: this.arn(name),
            OptimizationJobStatus: job.status,
            CreationTime: seconds(job.created),
            LastModifiedTime: seconds(job.created),
            OptimizationStartTime: seconds(job.created),
            ...(ended ? { OptimizationEndTime: seconds(job.created) + 3600 } : {}),
            ...(job.status === "FAILED" ? { FailureReason: job.script.failureReason ?? "unknown" } : {}),
            ...(job.status === "COMPLETED" && job.script.recommendedImage
                ? { OptimizationOutput: { RecommendedInferenceImage: job.script.recommendedImage } }
                : {}),
        };
    }

    private arn(name: string): string {
        return mockArn("sagemaker", `optimization-job/${name}`);
    }

    private ok(res: ServerResponse, body: unknown): void {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(body));
    }

    private notFound(res: ServerResponse, name: string): void {
        this.error(res, "ResourceNotFound", `Could not find optimization job ${name}.`);
    }

    private error(res: ServerResponse, type: string, message: string): void {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type });
        res.end(JSON.stringify({ __type: type, message }));
    }
}
