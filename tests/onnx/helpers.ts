import { Tensor } from '../../src/core/tensor';
import { DataType, decodeModel, type GraphProto, type ModelProto, type TensorProto, type ValueInfoProto } from '../../src/onnx/proto';
import { createSession, runSession } from '../../src/onnx/runtime';
import { normals } from '../helpers/random';

/** Runs `bytes` in onnxruntime-node on `x` (fed as `input`) and returns `output`. */
export async function ortRun(bytes: Uint8Array, x: Tensor): Promise<Tensor> {
  const session = await createSession(bytes);
  try {
    return (await runSession(session, { input: x })).output;
  } finally {
    await session.release();
  }
}

/** Normal values with a per-tensor offset; float32 unless asked. */
export function randomTensor(rand: () => number, shape: number[], dtype: 'float32' | 'float64' | 'float16' = 'float32'): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(normals(rand, size, 1.5, rand() - 0.5), { shape, dtype });
}

/** The decoded model; its graph typed as present (toOnnx always writes one). */
export function decode(bytes: Uint8Array): ModelProto & { graph: GraphProto } {
  return decodeModel(bytes) as ModelProto & { graph: GraphProto };
}

/** Overwrites a float tensor's values in place (a module's live parameter or buffer). */
export function setValues(t: Tensor | null, values: readonly number[]): void {
  if (!t) throw new Error('setValues: no tensor');
  (t.data as Float32Array).set(values);
}

export function dimsOf(v: ValueInfoProto): (number | string)[] {
  return (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
}

/** An initializer's values as numbers (raw little-endian data, as toOnnx writes them). */
export function initializerValues(t: TensorProto): number[] {
  const raw = t.rawData as Uint8Array;
  const bytes = new Uint8Array(raw).buffer; // a copy: Buffer.slice would share the pool
  if (t.dataType === DataType.FLOAT) return [...new Float32Array(bytes)];
  if (t.dataType === DataType.DOUBLE) return [...new Float64Array(bytes)];
  if (t.dataType === DataType.INT64) return [...new BigInt64Array(bytes)].map(Number);
  throw new Error(`initializerValues: data type ${t.dataType}`);
}
