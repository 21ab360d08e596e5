/**
 * Batch normalization over (N, C, *spatial) tensors: per channel c, over every batch entry and
 * every trailing position, y = (x - mean) / sqrt(var + eps) * weight + bias with the biased
 * variance; or with given per-channel statistics; plus the running-statistics blend, which takes
 * the unbiased variance. Framework rules (which statistics a mode uses, the momentum's meaning,
 * which checks come first, what each message says, which arithmetic) live in the facades.
 */
import type { ComputeDType } from './dtype';
import type { Arithmetic, NormalizeArgs, StatsRecord, StatsSource } from './kernels/types';
import { checkChannelVector, normShape, prepareOut, runKernel, type FloatTensor } from './normalize';
import { blendChannelStats, type RunningStats } from './running-stats';
import type { Tensor } from './tensor';

export type BatchNormOptions = {
  eps: number;
  /** How each step is rounded (see Arithmetic). */
  arithmetic: Arithmetic;
  weight?: FloatTensor | null;
  bias?: FloatTensor | null;
  /** Write the result here (same shape and dtype as the input) instead of allocating. */
  out?: Tensor;
  /** How errors about `out` name it (default `batch norm: out`). */
  outLabel?: string;
} & (
  | {
      /** Normalize each channel with the batch's own statistics (over N and every trailing dim). */
      useInputStats: true;
      /**
       * Blend the batch's statistics into these running ones: running = (1 - momentum) * running +
       * momentum * batch, the variance unbiased (an empty input leaves them as they are).
       */
      track?: RunningStats & { momentum: number };
    }
  | {
      /** Normalize with fixed per-channel statistics. */
      useInputStats: false;
      running: RunningStats;
    }
);

const OP = 'batch norm';

// Called once per forward: everything beyond the output is O(C).
export function batchNorm<D extends ComputeDType>(x: Tensor<D>, options: BatchNormOptions): Tensor<D> {
  const { N, C, length } = normShape(OP, x.shape);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  const track = options.useInputStats ? options.track : undefined;
  const running: RunningStats | undefined = options.useInputStats ? track : options.running;
  checkChannelVector(OP, 'weight', weight, C);
  checkChannelVector(OP, 'bias', bias, C);
  if (running) {
    checkChannelVector(OP, 'running_mean', running.runningMean, C);
    checkChannelVector(OP, 'running_var', running.runningVar, C);
  }
  const out = prepareOut(x, options.out, options.outLabel ?? `${OP}: out`);
  const record = track ? channelScratch(C) : null;
  const stats: StatsSource = options.useInputStats
    ? { from: 'channels', record }
    : { from: 'given', mean: options.running.runningMean.data, var: options.running.runningVar.data };
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x.data as Float32Array,
    y: out.data as Float32Array,
    rows: N * C,
    channels: C,
    length,
    eps: options.eps,
    arithmetic: options.arithmetic,
    weight: weight === null ? null : weight.data,
    bias: bias === null ? null : bias.data,
    stats,
  };
  runKernel(x.dtype, args);
  const count = N * length;
  if (track && record && count > 0) blendChannelStats(options.arithmetic, track, { mean: record.mean, m2: record.m2, count, momentum: track.momentum });
  return out;
}

// Per-channel statistics for the blend, reused across calls (consumed before batchNorm returns).
let scratch: StatsRecord = { mean: new Float64Array(0), m2: new Float64Array(0) };

function channelScratch(C: number): StatsRecord {
  if (scratch.mean.length !== C) scratch = { mean: new Float64Array(C), m2: new Float64Array(C) };
  return scratch;
}
