import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { NAME_PROPERTY, TYPES } from "../../lib/contract";

/** The account and region every mocked ARN uses. */
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "us-east-1";

/** The ARN a resource gets in the mocks' account and region (the loopback stand-ins use the same). */
export const mockArn = (service: string, resource: string) =>
    `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${resource}`;

/** Pulumi-style physical name: the logical name plus a stable 7-character suffix. */
export function physicalName(name: string, maxLength = 63): string {
    const suffix = createHash("sha1").update(name).digest("hex").slice(0, 7);
    return `${name.slice(0, maxLength - 8)}-${suffix}`;
}

/**
 * Pulumi mocks for the fleet's resources that return what AWS would: auto-generated physical names,
 * realistic ids and ARNs. Unknown invokes throw, so a program that starts calling a provider function
 * fails loudly in tests instead of receiving its own arguments back.
 */
export class FleetMocks implements pulumi.runtime.Mocks {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        return this.resolve(args);
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        throw new Error(
            `Unexpected invoke of ${args.token} under mocks: the fleet should not call provider functions.`,
        );
    }

    private resolve(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, unknown>;
        if (!args.custom) return { id: undefined, state: inputs };
        switch (args.type) {
            case TYPES.role: {
                const name = (inputs.name as string | undefined) ?? physicalName(args.name, 64);
                return { id: name, state: { ...inputs, name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}` } };
            }
            case TYPES.rolePolicy:
                return { id: `${String(inputs.role)}:${args.name}`, state: { ...inputs, name: args.name } };
            case TYPES.model:
            case TYPES.endpointConfiguration:
            case TYPES.endpoint: {
                const kind = args.type.split(":").pop()!.replace("Configuration", "-config").toLowerCase();
                const name = (inputs.name as string | undefined) ?? physicalName(args.name);
                return { id: name, state: { ...inputs, name, arn: mockArn("sagemaker", `${kind}/${name}`) } };
            }
            case TYPES.nativeModel:
            case TYPES.nativeEndpointConfig:
            case TYPES.nativeEndpoint: {
                const key = NAME_PROPERTY[args.type];
                const kinds: Record<string, [string, string]> = {
                    [TYPES.nativeModel]: ["model", "modelArn"],
                    [TYPES.nativeEndpointConfig]: ["endpoint-config", "endpointConfigArn"],
                    [TYPES.nativeEndpoint]: ["endpoint", "endpointArn"],
                };
                const [kind, arnKey] = kinds[args.type];
                const name = (inputs[key] as string | undefined) ?? physicalName(args.name);
                const resourceArn = mockArn("sagemaker", `${kind}/${name}`);
                return { id: resourceArn, state: { ...inputs, [key]: name, [arnKey]: resourceArn } };
            }
            case TYPES.inferenceComponent: {
                const name = (inputs.inferenceComponentName as string | undefined) ?? physicalName(args.name);
                return {
                    id: mockArn("sagemaker", `inference-component/${name}`),
                    state: {
                        ...inputs,
                        inferenceComponentName: name,
                        inferenceComponentArn: mockArn("sagemaker", `inference-component/${name}`),
                        inferenceComponentStatus: "InService",
                    },
                };
            }
            case TYPES.scalableTarget:
                return {
                    id: String(inputs.resourceId),
                    state: {
                        ...inputs,
                        arn: mockArn("application-autoscaling", `scalable-target/${physicalName(args.name)}`),
                    },
                };
            case TYPES.scalingPolicy: {
                const name = (inputs.name as string | undefined) ?? physicalName(args.name);
                const policyArn = mockArn(
                    "autoscaling",
                    `scalingPolicy:${createHash("sha1").update(args.name).digest("hex").slice(0, 8)}:resource/sagemaker/${String(inputs.resourceId)}:policyName/${name}`,
                );
                return { id: name, state: { ...inputs, name, arn: policyArn } };
            }
            case TYPES.metricAlarm: {
                const name = (inputs.name as string | undefined) ?? physicalName(args.name, 255);
                return { id: name, state: { ...inputs, name, arn: mockArn("cloudwatch", `alarm:${name}`) } };
            }
            case TYPES.optimizationJob: {
                // What the provider returns once the job has finished; the recommended image is the job's to say.
                const name = String(inputs.optimizationJobName);
                const output = (inputs.outputConfig as { s3OutputLocation?: string } | undefined)?.s3OutputLocation;
                return {
                    id: name,
                    state: {
                        ...inputs,
                        optimizationJobArn: mockArn("sagemaker", `optimization-job/${name}`),
                        optimizationJobStatus: "COMPLETED",
                        optimizedModelUrl: output,
                    },
                };
            }
            default:
                return { id: `${args.name}-id`, state: inputs };
        }
    }
}
