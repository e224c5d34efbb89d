import * as path from "path";
import { PROJECT_ROOT } from "../project-root";

/**
 * One measurement in a fresh process (peak memory is per process, and a program runs once per process):
 * `floor <n>`, `program <stackFile>` or `plan <stackFile>`. Prints one JSON line. Runs from the project's
 * build, as the plan's command line does, and loads only what its mode needs: a plan's process loads no
 * more than `npm run plan`'s does.
 */
export type Mode = "floor" | "program" | "plan";

async function floor(n: number): Promise<number> {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const awsNative = require("@pulumi/aws-native") as typeof import("@pulumi/aws-native");
    const { FleetMocks } = require("../mocks/fleet-mocks") as typeof import("../mocks/fleet-mocks");
    const { withoutPromiseTraces } = require("../mocks/promise-traces") as typeof import("../mocks/promise-traces");
    const { recordRegistrations, waitForRegistrations } =
        require("../mocks/recorder") as typeof import("../mocks/recorder");
    await pulumi.runtime.setMocks(new FleetMocks(), "fm-fleet", "bench", false);
    const resources = recordRegistrations();
    await withoutPromiseTraces(async () => {
        for (let i = 0; i < n; i++) {
            new awsNative.sagemaker.InferenceComponent(`ic-${i}`, {
                endpointName: "chat-endpoint",
                specification: {
                    baseInferenceComponentName: "base-ic",
                    container: { artifactUrl: `s3://fm-fleet-bench/adapters/tenant-${i}.tar.gz` },
                },
            });
        }
        await waitForRegistrations();
    });
    return resources.length;
}

async function program(stackFile: string): Promise<number> {
    const { runProgram } = require("../plan/run-program") as typeof import("../plan/run-program");
    const { readStack } = require("../plan/stack-files") as typeof import("../plan/stack-files");
    const run = await runProgram(readStack(PROJECT_ROOT, "bench", stackFile), "bench");
    return run.resources.length;
}

async function planned(stackFile: string): Promise<{ resources: number; extra: Record<string, unknown> }> {
    const { plan } = require("../plan/plan") as typeof import("../plan/plan");
    const result = await plan({
        projectDir: PROJECT_ROOT,
        stack: "bench",
        stackFile,
        policyConfigFile: path.join(PROJECT_ROOT, "policies/config/dev.json"),
    });
    // What the plan's command line does next, so the time is the command's.
    const { planJson } = require("../plan/report/json") as typeof import("../plan/report/json");
    JSON.stringify(planJson(result), null, 2);
    return {
        resources: result.resources.length,
        extra: {
            timings: result.timings,
            packPeakRssMb: result.packPeakRssMb,
            mandatory: result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
        },
    };
}

async function main(): Promise<void> {
    const [mode, arg] = process.argv.slice(2) as [Mode, string];
    const started = process.hrtime.bigint();
    let resources = 0;
    let extra: Record<string, unknown> = {};
    if (mode === "floor") resources = await floor(Number(arg));
    else if (mode === "program") resources = await program(arg);
    else ({ resources, extra } = await planned(arg));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
        `${JSON.stringify({ mode, resources, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra })}\n`,
    );
    process.exit(0);
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
});
