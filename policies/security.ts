import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/contract";
import { isEcrImage } from "../lib/images";
import { configOf } from "./support/config";
import { ofType } from "./support/of-type";
import { arr, plain, str, UNKNOWN } from "./support/props";
import { inferenceComponentOf } from "./support/views";

/** CKV_AWS_98 / AWS Config sagemaker-endpoint-configuration-kms-key-configured. */
export const endpointKmsEncryption: ResourceValidationPolicy = {
    name: "endpoint-kms-encryption",
    description:
        "Checks whether endpoint configurations encrypt instance storage with a customer KMS key (Checkov CKV_AWS_98, AWS Config sagemaker-endpoint-configuration-kms-key-configured).",
    enforcementLevel: "mandatory",
    validateResource: ofType(TYPES.endpointConfiguration, (args, reportViolation) => {
        const key = str(plain(args.props).kmsKeyArn);
        if (key === UNKNOWN || (key !== undefined && key !== "")) return;
        reportViolation(
            `Endpoint configuration "${args.name}" must set kmsKeyArn, got nothing. Set it to a customer-managed KMS key ARN (fm-fleet: fleet.kmsKeyArn).`,
        );
    }),
};

/** CKV_AWS_370 / Security Hub SageMaker.5 / AWS Config sagemaker-model-isolation-enabled. */
export const modelNetworkIsolation: ResourceValidationPolicy = {
    name: "model-network-isolation",
    description:
        "Checks whether SageMaker models run with network isolation (Checkov CKV_AWS_370, Security Hub SageMaker.5, AWS Config sagemaker-model-isolation-enabled).",
    enforcementLevel: "mandatory",
    validateResource: ofType(TYPES.model, (args, reportViolation) => {
        const isolation = plain(args.props).enableNetworkIsolation;
        if (isolation === true || isolation === UNKNOWN) return;
        reportViolation(
            `Model "${args.name}" must set enableNetworkIsolation to true, got ${isolation === undefined ? "nothing" : String(isolation)}. ` +
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
        let images: unknown[] = [];
        if (args.type === TYPES.model) {
            const containers = arr(props.containers);
            images = [
                props.primaryContainer?.image,
                ...(containers === UNKNOWN ? [] : containers.map((c: any) => c?.image)),
            ];
        } else if (args.type === TYPES.inferenceComponent) {
            images = [inferenceComponentOf(props).image];
        }
        for (const image of images) {
            if (
                typeof image !== "string" ||
                isEcrImage(image) ||
                allowedRegistryPrefixes.some((p) => image.startsWith(p))
            )
                continue;
            reportViolation(
                `${args.type === TYPES.model ? "Model" : "Inference component"} "${args.name}" must pull its image from a private ECR registry, got ${image}. ` +
                    `Push the image to ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repo>) or add its registry to private-image-registry.allowedRegistryPrefixes.`,
            );
        }
    },
};
