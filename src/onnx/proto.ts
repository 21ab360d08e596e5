/**
 * Small builders over onnx-proto's ModelProto, so graph code reads like the ONNX spec:
 * `node('InstanceNormalization', ['x', 'scale', 'B'], ['y'], { epsilon: 1e-5 })`.
 */
import { onnx } from 'onnx-proto';
import type { Tensor } from '../core/tensor';

export { onnx };

const ELEM_TYPE = {
  float16: onnx.TensorProto.DataType.FLOAT16,
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
} as const;

export type OnnxDType = keyof typeof ELEM_TYPE;

export function elemType(dtype: OnnxDType): onnx.TensorProto.DataType {
  return ELEM_TYPE[dtype];
}

/** An attribute's value: numbers are floats, integers say so (`{ int: 1 }`, `{ ints: [0] }`). */
export type AttributeValue = number | readonly number[] | string | { int: number } | { ints: readonly number[] };

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: T.FLOAT, f: value };
  if (typeof value === 'string') return { name, type: T.STRING, s: Buffer.from(value, 'utf8') };
  if ('int' in value) return { name, type: T.INT, i: value.int };
  if ('ints' in value) return { name, type: T.INTS, ints: [...value.ints] };
  return { name, type: T.FLOATS, floats: [...value] };
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, AttributeValue> = {},
  name = `${opType}_${outputs[0]}`,
): onnx.INodeProto {
  return {
    opType,
    name,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  };
}

/** A graph input or output; a string dim is a named dynamic axis. */
export function valueInfo(name: string, dtype: OnnxDType, dims: readonly (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType(dtype),
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** An initializer holding `tensor`'s bytes (little-endian raw data, as the spec stores it). */
export function initializer(name: string, tensor: Tensor): onnx.ITensorProto {
  const dtype = tensor.dtype as OnnxDType;
  if (!(dtype in ELEM_TYPE)) throw new Error(`ONNX initializer '${name}': unsupported dtype ${tensor.dtype}`);
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return { name, dataType: elemType(dtype), dims: [...tensor.shape], rawData: Uint8Array.from(bytes) };
}

/** IR version per opset, from onnx's helper VERSION_TABLE (the lowest IR that may carry that opset). */
const IR_VERSION: Readonly<Record<number, number>> = {
  9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11,
};

/** The opsets this package writes: those whose IR version the table above knows. */
export const SUPPORTED_OPSETS: readonly number[] = Object.keys(IR_VERSION).map(Number);

export interface ModelParts {
  nodes: onnx.INodeProto[];
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
  initializers: onnx.ITensorProto[];
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
  const model = onnx.ModelProto.create({
    irVersion,
    producerName: 'instancenorm-shim',
    metadataProps: Object.entries(parts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    opsetImport: [{ domain: '', version: parts.opset }],
    graph: {
      name: parts.graphName,
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
      initializer: parts.initializers,
      docString: parts.docString ?? '',
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
