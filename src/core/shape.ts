/** Shape arithmetic shared by Tensor, the kernels' callers and the formats (no Tensor needed). */

/** Elements in `shape` from dim `from` on (`numel(x.shape, 2)`: one (n, c) slice), without slicing. */
export function numel(shape: readonly number[], from = 0): number {
  let n = 1;
  for (let i = from; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Element strides of a contiguous row-major array of `shape`. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
