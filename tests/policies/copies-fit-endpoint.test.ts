import * as assert from "node:assert/strict";
import { TYPES } from "../../lib/contract";
import { copiesFitEndpoint } from "../../policies/availability";
import { stackViolations, TestResource, UNKNOWN_NUMBER, UNKNOWN_STRING } from "../helpers/policy-args";
import { perInstanceType, stackWith } from "../helpers/policy-fixtures";

type Stack = Record<string, TestResource>;

/** The happy endpoint's variant, to change one field. */
const variantOf = (s: Stack) => s.config.props.productionVariants[0];

/** Sets the happy endpoint's type and managed instance range. */
function endpoint(s: Stack, instanceType: string, min: number, max: number): void {
    variantOf(s).instanceType = instanceType;
    variantOf(s).managedInstanceScaling = { status: "ENABLED", minInstanceCount: min, maxInstanceCount: max };
}

/** Sets the happy base IC's compute per copy and its copy range (its scalable target). */
function happyModel(s: Stack, accelerators: number, memoryMb: number, min: number, max: number): void {
    s.ic.props.specification.computeResourceRequirements = {
        numberOfAcceleratorDevicesRequired: accelerators,
        minMemoryRequiredInMb: memoryMb,
    };
    s.target.props.minCapacity = min;
    s.target.props.maxCapacity = max;
}

/** Adds another base IC on the happy endpoint with its compute per copy and a scalable target on its copies. */
function addModel(s: Stack, name: string, accelerators: number, memoryMb: number, min: number, max: number): void {
    const icName = `${name}-ic-1234567`;
    s[`${name}Ic`] = {
        type: TYPES.inferenceComponent,
        name: `${name}-ic`,
        props: {
            inferenceComponentName: icName,
            endpointName: "chat-endpoint-1234567",
            variantName: "AllTraffic",
            specification: {
                modelName: "chat-llama-model-1234567",
                computeResourceRequirements: {
                    numberOfAcceleratorDevicesRequired: accelerators,
                    minMemoryRequiredInMb: memoryMb,
                },
            },
            runtimeConfig: { copyCount: Math.max(1, min) },
        },
    };
    s[`${name}Target`] = {
        type: TYPES.scalableTarget,
        name: `${name}-scaling-target`,
        props: {
            serviceNamespace: "sagemaker",
            resourceId: `inference-component/${icName}`,
            scalableDimension: "sagemaker:inference-component:DesiredCopyCount",
            minCapacity: min,
            maxCapacity: max,
        },
    };
}

/** Prod as declared: 2-4 x ml.g5.12xlarge (fallback ml.g6e.12xlarge), 70B AWQ 4 acc x 1-3, 8B 1 acc x 1-4. */
function prod(s: Stack): void {
    const variant = variantOf(s);
    delete variant.instanceType;
    variant.instancePools = [
        { instanceType: "ml.g5.12xlarge", priority: 1 },
        { instanceType: "ml.g6e.12xlarge", priority: 2 },
    ];
    variant.managedInstanceScaling = { status: "ENABLED", minInstanceCount: 2, maxInstanceCount: 4 };
    happyModel(s, 4, 65536, 1, 3);
    addModel(s, "small", 1, 16384, 1, 4);
}

/** The two 1-GPU models of the issue, peaking at one copy each, on 0-1 x ml.g6.2xlarge (1 x L4). */
function twoModelsOnOneGpu(s: Stack): void {
    endpoint(s, "ml.g6.2xlarge", 0, 1);
    happyModel(s, 1, 16384, 0, 1);
    addModel(s, "other", 1, 16384, 0, 1);
}

const PEAK_FIX =
    "Raise managedInstanceScaling.maxInstanceCount (fm-fleet: instances.max) to {n}, lower copies.max (the scalable targets' maxCapacity), or pick a larger type. @ chat-config";

describe("copies-fit-endpoint", () => {
    it("passes the happy stack: 0-2 copies of 1 accelerator on 0-2 x ml.g5.2xlarge, the adapter not counted", async () => {
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stackWith()), []);
    });

    it("passes prod as declared: 16 of 16 accelerators at peak, host memory 256 of 768 GiB", async () => {
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stackWith(prod)), []);
    });

    it("passes dev as declared: 0-1 copies of the 8B on 0-1 x ml.g6.2xlarge", async () => {
        const dev = stackWith((s) => {
            endpoint(s, "ml.g6.2xlarge", 0, 1);
            happyModel(s, 1, 16384, 0, 1);
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, dev), []);
    });

    it("fails two 1-GPU models peaking at one copy each on one 1-GPU ml.g6.2xlarge", async () => {
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stackWith(twoModelsOnOneGpu)), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at peak on its max instances, got copies that need 2 instances of ml.g6.2xlarge (2 accelerators: 1 copy of 1, 1 of 1; 32 GiB memory), max 1 (1 accelerator, 32 GiB memory). ' +
                PEAK_FIX.replace("{n}", "2"),
        ]);
    });

    it("fails prod with a third model of 2 accelerators x 4 copies: 24 of 16 accelerators at peak", async () => {
        const stack = stackWith((s) => {
            prod(s);
            addModel(s, "third", 2, 32768, 0, 4);
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at peak on its max instances, got copies that need 6 instances of ml.g5.12xlarge (24 accelerators: 3 copies of 4, 4 of 1, 4 of 2; 384 GiB memory), max 4 (16 accelerators, 768 GiB memory). ' +
                PEAK_FIX.replace("{n}", "6"),
        ]);
    });

    it("packs rather than sums: two 100 GiB copies need two ml.g5.12xlarge though 2 of 4 accelerators are used", async () => {
        const stack = stackWith((s) => {
            endpoint(s, "ml.g5.12xlarge", 0, 1);
            happyModel(s, 1, 102400, 0, 2);
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at peak on its max instances, got copies that need 2 instances of ml.g5.12xlarge (2 accelerators: 2 copies of 1; 200 GiB memory), max 1 (4 accelerators, 192 GiB memory). ' +
                PEAK_FIX.replace("{n}", "2"),
        ]);
    });

    it("counts CPU cores per instance, and names them when copies ask for some", async () => {
        const stack = stackWith((s) => {
            endpoint(s, "ml.g5.12xlarge", 0, 1);
            happyModel(s, 1, 16384, 0, 2);
            s.ic.props.specification.computeResourceRequirements.numberOfCpuCoresRequired = 30;
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at peak on its max instances, got copies that need 2 instances of ml.g5.12xlarge (2 accelerators: 2 copies of 1; 32 GiB memory; 60 CPU cores), max 1 (4 accelerators, 192 GiB memory, 48 vCPUs). ' +
                PEAK_FIX.replace("{n}", "2"),
        ]);
    });

    it("judges the smallest type among the pools", async () => {
        const stack = stackWith((s) => {
            const variant = variantOf(s);
            delete variant.instanceType;
            variant.instancePools = [
                { instanceType: "ml.g5.12xlarge", priority: 1 },
                { instanceType: "ml.g5.2xlarge", priority: 2 },
            ];
            happyModel(s, 1, 16384, 0, 4);
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at peak on its max instances, got copies that need 4 instances of ml.g5.2xlarge (4 accelerators: 4 copies of 1; 64 GiB memory), max 2 (2 accelerators, 64 GiB memory). ' +
                PEAK_FIX.replace("{n}", "4"),
        ]);
    });

    it("reads the IC's copy count when no scalable target scales it, and the initial count of an unmanaged variant", async () => {
        const stack = stackWith((s) => {
            delete s.target;
            s.ic.props.runtimeConfig.copyCount = 3;
            delete variantOf(s).managedInstanceScaling;
            variantOf(s).initialInstanceCount = 2;
        });
        const message =
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at {moment} on its {which} instances, got copies that need 3 instances of ml.g5.2xlarge (3 accelerators: 3 copies of 1; 48 GiB memory), {which} 2 (2 accelerators, 64 GiB memory). ';
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            message.replace("{moment}", "peak").replaceAll("{which}", "max") +
                "Raise initialInstanceCount (fm-fleet: instances.max) to 3, lower copies.max (the scalable targets' maxCapacity), or pick a larger type. @ chat-config",
            message.replace("{moment}", "the minimum").replaceAll("{which}", "min") +
                "SageMaker keeps every instance that hosts a copy, so it idles at 3, not 2: raise initialInstanceCount (fm-fleet: instances.min) to 3, or lower copies.min (the scalable targets' minCapacity). @ chat-config",
        ]);
    });

    it("fails minimum copies that need more than the minimum instances: the idle floor is higher", async () => {
        const stack = stackWith((s) => {
            endpoint(s, "ml.g5.2xlarge", 1, 4);
            happyModel(s, 1, 16384, 2, 4);
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at the minimum on its min instances, got copies that need 2 instances of ml.g5.2xlarge (2 accelerators: 2 copies of 1; 32 GiB memory), min 1 (1 accelerator, 32 GiB memory). ' +
                "SageMaker keeps every instance that hosts a copy, so it idles at 2, not 1: raise managedInstanceScaling.minInstanceCount (fm-fleet: instances.min) to 2, or lower copies.min (the scalable targets' minCapacity). @ chat-config",
        ]);
    });

    it("fails a minimum copy with zero minimum instances: the endpoint never scales to zero", async () => {
        const stack = stackWith((s) => happyModel(s, 1, 16384, 1, 2));
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at the minimum on its min instances, got copies that need 1 instance of ml.g5.2xlarge (1 accelerator: 1 copy of 1; 16 GiB memory), min 0 (0 accelerators, 0 GiB memory). ' +
                "SageMaker keeps every instance that hosts a copy, so it never scales to zero: lower copies.min (the scalable targets' minCapacity) to 0 on every inference component, or raise managedInstanceScaling.minInstanceCount (fm-fleet: instances.min) to 1. @ chat-config",
        ]);
    });

    it("fails a copy larger than one instance once, whatever the instance count", async () => {
        const stack = stackWith((s) => happyModel(s, 2, 16384, 1, 2));
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must hold each copy on one instance of ml.g5.2xlarge (1 accelerator, 32 GiB memory), got inference component "chat-llama-ic" with copies of 2 accelerators, 16 GiB memory. ' +
                "A copy's accelerators, memory and cores sit on one instance: lower its computeResourceRequirements (fm-fleet: accelerators, memoryMb, cpuCores) or pick a larger type. @ chat-config",
        ]);
    });

    it("takes the configured host reserve off each instance", async () => {
        const found = await stackViolations(copiesFitEndpoint, stackWith(), { reservedMemoryMbPerInstance: 20480 });
        assert.deepEqual(found, [
            'Endpoint configuration "chat-config" variant "AllTraffic" must hold each copy on one instance of ml.g5.2xlarge (1 accelerator, 12 GiB memory), got inference component "chat-llama-ic" with copies of 1 accelerator, 16 GiB memory. ' +
                "A copy's accelerators, memory and cores sit on one instance: lower its computeResourceRequirements (fm-fleet: accelerators, memoryMb, cpuCores) or pick a larger type. @ chat-config",
        ]);
    });

    it("reads the per-instance-type specification of the endpoint's type", async () => {
        const stack = stackWith((s) => {
            s.ic = perInstanceType(["ml.g5.2xlarge"], (entry) => {
                entry.computeResourceRequirements = {
                    numberOfAcceleratorDevicesRequired: 1,
                    minMemoryRequiredInMb: 40960,
                };
            });
        });
        assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [
            'Endpoint configuration "chat-config" variant "AllTraffic" must hold each copy on one instance of ml.g5.2xlarge (1 accelerator, 32 GiB memory), got inference component "chat-llama-ic" with copies of 1 accelerator, 40 GiB memory. ' +
                "A copy's accelerators, memory and cores sit on one instance: lower its computeResourceRequirements (fm-fleet: accelerators, memoryMb, cpuCores) or pick a larger type. @ chat-config",
        ]);
    });

    it("judges @pulumi/aws endpoint configurations and endpoints too", async () => {
        const stack = stackWith((s) => {
            twoModelsOnOneGpu(s);
            const { endpointConfigName, productionVariants } = s.config.props;
            s.config = {
                type: TYPES.endpointConfiguration,
                name: "chat-config",
                props: { name: endpointConfigName, productionVariants },
            };
            s.endpoint = {
                type: TYPES.endpoint,
                name: "chat-endpoint",
                props: { name: "chat-endpoint-1234567", endpointConfigName },
            };
        });
        const [message] = await stackViolations(copiesFitEndpoint, stack);
        assert.match(
            message,
            /^Endpoint configuration "chat-config" variant "AllTraffic" must fit its copies at peak .* need 2 instances of ml\.g6\.2xlarge/,
        );
    });

    it("skips what it cannot judge: unknown counts, compute or endpoint, and types the catalog does not know", async () => {
        const cases: ((s: Stack) => void)[] = [
            (s) => (s.target.props.maxCapacity = UNKNOWN_NUMBER),
            (s) =>
                (s.ic.props.specification.computeResourceRequirements.numberOfAcceleratorDevicesRequired =
                    UNKNOWN_NUMBER),
            (s) => (s.ic.props.specification.computeResourceRequirements = UNKNOWN_STRING),
            (s) => (s.target.props.resourceId = UNKNOWN_STRING),
            (s) => (variantOf(s).managedInstanceScaling.maxInstanceCount = UNKNOWN_NUMBER),
            (s) => (variantOf(s).instanceType = "ml.x9.unknown"),
            (s) => (variantOf(s).instanceType = UNKNOWN_STRING),
            (s) => (s.endpoint.props.endpointConfigName = UNKNOWN_STRING),
        ];
        for (const change of cases) {
            const stack = stackWith((s) => {
                twoModelsOnOneGpu(s);
                change(s);
            });
            assert.deepEqual(await stackViolations(copiesFitEndpoint, stack), [], change.toString());
        }
    });
});
