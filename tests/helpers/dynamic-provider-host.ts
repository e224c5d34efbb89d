import { ChildProcess, spawn } from "child_process";
import * as readline from "readline";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

// The engine's own protocol stubs, shipped with the SDK: the provider is driven as the CLI drives it.
const providerRpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerProto = require("@pulumi/pulumi/proto/provider_pb");

function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
        client[method](request, (err: grpc.ServiceError | null, response: T) =>
            err ? reject(err) : resolve(response),
        ),
    );
}

/**
 * The SDK's dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`, what the CLI runs as
 * `pulumi-resource-pulumi-nodejs`), started in the program's directory and driven over the provider gRPC
 * protocol: it deserializes a resource's `__provider` and runs it, as `pulumi up` would.
 */
export class DynamicProviderHost {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
    ) {}

    static async start(cwd: string, env: NodeJS.ProcessEnv): Promise<DynamicProviderHost> {
        const host = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [cwd] });
        // The engine address is required; these calls never reach the engine.
        const child = spawn(process.execPath, [host, "127.0.0.1:1"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const stderr: string[] = [];
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
        try {
            const port = await new Promise<string>((resolve, reject) => {
                readline.createInterface({ input: child.stdout! }).once("line", (line) => resolve(line.trim()));
                child.once("exit", (code) => reject(new Error(`provider host exited ${code}: ${stderr.join("")}`)));
            });
            const client = new providerRpc.ResourceProviderClient(
                `127.0.0.1:${port}`,
                grpc.credentials.createInsecure(),
            );
            return new DynamicProviderHost(child, client);
        } catch (e) {
            child.kill();
            throw e;
        }
    }

    async create(urn: string, props: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }> {
        const request = new providerProto.CreateRequest();
        request.setUrn(urn);
        request.setProperties(Struct.fromJavaScript(props as any));
        const response: any = await call(this.client, "create", request);
        return { id: response.getId(), outs: response.getProperties().toJavaScript() };
    }

    async delete(urn: string, id: string, props: Record<string, unknown>): Promise<void> {
        const request = new providerProto.DeleteRequest();
        request.setUrn(urn);
        request.setId(id);
        request.setProperties(Struct.fromJavaScript(props as any));
        await call(this.client, "delete", request);
    }

    /** Stops the host and waits for it to exit. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
    }
}
