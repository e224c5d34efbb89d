import * as assert from "node:assert/strict";
import { runCli } from "../../runtime/cli";
import { loopbackRuntime } from "../helpers/loopback";

/** Runs the CLI in-process with captured output. */
async function cli(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runCli(args, {
        stdout: { write: (c: string | Uint8Array) => (stdout += String(c)) },
        stderr: { write: (c: string) => (stderr += c) },
    });
    return { code, stdout, stderr };
}

/** Runs `body` with the AWS variables of `env` set and every other AWS setting the SDK reads removed. */
async function withAwsEnvironment<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
    Object.assign(process.env, {
        // No profile files, and never the instance metadata service: nothing may leave this machine.
        AWS_CONFIG_FILE: "/nonexistent/fm-fleet-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/fm-fleet-credentials",
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
    });
    try {
        return await body();
    } finally {
        process.env = saved;
    }
}

describe("fm-fleet: usage and environment errors (CLI)", () => {
    const server = loopbackRuntime();

    it("prints its usage to stderr and exits 2 when no command is given, with no stray line", async () => {
        const r = await cli();
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^Usage: fm-fleet \[options\] \[command\]\n/);
        assert.match(r.stderr, /\n {2}invoke \[options\] +Invoke an endpoint/);
        assert.doesNotMatch(r.stderr, /outputHelp/);
    });

    it("prints --help to stdout and exits 0, with nothing on stderr", async () => {
        const r = await cli("--help");
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^Usage: fm-fleet \[options\] \[command\]\n/);
        assert.equal(r.stderr, "");
    });

    it("exits 2 with the fix when no region is configured, sending nothing", async () => {
        const r = await withAwsEnvironment({ AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "s" }, () =>
            cli("invoke", "--endpoint-url", server.url, "--endpoint", "chat", "--component", "ic", "--body", "{}"),
        );
        assert.deepEqual(r, {
            code: 2,
            stdout: "",
            stderr: "fm-fleet: no AWS region: pass --region <region> (e.g. us-east-1), or set AWS_REGION or a region in your AWS profile.\n",
        });
        assert.equal(server.requests.length, 0);
    });

    it("exits 2 with the fix when no credentials can be found, sending nothing", async () => {
        const r = await withAwsEnvironment({}, () =>
            cli(
                ...["invoke", "--region", "us-east-1", "--endpoint-url", server.url],
                ...["--endpoint", "chat", "--component", "ic", "--body", "{}"],
            ),
        );
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.match(
            r.stderr,
            /^fm-fleet: no AWS credentials \(.+\): set AWS_PROFILE \(after `aws sso login` if it uses SSO\), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\.\n$/,
        );
        assert.equal(server.requests.length, 0);
    });
});
