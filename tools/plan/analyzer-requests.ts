import type { RecordedResource } from "../mocks/recorder";
import { encodedInputs, encodedOutputs } from "./wire-resource";

// The engine's own protocol messages, shipped with the SDK.
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");

/**
 * Analyze and AnalyzeStack requests encoded from the properties' wire form as it arrived from the program's
 * worker, instead of decoding thousands of protobuf Structs only to encode them again. Protobuf parsers
 * merge the fields of concatenated encodings (the wire format's own rule), so a message encoded without
 * its `properties` followed by that one field is the same message: the pack decodes exactly what the
 * message classes would have sent.
 */

/** Field numbers in pulumi/proto/analyzer.proto. */
const FIELD = { properties: 2, stackResources: 1 } as const;
/** Wire type of a length-delimited field (strings, bytes, messages). */
const LENGTH_DELIMITED = 2;

function varint(value: number): number[] {
    const bytes: number[] = [];
    while (value > 0x7f) {
        bytes.push((value & 0x7f) | 0x80);
        value = Math.floor(value / 128);
    }
    bytes.push(value);
    return bytes;
}

/** One length-delimited field: its key, its length, its bytes. */
function field(fieldNumber: number, payload: Uint8Array): Buffer {
    return Buffer.concat([
        Buffer.from([...varint((fieldNumber << 3) | LENGTH_DELIMITED), ...varint(payload.length)]),
        payload,
    ]);
}

function optionsOf(resource: RecordedResource): any {
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setIgnorechangesList(resource.ignoreChanges);
    if (resource.parent) options.setParent(resource.parent);
    return options;
}

/** Analyze: one resource's inputs, as at `pulumi preview` step generation. */
export function analyzeRequest(resource: RecordedResource): Buffer {
    const request = new analyzerProto.AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setOptions(optionsOf(resource));
    if (resource.provider) request.setProvider(new analyzerProto.AnalyzerProviderResource());
    return Buffer.concat([request.serializeBinary(), field(FIELD.properties, encodedInputs(resource))]);
}

/** AnalyzeStack: every resource's outputs with parents and dependencies, as after a preview. */
export function analyzeStackRequest(resources: readonly RecordedResource[]): Buffer {
    return Buffer.concat(
        resources.map((r) => {
            const resource = new analyzerProto.AnalyzerResource();
            resource.setType(r.type);
            resource.setUrn(r.urn);
            resource.setName(r.name);
            resource.setOptions(optionsOf(r));
            if (r.parent) resource.setParent(r.parent);
            resource.setDependenciesList(r.dependencies);
            const encoded = Buffer.concat([resource.serializeBinary(), field(FIELD.properties, encodedOutputs(r))]);
            return field(FIELD.stackResources, encoded);
        }),
    );
}
