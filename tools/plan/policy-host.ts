import { ChildProcess, spawn } from "child_process";
import { readFileSync } from "fs";
import * as readline from "readline";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { RecordedResource } from "../mocks/recorder";
import { analyzeRequest, analyzeStackRequest } from "./analyzer-requests";
import {
    EnforcementLevel,
    PolicyInfo,
    PolicyPackConfigFile,
    readPolicyPackConfig,
    ReadPolicyConfig,
} from "./policy-config";

export type { EnforcementLevel, PolicyInfo, PolicyPackConfigFile };

// The engine's own protocol stubs, shipped with the SDK: the pack is driven exactly as the CLI drives it.
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const engineRpc = require("@pulumi/pulumi/proto/engine_grpc_pb");

/** One diagnostic of the pack. */
export interface Diagnostic {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
    /** URN of the resource it concerns; empty for a stack-wide finding. */
    readonly urn: string;
}

// The analyzer protocol's enum order.
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
        client[method](request, (err: grpc.ServiceError | null, response: T) =>
            err ? reject(err) : resolve(response),
        ),
    );
}

function diagnosticsOf(response: any): Diagnostic[] {
    return response.getDiagnosticsList().map((d: any) => ({
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        description: d.getDescription(),
        // @pulumi/policy sends "<description>\n<violation>"; the description is reported on its own.
        message: withoutPrefix(d.getMessage(), `${d.getDescription()}\n`),
        enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
        urn: d.getUrn(),
    }));
}

const withoutPrefix = (text: string, prefix: string) => (text.startsWith(prefix) ? text.slice(prefix.length) : text);

/**
 * A policy pack started the way the Pulumi CLI starts one: `@pulumi/pulumi/cmd/run-policy-pack` in the
 * pack's directory (which loads the package's `main`, its compiled build), its port read from the first
 * line of stdout, then driven over the analyzer gRPC protocol. An engine service receives the pack's log
 * calls.
 */
export class PolicyPackHost {
    /** Messages the pack logged to the engine (errors while loading, mostly). */
    public readonly logs: string[] = [];
    public policies: PolicyInfo[] = [];
    public packName = "";
    public packVersion = "";

    private constructor(
        private readonly child: ChildProcess,
        private readonly engine: grpc.Server,
        private readonly client: any,
        private readonly stderr: string[],
    ) {}

    /** Starts the pack in `packDir` and reads its description. */
    static async start(packDir: string): Promise<PolicyPackHost> {
        const logs: string[] = [];
        const engine = new grpc.Server();
        engine.addService(engineRpc.EngineService, {
            log: (callback: any, done: any) => {
                logs.push(callback.request.getMessage());
                done(null, new Empty());
            },
            getRootResource: (_: any, done: any) =>
                done(null, new (require("@pulumi/pulumi/proto/engine_pb").GetRootResourceResponse)()),
            setRootResource: (_: any, done: any) =>
                done(null, new (require("@pulumi/pulumi/proto/engine_pb").SetRootResourceResponse)()),
            startDebugging: (_: any, done: any) => done(null, new Empty()),
            requirePulumiVersion: (_: any, done: any) => done(null, new Empty()),
        });
        const enginePort = await new Promise<number>((resolve, reject) =>
            engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
                err ? reject(err) : resolve(port),
            ),
        );

        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        const child = spawn(process.execPath, [runner, `127.0.0.1:${enginePort}`, packDir], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
        });
        running.add(child);
        child.once("exit", () => running.delete(child));
        const stderr: string[] = [];
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
        let port: string;
        try {
            port = await new Promise<string>((resolve, reject) => {
                const lines = readline.createInterface({ input: child.stdout! });
                lines.once("line", (line) => resolve(line.trim()));
                child.once("exit", (code) =>
                    reject(
                        new Error(
                            `Policy pack ${packDir} exited with code ${code} before serving.\n${stderr.join("")}${logs.join("\n")}`,
                        ),
                    ),
                );
                // A process that could not be spawned at all emits "error" and never "exit".
                child.once("error", (e) => reject(new Error(`Policy pack ${packDir} could not start: ${e.message}`)));
            });
        } catch (e) {
            // The engine service would keep this process alive: a pack that failed to start leaves nothing.
            engine.forceShutdown();
            throw e;
        }
        if (!/^\d+$/.test(port)) {
            await stopChild(child);
            engine.forceShutdown();
            throw new Error(`Policy pack printed "${port}" instead of its port first: nothing may print at load time.`);
        }
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        const host = new PolicyPackHost(child, engine, client, stderr);
        (host as { logs: string[] }).logs.push(...logs);
        try {
            await host.describe();
        } catch (e) {
            await host.stop();
            throw e;
        }
        return host;
    }

    private async describe(): Promise<void> {
        const info: any = await call(this.client, "getAnalyzerInfo", new Empty());
        this.packName = info.getName();
        this.packVersion = info.getVersion();
        this.policies = info.getPoliciesList().map((p: any) => {
            const schema = p.getConfigschema();
            return {
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
                configSchema: schema && {
                    properties: schema.getProperties()?.toJavaScript() ?? {},
                    required: schema.getRequiredList(),
                },
            };
        });
    }

    /**
     * Reads `file` as the engine does (throwing a PolicyConfigError where it would fail), sends the result
     * to the pack (Configure) and returns it with the warnings about what the engine ignores.
     */
    async configure(file: PolicyPackConfigFile = {}): Promise<ReadPolicyConfig> {
        const read = readPolicyPackConfig(this.policies, file);
        const config = read.config;
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        const map = request.getPolicyconfigMap();
        for (const [name, { enforcementLevel, properties }] of Object.entries(config)) {
            const policyConfig = new analyzerProto.PolicyConfig();
            policyConfig.setEnforcementlevel(LEVELS.indexOf(enforcementLevel));
            policyConfig.setProperties(Struct.fromJavaScript(properties as any));
            map.set(name, policyConfig);
        }
        await call(this.client, "configure", request);
        return read;
    }

    /** Analyze: one resource's inputs, as at `pulumi preview` step generation. */
    async analyze(resource: RecordedResource): Promise<Diagnostic[]> {
        return diagnosticsOf(await this.encodedCall(analyzerRpc.AnalyzerService.analyze, analyzeRequest(resource)));
    }

    /** AnalyzeStack: every resource's outputs with parents and dependencies, as after a preview. */
    async analyzeStack(resources: readonly RecordedResource[]): Promise<Diagnostic[]> {
        const request = analyzeStackRequest(resources);
        return diagnosticsOf(await this.encodedCall(analyzerRpc.AnalyzerService.analyzeStack, request));
    }

    /** A call whose request is already encoded (see analyzer-requests): sent as it is. */
    private encodedCall(method: { path: string; responseDeserialize: (b: Buffer) => unknown }, request: Buffer) {
        return new Promise<any>((resolve, reject) =>
            this.client.makeUnaryRequest(
                method.path,
                (encoded: Buffer) => encoded,
                method.responseDeserialize,
                request,
                (err: grpc.ServiceError | null, response: unknown) => (err ? reject(err) : resolve(response)),
            ),
        );
    }

    /** The plugin version the pack reports (GetPluginInfo). */
    async pluginVersion(): Promise<string> {
        const info: any = await call(this.client, "getPluginInfo", new Empty());
        return info.getVersion();
    }

    /** Peak resident memory of the pack's process in MiB (Linux `VmHWM`); `undefined` elsewhere. */
    peakRssMb(): number | undefined {
        try {
            const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
            const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
            return kb === undefined ? undefined : Number(kb) / 1024;
        } catch {
            return undefined;
        }
    }

    /** Stops the pack and the engine service. */
    async stop(): Promise<void> {
        this.client.close();
        await stopChild(this.child);
        this.engine.forceShutdown();
    }

    /** What the pack wrote to stderr. */
    get stderrText(): string {
        return this.stderr.join("");
    }
}

/** Policy pack processes started by this process and not yet exited. */
const running = new Set<ChildProcess>();

/** Stops every policy pack this process started: for a command interrupted by a signal. */
export async function stopAllPolicyPacks(): Promise<void> {
    await Promise.all([...running].map(stopChild));
}

/** Stops a child process and resolves once it has exited (at once if it already has). */
function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill();
    return exited;
}
