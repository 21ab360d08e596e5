/**
 * torch.nn.InstanceNorm1d / 2d / 3d: PyTorch's `_InstanceNorm` over `_NormBase` (./batchnorm.ts),
 * with three thin subclasses that only say how many dims an unbatched input has.
 *
 * Sources (PyTorch PYTORCH_RELEASE): torch/nn/modules/instancenorm.py (forward,
 * _load_from_state_dict), functional.py (instance_norm, _verify_spatial_size) and ATen's
 * Normalization.cpp (instance_norm, _batch_norm_impl_index, batch_norm_cpu) with
 * cpu/batch_norm_kernel.cpp, whose steps the core's 'stepwise' arithmetic follows. forward() does
 * no schema parsing and allocates only the output and O(N * C) scratch: it runs per call.
 */
import { IndexError, RuntimeError, ValueError } from '../core/errors';
import { instanceNorm } from '../core/instance-norm';
import type { FloatTensor } from '../core/normalize';
import { storeRunningStats } from '../core/running-stats';
import { numel, Tensor } from '../core/tensor';
import { warn } from '../core/warnings';
import { _NormBase, type ForwardOptions } from './batchnorm';
import { torchSize } from './module';
import { INSTANCE_NORM_INIT, type NormArgs } from './options';

export abstract class _InstanceNorm extends _NormBase {
  /** Input dims without the batch dim: 2 for 1d, 3 for 2d, 4 for 3d. */
  protected abstract readonly noBatchDim: number;
  /** Python shows a warning once per place; here once per module, so a training loop does not flood. */
  private warnedChannels = false;

  constructor(...args: NormArgs) {
    super(INSTANCE_NORM_INIT, args);
  }

  /** `_check_input_dim`: the unbatched or the batched rank. */
  protected _check_input_dim(input: Tensor): void {
    const dims = input.ndim;
    if (dims !== this.noBatchDim && dims !== this.noBatchDim + 1) {
      throw new ValueError(`expected ${this.noBatchDim}D or ${this.noBatchDim + 1}D input (got ${dims}D input)`);
    }
  }

  /** `module(input)`. `options.out` is this package's addition (PyTorch modules have none). */
  forward(input: Tensor, options?: ForwardOptions): Tensor {
    const out = this.readForward(input, options);
    this._check_input_dim(input);
    const dims = input.ndim;
    const featureDim = dims - this.noBatchDim;
    if (input.shape[featureDim] !== this.num_features) {
      if (this.affine) {
        throw new ValueError(`expected input's size at dim=${featureDim} to match num_features (${this.num_features}), but got: ${input.shape[featureDim]}.`);
      }
      if (!this.warnedChannels) {
        this.warnedChannels = true;
        warn(`input's size at dim=${featureDim} does not match num_features. You can silence this warning by not passing in num_features, which is not used because affine=False`);
      }
    }
    if (dims === this.noBatchDim) {
      // _handle_no_batch_input: unsqueeze(0), normalize, squeeze(0); errors below show the batched shape.
      const batchedOut = out instanceof Tensor ? out.reshape([1, ...out.shape]) : out;
      return this.applyInstanceNorm(input.reshape([1, ...input.shape]), batchedOut).reshape(input.shape);
    }
    return this.applyInstanceNorm(input, out);
  }

  /**
   * F.instance_norm and ATen's instance_norm, in their order of checks. ATen normalizes the
   * (1, N * C, *) view with batch norm over running stats repeated N times and then copies the
   * mean of the N copies back, in eval too: the core's track/storeBack.
   */
  private applyInstanceNorm(x: Tensor, out: unknown): Tensor {
    const useInputStats = this.training || !this.track_running_stats;
    const N = x.shape[0];
    const C = x.shape[1];
    const spatial = numel(x.shape, 2);
    if (useInputStats && spatial === 1) {
      throw new ValueError(`Expected more than 1 spatial element when training, got input size ${torchSize(x.shape)}`);
    }
    if (x.size === 0) return this.emptyInput(x, out);
    // ATen repeats the running stats N times, so its size check counts N * C elements.
    if (this.track_running_stats && C !== this.num_features) {
      throw new RuntimeError(`running_mean should contain ${N * C} elements not ${N * this.num_features}`);
    }
    const input = this.checkDTypes(x);
    const weight = this.weight as FloatTensor | null;
    const bias = this.bias as FloatTensor | null;
    const runningMean = this.running_mean as FloatTensor | null;
    const runningVar = this.running_var as FloatTensor | null;
    // One literal per call shape, no spreads: this runs per forward, and spread-built options cost microseconds.
    const { eps, outLabel } = this;
    const o = out as Tensor | undefined;
    if (!runningMean || !runningVar) return instanceNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out: o, outLabel, useInputStats: true });
    if (!useInputStats) {
      return instanceNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out: o, outLabel, useInputStats: false, running: { runningMean, runningVar }, storeBack: true });
    }
    const track = { runningMean, runningVar, momentum: this.momentum ?? 0 };
    return instanceNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out: o, outLabel, useInputStats: true, track });
  }

  /**
   * numel == 0: ATen returns a copy (times weight[0], plus bias[0]: an IndexError when N == 0,
   * since the weight was repeated 0 times) and then, in training and eval alike, stores the mean of
   * the N unchanged copies of the running stats (NaN for N == 0), or fails to view or broadcast
   * them when the channels differ.
   */
  private emptyInput(x: Tensor, out: unknown): Tensor {
    const [N, C] = x.shape;
    const F = this.num_features;
    if (this.affine && N === 0) throw new IndexError('select(): index 0 out of range for tensor of size [0] at dimension 0');
    const runningMean = this.running_mean as FloatTensor | null;
    const runningVar = this.running_var as FloatTensor | null;
    if (runningMean && runningVar) {
      if (N > 0 && C !== F) throw new RuntimeError(`shape '[${N}, ${C}]' is invalid for input of size ${N * F}`);
      if (N === 0 && C !== F && C !== 1) {
        throw new RuntimeError(`The size of tensor a (${F}) must match the size of tensor b (${C}) at non-singleton dimension 0`);
      }
      storeRunningStats('stepwise', { runningMean, runningVar }, null, N, F);
    }
    return this.emptyResult(x, out);
  }

  /**
   * `_InstanceNorm._load_from_state_dict`, then `_NormBase`'s: a dict without version metadata (a
   * pre-0.4 checkpoint, or one built by hand) must not carry running stats a non-tracking module
   * lacks (an error even when not strict), and may lack num_batches_tracked (kept as it is).
   */
  protected override _prepareStateDict(incoming: Map<string, unknown>, prefix: string, version: number | undefined, errors: string[]): void {
    const klass = this._get_name();
    if (version === undefined && !this.track_running_stats) {
      const keys = ['running_mean', 'running_var'].map((n) => prefix + n).filter((k) => incoming.has(k));
      if (keys.length > 0) {
        errors.push(
          `Unexpected running stats buffer(s) ${keys.map((k) => `"${k}"`).join(' and ')} for ${klass} with track_running_stats=False. ` +
            `If state_dict is a checkpoint saved before 0.4.0, this may be expected because ${klass} does not track running stats by default since 0.4.0. ` +
            `Please remove these keys from state_dict. If the running stats are actually needed, instead set track_running_stats=True in ${klass} to enable them. ` +
            `See the documentation of ${klass} for details.`,
        );
        for (const key of keys) incoming.delete(key);
      }
    }
    super._prepareStateDict(incoming, prefix, version, errors);
  }
}

export class InstanceNorm1d extends _InstanceNorm {
  protected readonly noBatchDim = 2;
}

export class InstanceNorm2d extends _InstanceNorm {
  protected readonly noBatchDim = 3;
}

export class InstanceNorm3d extends _InstanceNorm {
  protected readonly noBatchDim = 4;
}
