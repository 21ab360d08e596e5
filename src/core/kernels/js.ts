import { inputInvStd, type NormalizeArgs, type NormalizeKernel } from './types';

/**
 * The portable kernel: two passes over each row for the statistics (mean, then squared deviations:
 * the one-pass sum-of-squares formula loses everything when the mean is large against the spread),
 * then one pass writing (x - mean) * scale + shift, all in float64. The sums run in four
 * independent accumulators (a single chain waits on each add's latency), and the float32 and
 * float64 versions are separate functions with the same body so that V8 sees one array type in
 * each (shared code would be polymorphic and several times slower).
 */

// Results of the last rowStats call (module scratch: no allocation per row).
let rowMean = 0;
let rowVariance = 0;

function rowStats32(x: Float32Array, start: number, end: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  const n = end - start;
  const mean = (s0 + s1 + s2 + s3) / n;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i] - mean;
    const d1 = x[i + 1] - mean;
    const d2 = x[i + 2] - mean;
    const d3 = x[i + 3] - mean;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i] - mean;
    q0 += d * d;
  }
  rowMean = mean;
  rowVariance = (q0 + q1 + q2 + q3) / n;
}

function rowStats64(x: Float64Array, start: number, end: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  const n = end - start;
  const mean = (s0 + s1 + s2 + s3) / n;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i] - mean;
    const d1 = x[i + 1] - mean;
    const d2 = x[i + 2] - mean;
    const d3 = x[i + 3] - mean;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i] - mean;
    q0 += d * d;
  }
  rowMean = mean;
  rowVariance = (q0 + q1 + q2 + q3) / n;
}

function apply32(x: Float32Array, y: Float32Array, start: number, end: number, mean: number, scale: number, shift: number): void {
  for (let i = start; i < end; i++) y[i] = (x[i] - mean) * scale + shift;
}

function apply64(x: Float64Array, y: Float64Array, start: number, end: number, mean: number, scale: number, shift: number): void {
  for (let i = start; i < end; i++) y[i] = (x[i] - mean) * scale + shift;
}

/** Per row: statistics (own or fixed), then the normalize pass; `stats`/`apply` fit the array type. */
function normalizeRows<A extends Float32Array | Float64Array>(
  args: NormalizeArgs<A>,
  stats: (x: A, start: number, end: number) => void,
  apply: (x: A, y: A, start: number, end: number, mean: number, scale: number, shift: number) => void,
): void {
  const { x, y, rows, channels, length, eps, weight, bias, stats: source } = args;
  for (let r = 0; r < rows; r++) {
    const c = r % channels;
    const start = r * length;
    const end = start + length;
    let mean: number;
    let invstd: number;
    if (source.useInputStats) {
      stats(x, start, end);
      mean = rowMean;
      const variance = rowVariance;
      if (source.rowMean) source.rowMean[r] = mean;
      if (source.rowVar) source.rowVar[r] = variance;
      invstd = inputInvStd(variance, eps);
    } else {
      mean = source.runningMean[c];
      invstd = 1 / Math.sqrt(source.runningVar[c] + eps);
    }
    const scale = weight ? invstd * weight[c] : invstd;
    const shift = bias ? bias[c] : 0;
    apply(x, y, start, end, mean, scale, shift);
  }
}

export const jsKernel: NormalizeKernel = {
  name: 'js',
  normalize32: (args) => normalizeRows(args, rowStats32, apply32),
  normalize64: (args) => normalizeRows(args, rowStats64, apply64),
};
