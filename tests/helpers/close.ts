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

/**
 * How far PyTorch's float32 steps (the torch facade) may land from the exact answer: the mean,
 * beta = bias - mean * alpha and alpha are each rounded to float32, so the error grows with
 * |mean| / std of a slice (times the weight), plus the rounding of the output itself.
 */
export function stepwiseTolerance(x: Tensor, eps: number, options: { weight?: readonly number[]; bias?: readonly number[] } = {}): number {
  const [N, C] = x.shape;
  const L = x.size / (N * C);
  let worst = 0;
  for (let r = 0; r < N * C; r++) {
    let sum = 0;
    for (let i = 0; i < L; i++) sum += x.item(r * L + i);
    const mean = sum / L;
    let squares = 0;
    let peak = 0;
    for (let i = 0; i < L; i++) {
      squares += (x.item(r * L + i) - mean) ** 2;
      peak = Math.max(peak, Math.abs(x.item(r * L + i)));
    }
    const w = Math.abs(options.weight?.[r % C] ?? 1);
    const b = Math.abs(options.bias?.[r % C] ?? 0);
    worst = Math.max(worst, (peak * w) / Math.sqrt(squares / L + eps) + b);
  }
  return 1e-6 + 2 ** -21 * worst;
}
