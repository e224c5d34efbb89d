import * as assert from "node:assert/strict";
import { Fleet } from "../../components";
import { physicalNameOfResource } from "../../tools/plan/assessment";
import { diffPlans, PlanResourceJson, planResourcesJson } from "../../tools/plan/baseline";
import { stackConfig } from "../helpers/configs";
import { underMocks } from "../helpers/pulumi";

/**
 * Day-two edits of the prod stack, each planned against the stack before it: exactly which existing
 * resources `pulumi up` would replace (a create-only input or the physical name changes), update, or leave
 * alone, by logical name. The README's day-two table is this table.
 */

type FleetConfig = any;
/** The prod stack's fleet config, fresh for each edit. */
const prod = (): FleetConfig => structuredClone(stackConfig("prod")["fm-fleet:fleet"]);
/** Prod with the 70B model ready for adapters and its job pinned to the endpoint's first type. */
const prepared = (): FleetConfig => {
    const f = prod();
    f.endpoints[0].foundationModels[0].enableLora = true;
    f.endpoints[0].foundationModels[0].optimization.instanceType = "ml.g5.12xlarge";
    return f;
};

const M70 = "fleet/chat/llama3-70b";
const M8 = "fleet/chat/llama3-8b";
const ADAPTERS = `${M8}-adapters`;
const PREFIX = "s3://fm-fleet-prod-models";
const llama8b = (f: FleetConfig) => f.endpoints[0].foundationModels[1];

/** What a plan changes: added and deleted names; replaced name -> why; updated name -> inputs that differ. */
interface Expected {
    readonly added?: string[];
    readonly replaced?: Record<string, string[]>;
    readonly updated?: Record<string, string[]>;
    readonly deleted?: string[];
}

interface Edit {
    readonly edit: string;
    readonly base: () => FleetConfig;
    readonly change: (f: FleetConfig) => void;
    readonly expected: Expected;
}

const EDITS: readonly Edit[] = [
    {
        edit: "add an adapter (beside the others)",
        base: prod,
        change: (f) =>
            llama8b(f).adapters.push({ name: "ticket-triage", artifactUrl: `${PREFIX}/adapters/ticket-triage.tar.gz` }),
        // The dashboard sums the model's adapters by name: its body changes in place (PutDashboard).
        expected: {
            added: [`${ADAPTERS}/ticket-triage`],
            updated: { "fleet-observability-dashboard": ["dashboardBody"] },
        },
    },
    {
        edit: "add an adapter in a new S3 prefix",
        base: prod,
        change: (f) =>
            llama8b(f).adapters.push({ name: "ticket-triage", artifactUrl: `${PREFIX}/tenants/ticket-triage.tar.gz` }),
        // The role reads artifacts by prefix: a new prefix is a new grant (PutRolePolicy, in place).
        expected: {
            added: [`${ADAPTERS}/ticket-triage`],
            updated: { "fleet-execution-policy": ["policy"], "fleet-observability-dashboard": ["dashboardBody"] },
        },
    },
    {
        edit: "remove an adapter",
        base: prod,
        change: (f) => llama8b(f).adapters.splice(1, 1),
        expected: {
            deleted: [`${ADAPTERS}/sql-helper`],
            updated: { "fleet-observability-dashboard": ["dashboardBody"] },
        },
    },
    {
        edit: "change an adapter's artifact",
        base: prod,
        change: (f) => (llama8b(f).adapters[0].artifactUrl = `${PREFIX}/adapters/support-bot-v2.tar.gz`),
        // AWS::SageMaker::InferenceComponent has no create-only property: UpdateInferenceComponent.
        expected: { updated: { [`${ADAPTERS}/support-bot`]: ["specification.container.artifactUrl"] } },
    },
    {
        edit: "raise copies.max",
        base: prod,
        change: (f) => (llama8b(f).copies.max = 6),
        expected: { updated: { [`${M8}-scaling-target`]: ["maxCapacity"] } },
    },
    {
        edit: "raise copies.min",
        base: prod,
        change: (f) => (llama8b(f).copies.min = 2),
        // The IC's copyCount changes too, but autoscaling owns it (ignoreChanges): only the target moves.
        expected: { updated: { [`${M8}-scaling-target`]: ["minCapacity"] } },
    },
    {
        edit: "add a model",
        base: prod,
        change: (f) =>
            f.endpoints[0].foundationModels.push({
                name: "mistral-7b",
                image: llama8b(f).image,
                modelDataUrl: `${PREFIX}/mistral-7b-instruct/`,
                parametersBillions: 7,
                accelerators: 1,
                memoryMb: 16384,
                copies: { min: 1, max: 2 },
            }),
        expected: {
            added: [
                "fleet-observability/chat/mistral-7b-latency",
                "fleet-observability/chat/mistral-7b-errors",
                "fleet/chat/mistral-7b-rollback-errors",
                "fleet/chat/mistral-7b-rollback-latency",
                "fleet/chat/mistral-7b-model",
                "fleet/chat/mistral-7b-ic",
                "fleet/chat/mistral-7b-scaling-target",
                "fleet/chat/mistral-7b-scaling-concurrency",
            ],
            updated: { "fleet-execution-policy": ["policy"], "fleet-observability-dashboard": ["dashboardBody"] },
        },
    },
    {
        edit: "change the endpoint's instance type (the job optimizes for it)",
        base: prod,
        change: (f) => {
            f.endpoints[0].instanceType = "ml.g6e.12xlarge";
            f.endpoints[0].fallbackInstanceTypes = ["ml.g5.12xlarge"];
        },
        // The job's deploymentInstanceType defaults to the endpoint's: a new job, new weights, a new model.
        expected: {
            replaced: {
                [`${M70}-model`]: [
                    "create-only input name",
                    "create-only input primaryContainer.modelDataSource.s3DataSources[0].s3Uri",
                ],
                "fleet/chat-config": [
                    "create-only input endpointConfigName",
                    "create-only input productionVariants[0].instancePools[0].instanceType",
                    "create-only input productionVariants[0].instancePools[1].instanceType",
                ],
                [`${M70}-optimization`]: [
                    "create-only input deploymentInstanceType",
                    "create-only input optimizationJobName",
                    "create-only input outputConfig.s3OutputLocation",
                ],
            },
            updated: {
                "fleet/chat-endpoint": ["endpointConfigName"],
                [`${M70}-ic`]: ["specification.modelName", "tags[1].value"],
            },
        },
    },
    {
        edit: "change the endpoint's instance type (the job's type pinned)",
        base: prepared,
        change: (f) => {
            f.endpoints[0].instanceType = "ml.g6e.12xlarge";
            f.endpoints[0].fallbackInstanceTypes = ["ml.g5.12xlarge"];
        },
        expected: {
            replaced: {
                "fleet/chat-config": [
                    "create-only input endpointConfigName",
                    "create-only input productionVariants[0].instancePools[0].instanceType",
                    "create-only input productionVariants[0].instancePools[1].instanceType",
                ],
            },
            updated: { "fleet/chat-endpoint": ["endpointConfigName"] },
        },
    },
    {
        edit: "change an image tag",
        base: prod,
        change: (f) => (llama8b(f).image = llama8b(f).image.replace("0.31.0-lmi13.0.0", "0.32.0-lmi14.0.0")),
        // Same ECR repository: the role's pull grant holds.
        expected: {
            replaced: { [`${M8}-model`]: ["create-only input name", "create-only input primaryContainer.image"] },
            updated: { [`${M8}-ic`]: ["specification.modelName"] },
        },
    },
    {
        edit: "add the first adapter to a model without LoRA",
        base: prod,
        change: (f) =>
            (f.endpoints[0].foundationModels[0].adapters = [
                { name: "bot", artifactUrl: `${PREFIX}/adapters/bot.tar.gz` },
            ]),
        expected: {
            added: [`${M70}-adapters/bot`],
            replaced: {
                [`${M70}-model`]: [
                    "create-only input name",
                    "create-only input primaryContainer.environment.OPTION_ENABLE_LORA",
                    "create-only input primaryContainer.environment.OPTION_MAX_CPU_LORAS",
                    "create-only input primaryContainer.environment.OPTION_MAX_LORAS",
                ],
            },
            updated: { [`${M70}-ic`]: ["specification.modelName"], "fleet-observability-dashboard": ["dashboardBody"] },
        },
    },
    {
        edit: "add the first adapter to a model with enableLora: true",
        base: prepared,
        change: (f) =>
            (f.endpoints[0].foundationModels[0].adapters = [
                { name: "bot", artifactUrl: `${PREFIX}/adapters/bot.tar.gz` },
            ]),
        expected: { added: [`${M70}-adapters/bot`], updated: { "fleet-observability-dashboard": ["dashboardBody"] } },
    },
    {
        edit: "raise maxLoras",
        base: prod,
        change: (f) => (llama8b(f).maxLoras = 16),
        expected: {
            replaced: {
                [`${M8}-model`]: [
                    "create-only input name",
                    "create-only input primaryContainer.environment.OPTION_MAX_LORAS",
                ],
            },
            updated: { [`${M8}-ic`]: ["specification.modelName"] },
        },
    },
];

/** The resources a fleet config registers under mocks, as the plan's JSON carries them. */
async function planOf(fleet: FleetConfig): Promise<PlanResourceJson[]> {
    const { resources } = await underMocks(() => new Fleet("fleet", { fleet, costCenter: "ml-platform" }));
    return planResourcesJson(
        resources,
        resources.map((r) => physicalNameOfResource(r) ?? null),
    );
}

describe("day-two edits of the prod stack (what each replaces, updates and leaves alone)", () => {
    const bases = new Map<() => FleetConfig, Promise<PlanResourceJson[]>>();
    const baseOf = (base: () => FleetConfig) => {
        if (!bases.has(base)) bases.set(base, planOf(base()));
        return bases.get(base)!;
    };

    for (const { edit, base, change, expected } of EDITS) {
        it(`${edit}: ${describeExpected(expected)}`, async () => {
            const before = await baseOf(base);
            const config = base();
            change(config);
            const changes = diffPlans("base.json", before, await planOf(config));
            assert.deepEqual(
                {
                    added: changes.added.map((c) => c.name),
                    replaced: Object.fromEntries(changes.replaced.map((c) => [c.name, c.replacedBecause])),
                    updated: Object.fromEntries(changes.updated.map((c) => [c.name, c.inputs.map((i) => i.path)])),
                    deleted: changes.deleted.map((c) => c.name),
                },
                {
                    added: expected.added ?? [],
                    replaced: expected.replaced ?? {},
                    updated: expected.updated ?? {},
                    deleted: expected.deleted ?? [],
                },
            );
            // Everything else is untouched.
            const custom = before.filter((r) => r.inputs !== null).length;
            const touched = changes.replaced.length + changes.updated.length + changes.deleted.length;
            assert.equal(changes.unchanged, custom - touched);
        });
    }
});

function describeExpected(e: Expected): string {
    const parts = [
        e.added?.length ? `adds ${e.added.length}` : "",
        e.replaced ? `replaces ${Object.keys(e.replaced).length}` : "",
        e.updated ? `updates ${Object.keys(e.updated).length}` : "",
        e.deleted?.length ? `deletes ${e.deleted.length}` : "",
    ].filter(Boolean);
    return parts.length ? parts.join(", ") : "changes nothing";
}
