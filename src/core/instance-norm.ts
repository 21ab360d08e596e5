/**
 * Instance normalization over (N, C, *spatial) tensors: per (n, c) over all trailing dims,
 * y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance; plus the
 * running-statistics update. Framework rules (which statistics a mode uses, which checks come
 * first, what each message says, which arithmetic) live in the facades.
 */
import type { ComputeDType } from './dtype';
import { normalizePass, type NormOptions } from './normalize';
import { storeRunningStats, type RunningStats } from './running-stats';
import type { Tensor } from './tensor';

export type { Arithmetic } from './kernels/types';
export type { RunningStats } from './running-stats';
export type { FloatTensor } from './normalize';
// src/site's playground names the kernel it runs from here.
export { currentKernel } from './normalize';

export type InstanceNormOptions = NormOptions &
  (
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
  const track = options.useInputStats ? options.track : undefined;
  const running = options.useInputStats ? track : options.running;
  const pass = normalizePass(OP, x, options, options.useInputStats ? 'rows' : 'given', running, track !== undefined);
  const { N, C, length, record } = pass;
  if (track && record) {
    const instances = N > 0 && length > 0 ? { rowMean: record.mean, rowM2: record.m2, length, momentum: track.momentum } : null;
    storeRunningStats(options.arithmetic, track, instances, N, C);
  } else if (!options.useInputStats && options.storeBack) {
    storeRunningStats(options.arithmetic, options.running, null, N, C);
  }
  return pass.out;
}
