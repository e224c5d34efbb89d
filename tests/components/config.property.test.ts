import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import fc from "fast-check";
import { stringify } from "yaml";
import { Fleet, FleetConfigError, validateStackSettings } from "../../components";
import { preflight } from "../../tools/plan/preflight/preflight";
import { LMI_IMAGE, ROOT, VLLM_IMAGE } from "../helpers/configs";
import { planInProcess } from "../helpers/plan-cli";
import { underMocks } from "../helpers/pulumi";

/** Instance types the generator places models on, with what a copy may ask of them. */
const INSTANCES = [
    { type: "ml.g6.2xlarge", accelerators: 1, memoryMb: 32768 },
    { type: "ml.g5.12xlarge", accelerators: 4, memoryMb: 196608 },
    { type: "ml.inf2.24xlarge", accelerators: 6, memoryMb: 393216 },
];

const configName = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,6}$/).filter((n) => n.length <= 63);
const uniqueNames = (min: number, max: number) => fc.uniqueArray(configName, { minLength: min, maxLength: max });

/** A valid fleet: any names, sizes and shapes the config allows. */
const validFleet = uniqueNames(1, 3).chain((endpointNames) =>
    fc
        .tuple(
            ...endpointNames.map((name) =>
                fc
                    .record({
                        instance: fc.constantFrom(...INSTANCES),
                        minInstances: fc.integer({ min: 0, max: 2 }),
                        extraInstances: fc.integer({ min: 0, max: 3 }),
                        models: uniqueNames(1, 2).chain((modelNames) =>
                            fc.tuple(
                                ...modelNames.map((model) =>
                                    fc.record({
                                        name: fc.constant(model),
                                        vllm: fc.boolean(),
                                        quantization: fc.constantFrom("none", "awq", "fp8"),
                                        draft: fc.boolean(),
                                        optimize: fc.constantFrom(undefined, "awq", "fp8"),
                                        maxCopies: fc.integer({ min: 1, max: 4 }),
                                        adapters: uniqueNames(0, 3),
                                        sticky: fc.boolean(),
                                    }),
                                ),
                            ),
                        ),
                    })
                    .map(({ instance, minInstances, extraInstances, models }) => ({
                        name,
                        instanceType: instance.type,
                        instances: { min: minInstances, max: Math.max(1, minInstances + extraInstances) },
                        foundationModels: models.map((m) => ({
                            name: m.name,
                            image: m.vllm ? VLLM_IMAGE : LMI_IMAGE,
                            modelDataUrl: `s3://models/${m.name}/`,
                            parametersBillions: 8,
                            // A model on a GPU may be optimized by a job instead: it then serves the job's output.
                            ...(m.optimize && !instance.type.includes("inf2")
                                ? {
                                      optimization: {
                                          quantization: m.optimize,
                                          outputUrl: `s3://models/${m.name}-opt/`,
                                      },
                                  }
                                : {
                                      quantization: m.quantization,
                                      ...(m.draft
                                          ? { speculativeDecoding: { draftModelUrl: `s3://models/${m.name}/draft/` } }
                                          : {}),
                                  }),
                            accelerators: 1,
                            memoryMb: Math.min(16384, instance.memoryMb),
                            copies: { min: minInstances === 0 ? 0 : 1, max: m.maxCopies },
                            stickySessions: m.sticky,
                            adapters: m.adapters.map((a) => ({
                                name: a,
                                artifactUrl: `s3://models/adapters/${a}.tar.gz`,
                            })),
                        })),
                    })),
            ),
        )
        .map((endpoints) => ({ kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", endpoints })),
);

/** Every path to a leaf or a node of a config, as keys. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (value === null || typeof value !== "object") return [at];
    const children = Object.entries(value).flatMap(([k, v]) =>
        pathsOf(v, [...at, Array.isArray(value) ? Number(k) : k]),
    );
    return [at, ...children];
}

/** A value a person might put in the wrong place. */
const oddValue = fc.constantFrom<unknown>(
    null,
    -1,
    0,
    1.5,
    70,
    "",
    "x",
    "yes",
    "s3://models/x/",
    [],
    {},
    true,
    "A".repeat(80),
);

/** A mutated copy: one path replaced, deleted, or given a stray key. */
const mutated = validFleet.chain((fleet) =>
    fc
        .record({
            path: fc.constantFrom(...pathsOf(fleet).filter((p) => p.length > 0)),
            kind: fc.constantFrom("replace", "delete", "stray"),
            value: oddValue,
        })
        .map(({ path: at, kind, value }) => {
            const copy: any = structuredClone(fleet);
            let parent = copy;
            for (const key of at.slice(0, -1)) parent = parent[key];
            const last = at[at.length - 1];
            if (kind === "delete") {
                if (Array.isArray(parent)) parent.splice(Number(last), 1);
                else delete parent[last];
            } else if (
                kind === "stray" &&
                parent[last] &&
                typeof parent[last] === "object" &&
                !Array.isArray(parent[last])
            ) {
                parent[last].strayKey = value;
            } else parent[last] = value;
            return { fleet: copy, mutation: `${kind} ${at.join(".")} ${JSON.stringify(value)}` };
        }),
);

// Fixed seeds keep CI repeatable; FC_RUNS and FC_SEED let a developer search longer or elsewhere.
describe("stack config, property-based (fast-check)", function () {
    this.timeout(120_000);

    it("accepts every valid fleet, builds it, and nothing it builds would fail at deploy", async () => {
        await fc.assert(
            fc.asyncProperty(validFleet, async (fleet) => {
                validateStackSettings(fleet, "ml");
                const { resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }));
                assert.deepEqual(preflight(resources), []);
            }),
            { numRuns: Number(process.env.FC_RUNS ?? 40), seed: Number(process.env.FC_SEED ?? 20261127) },
        );
    });

    it("rejects a mutated fleet with paths and messages, or accepts and builds it: never another error", async () => {
        await fc.assert(
            fc.asyncProperty(mutated, async ({ fleet }) => {
                let accepted = true;
                try {
                    validateStackSettings(fleet, "ml");
                } catch (e) {
                    assert.ok(e instanceof FleetConfigError, `not a config error: ${String(e)}`);
                    assert.ok(e.issues.length > 0);
                    for (const issue of e.issues) {
                        assert.match(issue.path, /^(fleet|costCenter)\b/);
                        assert.match(issue.message, /\S.*[.?]$/s, issue.message);
                        assert.doesNotMatch(issue.message, /\bundefined\b|\[object Object\]|got object null/);
                    }
                    accepted = false;
                }
                if (accepted) {
                    const { resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml" }));
                    assert.ok(resources.length > 0);
                }
            }),
            { numRuns: Number(process.env.FC_RUNS ?? 200), seed: Number(process.env.FC_SEED ?? 20261127) },
        );
    });

    it("plans random and mutated stacks with exit 0, 1 or 2 and never a stack trace", async () => {
        const samples = [
            ...fc.sample(validFleet, { numRuns: 1, seed: 7 }),
            ...fc.sample(mutated, { numRuns: 1, seed: 11 }).map((m) => m.fleet),
        ];
        const dir = mkdtempSync(path.join(tmpdir(), "fm-fleet-prop-"));
        const runs = [];
        for (const [i, fleet] of samples.entries()) {
            const file = path.join(dir, `Pulumi.sample-${i}.yaml`);
            writeFileSync(
                file,
                stringify({
                    config: { "aws:region": "us-east-1", "fm-fleet:costCenter": "ml", "fm-fleet:fleet": fleet },
                }),
            );
            runs.push(await planInProcess("--cwd", ROOT, "--stack", `sample-${i}`, "--stack-file", file));
        }
        for (const run of runs) {
            assert.ok([0, 1, 2].includes(run.code), `exit ${run.code}: ${run.stderr}`);
            assert.doesNotMatch(run.stderr, /\n\s+at /, run.stderr);
        }
    });
});
