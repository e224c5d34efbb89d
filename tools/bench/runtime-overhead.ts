import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { FleetClient } from "../../runtime";
import { FakeSageMakerRuntime } from "../loopback/sagemaker-runtime-server";

/** Per-request cost of FleetClient.invoke against a raw SDK send, on one loopback server. */
export interface RuntimeOverhead {
    readonly requests: number;
    readonly rawMedianUs: number;
    readonly clientMedianUs: number;
    readonly rawMeanUs: number;
    readonly clientMeanUs: number;
    /** clientMedian / rawMedian: the headline (means swing with GC pauses on a 2-core machine). */
    readonly medianRatio: number;
    /** clientMean / rawMean. */
    readonly meanRatio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Alternates blocks of raw `sdk.send` and `client.invoke` on the same SDK client and server, so drift
 * (JIT, GC, the other core) falls on both alike.
 */
export async function measureRuntimeOverhead(requests = 4_000, block = 100): Promise<RuntimeOverhead> {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const server = new FakeSageMakerRuntime();
    const url = await server.start();
    const sdk = new SageMakerRuntimeClient({
        region: "us-east-1",
        endpoint: url,
        credentials: { accessKeyId: "AKIDFMFLEETBENCH", secretAccessKey: "bench-secret" },
    });
    const client = new FleetClient({ client: sdk });
    const body = JSON.stringify({ inputs: "hello", parameters: { max_new_tokens: 16 } });
    const raw = () =>
        sdk.send(
            new InvokeEndpointCommand({
                EndpointName: "chat-endpoint",
                InferenceComponentName: "chat-llama3-8b-ic",
                Body: new TextEncoder().encode(body),
                ContentType: "application/json",
            }),
        );
    const wrapped = () =>
        client.invoke({ endpointName: "chat-endpoint", inferenceComponentName: "chat-llama3-8b-ic", body });
    const rawUs: number[] = [];
    const clientUs: number[] = [];
    const time = async (fn: () => Promise<unknown>, into: number[] | undefined) => {
        const started = process.hrtime.bigint();
        await fn();
        into?.push(Number(process.hrtime.bigint() - started) / 1000);
    };
    try {
        for (let i = 0; i < 200; i++) await time(i % 2 ? raw : wrapped, undefined); // warm-up
        for (let done = 0; done < requests; done += block) {
            for (let i = 0; i < block; i++) await time(raw, rawUs);
            for (let i = 0; i < block; i++) await time(wrapped, clientUs);
        }
    } finally {
        sdk.destroy();
        await server.stop();
    }
    return {
        requests,
        rawMedianUs: median(rawUs),
        clientMedianUs: median(clientUs),
        rawMeanUs: mean(rawUs),
        clientMeanUs: mean(clientUs),
        medianRatio: median(clientUs) / median(rawUs),
        meanRatio: mean(clientUs) / mean(rawUs),
    };
}

if (require.main === module) {
    measureRuntimeOverhead().then((r) => {
        console.log(
            `runtime client: ${r.requests} requests each; raw SDK send median ${r.rawMedianUs.toFixed(0)} us, mean ${r.rawMeanUs.toFixed(0)} us; ` +
                `FleetClient.invoke median ${r.clientMedianUs.toFixed(0)} us, mean ${r.clientMeanUs.toFixed(0)} us; ` +
                `overhead ${((r.medianRatio - 1) * 100).toFixed(1)}% at the median, ${((r.meanRatio - 1) * 100).toFixed(1)}% at the mean (goal: within 5%)`,
        );
    });
}
