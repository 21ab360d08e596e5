/**
 * What the core's normalization ops share: the kernels (and which one runs), the argument checks
 * worded with the op's name (per-channel vectors of length C, the optional `out`), and one kernel
 * call for every compute dtype.
 */
import { allocate, halfToNumber, numberToHalf, type ComputeDType, type FloatDType } from './dtype';
import { PyTypeError, ValueError } from './errors';
import { jsKernel } from './kernels/js';
import type { NormalizeArgs, NormalizeKernel } from './kernels/types';
import { loadWasmKernel } from './kernels/wasm';
import { describeValue } from './python';
import { sameShape, sharesMemory, Tensor } from './tensor';

export type FloatTensor = Tensor<FloatDType>;

/** The kernels this build can run, fastest first; the JS kernel is always there. */
const wasmKernel = loadWasmKernel();
export const kernels: readonly NormalizeKernel[] = wasmKernel ? [wasmKernel, jsKernel] : [jsKernel];

let activeKernel: NormalizeKernel = kernels[0];

/** Chooses the kernel the core runs; `kernels[0]`, the fastest this build has, runs until then. */
export function selectKernel(kernel: NormalizeKernel): void {
  activeKernel = kernel;
}

export function currentKernel(): string {
  return activeKernel.name;
}

/** An input of shape (N, C, *spatial), as (N, C, the product of the trailing dims). */
export function normShape(op: string, shape: readonly number[]): { N: number; C: number; length: number } {
  if (shape.length < 2) throw new ValueError(`${op}: expected an input of shape (N, C, ...), got shape [${shape.join(', ')}]`);
  let length = 1;
  for (let i = 2; i < shape.length; i++) length *= shape[i];
  return { N: shape[0], C: shape[1], length };
}

/** A per-channel vector (weight, bias, running statistic) must have shape [C]. */
export function checkChannelVector(op: string, name: string, t: FloatTensor | null | undefined, C: number): void {
  if (t == null) return;
  if (t.shape.length !== 1 || t.data.length !== C) {
    throw new ValueError(`${op}: ${name} must have shape [${C}] (one value per channel), got [${t.shape.join(', ')}]`);
  }
}

/**
 * `out` as given (a Tensor of the result's dtype and shape that does not overlap the input), or a
 * fresh tensor like `x`. `label` names `out` in the messages (a facade passes its own wording).
 */
export function prepareOut<D extends ComputeDType>(x: Tensor<D>, out: unknown, label: string): Tensor<D> {
  if (out === undefined) return new Tensor(x.dtype, allocate(x.dtype, x.size), x.shape);
  if (!(out instanceof Tensor)) throw new PyTypeError(`${label} must be a Tensor, but got ${describeValue(out)}`);
  if (out.dtype !== x.dtype) throw new PyTypeError(`${label} has dtype ${out.dtype}, but the result has dtype ${x.dtype}`);
  if (!sameShape(out.shape, x.shape)) {
    throw new ValueError(`${label} has shape [${out.shape.join(', ')}], but the result has shape [${x.shape.join(', ')}]`);
  }
  // The kernels read the input after writing parts of the output, so any overlap corrupts it.
  if (sharesMemory(out, x)) throw new ValueError(`${label} must not share memory with the input tensor`);
  return out as Tensor<D>;
}

/**
 * One pass of the active kernel; `args.x` and `args.y` are the data of tensors of `dtype`. float16
 * is stored as IEEE half bits and computed in float32 (a float32 kernel behind casts, as
 * MindSpore's kernels do). Called once per forward: no copies of `args` for float32 and float64.
 */
export function runKernel(dtype: ComputeDType, args: NormalizeArgs<Float32Array | Float64Array>): void {
  if (dtype === 'float32') activeKernel.normalize32(args as NormalizeArgs<Float32Array>);
  else if (dtype === 'float64') activeKernel.normalize64(args as NormalizeArgs<Float64Array>);
  else {
    const bits = args.x as unknown as Uint16Array;
    const wide = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) wide[i] = halfToNumber(bits[i]);
    const result = new Float32Array(bits.length);
    activeKernel.normalize32({ ...args, x: wide, y: result });
    const out = args.y as unknown as Uint16Array;
    for (let i = 0; i < out.length; i++) out[i] = numberToHalf(result[i]);
  }
}
