import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { ArgsCheck } from "./args-check";
import { ChildNames, partsOf } from "./naming";
import { isS3Url, isTarGz, messages } from "./rules";

/** One fine-tuned (LoRA) adapter. */
export interface AdapterSpec {
    /** Lowercase letters, digits and hyphens, at most 63 characters, unique per base model. */
    readonly name: string;
    /** `s3://` URL of the adapter: a `.tar.gz` of the PEFT adapter directory (the API takes no prefix). */
    readonly artifactUrl: string;
}

/** Arguments of {@link FineTunedAdapters}. */
export interface FineTunedAdaptersArgs {
    /** Endpoint the base inference component runs on. */
    readonly endpointName: pulumi.Input<string>;
    /** Name of the base inference component whose compute the adapters share. */
    readonly baseInferenceComponentName: pulumi.Input<string>;
    /** The adapters; thousands are fine. */
    readonly adapters: readonly AdapterSpec[];
    /** Readable parts the physical names start with (the adapter name follows). @default the component name's `/` segments */
    readonly nameParts?: readonly string[];
    /** Tags for every adapter inference component. @default [] */
    readonly tags?: readonly awsNative.types.input.TagArgs[];
}

/**
 * Fine-tuned adapters on a shared base model: one adapter inference component each, with
 * `baseInferenceComponentName` and the adapter's artifact, and no compute of its own (it runs on the
 * base's copies and scales with them). One component holds them all, so a fleet of thousands of
 * adapters registers one resource per adapter and nothing more.
 */
export class FineTunedAdapters extends pulumi.ComponentResource {
    /** Adapter name -> its inference component. */
    public readonly components: ReadonlyMap<string, awsNative.sagemaker.InferenceComponent>;
    /** Adapter name -> inference component name, known before deployment. */
    public readonly physicalNames: ReadonlyMap<string, string>;
    /** Adapter name -> inference component name, for clients. */
    public readonly componentNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FineTunedAdaptersArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before super(): nothing is registered from invalid arguments.
        checkAdapters(new ArgsCheck("FineTunedAdapters", name), "args.adapters", args.adapters).done();
        super("fm-fleet:sagemaker:FineTunedAdapters", name, {}, opts);
        const components = new Map<string, awsNative.sagemaker.InferenceComponent>();
        // Shared across adapters: one tag array and one base-name Output, not one per adapter.
        const tags = args.tags ? [...args.tags] : undefined;
        const childOpts: pulumi.CustomResourceOptions = { parent: this };
        const childNames = new ChildNames(
            "fm-fleet:sagemaker:FineTunedAdapters",
            name,
            args.nameParts ?? partsOf(name),
        );
        const physicalNames = new Map<string, string>();
        for (const adapter of args.adapters) {
            const icName = childNames.name(`adapter/${adapter.name}`, { extra: [adapter.name] });
            physicalNames.set(adapter.name, icName);
            components.set(
                adapter.name,
                new awsNative.sagemaker.InferenceComponent(
                    `${name}/${adapter.name}`,
                    {
                        inferenceComponentName: icName,
                        endpointName: args.endpointName,
                        specification: {
                            baseInferenceComponentName: args.baseInferenceComponentName,
                            container: { artifactUrl: adapter.artifactUrl },
                        },
                        tags,
                    },
                    childOpts,
                ),
            );
        }
        this.components = components;
        this.physicalNames = physicalNames;
        const names = [...components.keys()];
        this.componentNames = pulumi
            .all([...components.values()].map((ic) => ic.inferenceComponentName))
            .apply((icNames) => Object.fromEntries(names.map((n, i) => [n, icNames[i] ?? ""])));
        this.registerOutputs({ componentNames: this.componentNames });
    }
}

/** Checks adapters: names (SageMaker's format, unique) and S3 artifacts. Used by FoundationModel too. */
export function checkAdapters(check: ArgsCheck, path: string, adapters: readonly AdapterSpec[]): ArgsCheck {
    const seen = new Map<string, number>();
    adapters.forEach((adapter, i) => {
        check
            .name(`${path}[${i}].name`, adapter.name)
            .s3Url(`${path}[${i}].artifactUrl`, adapter.artifactUrl, "s3://<bucket>/<adapter>.tar.gz");
        if (isS3Url(adapter.artifactUrl) && !isTarGz(adapter.artifactUrl)) {
            check.fail(`${path}[${i}].artifactUrl`, messages.adapterTarball(adapter.artifactUrl));
        }
        const first = seen.get(adapter.name);
        if (first === undefined) seen.set(adapter.name, i);
        else check.fail(`${path}[${i}].name`, messages.duplicate("adapter", adapter.name, `${path}[${first}]`));
    });
    return check;
}
