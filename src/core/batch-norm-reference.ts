/**
 * The float64 reference for batch normalization, written apart from src/core/batch-norm.ts (no
 * shared code) so tests can hold one against the other: per channel over every (n, position),
 * element by element through index arithmetic. Too slow for real use on purpose.
 */
import type { ReferenceOptions } from './reference';
import { readElement, Tensor } from './tensor';

export interface BatchNormReferenceResult {
  /** Output values, float64, same shape as the input. */
  y: Tensor<'float64'>;
  /** Per-channel mean and variances of the input over N and every trailing dim. */
  mean: number[];
  biasedVar: number[];
  /** sum of squared deviations / (count - 1): what an unbiased running variance blends in. */
  unbiasedVar: number[];
}

/** y[n,c,s] = (x[n,c,s] - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c], statistics over all n and s. */
export function batchNormReference(x: Tensor, options: ReferenceOptions): BatchNormReferenceResult {
  const [N, C] = x.shape;
  const S = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const index = (n: number, c: number, s: number): number => (n * C + c) * S + s;
  const at = (n: number, c: number, s: number): number => readElement(x.dtype, x.data, index(n, c, s));
  const y = new Float64Array(x.size);
  const mean: number[] = [];
  const biasedVar: number[] = [];
  const unbiasedVar: number[] = [];
  for (let c = 0; c < C; c++) {
    const values: number[] = [];
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) values.push(at(n, c, s));
    const mu = values.reduce((a, v) => a + v, 0) / values.length;
    const squares = values.reduce((a, v) => a + (v - mu) * (v - mu), 0);
    mean.push(mu);
    biasedVar.push(squares / values.length);
    unbiasedVar.push(squares / (values.length - 1));
    const useMean = options.running ? options.running.mean[c] : mu;
    const useVar = options.running ? options.running.var[c] : squares / values.length;
    const w = options.weight ? options.weight[c] : 1;
    const b = options.bias ? options.bias[c] : 0;
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) y[index(n, c, s)] = ((at(n, c, s) - useMean) / Math.sqrt(useVar + options.eps)) * w + b;
    }
  }
  return { y: new Tensor('float64', y, x.shape), mean, biasedVar, unbiasedVar };
}

/** One training step's blend: running + momentum * (batch statistic - running), the biased or unbiased variance. */
export function batchRunningStatsReference(
  x: Tensor,
  running: { mean: readonly number[]; var: readonly number[] },
  momentum: number,
  unbiased: boolean,
): { mean: number[]; var: number[] } {
  const stats = batchNormReference(x, { eps: 1 });
  const batchVar = unbiased ? stats.unbiasedVar : stats.biasedVar;
  return {
    mean: running.mean.map((r, c) => r + momentum * (stats.mean[c] - r)),
    var: running.var.map((r, c) => r + momentum * (batchVar[c] - r)),
  };
}
