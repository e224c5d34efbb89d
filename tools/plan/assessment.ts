import type { StackCost } from "../../lib/cost";
import { physicalNameOf } from "../../policies/support/views";
import { outputsOf, RecordedResource } from "../mocks/recorder";
import type { PlannedEndpoint, PlannedOptimizationJob } from "./fleet-view";
import type { PreflightFinding } from "./preflight/preflight";

/** What the plan tells beyond the policy pack: what `pulumi up` would reject, the fleet as deployed, its cost. */
export interface StackAssessment {
    readonly preflight: PreflightFinding[];
    readonly fleet: PlannedEndpoint[];
    /** Every optimization job, whether or not a model serves its output. */
    readonly optimizationJobs: PlannedOptimizationJob[];
    readonly cost: StackCost;
    /**
     * The physical name each resource got (SageMaker, IAM, scaling policy and alarm names), in the order of
     * the resources assessed; `null` for components and unnamed resources. By position, not by URN: a
     * program can register two resources with one URN (the preflight reports it), and each keeps its name.
     */
    readonly physicalNames: (string | null)[];
}

/** The physical name a custom resource got, if it has one. */
export function physicalNameOfResource(r: RecordedResource): string | undefined {
    if (!r.custom) return undefined;
    const outputs = outputsOf(r);
    const name = physicalNameOf(r.type, outputs) ?? outputs.name;
    return typeof name === "string" ? name : undefined;
}

/**
 * Assesses a program's resources: the deploy preflight, the fleet view, its cost and the names the resources
 * got. Plain data in and out, so the program's worker runs it beside the policy pack's analysis. Its modules
 * load on first use: ajv and the pack's rules need not delay the start of the program.
 */
export function assessStack(resources: readonly RecordedResource[]): StackAssessment {
    const { preflight } = require("./preflight/preflight") as typeof import("./preflight/preflight");
    const { endpointShapeOf, fleetView, optimizationJobsView } =
        require("./fleet-view") as typeof import("./fleet-view");
    const { stackCost } = require("../../lib/cost") as typeof import("../../lib/cost");
    const optimizationJobs = optimizationJobsView(resources);
    const fleet = fleetView(resources, optimizationJobs);
    const cost = stackCost(
        fleet.map(endpointShapeOf),
        optimizationJobs.map((j) => ({
            name: j.optimizationJobName,
            instanceType: j.instanceType,
            instanceCount: j.instanceCount,
            hours: j.hours?.value,
            hoursSource: j.hours?.source ?? "unknown",
            techniques: j.techniques,
        })),
    );
    const physicalNames = resources.map((r) => physicalNameOfResource(r) ?? null);
    return { preflight: preflight(resources), fleet, optimizationJobs, cost, physicalNames };
}
