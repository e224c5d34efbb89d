import { PIPELINE_CONTAINERS_MAX } from "../lib/pipeline";
import { isS3Url, isTarGz, messages } from "./rules";

/**
 * The API's rules on a pipeline's containers: 1 to {@link PIPELINE_CONTAINERS_MAX}, their model data each in a
 * single `.tar.gz`. Paths are relative (`containers[2].modelDataUrl`); the stack config and
 * the component report them under their own roots. Reads raw values, so it runs on unvalidated config too.
 */
export function containerIssues(containers: unknown): { path: string; message: string }[] {
    if (!Array.isArray(containers)) return [];
    const issues: { path: string; message: string }[] = [];
    if (containers.length === 0) issues.push({ path: "containers", message: messages.noPipelineContainers() });
    if (containers.length > PIPELINE_CONTAINERS_MAX) {
        issues.push({ path: "containers", message: messages.tooManyPipelineContainers(containers.length) });
    }
    containers.forEach((c: unknown, i) => {
        const url = typeof c === "object" && c !== null ? (c as { modelDataUrl?: unknown }).modelDataUrl : undefined;
        // A URL that is not S3 at all is the schema's (or the component's) to report.
        if (typeof url === "string" && isS3Url(url) && !isTarGz(url)) {
            issues.push({ path: `containers[${i}].modelDataUrl`, message: messages.pipelineModelData(url) });
        }
    });
    return issues;
}
