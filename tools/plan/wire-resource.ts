import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedResource } from "../mocks/recorder";

/** A recorded resource as it crosses a thread boundary: protobuf Structs as their binary encoding. */
export interface WireResource extends Omit<RecordedResource, "inputsStruct" | "outputsStruct"> {
    readonly inputs: Uint8Array;
    readonly outputs: Uint8Array;
}

/** Messages from the program worker. */
export type WorkerMessage =
    | { kind: "resource"; resource: WireResource }
    | { kind: "done"; exports: Record<string, unknown>; componentOutputs: { urn: string; outputs: Uint8Array }[] }
    | { kind: "error"; name: string; message: string };

export function toWire(r: RecordedResource): WireResource {
    const { inputsStruct, outputsStruct, ...rest } = r;
    return { ...rest, inputs: inputsStruct.serializeBinary(), outputs: outputsStruct.serializeBinary() };
}

export function fromWire(w: WireResource): RecordedResource {
    const { inputs, outputs, ...rest } = w;
    return {
        ...rest,
        inputsStruct: Struct.deserializeBinary(inputs),
        outputsStruct: Struct.deserializeBinary(outputs),
    };
}

/** Replaces a resource's outputs with the final ones its component registered. */
export function setWireOutputs(resource: RecordedResource, outputs: Uint8Array): void {
    resource.outputsStruct = Struct.deserializeBinary(outputs);
}
