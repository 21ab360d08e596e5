/**
 * The ONNX messages this package writes and reads, as a protobufjs descriptor of onnx.proto
 * (onnx 1.12, `onnx/onnx.proto`, proto2), and small builders over them so graph code reads like
 * the ONNX spec: `node('InstanceNormalization', ['x', 'scale', 'B'], ['y'], { epsilon: 1e-5 })`.
 *
 * Only the messages and fields a model of one normalization layer uses are described; a decoder
 * skips the others (training_info, functions, sparse tensors) as protobuf does with unknown
 * fields. Fields are declared in field-number order with onnx.proto's packing, so an encoded
 * model has the bytes onnx's own `SerializeToString` gives (tests/onnx/proto.test.ts).
 */
import * as protobuf from 'protobufjs';
import type { Tensor } from '../core/tensor';

/** `TensorProto.DataType` (onnx.proto). */
export const DataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;

/** `AttributeProto.AttributeType` (onnx.proto). */
export const AttributeType = { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

type Field = { id: number; type: string; rule?: 'repeated'; options?: { packed: boolean } };
const f = (id: number, type: string): Field => ({ id, type });
const many = (id: number, type: string, packed?: boolean): Field => ({ id, type, rule: 'repeated', ...(packed === undefined ? {} : { options: { packed } }) });

/** onnx.proto's messages (camelCase names: the wire format carries only the numbers). */
const DESCRIPTOR = {
  nested: {
    AttributeProto: {
      fields: {
        name: f(1, 'string'), f: f(2, 'float'), i: f(3, 'int64'), s: f(4, 'bytes'), t: f(5, 'TensorProto'), g: f(6, 'GraphProto'),
        floats: many(7, 'float', false), ints: many(8, 'int64', false), strings: many(9, 'bytes'), tensors: many(10, 'TensorProto'), graphs: many(11, 'GraphProto'),
        docString: f(13, 'string'), type: f(20, 'int32'), refAttrName: f(21, 'string'),
      },
    },
    ValueInfoProto: { fields: { name: f(1, 'string'), type: f(2, 'TypeProto'), docString: f(3, 'string') } },
    NodeProto: {
      fields: { input: many(1, 'string'), output: many(2, 'string'), name: f(3, 'string'), opType: f(4, 'string'), attribute: many(5, 'AttributeProto'), docString: f(6, 'string'), domain: f(7, 'string') },
    },
    ModelProto: {
      fields: {
        irVersion: f(1, 'int64'), producerName: f(2, 'string'), producerVersion: f(3, 'string'), domain: f(4, 'string'), modelVersion: f(5, 'int64'),
        docString: f(6, 'string'), graph: f(7, 'GraphProto'), opsetImport: many(8, 'OperatorSetIdProto'), metadataProps: many(14, 'StringStringEntryProto'),
      },
    },
    StringStringEntryProto: { fields: { key: f(1, 'string'), value: f(2, 'string') } },
    GraphProto: {
      fields: {
        node: many(1, 'NodeProto'), name: f(2, 'string'), initializer: many(5, 'TensorProto'), docString: f(10, 'string'),
        input: many(11, 'ValueInfoProto'), output: many(12, 'ValueInfoProto'), valueInfo: many(13, 'ValueInfoProto'),
      },
    },
    TensorProto: {
      fields: {
        dims: many(1, 'int64', false), dataType: f(2, 'int32'), floatData: many(4, 'float', true), int32Data: many(5, 'int32', true), stringData: many(6, 'bytes'),
        int64Data: many(7, 'int64', true), name: f(8, 'string'), rawData: f(9, 'bytes'), doubleData: many(10, 'double', true), uint64Data: many(11, 'uint64', true),
        docString: f(12, 'string'),
      },
    },
    TensorShapeProto: {
      fields: { dim: many(1, 'Dimension') },
      nested: { Dimension: { oneofs: { value: { oneof: ['dimValue', 'dimParam'] } }, fields: { dimValue: f(1, 'int64'), dimParam: f(2, 'string'), denotation: f(3, 'string') } } },
    },
    TypeProto: {
      oneofs: { value: { oneof: ['tensorType'] } },
      fields: { tensorType: f(1, 'Tensor'), denotation: f(6, 'string') },
      nested: { Tensor: { fields: { elemType: f(1, 'int32'), shape: f(2, 'TensorShapeProto') } } },
    },
    OperatorSetIdProto: { fields: { domain: f(1, 'string'), version: f(2, 'int64') } },
  },
};

/** protobufjs reads a JSON descriptor as proto3 unless each message says otherwise; onnx.proto is proto2 (explicit presence: an empty string that is set is written). */
function proto2<T>(nested: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(nested).map(([name, type]) => {
      const inner = (type as { nested?: Record<string, unknown> }).nested;
      return [name, { ...type, edition: 'proto2', ...(inner ? { nested: proto2(inner) } : {}) }];
    }),
  );
}

const MODEL = protobuf.Root.fromJSON({ nested: proto2(DESCRIPTOR.nested) }).lookupType('ModelProto');

export interface Dimension {
  dimValue?: number;
  dimParam?: string;
}
export interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: Dimension[] } } };
}
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats: number[];
  ints: number[];
}
export interface NodeProto {
  name?: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}
export interface TensorProto {
  name: string;
  dataType: number;
  dims: number[];
  rawData?: Uint8Array;
}
export interface GraphProto {
  name?: string;
  node: NodeProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  initializer: TensorProto[];
  docString?: string;
}
export interface ModelProto {
  irVersion?: number;
  producerName?: string;
  opsetImport: { domain?: string; version?: number }[];
  metadataProps: { key?: string; value?: string }[];
  graph?: GraphProto;
}

const ELEM_TYPE = { float16: DataType.FLOAT16, float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64 } as const;

export type OnnxDType = keyof typeof ELEM_TYPE;

export function elemType(dtype: OnnxDType): number {
  return ELEM_TYPE[dtype];
}

/** An attribute's value: numbers are floats, integers say so (`{ int: 1 }`, `{ ints: [0] }`). */
export type AttributeValue = number | readonly number[] | string | { int: number } | { ints: readonly number[] };

function attribute(name: string, value: AttributeValue): AttributeProto {
  const empty = { floats: [], ints: [] };
  if (typeof value === 'number') return { name, type: AttributeType.FLOAT, f: value, ...empty };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(value, 'utf8'), ...empty };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int, ...empty };
  if ('ints' in value) return { name, type: AttributeType.INTS, floats: [], ints: [...value.ints] };
  return { name, type: AttributeType.FLOATS, floats: [...value], ints: [] };
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, AttributeValue> = {},
  name = `${opType}_${outputs[0]}`,
): NodeProto {
  return { input: [...inputs], output: [...outputs], name, opType, attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) };
}

/** A graph input or output; a string dim is a named dynamic axis. */
export function valueInfo(name: string, dtype: OnnxDType, dims: readonly (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: elemType(dtype), shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

/** An initializer holding `tensor`'s bytes (little-endian raw data, as the spec stores it). */
export function initializer(name: string, tensor: Tensor): TensorProto {
  const dtype = tensor.dtype as OnnxDType;
  if (!(dtype in ELEM_TYPE)) throw new Error(`ONNX initializer '${name}': unsupported dtype ${tensor.dtype}`);
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return { dims: [...tensor.shape], dataType: elemType(dtype), name, rawData: Uint8Array.from(bytes) };
}

/** IR version per opset, from onnx's helper VERSION_TABLE (the lowest IR that may carry that opset). */
const IR_VERSION: Readonly<Record<number, number>> = {
  9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11,
};

/** The opsets this package writes: those whose IR version the table above knows. */
export const SUPPORTED_OPSETS: readonly number[] = Object.keys(IR_VERSION).map(Number);

export interface ModelParts {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers: TensorProto[];
  opset: number;
  graphName: string;
  docString?: string;
  /** The model's metadata_props. */
  metadata?: Record<string, string>;
}

/** The ModelProto bytes; the IR version is the lowest that carries `parts.opset`. */
export function encodeModel(parts: ModelParts): Uint8Array {
  const irVersion = IR_VERSION[parts.opset];
  if (irVersion === undefined) throw new Error(`encodeModel: no IR version known for opset ${parts.opset}`);
  const model = {
    irVersion,
    producerName: 'instancenorm-shim',
    graph: { node: parts.nodes, name: parts.graphName, initializer: parts.initializers, docString: parts.docString ?? '', input: parts.inputs, output: parts.outputs },
    opsetImport: [{ domain: '', version: parts.opset }],
    metadataProps: Object.entries(parts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return MODEL.encode(MODEL.fromObject(model)).finish();
}

/** Parses ModelProto bytes; int64 fields come back as numbers, repeated fields as (possibly empty) arrays. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return MODEL.toObject(MODEL.decode(bytes), { longs: Number, arrays: true }) as ModelProto;
}
