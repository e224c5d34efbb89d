/**
 * An inference component's `ArtifactUrl` "must point to a single gzip compressed tar archive (.tar.gz
 * suffix)" (SageMaker API reference, InferenceComponentContainerSpecification): the stack config, the
 * components and the pack's deploy rule all check adapters with this.
 */
export const isTarGz = (value: string) => value.endsWith(".tar.gz");
