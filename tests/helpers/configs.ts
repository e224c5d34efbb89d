import * as assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { FleetConfigError, validateStackSettings } from "../../components";

export const ROOT = path.join(__dirname, "..", "..");
export const LMI_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124";
export const VLLM_IMAGE =
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/vllm:0.11.2-gpu-py312-cu129-ubuntu22.04-sagemaker";
export const CUSTOM_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/llm-server:1.4";

/** The `config:` block of a stack file of the project. */
export function stackConfig(stack: string): Record<string, any> {
    return parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** A small valid fleet (one scale-to-zero endpoint, one model, two adapters) for tests to break. */
export function validFleet(): any {
    return {
        endpoints: [
            {
                name: "chat",
                instanceType: "ml.g5.2xlarge",
                instances: { min: 0, max: 2 },
                foundationModels: [
                    {
                        name: "llama3-8b",
                        image: LMI_IMAGE,
                        modelDataUrl: "s3://models/llama3-8b/",
                        parametersBillions: 8,
                        accelerators: 1,
                        memoryMb: 16384,
                        copies: { min: 0, max: 2 },
                        adapters: [
                            { name: "support-bot", artifactUrl: "s3://models/adapters/support-bot.tar.gz" },
                            { name: "sql-helper", artifactUrl: "s3://models/adapters/sql-helper.tar.gz" },
                        ],
                    },
                ],
            },
        ],
        multiModelEndpoints: [
            {
                name: "classic",
                instanceType: "ml.m5.xlarge",
                image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                modelsPrefix: "s3://models/mme/",
                instances: { min: 1, max: 2 },
            },
        ],
    };
}

/** The issues of an invalid config, as `path: message` lines. */
export function issuesOf(fleet: unknown, costCenter: unknown = "ml"): string[] {
    try {
        validateStackSettings(fleet, costCenter);
    } catch (e) {
        assert.ok(e instanceof FleetConfigError, `expected FleetConfigError, got ${String(e)}`);
        return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
    assert.fail("the config was accepted");
}
