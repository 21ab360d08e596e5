/**
 * Running statistics.
 *
 * Instance normalization: every instance (n, c) keeps its own copy of channel c's running mean and
 * variance, blends its statistics into the copy (training) or leaves it as it is (inference), and
 * the running statistics become the mean of the copies over the batch. In exact arithmetic
 * unchanged copies average to themselves; with `'stepwise'` rounding the mean is a float sum
 * divided by N, which can move them by an ulp, and an empty batch gives NaN (0 / 0) in either
 * arithmetic.
 *
 * Batch normalization: each channel's batch statistics are blended into its running ones once.
 */
import type { FloatDType } from './dtype';
import type { Arithmetic } from './kernels/types';
import type { Tensor } from './tensor';

export interface RunningStats {
  runningMean: Tensor<FloatDType>;
  runningVar: Tensor<FloatDType>;
}

/** Per-instance statistics from the kernel: the mean and the sum of squared deviations of each row n * C + c. */
export interface InstanceStats {
  rowMean: Float64Array;
  rowM2: Float64Array;
  /** Elements per row. */
  length: number;
  momentum: number;
}

/**
 * Stores the batch mean of the per-instance copies into `running`, each copy blended with its
 * instance's statistics when `instances` is given (the unbiased variance for running_var).
 */
export function storeRunningStats(arithmetic: Arithmetic, running: RunningStats, instances: InstanceStats | null, N: number, C: number): void {
  if (arithmetic === 'accurate') accurateUpdate(running, instances, N, C);
  else stepwiseUpdate(running, instances, N, C);
}

/** Blend in float64 and average exactly: running = (1 - m) * running + m * mean over n of the statistic. */
function accurateUpdate(running: RunningStats, instances: InstanceStats | null, N: number, C: number): void {
  const mean = running.runningMean.data;
  const variance = running.runningVar.data;
  for (let c = 0; c < C; c++) {
    if (N === 0) {
      mean[c] = NaN;
      variance[c] = NaN;
      continue;
    }
    if (!instances) continue;
    const { rowMean, rowM2, length, momentum: m } = instances;
    let meanSum = 0;
    let varSum = 0;
    for (let n = 0; n < N; n++) {
      meanSum += rowMean[n * C + c];
      varSum += rowM2[n * C + c] / (length - 1);
    }
    mean[c] = (1 - m) * mean[c] + m * (meanSum / N);
    variance[c] = (1 - m) * variance[c] + m * (varSum / N);
  }
}

/** A batch's statistics per channel from the kernel: each channel's mean and sum of squared deviations over its `count` values. */
export interface ChannelStats {
  mean: Float64Array;
  m2: Float64Array;
  count: number;
  /** The batch's weight: running = (1 - momentum) * running + momentum * batch. */
  momentum: number;
}

/**
 * Blends each channel's batch mean and unbiased variance, m2 / (count - 1), into `running` (one
 * value per batch: count 1 gives a NaN variance, 0 / 0). 'stepwise' (a CPU batch-norm kernel's
 * update, float32 running statistics): momentum rounded to float32,
 * the mean blended in float32, the unbiased variance a float32 division, its product with the
 * momentum exact in float64 and the sum rounded to float32; float64 ones take the plain float64
 * formula. 'accurate': float64, rounded once when stored.
 */
export function blendChannelStats(arithmetic: Arithmetic, running: RunningStats, stats: ChannelStats): void {
  const mean = running.runningMean.data;
  const variance = running.runningVar.data;
  const { count, momentum } = stats;
  const C = mean.length;
  if (arithmetic === 'stepwise' && running.runningMean.dtype === 'float32') {
    const m = Math.fround(momentum);
    const keep = Math.fround(1 - m);
    const n1 = Math.fround(count - 1);
    for (let c = 0; c < C; c++) {
      mean[c] = Math.fround(Math.fround(m * stats.mean[c]) + Math.fround(keep * mean[c]));
      const unbiased = Math.fround(stats.m2[c] / n1);
      variance[c] = Math.fround(m * unbiased + Math.fround(keep * variance[c]));
    }
    return;
  }
  // float64 steps and 'accurate' take the same formula; typed-array stores round float32 once.
  for (let c = 0; c < C; c++) {
    mean[c] = momentum * stats.mean[c] + (1 - momentum) * mean[c];
    variance[c] = momentum * (stats.m2[c] / (count - 1)) + (1 - momentum) * variance[c];
  }
}

const identity = (v: number): number => v;

/**
 * Each copy blended in the running statistics' dtype (float32: momentum rounded to float32, the
 * mean blended in float32, the variance's first product in float64), then the batch mean as a
 * float sum in the order of an 8-lane (float32) or 4-lane (float64) SIMD cascade sum, divided by N.
 */
function stepwiseUpdate(running: RunningStats, instances: InstanceStats | null, N: number, C: number): void {
  const mean = running.runningMean.data;
  const variance = running.runningVar.data;
  const single = running.runningMean.dtype === 'float32';
  const round = single ? Math.fround : identity;
  const meanCopies = scratch(0, N * C);
  const varCopies = scratch(1, N * C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const r = n * C + c;
      if (!instances) {
        meanCopies[r] = mean[c];
        varCopies[r] = variance[c];
      } else if (single) {
        const m = Math.fround(instances.momentum);
        const keep = Math.fround(1 - m);
        meanCopies[r] = Math.fround(Math.fround(m * instances.rowMean[r]) + Math.fround(keep * mean[c]));
        const unbiased = Math.fround(instances.rowM2[r] / Math.fround(instances.length - 1));
        varCopies[r] = Math.fround(m * unbiased + Math.fround(keep * variance[c]));
      } else {
        const m = instances.momentum;
        meanCopies[r] = m * instances.rowMean[r] + (1 - m) * mean[c];
        varCopies[r] = m * (instances.rowM2[r] / (instances.length - 1)) + (1 - m) * variance[c];
      }
    }
  }
  const lanes = single ? 8 : 4;
  const n = round(N);
  for (let c = 0; c < C; c++) {
    mean[c] = round(columnSum(meanCopies, N, C, c, lanes, round) / n);
    variance[c] = round(columnSum(varCopies, N, C, c, lanes, round) / n);
  }
}

// Per-instance copies, reused across calls (a training loop calls this every step; fresh arrays
// per step measurably added GC work).
const copies: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

function scratch(which: 0 | 1, length: number): Float64Array {
  if (copies[which].length < length) copies[which] = new Float64Array(length);
  return copies[which];
}

type Round = (v: number) => number;

/**
 * The sum over n of column c of an (N, C) row-major array, in the order a SIMD CPU sum kernel adds it
 * (PyTorch's cascade_sum, aten/src/ATen/native/cpu/SumKernel.cpp): one column alone is summed as
 * `lanes`-wide vectors plus a scalar tail; otherwise columns in groups of 4 (or 4 vectors) take a
 * plain cascade, the rest a cascade split four ways.
 */
function columnSum(values: Float64Array, N: number, C: number, c: number, lanes: number, round: Round): number {
  if (C === 1) return N >= lanes ? vectorSum(values, N, lanes, round) : splitSum(values, 0, 1, N, round);
  const group = C >= lanes ? 4 * lanes : 4;
  return c < C - (C % group) ? cascade(values, c, C, N, round) : splitSum(values, c, C, N, round);
}

/** The vectors of `lanes` consecutive values, summed lane by lane (split four ways), after the scalar tail. */
function vectorSum(values: Float64Array, N: number, lanes: number, round: Round): number {
  const vectors = Math.floor(N / lanes);
  let total = 0;
  for (let k = vectors * lanes; k < N; k++) total = round(total + values[k]);
  for (let lane = 0; lane < lanes; lane++) total = round(total + splitSum(values, lane, lanes, vectors, round));
  return total;
}

/** row_sum: four interleaved cascades (values i = k mod 4), the remainder added to the first, then combined. */
function splitSum(values: Float64Array, first: number, stride: number, count: number, round: Round): number {
  const quarter = Math.floor(count / 4);
  let part0 = cascade(values, first, 4 * stride, quarter, round);
  for (let i = 4 * quarter; i < count; i++) part0 = round(part0 + values[first + i * stride]);
  part0 = round(part0 + cascade(values, first + stride, 4 * stride, quarter, round));
  part0 = round(part0 + cascade(values, first + 2 * stride, 4 * stride, quarter, round));
  return round(part0 + cascade(values, first + 3 * stride, 4 * stride, quarter, round));
}

/**
 * multi_row_sum for one column: values go into a level-0 accumulator, and every `step` of them the
 * levels carry upwards (level j is added into level j + 1 when the count is a multiple of
 * step^j), so that only sums of similar size meet; at the end the levels are added together.
 */
const levelScratch = new Float64Array(4);

function cascade(values: Float64Array, first: number, stride: number, count: number, round: Round): number {
  const levels = 4;
  const ceilLog2 = count <= 2 ? 1 : Math.ceil(Math.log2(count));
  const power = Math.max(4, Math.floor(ceilLog2 / levels));
  const step = 2 ** power;
  const acc = levelScratch;
  acc.fill(0);
  let i = 0;
  while (i + step <= count) {
    for (let j = 0; j < step; j++, i++) acc[0] = round(acc[0] + values[first + i * stride]);
    for (let j = 1; j < levels; j++) {
      acc[j] = round(acc[j] + acc[j - 1]);
      acc[j - 1] = 0;
      if ((i & ((step - 1) * 2 ** (j * power))) !== 0) break;
    }
  }
  for (; i < count; i++) acc[0] = round(acc[0] + values[first + i * stride]);
  for (let j = 1; j < levels; j++) acc[0] = round(acc[0] + acc[j]);
  return acc[0];
}
