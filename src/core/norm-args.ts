/**
 * Argument checks every normalization op of the core makes, worded with the op's name: per-channel
 * vectors of length C, and the optional `out` tensor. (instance-norm.ts has its own copies, which
 * can move here when the kernels are reworked; issue 13.)
 */
import { allocate, type ComputeDType, type FloatDType } from './dtype';
import { PyTypeError, ValueError } from './errors';
import { sameShape, sharesMemory, Tensor } from './tensor';

/** A per-channel vector (weight, bias, running statistic) must have shape [C]. */
export function checkChannelVector(op: string, name: string, t: Tensor<FloatDType> | null | undefined, C: number): void {
  if (t == null) return;
  if (t.shape.length !== 1 || t.data.length !== C) {
    throw new ValueError(`${op}: ${name} must have shape [${C}] (one value per channel), got [${t.shape.join(', ')}]`);
  }
}

/** `out` as given (same dtype and shape as `x`, not overlapping it), or a fresh tensor like `x`. */
export function prepareOut<D extends ComputeDType>(op: string, x: Tensor<D>, out: Tensor | undefined): Tensor<D> {
  if (out === undefined) return new Tensor(x.dtype, allocate(x.dtype, x.size), x.shape);
  if (!(out instanceof Tensor)) throw new PyTypeError(`${op}: out must be a Tensor, got ${typeof out}`);
  if (out.dtype !== x.dtype) throw new PyTypeError(`${op}: out has dtype ${out.dtype}, but the result has dtype ${x.dtype}`);
  if (!sameShape(out.shape, x.shape)) {
    throw new ValueError(`${op}: out has shape [${out.shape.join(', ')}], but the result has shape [${x.shape.join(', ')}]`);
  }
  // The input must stay readable until the op returns (statistics, then normalization, per slice).
  if (sharesMemory(out, x)) throw new ValueError(`${op}: out must not share memory with the input tensor`);
  return out as Tensor<D>;
}
