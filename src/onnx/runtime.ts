/**
 * Runs ONNX models in onnxruntime-node, the independent implementation this package checks its
 * numbers against. Loaded lazily: importing the package must not pay for the native binding.
 */
import { Tensor } from '../core/tensor';
import { encodeModel, initializer, node, valueInfo, type OnnxDType } from './proto';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
export function onnxruntime(): Ort {
  return (ort ??= require('onnxruntime-node') as Ort);
}

export type Session = import('onnxruntime-node').InferenceSession;

export async function createSession(model: Uint8Array): Promise<Session> {
  return onnxruntime().InferenceSession.create(model, { graphOptimizationLevel: 'all' });
}

/** Runs a session on named inputs and returns its outputs as Tensors. */
export async function runSession(session: Session, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.toOrt()]));
  const results = await session.run(feeds);
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Tensor.fromOrt(v)]));
}

export interface OrtInstanceNormOptions {
  eps: number;
  /** Per-channel scale and bias; ones and zeros when absent (ONNX requires both inputs). */
  scale?: Tensor;
  bias?: Tensor;
}

/** A bare ONNX `InstanceNormalization` model for inputs shaped like `x`. */
export function instanceNormModel(shape: readonly number[], dtype: OnnxDType, options: OrtInstanceNormOptions): Uint8Array {
  const C = shape[1];
  const scale = options.scale ?? Tensor.ones([C], dtype);
  const bias = options.bias ?? Tensor.zeros([C], dtype);
  return encodeModel({
    graphName: 'instance_norm_reference',
    opset: 17,
    nodes: [node('InstanceNormalization', ['x', 'scale', 'B'], ['y'], { epsilon: options.eps })],
    inputs: [valueInfo('x', dtype, shape)],
    outputs: [valueInfo('y', dtype, shape)],
    initializers: [initializer('scale', scale.astype(dtype)), initializer('B', bias.astype(dtype))],
  });
}

/** onnxruntime's InstanceNormalization of `x` (one-off: builds and runs a session). */
export async function ortInstanceNorm(x: Tensor, options: OrtInstanceNormOptions): Promise<Tensor> {
  const session = await createSession(instanceNormModel(x.shape, x.dtype as OnnxDType, options));
  try {
    const { y } = await runSession(session, { x });
    return y;
  } finally {
    await session.release();
  }
}
