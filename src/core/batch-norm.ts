/**
 * Batch normalization over (N, C, *spatial) tensors: per channel c, over every batch entry and
 * every trailing position, y = (x - mean) / sqrt(var + eps) * weight + bias with the biased
 * variance; or with given per-channel statistics; plus the running-statistics blend. Framework
 * rules (which statistics a mode uses, the momentum's meaning, which checks come first, what each
 * message says) live in the facades.
 *
 * Arithmetic: two passes per channel in float64 (the sum for the mean, then the squared
 * deviations), the normalization in float64, one rounding to the output dtype. float16 input is
 * widened to float32, computed, rounded to float32 and then to float16 (a float32 kernel behind
 * casts). The per-channel reduction is plain JS for now; it is meant to move into the kernels.
 */
import { halfToNumber, numberToHalf, type ComputeDType } from './dtype';
import { ValueError } from './errors';
import type { FloatTensor, RunningStats } from './instance-norm';
import { inputInvStd } from './kernels/types';
import { checkChannelVector, prepareOut } from './norm-args';
import { numel, Tensor } from './tensor';

export interface RunningStatsUpdate extends RunningStats {
  /** The batch's weight in the blend: running = (1 - momentum) * running + momentum * batch. */
  momentum: number;
  /** Blend the unbiased variance, sum / (count - 1), into runningVar (else the biased sum / count). */
  unbiased: boolean;
}

export type BatchNormOptions = {
  eps: number;
  weight?: FloatTensor | null;
  bias?: FloatTensor | null;
  /** Write the result here (same shape and dtype as the input) instead of allocating. */
  out?: Tensor;
} & (
  | {
      /** Normalize each channel with the batch's own statistics (over N and every trailing dim). */
      useInputStats: true;
      /** Blend the batch's statistics into these running ones (momentum 0 leaves them as they are). */
      track?: RunningStatsUpdate;
    }
  | ({ /** Normalize with fixed per-channel statistics. */ useInputStats: false } & RunningStats)
);

const OP = 'batch norm';

export function batchNorm<D extends ComputeDType>(x: Tensor<D>, options: BatchNormOptions): Tensor<D> {
  const shape = x.shape;
  if (shape.length < 2) throw new ValueError(`${OP}: expected an input of shape (N, C, ...), got shape [${shape.join(', ')}]`);
  const C = shape[1];
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  const track = options.useInputStats ? options.track : undefined;
  const running: RunningStats | undefined = options.useInputStats ? track : options;
  checkChannelVector(OP, 'weight', weight, C);
  checkChannelVector(OP, 'bias', bias, C);
  if (running) {
    checkChannelVector(OP, 'running_mean', running.runningMean, C);
    checkChannelVector(OP, 'running_var', running.runningVar, C);
  }
  const out = prepareOut(OP, x, options.out);
  const half = x.dtype === 'float16';
  const input = half ? widenHalf(x.data as Uint16Array) : (x.data as Float32Array | Float64Array);
  const result = half ? new Float32Array(x.size) : (out.data as Float32Array | Float64Array);
  const layout: Layout = { batch: shape[0], channels: C, inner: numel(shape, 2) };
  const count = layout.batch * layout.inner;
  for (let c = 0; c < C; c++) {
    let mean: number;
    let invstd: number;
    if (options.useInputStats) {
      const moments = channelMoments(input, layout, c);
      mean = moments.mean;
      invstd = inputInvStd(moments.variance, options.eps);
      if (track && count > 0) blend(track, c, moments, count);
    } else {
      mean = options.runningMean.data[c];
      invstd = 1 / Math.sqrt(options.runningVar.data[c] + options.eps);
    }
    const scale = (weight === null ? 1 : weight.data[c]) * invstd;
    const shift = bias === null ? 0 : bias.data[c];
    forEachRun(layout, c, (start, end) => {
      for (let i = start; i < end; i++) result[i] = (input[i] - mean) * scale + shift;
    });
  }
  if (half) for (let i = 0; i < x.size; i++) (out.data as Uint16Array)[i] = numberToHalf(result[i]);
  return out;
}

interface Layout {
  batch: number;
  channels: number;
  /** Elements per (n, c) slice: the product of the trailing dims. */
  inner: number;
}

/** Calls `fn` with the flat range of channel c's slice in each batch entry. */
function forEachRun(layout: Layout, c: number, fn: (start: number, end: number) => void): void {
  for (let n = 0; n < layout.batch; n++) {
    const start = (n * layout.channels + c) * layout.inner;
    fn(start, start + layout.inner);
  }
}

/** Channel c's mean and biased variance over every batch entry, two passes in float64 (NaN when empty). */
function channelMoments(x: Float32Array | Float64Array, layout: Layout, c: number): { mean: number; variance: number } {
  let sum = 0;
  forEachRun(layout, c, (start, end) => {
    for (let i = start; i < end; i++) sum += x[i];
  });
  const count = layout.batch * layout.inner;
  const mean = sum / count;
  let squares = 0;
  forEachRun(layout, c, (start, end) => {
    for (let i = start; i < end; i++) {
      const d = x[i] - mean;
      squares += d * d;
    }
  });
  return { mean, variance: squares / count };
}

/**
 * running = (1 - m) * running + m * batch, in float64, rounded once into the running tensors. With
 * `unbiased` and a single value per channel the correction is count / 0 = Infinity and the blended
 * variance NaN (0 * Infinity), as a kernel computing n / (n - 1) gets.
 */
function blend(track: RunningStatsUpdate, c: number, moments: { mean: number; variance: number }, count: number): void {
  const m = track.momentum;
  const variance = track.unbiased ? moments.variance * (count / (count - 1)) : moments.variance;
  track.runningMean.data[c] = (1 - m) * track.runningMean.data[c] + m * moments.mean;
  track.runningVar.data[c] = (1 - m) * track.runningVar.data[c] + m * variance;
}

function widenHalf(bits: Uint16Array): Float32Array {
  const wide = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = halfToNumber(bits[i]);
  return wide;
}
