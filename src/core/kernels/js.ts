import type { NormalizeArgs, NormalizeKernel } from './types';

/**
 * The portable kernel: two passes over each row for the statistics (mean, then squared deviations:
 * the one-pass sum-of-squares formula loses everything when the mean is large against the spread),
 * then one pass writing (x - mean) * scale + shift, all in float64.
 */
function normalize(args: NormalizeArgs<Float32Array> | NormalizeArgs<Float64Array>): void {
  const { x, y, rows, channels, length, eps, weight, bias, stats } = args;
  for (let r = 0; r < rows; r++) {
    const c = r % channels;
    const start = r * length;
    const end = start + length;
    let mean: number;
    let invstd: number;
    if (stats.useInputStats) {
      let sum = 0;
      for (let i = start; i < end; i++) sum += x[i];
      mean = sum / length;
      let squares = 0;
      for (let i = start; i < end; i++) {
        const d = x[i] - mean;
        squares += d * d;
      }
      const variance = squares / length;
      if (stats.rowMean) stats.rowMean[r] = mean;
      if (stats.rowVar) stats.rowVar[r] = variance;
      // A constant row with eps 0 normalizes to 0 rather than NaN (PyTorch's InvStd rule).
      invstd = variance === 0 && eps === 0 ? 0 : 1 / Math.sqrt(variance + eps);
    } else {
      mean = stats.runningMean[c];
      invstd = 1 / Math.sqrt(stats.runningVar[c] + eps);
    }
    const scale = weight ? invstd * weight[c] : invstd;
    const shift = bias ? bias[c] : 0;
    for (let i = start; i < end; i++) y[i] = (x[i] - mean) * scale + shift;
  }
}

export const jsKernel: NormalizeKernel = {
  name: 'js',
  normalize32: normalize,
  normalize64: normalize,
};
