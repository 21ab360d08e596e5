/**
 * A plain scalar emulation of the steps of ATen's CPU instance norm and batch norm (PyTorch 1.13 to
 * 2.10: Normalization.cpp instance_norm, batch_norm_cpu_update_stats_template,
 * cpu/batch_norm_kernel.cpp, cpu/SumKernel.cpp), written apart from the kernels for the kernel
 * tests: one element after the other, fused multiply-adds computed exactly with BigInt
 * (tests/helpers/exact.ts), the batch mean transliterated from multi_row_sum / row_sum.
 * Too slow for anything but tests.
 */
import { exactFma } from './exact';

type Format = 'float32' | 'float64';

/** Stores a float64 result in the tensor's dtype (one IEEE rounding to float32, or none). */
function store(v: number, format: Format): number {
  return format === 'float32' ? Math.fround(v) : v;
}

export interface AtenRowStats {
  mean: number;
  /** _var_sum: the sum of squared deviations, stored in the dtype. */
  varSum: number;
}

/** batch_norm_cpu_collect_stats_contiguous_impl for one row (n_batch is 1 in instance norm). */
export function atenRowStats(row: ArrayLike<number>, format: Format): AtenRowStats {
  const n = row.length;
  let sum = 0; // accscalar_t: double
  for (let i = 0; i < n; i++) sum += row[i];
  const mean = store(sum / n, format);
  let varSum = 0;
  for (let i = 0; i < n; i++) {
    const d = store(row[i] - mean, format);
    // float: (x - mean) * (x - mean) in float, added in double. double: pairs of squares as
    // 2-lane vectors, the last one of an odd row fused into the sum.
    if (format === 'float64' && n % 2 === 1 && i === n - 1) varSum = exactFma(d, d, varSum, 'float64');
    else varSum += store(d * d, format);
  }
  return { mean, varSum: store(varSum, format) };
}

/** InvStd over the row's own statistics, or 1 / sqrt(running_var + eps) in the dtype. */
export function atenInvStd(stats: AtenRowStats | null, length: number, runningVar: number, eps: number, format: Format): number {
  if (stats) {
    const variance = store(stats.varSum / store(length, format), format);
    return variance === 0 && eps === 0 ? 0 : store(1 / Math.sqrt(variance + eps), format);
  }
  return store(1 / store(Math.sqrt(store(runningVar + store(eps, format), format)), format), format);
}

/** batch_norm_cpu_contiguous_impl: alpha, beta = bias - mean * alpha (fused), y = x * alpha + beta (fused). */
export function atenApply(row: ArrayLike<number>, mean: number, invstd: number, weight: number, bias: number, format: Format): number[] {
  const alpha = store(invstd * weight, format);
  const beta = exactFma(-mean, alpha, bias, format);
  return Array.from(row, (x) => exactFma(x, alpha, beta, format));
}

export interface AtenResult {
  y: number[];
  stats: AtenRowStats[];
}

/**
 * Instance norm over rows (N * C rows of `length`), per the steps above; `given` statistics per
 * channel instead of each row's own.
 */
export function atenInstanceNorm(
  x: ArrayLike<number>,
  shape: { rows: number; channels: number; length: number },
  options: { eps: number; format: Format; weight?: ArrayLike<number>; bias?: ArrayLike<number>; given?: { mean: ArrayLike<number>; var: ArrayLike<number> } },
): AtenResult {
  const { rows, channels, length } = shape;
  const { eps, format } = options;
  const y: number[] = [];
  const stats: AtenRowStats[] = [];
  for (let r = 0; r < rows; r++) {
    const c = r % channels;
    const row = Array.prototype.slice.call(x, r * length, (r + 1) * length) as number[];
    const own = options.given ? null : atenRowStats(row, format);
    if (own) stats.push(own);
    const mean = own ? own.mean : options.given!.mean[c];
    const invstd = atenInvStd(own, length, own ? 0 : options.given!.var[c], eps, format);
    for (const v of atenApply(row, mean, invstd, options.weight ? options.weight[c] : 1, options.bias ? options.bias[c] : 0, format)) y.push(v);
  }
  return { y, stats };
}

/**
 * The running statistics after a step: each instance's copy updated as
 * batch_norm_cpu_update_stats_template writes it (momentum cast to the dtype), or unchanged
 * (`stats` null: eval, or an empty input), then running_[mean|var].view(N, C).mean(0).
 */
export function atenRunningStats(
  running: { mean: ArrayLike<number>; var: ArrayLike<number> },
  stats: AtenRowStats[] | null,
  shape: { n: number; channels: number; length: number },
  momentum: number,
  format: Format,
): { mean: number[]; var: number[] } {
  const { n, channels: C, length } = shape;
  const m = store(momentum, format);
  const keep = store(1 - m, format);
  const meanCopies: number[] = [];
  const varCopies: number[] = [];
  for (let i = 0; i < n * C; i++) {
    const c = i % C;
    if (!stats) {
      meanCopies.push(running.mean[c]);
      varCopies.push(running.var[c]);
      continue;
    }
    meanCopies.push(store(store(m * stats[i].mean, format) + store(keep * running.mean[c], format), format));
    const unbiased = store(stats[i].varSum / store(length - 1, format), format); // then held in a double
    varCopies.push(store(m * unbiased + store(keep * running.var[c], format), format));
  }
  return { mean: batchMean(meanCopies, n, C, format), var: batchMean(varCopies, n, C, format) };
}

/** at::mean(dim 0) of an (N, C) tensor on an AVX2 CPU: cascade_sum then div_(N). */
export function batchMean(values: number[], N: number, C: number, format: Format): number[] {
  const lanes = format === 'float32' ? 8 : 4; // Vectorized<float> / Vectorized<double> with AVX2
  const add = (a: number, b: number) => store(a + b, format);
  const at = (i: number, j: number) => values[i * C + j];
  const sums: number[] = new Array(C).fill(0);
  if (C === 1) {
    // vectorized_inner_sum (N >= lanes) or scalar_inner_sum: the column is contiguous.
    const column = Array.from({ length: N }, (_, i) => at(i, 0));
    if (N >= lanes) {
      const vectors = Math.floor(N / lanes);
      const laneSums = rowSum(vectors, lanes, (i, k) => column[i * lanes + k], add);
      let total = 0;
      for (let k = vectors * lanes; k < N; k++) total = add(total, column[k]);
      for (let k = 0; k < lanes; k++) total = add(total, laneSums[k]);
      sums[0] = total;
    } else {
      sums[0] = rowSum(N, 1, (i) => column[i], add)[0];
    }
  } else if (C >= lanes) {
    // vectorized_outer_sum: 4 vectors of columns at a time (multi_row_sum), then one vector (row_sum), then scalars (row_sum).
    let j = 0;
    for (; j + 4 * lanes <= C; j += 4 * lanes) {
      const block = multiRowSum(N, 4 * lanes, (i, k) => at(i, j + k), add);
      block.forEach((v, k) => (sums[j + k] = v));
    }
    for (; j + lanes <= C; j += lanes) rowSum(N, lanes, (i, k) => at(i, j + k), add).forEach((v, k) => (sums[j + k] = v));
    for (; j < C; j++) sums[j] = rowSum(N, 1, (i) => at(i, j), add)[0];
  } else {
    // scalar_outer_sum: 4 columns at a time (multi_row_sum), the rest one by one (row_sum).
    let j = 0;
    for (; j + 3 < C; j += 4) multiRowSum(N, 4, (i, k) => at(i, j + k), add).forEach((v, k) => (sums[j + k] = v));
    for (; j < C; j++) sums[j] = rowSum(N, 1, (i) => at(i, j), add)[0];
  }
  return sums.map((s) => store(s / store(N, format), format));
}

type Load = (i: number, k: number) => number;
type Add = (a: number, b: number) => number;

/** multi_row_sum<acc_t, nrows>: `width` independent accumulators over `size` steps, in 4 levels. */
function multiRowSum(size: number, width: number, load: Load, add: Add): number[] {
  const numLevels = 4;
  const ceilLog2 = size <= 2 ? 1 : Math.ceil(Math.log2(size));
  const levelPower = Math.max(4, Math.floor(ceilLog2 / numLevels));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  const acc = Array.from({ length: numLevels }, () => new Array(width).fill(0));
  let i = 0;
  for (; i + levelStep <= size; ) {
    for (let j = 0; j < levelStep; j++, i++) for (let k = 0; k < width; k++) acc[0][k] = add(acc[0][k], load(i, k));
    for (let j = 1; j < numLevels; j++) {
      for (let k = 0; k < width; k++) {
        acc[j][k] = add(acc[j][k], acc[j - 1][k]);
        acc[j - 1][k] = 0;
      }
      const mask = levelMask * 2 ** (j * levelPower);
      if ((i & mask) !== 0) break;
    }
  }
  for (; i < size; i++) for (let k = 0; k < width; k++) acc[0][k] = add(acc[0][k], load(i, k));
  for (let j = 1; j < numLevels; j++) for (let k = 0; k < width; k++) acc[0][k] = add(acc[0][k], acc[j][k]);
  return acc[0];
}

/** row_sum<acc_t> (ilp_factor 4): the steps viewed as (-1, 4), four partial sums, the remainder into the first. */
function rowSum(size: number, width: number, load: Load, add: Add): number[] {
  const ilp = 4;
  const sizeIlp = Math.floor(size / ilp);
  // multi_row_sum<acc_t, ilp> over the 4 interleaved sequences; each of `width` lanes separately.
  const partial = Array.from({ length: ilp }, (_, p) => multiRowSum(sizeIlp, width, (i, k) => load(i * ilp + p, k), add));
  for (let i = sizeIlp * ilp; i < size; i++) for (let k = 0; k < width; k++) partial[0][k] = add(partial[0][k], load(i, k));
  for (let p = 1; p < ilp; p++) for (let k = 0; k < width; k++) partial[0][k] = add(partial[0][k], partial[p][k]);
  return partial[0];
}

// ---------------------------------------------------------------- batch norm

export interface AtenBatchShape {
  N: number;
  C: number;
  /** Elements per (n, c) slice: the product of the trailing dims. */
  length: number;
}

/** Channel c's values in memory order: batch entry n, then position i. */
function channelValues(x: ArrayLike<number>, shape: AtenBatchShape, c: number): number[] {
  const values: number[] = [];
  for (let n = 0; n < shape.N; n++) for (let i = 0; i < shape.length; i++) values.push(x[(n * shape.C + c) * shape.length + i]);
  return values;
}

/**
 * batch_norm_cpu_collect_stats_kernel for channel c. A slice of more than one element takes the
 * contiguous kernel (batch_norm_kernel.cpp collect_stats_contiguous_impl: the double sum over n,
 * then i; float squares added in double, in float64 the last square of each odd-length slice
 * fused); a slice of one element the channels-last kernel on one thread (collect_stats_channels_last_impl:
 * the values added to a float buffer, then `buf + (x - mean) * (x - mean)` fused).
 */
export function atenChannelStats(x: ArrayLike<number>, shape: AtenBatchShape, c: number, format: Format): AtenRowStats {
  const values = channelValues(x, shape, c);
  const n = values.length;
  if (shape.length === 1) {
    let buffer = 0; // scalar_t
    for (const v of values) buffer = store(v + buffer, format);
    const mean = store(buffer / n, format); // the double sum of the one buffer row, over N
    let squares = 0;
    for (const v of values) {
      const d = store(v - mean, format);
      squares = exactFma(d, d, squares, format);
    }
    return { mean, varSum: squares };
  }
  let sum = 0; // accscalar_t: double
  for (const v of values) sum += v;
  const mean = store(sum / n, format);
  let varSum = 0;
  values.forEach((v, j) => {
    const d = store(v - mean, format);
    const lastOfOddSlice = shape.length % 2 === 1 && j % shape.length === shape.length - 1;
    if (format === 'float64' && lastOfOddSlice) varSum = exactFma(d, d, varSum, 'float64');
    else varSum += store(d * d, format);
  });
  return { mean, varSum: store(varSum, format) };
}

/** Batch norm over (N, C, L) per the steps above: each channel's own statistics, or `given` ones. */
export function atenBatchNorm(
  x: ArrayLike<number>,
  shape: AtenBatchShape,
  options: { eps: number; format: Format; weight?: ArrayLike<number>; bias?: ArrayLike<number>; given?: { mean: ArrayLike<number>; var: ArrayLike<number> } },
): AtenResult {
  const { N, C, length } = shape;
  const { eps, format } = options;
  const y: number[] = new Array(N * C * length);
  const stats: AtenRowStats[] = [];
  for (let c = 0; c < C; c++) {
    const own = options.given ? null : atenChannelStats(x, shape, c, format);
    if (own) stats.push(own);
    const mean = own ? own.mean : options.given!.mean[c];
    const invstd = atenInvStd(own, N * length, own ? 0 : options.given!.var[c], eps, format);
    const out = atenApply(channelValues(x, shape, c), mean, invstd, options.weight ? options.weight[c] : 1, options.bias ? options.bias[c] : 0, format);
    let j = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < length; i++) y[(n * C + c) * length + i] = out[j++];
  }
  return { y, stats };
}

/**
 * The running statistics after a training step (batch_norm_cpu_update_stats_template): momentum
 * cast to the dtype; running_mean = m * mean + (1 - m) * running_mean in the dtype; the unbiased
 * variance var_sum / (n - 1) in the dtype, then m * unbiased (in double) + (1 - m) * running_var.
 */
export function atenBatchRunningStats(
  running: { mean: ArrayLike<number>; var: ArrayLike<number> },
  stats: AtenRowStats[],
  count: number,
  momentum: number,
  format: Format,
): { mean: number[]; var: number[] } {
  const m = store(momentum, format);
  const keep = store(1 - m, format);
  return {
    mean: stats.map((s, c) => store(store(m * s.mean, format) + store(keep * running.mean[c], format), format)),
    var: stats.map((s, c) => {
      const unbiased = store(s.varSum / store(count - 1, format), format);
      return store(m * unbiased + store(keep * running.var[c], format), format);
    }),
  };
}
