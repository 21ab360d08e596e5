/**
 * Runs ONNX models in onnxruntime-node, the independent implementation this package checks its
 * numbers against. Loaded lazily: importing the package must not pay for the native binding.
 * onnxruntime-node is an optional peer dependency (its install script downloads CUDA binaries on
 * Linux x64 from a host other than the npm registry), so only the functions that run a model
 * need it, and they say how to add it.
 */
import { Tensor } from '../core/tensor';
import { encodeModel, initializer, node, valueInfo, type OnnxDType } from './proto';

type Ort = typeof import('onnxruntime-node');

/** How to add onnxruntime-node: its CPU binaries ship in the npm package; the flag skips the CUDA download. */
export const ONNXRUNTIME_INSTALL = 'npm install onnxruntime-node --onnxruntime-node-install=skip';

/** onnxruntime-node is not installed; the message says what needs it and how to add it. */
export class MissingOnnxRuntimeError extends Error {
  constructor(what: string) {
    super(
      `${what} runs the model in onnxruntime-node, which is not installed (it is an optional peer dependency of instancenorm-shim). ` +
        `Add it with: ${ONNXRUNTIME_INSTALL} (the CPU binaries ship in its npm package; the flag skips the CUDA download its install script would start on Linux x64)`,
    );
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
Object.defineProperty(MissingOnnxRuntimeError.prototype, 'name', { value: 'MissingOnnxRuntimeError', writable: true, configurable: true });

function isMissing(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'MODULE_NOT_FOUND' && /['"]onnxruntime-node['"]/.test(e.message.split('\n')[0]);
}

/** Runs `load` (a require of onnxruntime-node); a missing module becomes MissingOnnxRuntimeError naming `what`. */
export function loadOnnxRuntime(what: string, load: () => unknown): Ort {
  try {
    return load() as Ort;
  } catch (err) {
    if (isMissing(err)) throw new MissingOnnxRuntimeError(what);
    throw err;
  }
}

let ort: Ort | undefined;
/** onnxruntime-node, loaded on first use; `what` names the caller in the error when it is missing. */
export function onnxruntime(what = 'this'): Ort {
  return (ort ??= loadOnnxRuntime(what, () => require('onnxruntime-node')));
}

export type Session = import('onnxruntime-node').InferenceSession;

export async function createSession(model: Uint8Array, what?: string): Promise<Session> {
  return onnxruntime(what).InferenceSession.create(model, { graphOptimizationLevel: 'all' });
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
