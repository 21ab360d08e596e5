/**
 * Batch normalization over (N, C, *spatial) tensors: per channel c, over every batch entry and
 * every trailing position, y = (x - mean) / sqrt(var + eps) * weight + bias with the biased
 * variance; or with given per-channel statistics; plus the running-statistics blend, which takes
 * the unbiased variance. Framework rules (which statistics a mode uses, the momentum's meaning,
 * which checks come first, what each message says, which arithmetic) live in the facades.
 */
import type { ComputeDType } from './dtype';
import { normalizePass, type NormOptions } from './normalize';
import { blendChannelStats, type RunningStats } from './running-stats';
import type { Tensor } from './tensor';

export type BatchNormOptions = NormOptions &
  (
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
  const track = options.useInputStats ? options.track : undefined;
  const running = options.useInputStats ? track : options.running;
  const pass = normalizePass(OP, x, options, options.useInputStats ? 'channels' : 'given', running, track !== undefined);
  const count = pass.N * pass.length;
  if (track && pass.record && count > 0) blendChannelStats(options.arithmetic, track, { mean: pass.record.mean, m2: pass.record.m2, count, momentum: track.momentum });
  return pass.out;
}
