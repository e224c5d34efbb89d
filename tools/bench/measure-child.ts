import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as awsNative from "@pulumi/aws-native";
import { FleetMocks } from "../mocks/fleet-mocks";
import { withoutPromiseTraces } from "../mocks/promise-traces";
import { recordRegistrations, waitForRegistrations } from "../mocks/recorder";
import { plan } from "../plan/plan";
import { runProgram } from "../plan/run-program";
import { readStack } from "../plan/stack-files";

/**
 * One measurement in a fresh process (peak memory is per process, and a program runs once per process):
 * `floor <n>`, `program <stackFile>` or `plan <stackFile>`. Prints one JSON line.
 */
export type Mode = "floor" | "program" | "plan";

const ROOT = path.join(__dirname, "..", "..");

async function floor(n: number): Promise<number> {
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

async function main(): Promise<void> {
    const [mode, arg] = process.argv.slice(2) as [Mode, string];
    const started = process.hrtime.bigint();
    let resources = 0;
    let extra: Record<string, unknown> = {};
    if (mode === "floor") {
        resources = await floor(Number(arg));
    } else if (mode === "program") {
        const run = await runProgram(readStack(ROOT, "bench", arg), "bench");
        resources = run.resources.length;
    } else {
        const result = await plan({
            projectDir: ROOT,
            stack: "bench",
            stackFile: arg,
            policyConfigFile: path.join(ROOT, "policies/config/dev.json"),
        });
        resources = result.resources.length;
        extra = {
            timings: result.timings,
            packPeakRssMb: result.packPeakRssMb,
            mandatory: result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
        };
    }
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
