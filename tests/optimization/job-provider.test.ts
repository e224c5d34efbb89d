import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import {
    CreateOptimizationJobCommand,
    DescribeOptimizationJobCommand,
    SageMakerClient,
    StopOptimizationJobCommand,
} from "@aws-sdk/client-sagemaker";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import {
    isRoleNotReady,
    optimizationJobProvider,
    pollDelayMs,
    ROLE_RETRY_DEFAULTS,
    ProviderDeps,
    ProviderInputs,
    ProviderOutputs,
} from "../../components/optimization/job-provider";
import { FakeSageMakerControlPlane } from "../../tools/loopback/sagemaker-control-server";

const JOB = "chat-llama3-70b-awq-1a2b3c4d";
const INPUTS: ProviderInputs = {
    optimizationJobName: JOB,
    roleArn: "arn:aws:iam::123456789012:role/fm-fleet-execution",
    modelSource: { s3: { s3Uri: "s3://fm-fleet-models/llama3-70b/", modelAccessConfig: { acceptEula: true } } },
    deploymentInstanceType: "ml.g5.12xlarge",
    optimizationConfigs: [{ modelQuantizationConfig: { overrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
    outputConfig: { s3OutputLocation: "s3://fm-fleet-models/llama3-70b-awq/" },
    stoppingCondition: { maxRuntimeInSeconds: 36000 },
    tags: { "cost-center": "ml-platform" },
    region: "us-east-1",
};

describe("OptimizationJob provider against a loopback SageMaker control plane", () => {
    const server = new FakeSageMakerControlPlane();
    let sdk: SageMakerClient;
    let clock = 0;
    let sleeps: number[] = [];
    let logs: string[] = [];

    before(async () => {
        const url = await server.start();
        // The real SDK client with static credentials; its own retry policy with a short backoff.
        sdk = new SageMakerClient({
            region: "us-east-1",
            endpoint: url,
            credentials: { accessKeyId: "AKIDFMFLEETTEST", secretAccessKey: "test-secret" },
            retryStrategy: new ConfiguredRetryStrategy(3, 10),
        });
    });
    after(() => server.stop());
    beforeEach(() => {
        server.reset();
        clock = 1_000_000;
        sleeps = [];
        logs = [];
    });

    /** The provider on the test's client, with a clock that the sleeps advance and a fixed jitter. */
    function provider(deps: Partial<ProviderDeps> = {}) {
        return optimizationJobProvider({
            client: () => sdk,
            sleep: async (ms) => {
                sleeps.push(ms);
                clock += ms;
            },
            log: (line) => logs.push(line),
            random: () => 0.5,
            now: () => clock,
            ...deps,
        });
    }

    it("creates the job with the API's exact fields and waits for COMPLETED, polling with growing, jittered delays", async () => {
        server.scripts.set(JOB, {
            describesUntilDone: 3,
            recommendedImage: "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
        });
        const result = await provider().create(INPUTS);
        assert.equal(result.id, JOB);
        assert.deepEqual(result.outs, {
            ...INPUTS,
            optimizationJobArn: `arn:aws:sagemaker:us-east-1:123456789012:optimization-job/${JOB}`,
            optimizationJobStatus: "COMPLETED",
            recommendedInferenceImage:
                "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
            optimizedModelUrl: "s3://fm-fleet-models/llama3-70b-awq/",
            optimizationStartTime: "2026-09-21T14:13:20.000Z",
            optimizationEndTime: "2026-09-21T15:13:20.000Z",
        } satisfies ProviderOutputs);
        assert.deepEqual(server.operations(), [
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
        ]);
        assert.equal(server.calls[0].headers["x-amz-target"], "SageMaker.CreateOptimizationJob");
        assert.deepEqual(server.calls[0].body, {
            OptimizationJobName: JOB,
            RoleArn: "arn:aws:iam::123456789012:role/fm-fleet-execution",
            ModelSource: { S3: { S3Uri: "s3://fm-fleet-models/llama3-70b/", ModelAccessConfig: { AcceptEula: true } } },
            DeploymentInstanceType: "ml.g5.12xlarge",
            OptimizationConfigs: [{ ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
            OutputConfig: { S3OutputLocation: "s3://fm-fleet-models/llama3-70b-awq/" },
            StoppingCondition: { MaxRuntimeInSeconds: 36000 },
            Tags: [{ Key: "cost-center", Value: "ml-platform" }],
        });
        // 15 s doubling to the 120 s cap, each jittered to 75% at random() = 0.5.
        assert.deepEqual(sleeps, [11250, 22500, 45000]);
        assert.deepEqual(logs, [
            `optimization job ${JOB}: created, waiting for it to finish`,
            `optimization job ${JOB}: STARTING (0 min)`,
            `optimization job ${JOB}: INPROGRESS (0 min)`,
            `optimization job ${JOB}: COMPLETED (1 min)`,
        ]);
    });

    it("caps the poll delay and spreads it between half and all of the cap", () => {
        assert.equal(pollDelayMs(0, 0, 15, 120), 7500);
        assert.equal(pollDelayMs(0, 0.999999, 15, 120), 15000);
        assert.equal(pollDelayMs(3, 1, 15, 120), 120000);
        assert.equal(pollDelayMs(30, 0, 15, 120), 60000);
    });

    it("fails the update with the job's FailureReason and deletes the failed job's record", async () => {
        server.scripts.set(JOB, {
            describesUntilDone: 1,
            outcome: "FAILED",
            failureReason: "ClientError: Access denied for s3://fm-fleet-models/llama3-70b/",
        });
        await assert.rejects(
            provider().create(INPUTS),
            (err: unknown) =>
                err instanceof Error &&
                err.name === "OptimizationJobError" &&
                err.message ===
                    `Optimization job "${JOB}" ended FAILED: ClientError: Access denied for s3://fm-fleet-models/llama3-70b/. ` +
                        "Fix the cause and run pulumi up again (its record was deleted so the same job can run again).",
        );
        assert.deepEqual(server.operations(), [
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DeleteOptimizationJob",
        ]);
        assert.equal(server.hasJob(JOB), false);
    });

    it("stops a job that outlives the wait timeout, deletes its record, and the next run starts it again", async () => {
        server.scripts.set(JOB, { describesUntilDone: 1000 });
        await assert.rejects(
            provider().create({ ...INPUTS, waitTimeoutSeconds: 300 }),
            (err: unknown) =>
                err instanceof Error &&
                err.name === "OptimizationJobError" &&
                err.message ===
                    `Optimization job "${JOB}" did not finish within 300 s (status INPROGRESS); it was stopped and its record deleted. ` +
                        "Raise waitTimeoutSeconds (fm-fleet: optimization.waitTimeoutMinutes) and run pulumi up again.",
        );
        // 11.25 + 22.5 + 45 + 90 + 90 = 258.75 s waited; the next 90 s would pass 300 s.
        assert.deepEqual(sleeps.slice(0, 5), [11250, 22500, 45000, 90000, 90000]);
        assert.deepEqual(server.operations().slice(-5), [
            "DescribeOptimizationJob",
            "StopOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DeleteOptimizationJob",
        ]);
        assert.equal(server.hasJob(JOB), false);
        server.scripts.set(JOB, { describesUntilDone: 1 });
        assert.equal(
            (await provider().create({ ...INPUTS, waitTimeoutSeconds: 3600 })).outs.optimizationJobStatus,
            "COMPLETED",
        );
    });

    it("takes over the running job of an interrupted run, and restarts a failed one, instead of failing on its name", async () => {
        server.scripts.set(JOB, { describesUntilDone: 2 });
        await sdk.send(new CreateOptimizationJobCommand(createRequestOf(JOB)));
        server.calls.length = 0;
        assert.equal((await provider().create(INPUTS)).outs.optimizationJobStatus, "COMPLETED");
        assert.deepEqual(server.operations().slice(0, 2), ["CreateOptimizationJob", "DescribeOptimizationJob"]);
        assert.equal(logs[0], `optimization job ${JOB}: already STARTING, taking it over`);

        server.reset();
        server.scripts.set(JOB, { outcome: "FAILED", failureReason: "out of capacity" });
        await sdk.send(new CreateOptimizationJobCommand(createRequestOf(JOB)));
        await sdk.send(new DescribeOptimizationJobCommand({ OptimizationJobName: JOB }));
        server.scripts.set(JOB, {});
        server.calls.length = 0;
        logs = [];
        assert.equal((await provider().create(INPUTS)).outs.optimizationJobStatus, "COMPLETED");
        assert.deepEqual(server.operations(), [
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
            "DeleteOptimizationJob",
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
        ]);
        assert.equal(
            logs[0],
            `optimization job ${JOB}: created again after an earlier FAILED run, waiting for it to finish`,
        );
    });

    it("gets through throttling by the SDK's own retries", async () => {
        server.throttle = 2;
        const result = await provider().create(INPUTS);
        assert.equal(result.outs.optimizationJobStatus, "COMPLETED");
        assert.deepEqual(server.operations(), [
            "CreateOptimizationJob",
            "CreateOptimizationJob",
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
        ]);
    });

    it("stops a running job on delete, waits for STOPPED, deletes its record and leaves the output in S3", async () => {
        server.scripts.set(JOB, { describesUntilDone: 1000, describesUntilStopped: 2 });
        await sdk.send(new CreateOptimizationJobCommand({ ...createRequestOf(JOB) }));
        const state = { ...INPUTS, optimizedModelUrl: INPUTS.outputConfig.s3OutputLocation } as ProviderOutputs;
        await provider().delete!(JOB, state);
        assert.deepEqual(server.operations(), [
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
            "StopOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DeleteOptimizationJob",
        ]);
        assert.equal(server.hasJob(JOB), false);
        assert.equal(
            logs.at(-1),
            `optimization job ${JOB}: deleted; the optimized model stays in S3 at s3://fm-fleet-models/llama3-70b-awq/`,
        );
    });

    it("deletes a finished job without stopping it, and treats a job that is gone as deleted", async () => {
        await provider().create(INPUTS);
        server.calls.length = 0;
        await provider().delete!(JOB, INPUTS as ProviderOutputs);
        assert.deepEqual(server.operations(), ["DescribeOptimizationJob", "DeleteOptimizationJob"]);
        server.calls.length = 0;
        await provider().delete!(JOB, INPUTS as ProviderOutputs);
        assert.deepEqual(server.operations(), ["DescribeOptimizationJob"]);
    });

    it("reads the job back, and reports a job that is gone with an empty id", async () => {
        const created = await provider().create(INPUTS);
        const read = await provider().read!(JOB, created.outs);
        assert.deepEqual(read, { id: JOB, props: created.outs });
        server.reset();
        assert.deepEqual(await provider().read!(JOB, created.outs), { id: "", props: {} });
    });

    it("replaces the job when what it makes changes (deleting first under the same name), and updates the rest in place", async () => {
        const olds = (await provider().create(INPUTS)).outs;
        const diff = provider().diff!;
        assert.deepEqual(await diff(JOB, olds, INPUTS), { changes: false, replaces: [], deleteBeforeReplace: false });
        // Under the same name the old job must go first; the components' generated names change with any such field.
        assert.deepEqual(await diff(JOB, olds, { ...INPUTS, deploymentInstanceType: "ml.g6e.12xlarge" }), {
            changes: true,
            replaces: ["deploymentInstanceType"],
            deleteBeforeReplace: true,
        });
        assert.deepEqual(
            await diff(JOB, olds, {
                ...INPUTS,
                optimizationJobName: "other-1",
                region: "us-west-2",
                outputConfig: { s3OutputLocation: "s3://fm-fleet-models/other/" },
            }),
            { changes: true, replaces: ["optimizationJobName", "outputConfig", "region"], deleteBeforeReplace: false },
        );
        // The role, the tags, the output's key and the wait: a finished job's output depends on none of them.
        const settings = {
            ...INPUTS,
            roleArn: "arn:aws:iam::123456789012:role/other",
            tags: { "cost-center": "research", team: "llm" },
            outputConfig: { ...INPUTS.outputConfig, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k2" },
            waitTimeoutSeconds: 60,
        };
        assert.deepEqual(await diff(JOB, olds, settings), { changes: true, replaces: [], deleteBeforeReplace: false });
        server.calls.length = 0;
        const updated = await provider().update!(JOB, olds, settings);
        assert.deepEqual(updated.outs, {
            ...olds,
            roleArn: settings.roleArn,
            tags: settings.tags,
            outputConfig: settings.outputConfig,
            waitTimeoutSeconds: 60,
        });
        assert.deepEqual(
            server.calls.map((c) => [c.operation, c.body]),
            [
                [
                    "AddTags",
                    {
                        ResourceArn: olds.optimizationJobArn,
                        Tags: [
                            { Key: "cost-center", Value: "research" },
                            { Key: "team", Value: "llm" },
                        ],
                    },
                ],
            ],
        );
        await provider().update!(JOB, updated.outs as ProviderOutputs, { ...INPUTS, tags: { team: "llm" } });
        assert.deepEqual(server.calls.at(-1)!.body, { ResourceArn: olds.optimizationJobArn, TagKeys: ["cost-center"] });
        assert.deepEqual(server.job(JOB)!.tags, [{ Key: "team", Value: "llm" }]);
    });

    it("waits for a job that is already stopping before deleting it", async () => {
        server.scripts.set(JOB, { describesUntilDone: 1000, describesUntilStopped: 2 });
        await sdk.send(new CreateOptimizationJobCommand(createRequestOf(JOB)));
        await sdk.send(new StopOptimizationJobCommand({ OptimizationJobName: JOB }));
        server.calls.length = 0;
        await provider().delete!(JOB, INPUTS as ProviderOutputs);
        assert.deepEqual(server.operations(), [
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DescribeOptimizationJob",
            "DeleteOptimizationJob",
        ]);
        assert.equal(server.hasJob(JOB), false);
    });
    // The texts SageMaker's Create* calls give for a role IAM has not propagated yet (see isRoleNotReady).
    const NOT_ASSUMABLE = {
        type: "ValidationException",
        message: `Could not assume role ${INPUTS.roleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`,
    };
    const DENIED = { type: "AccessDeniedException", message: "Access denied while the role's policy propagates." };

    it("retries a create refused while the role propagates, with growing delays, then waits for the job", async () => {
        server.createErrors.push(NOT_ASSUMABLE, DENIED);
        const result = await provider().create(INPUTS);
        assert.equal(result.outs.optimizationJobStatus, "COMPLETED");
        assert.deepEqual(server.operations(), [
            "CreateOptimizationJob",
            "CreateOptimizationJob",
            "CreateOptimizationJob",
            "DescribeOptimizationJob",
        ]);
        // 2 s doubling, each jittered to 75% at random() = 0.5.
        assert.deepEqual(sleeps, [1500, 3000]);
        assert.deepEqual(logs.slice(0, 3), [
            `optimization job ${JOB}: the role is not usable yet (ValidationException), retrying in 2 s`,
            `optimization job ${JOB}: the role is not usable yet (AccessDeniedException), retrying in 3 s`,
            `optimization job ${JOB}: created, waiting for it to finish`,
        ]);
    });

    it("gives up after two minutes of refusals with SageMaker's last word and the fix, having started nothing", async () => {
        server.createErrors.push(...Array.from({ length: 50 }, () => NOT_ASSUMABLE));
        await assert.rejects(provider().create(INPUTS), {
            name: "OptimizationJobError",
            message:
                `Optimization job "${JOB}" could not be created with role ${INPUTS.roleArn} within 120 s: ValidationException: ${NOT_ASSUMABLE.message} ` +
                "Check that the role trusts sagemaker.amazonaws.com and that the caller may pass it (iam:PassRole), then run pulumi up again.",
        });
        assert.deepEqual(sleeps, [1500, 3000, 6000, 12000, 15000, 15000, 15000, 15000, 15000, 15000]);
        assert.ok(sleeps.reduce((a, b) => a + b) <= ROLE_RETRY_DEFAULTS.timeoutSeconds * 1000);
        assert.deepEqual(new Set(server.operations()), new Set(["CreateOptimizationJob"]));
        assert.equal(server.operations().length, 11);
    });

    it("fails at once on a ValidationException about the request itself", async () => {
        server.createErrors.push({
            type: "ValidationException",
            message:
                "1 validation error detected: Value 'ml.x1.huge' at 'deploymentInstanceType' failed to satisfy constraint.",
        });
        await assert.rejects(provider().create(INPUTS), { name: "ValidationException" });
        assert.deepEqual(server.operations(), ["CreateOptimizationJob"]);
        assert.deepEqual(sleeps, []);
        assert.equal(isRoleNotReady({ name: "ResourceInUse", message: "could not assume role" }), false);
    });

    it("calls SageMaker with the stack's aws:profile: its credentials sign the requests", async () => {
        // A shared config file as `aws configure` writes it, pointing the profile at the loopback server.
        const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-profile-"));
        const keys = ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_SAGEMAKER"] as const;
        const saved = keys.map((k) => [k, process.env[k]] as const);
        try {
            writeFileSync(
                path.join(dir, "config"),
                "[profile ml-deploy]\nregion = us-east-1\n" +
                    "aws_access_key_id = AKIDMLDEPLOY\naws_secret_access_key = profile-secret\n",
            );
            writeFileSync(path.join(dir, "credentials"), "");
            process.env.AWS_CONFIG_FILE = path.join(dir, "config");
            process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, "credentials");
            // The SDK's service-specific endpoint variable: the calls stay on the loopback server.
            process.env.AWS_ENDPOINT_URL_SAGEMAKER = server.url;
            // The provider's own clients (no client dependency): a new SageMakerClient per operation.
            const own = optimizationJobProvider({
                sleep: async (ms) => void (clock += ms),
                log: () => undefined,
                random: () => 0.5,
                now: () => clock,
            });
            await own.create({ ...INPUTS, profile: "ml-deploy" });
            const signed = server.calls.map((c) => String(c.headers.authorization));
            assert.ok(signed.length >= 2);
            for (const auth of signed) assert.match(auth, /Credential=AKIDMLDEPLOY\//);
        } finally {
            for (const [key, value] of saved) {
                if (value === undefined) delete process.env[key];
                else process.env[key] = value;
            }
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("updates a changed profile in place: where the calls come from never replaces the job", async () => {
        const olds = { ...INPUTS, optimizationJobArn: "arn", optimizationJobStatus: "COMPLETED" } as ProviderOutputs;
        const diff = await provider().diff!(JOB, olds, { ...INPUTS, profile: "ml-deploy" });
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    });
});

/** The create request of a job named `name` (for jobs the test starts by itself). */
function createRequestOf(name: string) {
    return {
        OptimizationJobName: name,
        RoleArn: INPUTS.roleArn,
        ModelSource: { S3: { S3Uri: "s3://fm-fleet-models/llama3-70b/" } },
        DeploymentInstanceType: "ml.g5.12xlarge" as const,
        OptimizationConfigs: [{ ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: "awq" } } }],
        OutputConfig: { S3OutputLocation: "s3://fm-fleet-models/llama3-70b-awq/" },
        StoppingCondition: { MaxRuntimeInSeconds: 36000 },
    };
}
