/**
 * Instance normalization over (N, C, *spatial) tensors: per (n, c) over all trailing dims,
 * y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance; plus the
 * running-statistics update. Framework rules (which statistics a mode uses, which checks come
 * first, what each message says, which arithmetic) live in the facades.
 */
import type { ComputeDType } from './dtype';
import type { Arithmetic, NormalizeArgs, StatsRecord, StatsSource } from './kernels/types';
import { checkChannelVector, normShape, prepareOut, runKernel, type FloatTensor } from './normalize';
import { storeRunningStats, type RunningStats } from './running-stats';
import type { Tensor } from './tensor';

export type { Arithmetic } from './kernels/types';
export type { RunningStats } from './running-stats';
export type { FloatTensor } from './normalize';
// src/site's playground names the kernel it runs from here.
export { currentKernel } from './normalize';

export type InstanceNormOptions = {
  eps: number;
  /** How each step is rounded (see Arithmetic). */
  arithmetic: Arithmetic;
  weight?: FloatTensor | null;
  bias?: FloatTensor | null;
  /** Write the result here (same shape and dtype as the input) instead of allocating. */
  out?: Tensor;
  /** How errors about `out` name it (default `instance norm: out`). */
  outLabel?: string;
} & (
  | {
      /** Normalize each (n, c) slice with its own statistics. */
      useInputStats: true;
      /**
       * Blend each instance's statistics into its own copy of these running ones, then store the
       * copies' mean over the batch (momentum 0 keeps the copies; an empty input leaves them as they are).
       */
      track?: RunningStats & { momentum: number };
    }
  | {
      /** Normalize with fixed per-channel statistics. */
      useInputStats: false;
      running: RunningStats;
      /**
       * Afterwards store back the batch mean of one unchanged copy per instance: exact in
       * 'accurate' arithmetic, possibly an ulp off in 'stepwise', NaN for an empty batch.
       */
      storeBack?: boolean;
    }
);

const OP = 'instance norm';

// Called once per forward: no closures, spreads or temporary arrays here (the [1, 2, 4] case
// is a budget of about a microsecond); everything beyond the output is O(N * C).
export function instanceNorm<D extends ComputeDType>(x: Tensor<D>, options: InstanceNormOptions): Tensor<D> {
  const { N, C, length } = normShape(OP, x.shape);
  const track = options.useInputStats ? options.track : undefined;
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  checkChannelVector(OP, 'weight', weight, C);
  checkChannelVector(OP, 'bias', bias, C);
  const running: RunningStats | undefined = options.useInputStats ? track : options.running;
  if (running) {
    checkChannelVector(OP, 'running_mean', running.runningMean, C);
    checkChannelVector(OP, 'running_var', running.runningVar, C);
  }
  const out = prepareOut(x, options.out, options.outLabel ?? `${OP}: out`);
  const rows = N * C;
  const record = track ? rowScratch(rows) : null;
  const stats: StatsSource = options.useInputStats
    ? { from: 'rows', record }
    : { from: 'given', mean: options.running.runningMean.data, var: options.running.runningVar.data };
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x.data as Float32Array,
    y: out.data as Float32Array,
    rows,
    channels: C,
    length,
    eps: options.eps,
    arithmetic: options.arithmetic,
    weight: weight === null ? null : weight.data,
    bias: bias === null ? null : bias.data,
    stats,
  };
  runKernel(x.dtype, args);
  if (track && record) {
    const instances = N > 0 && length > 0 ? { rowMean: record.mean, rowM2: record.m2, length, momentum: track.momentum } : null;
    storeRunningStats(options.arithmetic, track, instances, N, C);
  } else if (!options.useInputStats && options.storeBack) {
    storeRunningStats(options.arithmetic, options.running, null, N, C);
  }
  return out;
}

// Per-row statistics for the running-statistics update, reused across calls (the update consumes
// them before instanceNorm returns): fresh arrays per training step measurably added GC work.
let scratch: StatsRecord = { mean: new Float64Array(0), m2: new Float64Array(0) };

/** At least `rows` entries each (the kernel writes, and the update reads, the first `rows`). */
function rowScratch(rows: number): StatsRecord {
  if (scratch.mean.length < rows) scratch = { mean: new Float64Array(rows), m2: new Float64Array(rows) };
  return scratch;
}
