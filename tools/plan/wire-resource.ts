import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedResource } from "../mocks/recorder";
import type { StackAssessment } from "./assessment";

/** A recorded resource as it crosses a thread boundary: protobuf Structs as their binary encoding. */
export interface WireResource extends Omit<RecordedResource, "inputsStruct" | "outputsStruct"> {
    readonly inputs: Uint8Array;
    readonly outputs: Uint8Array;
}

/** A component's outputs, registered after the component itself. */
export interface ComponentOutputs {
    readonly urn: string;
    readonly outputs: Uint8Array;
}

/**
 * Messages from the program worker, in order: each resource as it registers, then the program's end (or its
 * error), then the assessment of its resources (or the assessment's error, with its stack: it is a defect).
 */
export type WorkerMessage =
    | { kind: "resource"; resource: WireResource }
    | { kind: "done"; exports: Record<string, unknown>; componentOutputs: ComponentOutputs[] }
    | { kind: "error"; name: string; message: string }
    | { kind: "assessed"; assessment: StackAssessment }
    | { kind: "assessment-error"; stack: string };

export function toWire(r: RecordedResource): WireResource {
    const { inputsStruct, outputsStruct, ...rest } = r;
    return { ...rest, inputs: inputsStruct.serializeBinary(), outputs: outputsStruct.serializeBinary() };
}

/**
 * A resource received from the worker. Its properties stay in their binary encoding until something reads
 * them: the policy pack gets them as they came (see analyzer-requests), and most are never decoded here.
 */
class ReceivedResource implements RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly id: string;
    readonly parent: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly ignoreChanges: string[];
    readonly provider: string;
    readonly inputsBinary: Uint8Array;
    private outputsEncoded: Uint8Array;
    private inputs?: Struct;
    private outputs?: Struct;

    constructor(wire: WireResource) {
        this.inputsBinary = wire.inputs;
        this.outputsEncoded = wire.outputs;
        ({
            urn: this.urn,
            type: this.type,
            name: this.name,
            custom: this.custom,
            id: this.id,
            parent: this.parent,
            dependencies: this.dependencies,
            propertyDependencies: this.propertyDependencies,
            ignoreChanges: this.ignoreChanges,
            provider: this.provider,
        } = wire);
    }

    get inputsStruct(): Struct {
        return (this.inputs ??= Struct.deserializeBinary(this.inputsBinary));
    }

    get outputsStruct(): Struct {
        return (this.outputs ??= Struct.deserializeBinary(this.outputsEncoded));
    }

    set outputsStruct(outputs: Struct) {
        this.outputs = outputs;
        this.outputsEncoded = outputs.serializeBinary();
    }

    get outputsBinary(): Uint8Array {
        return this.outputsEncoded;
    }

    set outputsBinary(outputs: Uint8Array) {
        this.outputsEncoded = outputs;
        this.outputs = undefined;
    }
}

export function fromWire(w: WireResource): RecordedResource {
    return new ReceivedResource(w);
}

/** Gives the components among `resources` the final outputs they registered. */
export function setComponentOutputs(resources: readonly RecordedResource[], components: ComponentOutputs[]): void {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const { urn, outputs } of components) {
        const resource = byUrn.get(urn);
        if (resource instanceof ReceivedResource) resource.outputsBinary = outputs;
        else if (resource) resource.outputsStruct = Struct.deserializeBinary(outputs);
    }
}

/** A resource's inputs in their binary encoding: as received when they crossed a thread, else encoded now. */
export function encodedInputs(resource: RecordedResource): Uint8Array {
    return resource instanceof ReceivedResource ? resource.inputsBinary : resource.inputsStruct.serializeBinary();
}

/** A resource's outputs in their binary encoding: as received when they crossed a thread, else encoded now. */
export function encodedOutputs(resource: RecordedResource): Uint8Array {
    return resource instanceof ReceivedResource ? resource.outputsBinary : resource.outputsStruct.serializeBinary();
}
