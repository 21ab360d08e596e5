import { Tensor, type NestedNumbers } from '../../src/core/tensor';

/** Largest |a - b| over two tensors or nested lists of the same shape. */
export function maxAbsDiff(a: Tensor | NestedNumbers, b: Tensor | NestedNumbers): number {
  const ta = a instanceof Tensor ? a : Tensor.from(a, { dtype: 'float64' });
  const tb = b instanceof Tensor ? b : Tensor.from(b, { dtype: 'float64' });
  expect([...ta.shape]).toEqual([...tb.shape]);
  let max = 0;
  for (let i = 0; i < ta.size; i++) {
    const d = Math.abs(ta.item(i) - tb.item(i));
    if (Number.isNaN(d)) return NaN;
    max = Math.max(max, d);
  }
  return max;
}

/** A tensor's values as plain numbers, in row-major order. */
export function values(t: Tensor): number[] {
  return Array.from({ length: t.size }, (_, i) => t.item(i));
}
