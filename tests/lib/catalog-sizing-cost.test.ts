import * as assert from "node:assert/strict";
import {
    CapacityReservationPreference,
    ProductionVariantInferenceAmiVersion,
    ProductionVariantInstanceType,
    RoutingStrategy,
} from "@aws-sdk/client-sagemaker";
import { CAPACITY_RESERVATION_PREFERENCES, IC_ROUTING_STRATEGIES, INFERENCE_AMI_VERSIONS } from "../../lib/contract";
import { findInstanceType, instanceCatalog, instanceFamily, suggestInstanceTypes } from "../../lib/catalog";
import { endpointCost, formatPriceDate, formatUsd, priceAge, stackCost } from "../../lib/cost";
import { isEcrImage, ecrRepositoryArn } from "../../lib/images";
import { parseParametersBillions, quantizationFromOption, weightsGib } from "../../lib/sizing";

describe("lib: instance catalog", () => {
    it("loads every type of the CSV with hardware, price, date and note", () => {
        assert.equal(instanceCatalog().size, 85);
        assert.deepEqual(findInstanceType("ml.g5.12xlarge"), {
            instanceType: "ml.g5.12xlarge",
            family: "g5",
            vcpus: 48,
            memoryGib: 192,
            accelerator: "NVIDIA A10G",
            acceleratorCount: 4,
            acceleratorMemoryGibEach: 24,
            localNvmeGb: 3800,
            localStorageSource:
                "EC2 instance types: instance store specifications of the underlying EC2 type (NVMe SSD total; 0 = EBS only)",
            usdPerHour: 7.09,
            priceAsOf: "2024-03-26",
            priceNote:
                "SageMaker hourly instance price from aws-samples/foundation-model-benchmarking-tool fmbench/configs/pricing.yml",
            networkGbps: 40,
            networkSource: "EC2 instance types: network specifications of the underlying EC2 type (Gbps; baseline)",
        });
    });

    it("keeps unpriced types unpriced and CPU types without accelerators", () => {
        const g5 = findInstanceType("ml.g5.16xlarge")!;
        assert.equal(g5.usdPerHour, undefined);
        assert.equal(g5.priceAsOf, undefined);
        assert.equal(g5.priceNote, "no us-east-1 real-time hosting price found; leave unpriced");
        const m5 = findInstanceType("ml.m5.xlarge")!;
        assert.equal(m5.acceleratorCount, 0);
        assert.equal(m5.acceleratorMemoryGibEach, 0);
    });

    it("names families and suggests neighbours of an unknown type", () => {
        assert.equal(instanceFamily("ml.g6e.12xlarge"), "g6e");
        assert.equal(instanceFamily("g6e.12xlarge"), undefined);
        assert.deepEqual(suggestInstanceTypes("ml.inf2.2xlarge"), [
            "ml.inf2.xlarge",
            "ml.inf2.8xlarge",
            "ml.inf2.24xlarge",
        ]);
    });

    it("suggests the nearest catalog types first: the type with its ml. prefix, then the fewest edits", () => {
        assert.deepEqual(suggestInstanceTypes("g6.2xlarge"), ["ml.g6.2xlarge", "ml.g6.xlarge", "ml.g6.4xlarge"]);
        assert.deepEqual(suggestInstanceTypes("ML.G6.2XLARGE"), ["ml.g6.2xlarge", "ml.g6.xlarge", "ml.g6.4xlarge"]);
        assert.deepEqual(suggestInstanceTypes("ml.g5.13xlarge"), ["ml.g5.12xlarge", "ml.g5.16xlarge", "ml.g5.xlarge"]);
        assert.deepEqual(suggestInstanceTypes("ml.p4d.24xl"), ["ml.p4d.24xlarge"]);
        assert.deepEqual(suggestInstanceTypes("ml.g9.12xlarge"), ["ml.g5.12xlarge", "ml.g6.12xlarge", "ml.g5.2xlarge"]);
    });
});

describe("lib: instance catalog against the SageMaker API", () => {
    // The SDK's ProductionVariantInstanceType enum lists every instance type CreateEndpointConfig takes: a type
    // outside it would plan clean and fail at deploy.
    it("lists only types the API's ProductionVariantInstanceType takes", () => {
        const hosted = new Set<string>(Object.values(ProductionVariantInstanceType));
        assert.deepEqual(
            [...instanceCatalog().keys()].filter((t) => !hosted.has(t)),
            [],
        );
    });

    it("knows the 2025-26 accelerated types and the CPU types of pipelines and multi-model endpoints", () => {
        const types = ["ml.p5en.48xlarge", "ml.p6-b200.48xlarge", "ml.trn2.48xlarge", "ml.p5.4xlarge"];
        assert.deepEqual(
            types.map((t) => {
                const e = findInstanceType(t);
                return (
                    e && [e.accelerator, e.acceleratorCount, e.acceleratorMemoryGibEach, e.localNvmeGb, e.usdPerHour]
                );
            }),
            [
                ["NVIDIA H200", 8, 141, 30720, undefined],
                ["NVIDIA B200", 8, 179, 30720, undefined],
                ["AWS Trainium2", 16, 96, 7600, undefined],
                ["NVIDIA H100 80GB", 1, 80, 3800, undefined],
            ],
        );
        const cpu = [...instanceCatalog().values()].filter((e) => /^(m5|m6i|c5|c6i|c7i|r5)$/.test(e.family));
        assert.equal(cpu.length, 45);
        assert.deepEqual(
            cpu.filter((e) => e.acceleratorCount !== 0 || e.localNvmeGb !== 0).map((e) => e.instanceType),
            [],
        );
    });
});

describe("lib: sizing", () => {
    it("parses sizes from model ids, including mixture-of-experts", () => {
        assert.equal(parseParametersBillions("meta-llama/Meta-Llama-3-70B-Instruct"), 70);
        assert.equal(parseParametersBillions("s3://models/qwen2.5-0.5b/"), 0.5);
        assert.equal(parseParametersBillions("mistralai/Mixtral-8x7B-v0.1"), 56);
        assert.equal(parseParametersBillions("djl-inference:0.31.0-lmi13.0.0-cu124"), undefined);
        assert.equal(parseParametersBillions("bert-base"), undefined);
    });

    it("sizes weights by quantization and reads OPTION_QUANTIZE", () => {
        assert.equal(weightsGib(8, "none").toFixed(2), "14.90");
        assert.equal(weightsGib(70, "fp8").toFixed(2), "65.19");
        assert.equal(weightsGib(70, "awq").toFixed(2), "39.12");
        assert.equal(quantizationFromOption("AWQ"), "awq");
        assert.equal(quantizationFromOption("smoothquant"), "int8");
        assert.equal(quantizationFromOption("bogus"), undefined);
        assert.equal(quantizationFromOption(""), undefined);
    });
});

describe("lib: cost", () => {
    it("prices the idle floor, the peak ceiling and the dedicated endpoints of an endpoint", () => {
        assert.deepEqual(
            endpointCost({
                name: "chat",
                instanceType: "ml.g6.2xlarge",
                minInstances: 0,
                maxInstances: 2,
                models: 1,
                adapters: 3,
            }),
            {
                name: "chat",
                instanceType: "ml.g6.2xlarge",
                minInstances: 0,
                maxInstances: 2,
                models: 1,
                adapters: 3,
                usdPerHour: 1.222,
                priceAsOf: "2026-10-05",
                pool: [
                    {
                        instanceType: "ml.g6.2xlarge",
                        role: "first",
                        usdPerHour: 1.222,
                        priceAsOf: "2026-10-05",
                        peakUsd: 2 * 1.222 * 730,
                    },
                ],
                idleFloorUsd: 0,
                peakCeilingUsd: 2 * 1.222 * 730,
                // Sizes unknown: each of the 4 on one instance of the endpoint's own type.
                dedicatedUsd: 4 * 1.222 * 730,
                dedicatedEndpoints: [{ instanceType: "ml.g6.2xlarge", endpoints: 4, instancesEach: 1 }],
                dedicatedAtFloor: false,
            },
        );
    });

    it("sizes each dedicated endpoint by its weights: dev's 8B models on ml.g6.xlarge, not the endpoint's type", () => {
        // Pulumi.dev.yaml: the guard and llama3-8b (bf16, 14.9 GiB) with 3 adapters on ml.g6.2xlarge x 0-2.
        const dev = endpointCost({
            name: "chat",
            instanceType: "ml.g6.2xlarge",
            minInstances: 0,
            maxInstances: 2,
            models: 2,
            adapters: 3,
            hostedModels: [
                { parametersBillions: 8, quantization: "none", adapters: 0 },
                { parametersBillions: 8, quantization: "none", adapters: 3 },
            ],
        });
        // 14.9 GiB does not fit a T4 (0.9 x 16 = 14.4 GiB); the cheapest that holds it is an L4 (ml.g6.xlarge).
        assert.deepEqual(dev.dedicatedEndpoints, [{ instanceType: "ml.g6.xlarge", endpoints: 5, instancesEach: 1 }]);
        assert.equal(dev.dedicatedUsd, 5 * 1.1267 * 730);
        assert.equal(formatUsd(dev.dedicatedUsd), "$4,112");
        assert.equal(dev.dedicatedAtFloor, false);
    });

    it("prices prod's dedicated endpoints at its min instances, and its multi-model endpoint at its idle floor", () => {
        const [chat, classic] = stackCost([
            {
                name: "chat",
                instanceType: "ml.g5.12xlarge",
                fallbackInstanceTypes: ["ml.g6e.12xlarge"],
                minInstances: 2,
                maxInstances: 4,
                models: 3,
                adapters: 4,
                hostedModels: [
                    { parametersBillions: 8, quantization: "none", adapters: 0 },
                    { parametersBillions: 70, quantization: "awq", adapters: 0 },
                    { parametersBillions: 8, quantization: "none", adapters: 4 },
                ],
            },
            { name: "classic", instanceType: "ml.m5.xlarge", minInstances: 2, maxInstances: 4, models: 1, adapters: 0 },
        ]).endpoints;
        // The 70B in AWQ (39.1 GiB) fits one L40S (0.9 x 48 = 43.2 GiB): ml.g6e.xlarge, not a p5 or the g5.12xlarge.
        assert.deepEqual(chat.dedicatedEndpoints, [
            { instanceType: "ml.g6.xlarge", endpoints: 6, instancesEach: 2 },
            { instanceType: "ml.g6e.xlarge", endpoints: 1, instancesEach: 2 },
        ]);
        assert.equal(chat.dedicatedUsd, 1.1267 * 12 * 730 + 2.61 * 2 * 730);
        assert.equal(chat.idleFloorUsd, 2 * 7.09 * 730);
        // A multi-model endpoint's models are unknown up front: counted as one, it is its idle floor, not below.
        assert.equal(classic.dedicatedUsd, 2 * 0.23 * 730);
        assert.equal(classic.dedicatedUsd, classic.idleFloorUsd);
        assert.equal(formatUsd(classic.dedicatedUsd), "$336");
    });

    it("never prices the dedicated endpoints below the idle floor (one model, many instances kept idle)", () => {
        const one = endpointCost({
            name: "big",
            instanceType: "ml.p5.48xlarge",
            minInstances: 2,
            maxInstances: 2,
            models: 1,
            adapters: 0,
            hostedModels: [{ parametersBillions: 8, quantization: "none", adapters: 0 }],
        });
        // One 8B on two ml.g6.xlarge would be $1,645; the endpoint keeps two p5s idle.
        assert.deepEqual(one.dedicatedEndpoints, [{ instanceType: "ml.g6.xlarge", endpoints: 1, instancesEach: 2 }]);
        assert.equal(one.dedicatedUsd, 2 * 113.068 * 730);
        // ... and says so: here sharing costs more at idle than an endpoint of its own would.
        assert.equal(one.dedicatedAtFloor, true);
        assert.deepEqual(stackCost([{ ...one, name: "big" }]).dedicatedAtFloor, ["big"]);
    });

    it("lists each pool type with its own price; the ceiling is the dearest at max instances", () => {
        const chat = endpointCost({
            name: "chat",
            instanceType: "ml.g5.12xlarge",
            fallbackInstanceTypes: ["ml.g6e.12xlarge"],
            minInstances: 2,
            maxInstances: 4,
            models: 1,
            adapters: 0,
        });
        assert.deepEqual(chat.pool, [
            {
                instanceType: "ml.g5.12xlarge",
                role: "first",
                usdPerHour: 7.09,
                priceAsOf: "2024-03-26",
                peakUsd: 4 * 7.09 * 730,
            },
            {
                instanceType: "ml.g6e.12xlarge",
                role: "fallback",
                usdPerHour: 13.1158,
                priceAsOf: "2026-10-05",
                peakUsd: 4 * 13.1158 * 730,
            },
        ]);
        assert.equal(chat.idleFloorUsd, 2 * 7.09 * 730);
        assert.equal(chat.peakCeilingUsd, 4 * 13.1158 * 730);
    });

    it("flags a price over 12 months old, judged against the clock it is given", () => {
        const now = new Date("2026-12-06T08:00:00Z");
        assert.deepEqual(priceAge("2024-03-26", now), { months: 32, stale: true });
        assert.deepEqual(priceAge("2026-10-05", now), { months: 2, stale: false });
        assert.deepEqual(priceAge("2026-08", now), { months: 4, stale: false });
        // Exactly 12 months is not over 12; the day after is.
        assert.deepEqual(priceAge("2025-12-06", now), { months: 12, stale: false });
        assert.deepEqual(priceAge("2025-12-05", now), { months: 12, stale: true });
        assert.deepEqual(priceAge("2025-12-07", now), { months: 11, stale: false });
        // Twelve whole months and some days, across a month's end, is over 12 months too.
        assert.deepEqual(priceAge("2024-08-15", new Date("2025-09-01T00:00:00Z")), { months: 12, stale: true });
        assert.deepEqual(priceAge("2024-08-15", new Date("2025-08-15T23:00:00Z")), { months: 12, stale: false });
        assert.equal(priceAge("soon", now), undefined);
        assert.equal(formatPriceDate("2024-08-01", now), "2024-08-01 (over 12 months old)");
        assert.equal(formatPriceDate("2026-10-05", now), "2026-10-05");
        assert.equal(formatPriceDate(undefined, now), "-");
    });

    it("sums a stack, naming unpriced endpoints instead of guessing", () => {
        const cost = stackCost([
            { name: "a", instanceType: "ml.m5.xlarge", minInstances: 1, maxInstances: 2, models: 1, adapters: 0 },
            { name: "b", instanceType: "ml.g5.16xlarge", minInstances: 1, maxInstances: 1, models: 1, adapters: 0 },
        ]);
        assert.equal(cost.idleFloorUsd, 0.23 * 730);
        assert.equal(cost.peakCeilingUsd, 2 * 0.23 * 730);
        assert.deepEqual(cost.unpriced, ["b (ml.g5.16xlarge)"]);
        assert.deepEqual(cost.priceDates, { "ml.m5.xlarge": "2026-06-27" });
        assert.equal(formatUsd(12345.6), "$12,346");
        assert.equal(formatUsd(undefined), "unpriced");
    });

    it("counts an endpoint on an ML capacity reservation as already paid, priced or not", () => {
        const shape = { minInstances: 1, maxInstances: 2, models: 1, adapters: 0 };
        const cost = stackCost([
            { name: "a", instanceType: "ml.m5.xlarge", ...shape },
            { name: "r", instanceType: "ml.g5.2xlarge", ...shape, reserved: true },
            { name: "p", instanceType: "ml.p5en.48xlarge", ...shape, reserved: true },
        ]);
        assert.equal(cost.idleFloorUsd, 0.23 * 730);
        assert.equal(cost.peakCeilingUsd, 2 * 0.23 * 730);
        assert.deepEqual(cost.unpriced, []);
        assert.deepEqual(cost.reserved, ["r (ml.g5.2xlarge)", "p (ml.p5en.48xlarge)"]);
        assert.deepEqual(
            cost.endpoints.map((e) => [e.idleFloorUsd, e.peakCeilingUsd]),
            [
                [0.23 * 730, 2 * 0.23 * 730],
                [0, 0],
                [0, 0],
            ],
        );
    });
});

describe("lib: images", () => {
    it("recognises private ECR images and their repositories", () => {
        assert.equal(
            isEcrImage("763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124"),
            true,
        );
        assert.equal(isEcrImage("public.ecr.aws/lmi/djl:1"), false);
        assert.equal(isEcrImage("docker.io/vllm/vllm-openai:latest"), false);
        assert.equal(
            ecrRepositoryArn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/vllm:0.6"),
            "arn:aws:ecr:eu-west-1:123456789012:repository/team/vllm",
        );
    });
});

describe("lib: contract against the SageMaker API", () => {
    it("lists exactly the SDK's inference AMI versions and capacity reservation preferences", () => {
        assert.deepEqual(
            [...INFERENCE_AMI_VERSIONS].sort(),
            Object.values(ProductionVariantInferenceAmiVersion).sort(),
        );
        assert.deepEqual([...CAPACITY_RESERVATION_PREFERENCES], Object.values(CapacityReservationPreference));
        assert.deepEqual(Object.values(IC_ROUTING_STRATEGIES).sort(), Object.values(RoutingStrategy).sort());
    });
});
