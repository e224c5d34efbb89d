/**
 * Serial inference pipelines: a SageMaker model whose `Containers` run in order on every instance of a
 * classic (model-based) endpoint, each container's response the next one's request. Provider-free, so the
 * components, the config schema and the pack's deploy rules read the same limits.
 */

/**
 * Containers one model may list. "An inference pipeline is a SageMaker model that is composed of a linear
 * sequence of two to fifteen containers" (SageMaker developer guide, inference-pipelines.html); "Currently
 * there is a limit of up to 15 containers supported on a multi-container endpoint" (multi-container-create.html).
 */
export const PIPELINE_CONTAINERS_MAX = 15;

/**
 * `InferenceExecutionConfig.Mode` values (API reference, InferenceExecutionConfig: "Valid Values: Serial |
 * Direct"): `Serial` runs the containers as a pipeline, `Direct` runs only the container a request names.
 */
export const INFERENCE_EXECUTION_MODES = ["Serial", "Direct"] as const;
export type InferenceExecutionMode = (typeof INFERENCE_EXECUTION_MODES)[number];

/** The mode fm-fleet's pipelines run in. */
export const SERIAL_MODE: InferenceExecutionMode = "Serial";
