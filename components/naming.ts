import * as pulumi from "@pulumi/pulumi";
import { physicalName, SAGEMAKER_NAME_MAX } from "../lib/names";

/**
 * `<project>/<stack>/<region>` of the running program: part of every physical name's hash, so the same
 * config names in two stacks (or two regions) of one account never give the same name.
 */
export function stackScope(): string {
    const region = new pulumi.Config("aws").get("region") ?? process.env.AWS_REGION ?? "";
    return `${pulumi.getProject()}/${pulumi.getStack()}/${region}`;
}

/**
 * The physical names of one component's children. `parts` are the readable names they start with (the
 * config names, e.g. `["chat", "llama3-8b"]`); the component's type and logical name make them unique.
 */
export class ChildNames {
    private readonly scope = stackScope();

    constructor(
        private readonly componentType: string,
        private readonly componentName: string,
        /** Readable parts every child name starts with. */
        public readonly parts: readonly string[],
    ) {}

    /**
     * The name of the child `role` (e.g. `model`, `config`). Pass `content` for resources whose inputs are
     * all create-only, so that a replacement gets a new name instead of colliding with the old one.
     */
    name(role: string, options: { extra?: readonly string[]; content?: unknown; maxLength?: number } = {}): string {
        return physicalName(
            [...this.parts, ...(options.extra ?? [])],
            {
                scope: this.scope,
                resource: `${this.componentType}/${this.componentName}/${role}`,
                content: options.content,
            },
            options.maxLength ?? SAGEMAKER_NAME_MAX,
        );
    }
}

/** The readable parts of a component's name when the caller gives none: its `/`-separated segments. */
export function partsOf(name: string): string[] {
    return name.split("/").filter((p) => p.length > 0);
}
