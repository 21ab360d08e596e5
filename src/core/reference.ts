/**
 * The float64 reference for instance normalization: the formulas written out as plainly as
 * possible, with no shared code with the fast kernel, so tests can hold one against the other.
 * Too slow for real use on purpose (it walks element by element through index arithmetic).
 */
import { readElement, Tensor } from './tensor';

export interface ReferenceOptions {
  eps: number;
  weight?: readonly number[];
  bias?: readonly number[];
  /** Normalize with these per-channel statistics instead of each instance's own. */
  running?: { mean: readonly number[]; var: readonly number[] };
}

export interface ReferenceResult {
  /** Output values, float64, same shape as the input. */
  y: Tensor<'float64'>;
  /** Per (n, c) mean and biased variance, indexed n * C + c. */
  mean: number[];
  biasedVar: number[];
  /** Per (n, c) unbiased (Bessel-corrected) variance, what running_var averages. */
  unbiasedVar: number[];
}

/** y[n,c,s] = (x[n,c,s] - mean[n,c]) / sqrt(var[n,c] + eps) * weight[c] + bias[c], over all trailing dims s. */
export function instanceNormReference(x: Tensor, options: ReferenceOptions): ReferenceResult {
  const [N, C] = x.shape;
  const M = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const at = (n: number, c: number, s: number): number => readElement(x.dtype, x.data, (n * C + c) * M + s);
  const y = new Float64Array(x.size);
  const mean: number[] = [];
  const biasedVar: number[] = [];
  const unbiasedVar: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let s = 0; s < M; s++) sum += at(n, c, s);
      const mu = sum / M;
      let squares = 0;
      for (let s = 0; s < M; s++) squares += (at(n, c, s) - mu) ** 2;
      const v = squares / M;
      mean.push(mu);
      biasedVar.push(v);
      unbiasedVar.push(squares / (M - 1));
      const useMean = options.running ? options.running.mean[c] : mu;
      const useVar = options.running ? options.running.var[c] : v;
      // PyTorch's InvStd: a zero variance with eps 0 gives invstd 0, not Infinity.
      const invstd = !options.running && useVar === 0 && options.eps === 0 ? 0 : 1 / Math.sqrt(useVar + options.eps);
      const w = options.weight ? options.weight[c] : 1;
      const b = options.bias ? options.bias[c] : 0;
      for (let s = 0; s < M; s++) y[(n * C + c) * M + s] = (at(n, c, s) - useMean) * invstd * w + b;
    }
  }
  return { y: new Tensor('float64', y, x.shape), mean, biasedVar, unbiasedVar };
}

/**
 * The running-statistics step PyTorch takes in training: each instance blends into its own copy
 * of the running value, and the copies are averaged over the batch.
 */
export function runningStatsReference(
  x: Tensor,
  running: { mean: readonly number[]; var: readonly number[] },
  momentum: number,
): { mean: number[]; var: number[] } {
  const [N, C] = x.shape;
  const stats = instanceNormReference(x, { eps: 0 });
  const mean: number[] = [];
  const variance: number[] = [];
  for (let c = 0; c < C; c++) {
    let m = 0;
    let v = 0;
    for (let n = 0; n < N; n++) {
      m += (1 - momentum) * running.mean[c] + momentum * stats.mean[n * C + c];
      v += (1 - momentum) * running.var[c] + momentum * stats.unbiasedVar[n * C + c];
    }
    mean.push(m / N);
    variance.push(v / N);
  }
  return { mean, var: variance };
}
