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
    | {
          kind: "done";
          exports: Record<string, unknown>;
          componentOutputs: ComponentOutputs[];
          configSources: Record<string, string>;
      }
    | { kind: "error"; name: string; message: string; stack?: string }
    | { kind: "assessed"; assessment: StackAssessment }
    | { kind: "assessment-error"; stack: string };

export function toWire(r: RecordedResource): WireResource {
    const { inputsStruct, outputsStruct, ...rest } = r;
    return { ...rest, inputs: inputsStruct.serializeBinary(), outputs: outputsStruct.serializeBinary() };
}

/** The properties of a resource received from the worker: their bytes, and each decoded once when read. */
interface Received {
    readonly inputs: Uint8Array;
    outputs: Uint8Array;
    decodedInputs?: Struct;
    decodedOutputs?: Struct;
}

/** Resources received from the worker, with their properties' wire form. */
const received = new WeakMap<RecordedResource, Received>();

/**
 * A resource received from the worker. Its properties stay in their binary encoding until something reads
 * them: the policy pack gets them as they came (see analyzer-requests), and most are never decoded here.
 */
export function fromWire(w: WireResource): RecordedResource {
    const { inputs, outputs, ...fields } = w;
    const wire: Received = { inputs, outputs };
    const resource: RecordedResource = {
        ...fields,
        get inputsStruct() {
            return (wire.decodedInputs ??= Struct.deserializeBinary(wire.inputs));
        },
        get outputsStruct() {
            return (wire.decodedOutputs ??= Struct.deserializeBinary(wire.outputs));
        },
        set outputsStruct(replaced: Struct) {
            wire.decodedOutputs = replaced;
            wire.outputs = replaced.serializeBinary();
        },
    };
    received.set(resource, wire);
    return resource;
}

/** Gives the components among `resources` the final outputs they registered. */
export function setComponentOutputs(resources: readonly RecordedResource[], components: ComponentOutputs[]): void {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const { urn, outputs } of components) {
        const resource = byUrn.get(urn);
        const wire = resource && received.get(resource);
        if (wire) {
            wire.outputs = outputs;
            wire.decodedOutputs = undefined;
        } else if (resource) resource.outputsStruct = Struct.deserializeBinary(outputs);
    }
}

/** A resource's inputs in their binary encoding: as received when they crossed a thread, else encoded now. */
export function encodedInputs(resource: RecordedResource): Uint8Array {
    return received.get(resource)?.inputs ?? resource.inputsStruct.serializeBinary();
}

/** A resource's outputs in their binary encoding: as received when they crossed a thread, else encoded now. */
export function encodedOutputs(resource: RecordedResource): Uint8Array {
    return received.get(resource)?.outputs ?? resource.outputsStruct.serializeBinary();
}
