import { ResourceValidationPolicy } from "@pulumi/policy";
import { takesVolumeKey } from "../lib/catalog";
import { SAGEMAKER_TYPES, TYPES } from "../lib/contract";
import { executionRolePermissionsRule, kmsLocalStorageRule, kmsOnLocalStorage } from "./support/deploy-rules";
import { stackPolicy } from "./deployability";
import { isEcrImage } from "../lib/images";
import { configOf } from "./support/config";
import { isOneOf, ofTypes } from "./support/of-type";
import { arr, plain, UNKNOWN } from "./support/props";
import {
    inferenceComponentOf,
    kmsKeyOf,
    provisionedVariantsOf,
    specificationSubject,
    variantLabel,
    variantsOf,
} from "./support/views";

/**
 * CKV_AWS_98 / AWS Config sagemaker-endpoint-configuration-kms-key-configured, bounded by the API: a key is
 * required where SageMaker attaches an EBS volume, and refused where the instance has local NVMe storage
 * (encrypted by the instance; CreateEndpointConfig fails with a key).
 */
export const endpointKmsEncryption: ResourceValidationPolicy = {
    name: kmsLocalStorageRule.name,
    description:
        "Checks whether endpoint configurations encrypt EBS-backed instance storage with a customer KMS key, and set no key for instance types with local NVMe storage, where CreateEndpointConfig fails (Checkov CKV_AWS_98, AWS Config sagemaker-endpoint-configuration-kms-key-configured).",
    enforcementLevel: "mandatory",
    validateResource: ofTypes(SAGEMAKER_TYPES.endpointConfig, (args, reportViolation) => {
        const props = plain(args.props);
        const node = { resource: args as never, name: args.name, props };
        for (const message of kmsOnLocalStorage(node)) reportViolation(message);
        const key = kmsKeyOf(props);
        if (key === UNKNOWN || (key !== undefined && key !== "")) return;
        // The key encrypts the volume of every instance the configuration provisions, shadow variants' too.
        for (const v of provisionedVariantsOf(props)) {
            // Only a variant whose every type is EBS-only can take a key.
            if (!takesVolumeKey(v.instanceTypes)) continue;
            reportViolation(
                `Endpoint configuration "${args.name}" must set a customer-managed KMS key for ${v.instanceTypes.join(", ")} (${variantLabel(v)}, EBS storage), got nothing. ` +
                    `Set kmsKeyId (aws-native) or kmsKeyArn (@pulumi/aws) to a KMS key ARN (fm-fleet: fleet.kmsKeyArn).`,
            );
        }
    }),
};

/**
 * CKV_AWS_370 / Security Hub SageMaker.5 / AWS Config sagemaker-model-isolation-enabled. An inference-component
 * endpoint's variant has no model: its isolation is set on the endpoint configuration, which is checked too.
 */
export const modelNetworkIsolation: ResourceValidationPolicy = {
    name: "model-network-isolation",
    description:
        "Checks whether SageMaker models, and inference-component endpoint configurations, run containers with network isolation (Checkov CKV_AWS_370, Security Hub SageMaker.5, AWS Config sagemaker-model-isolation-enabled).",
    enforcementLevel: "mandatory",
    validateResource: ofTypes([...SAGEMAKER_TYPES.model, TYPES.nativeEndpointConfig], (args, reportViolation) => {
        const props = plain(args.props);
        const isolation = props.enableNetworkIsolation;
        if (isolation === true || isolation === UNKNOWN) return;
        const got = isolation === undefined ? "nothing" : String(isolation);
        if (args.type === TYPES.nativeEndpointConfig) {
            // Only model-less variants (inference components) take isolation from the configuration.
            const modelLess = variantsOf(props).some((v) => v.modelName === undefined);
            if (!modelLess) return;
            reportViolation(
                `Endpoint configuration "${args.name}" hosts inference components and must set enableNetworkIsolation to true, got ${got}. ` +
                    `Turn it on (fm-fleet does by default, endpoints[].networkIsolation): the containers then cannot reach the network, and artifacts still load from S3.`,
            );
            return;
        }
        reportViolation(
            `Model "${args.name}" must set enableNetworkIsolation to true, got ${got}. ` +
                `Turn it on (fm-fleet does by default): the container then cannot reach the network, and artifacts still load from S3.`,
        );
    }),
};

/** Config of {@link privateImageRegistry}. */
export interface PrivateImageRegistryConfig {
    allowedRegistryPrefixes: string[];
}

/** Security Hub SageMaker.16/.19 / AWS Config sagemaker-model-private-registry-required, narrowed to ECR. */
export const privateImageRegistry: ResourceValidationPolicy = {
    name: "private-image-registry",
    description:
        "Checks whether model and inference component images come from a private Amazon ECR registry (AWS Config sagemaker-model-private-registry-required).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { allowedRegistryPrefixes: { type: "array", items: { type: "string" }, default: [] } },
    },
    validateResource: (args, reportViolation) => {
        const { allowedRegistryPrefixes } = configOf<PrivateImageRegistryConfig>(privateImageRegistry, args);
        const props = plain(args.props);
        let images: [string, unknown][] = [];
        if (isOneOf(SAGEMAKER_TYPES.model, args.type)) {
            const containers = arr(props.containers);
            images = [
                props.primaryContainer?.image,
                ...(containers === UNKNOWN ? [] : containers.map((c: any) => c?.image)),
            ].map((image) => [`Model "${args.name}"`, image]);
        } else if (args.type === TYPES.inferenceComponent) {
            // Every specification pulls its own image: `specification` and each per-instance-type one.
            images = inferenceComponentOf(props).specifications.map((spec) => [
                specificationSubject(args.name, spec),
                spec.image,
            ]);
        }
        for (const [what, image] of images) {
            if (
                typeof image !== "string" ||
                isEcrImage(image) ||
                allowedRegistryPrefixes.some((p) => image.startsWith(p))
            )
                continue;
            reportViolation(
                `${what} must pull its image from a private ECR registry, got ${image}. ` +
                    `Push the image to ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repo>) or add its registry to private-image-registry.allowedRegistryPrefixes.`,
            );
        }
    },
};

/**
 * Least privilege that still works: each execution role the stack declares must allow what SageMaker does
 * with it for the stack's resources (support/role-permissions.ts derives the needs; the offline plan's
 * deploy preflight runs the same check). A role from outside the stack is not judged.
 */
export const executionRolePermissions = stackPolicy(executionRolePermissionsRule);
