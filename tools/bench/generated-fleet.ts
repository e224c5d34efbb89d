import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { stringify } from "yaml";

export const BENCH_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124";

/** A dev-shaped fleet: 1 endpoint that scales to zero, 1 base model (8B on one L4), `adapters` adapters. */
export function generatedFleet(adapters: number): Record<string, unknown> {
    return {
        endpoints: [
            {
                name: "chat",
                instanceType: "ml.g6.2xlarge",
                instances: { min: 0, max: 1 },
                foundationModels: [
                    {
                        name: "llama3-8b",
                        image: BENCH_IMAGE,
                        modelDataUrl: "s3://fm-fleet-bench/llama3-8b-instruct/",
                        parametersBillions: 8,
                        accelerators: 1,
                        memoryMb: 16384,
                        copies: { min: 0, max: 1 },
                        adapters: Array.from({ length: adapters }, (_, i) => {
                            const name = `tenant-${String(i).padStart(5, "0")}`;
                            return { name, artifactUrl: `s3://fm-fleet-bench/adapters/${name}.tar.gz` };
                        }),
                    },
                ],
            },
        ],
    };
}

/** Writes `Pulumi.bench-<n>.yaml` for a generated fleet into `dir`; returns its path. */
export function writeGeneratedStack(dir: string, adapters: number): string {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `Pulumi.bench-${adapters}.yaml`);
    const config = {
        config: {
            "aws:region": "us-east-1",
            "aws-native:region": "us-east-1",
            "fm-fleet:costCenter": "ml-platform-bench",
            "fm-fleet:fleet": {
                kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/0d4c6f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f",
                ...generatedFleet(adapters),
            },
        },
    };
    writeFileSync(file, stringify(config));
    return file;
}
