/**
 * torch.nn.InstanceNorm1d / 2d / 3d: PyTorch's `_InstanceNorm` (via `_NormBase`) with three thin
 * subclasses that only say how many dims an unbatched input has.
 */
import { ValueError } from '../core/errors';
import { instanceNorm, type FloatTensor } from '../core/instance-norm';
import { pyFloat, pyFloatOrNone, pyRepr } from '../core/python';
import { Tensor } from '../core/tensor';
import { warn } from '../core/warnings';
import { Module, Parameter, torchSize } from './module';
import { parseOptions, type InstanceNormArgs, type InstanceNormOptions } from './options';

export abstract class _InstanceNorm extends Module {
  protected static override readonly _version = 2;
  readonly num_features: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;
  /** Input dims without the batch dim: 2 for 1d, 3 for 2d, 4 for 3d. */
  protected abstract readonly noBatchDim: number;

  constructor(...args: InstanceNormArgs) {
    super();
    const options: InstanceNormOptions = parseOptions(new.target.name, args);
    this.num_features = options.num_features;
    this.eps = options.eps;
    this.momentum = options.momentum;
    this.affine = options.affine;
    this.track_running_stats = options.track_running_stats;
    const dtype = options.dtype ?? 'float32';
    const C = options.num_features;
    this.register_parameter('weight', options.affine ? new Parameter(Tensor.ones([C], dtype)) : null);
    this.register_parameter('bias', options.affine ? new Parameter(Tensor.zeros([C], dtype)) : null);
    this.register_buffer('running_mean', options.track_running_stats ? Tensor.zeros([C], dtype) : null);
    this.register_buffer('running_var', options.track_running_stats ? Tensor.ones([C], dtype) : null);
    this.register_buffer('num_batches_tracked', options.track_running_stats ? Tensor.zeros([], 'int64') : null);
  }

  get weight(): Parameter | null {
    return this._parameters.get('weight') ?? null;
  }
  get bias(): Parameter | null {
    return this._parameters.get('bias') ?? null;
  }
  get running_mean(): Tensor | null {
    return this._buffers.get('running_mean') ?? null;
  }
  get running_var(): Tensor | null {
    return this._buffers.get('running_var') ?? null;
  }
  get num_batches_tracked(): Tensor | null {
    return this._buffers.get('num_batches_tracked') ?? null;
  }

  forward(input: Tensor): Tensor {
    const dims = input.ndim;
    if (dims !== this.noBatchDim && dims !== this.noBatchDim + 1) {
      throw new ValueError(`expected ${this.noBatchDim}D or ${this.noBatchDim + 1}D input (got ${dims}D input)`);
    }
    const featureDim = dims - this.noBatchDim;
    if (input.shape[featureDim] !== this.num_features) {
      if (this.affine) {
        throw new ValueError(`expected input's size at dim=${featureDim} to match num_features (${this.num_features}), but got: ${input.shape[featureDim]}.`);
      }
      warn(`input's size at dim=${featureDim} does not match num_features. You can silence this warning by not passing in num_features, which is not used because affine=False`);
    }
    const unbatched = dims === this.noBatchDim;
    const batched = unbatched ? input.reshape([1, ...input.shape]) : input;
    const output = this.applyInstanceNorm(batched);
    return unbatched ? output.reshape(input.shape) : output;
  }

  private applyInstanceNorm(input: Tensor): Tensor {
    const useInputStats = this.training || !this.track_running_stats;
    if (useInputStats && input.shape.slice(2).reduce((a, b) => a * b, 1) === 1) {
      throw new ValueError(`Expected more than 1 spatial element when training, got input size ${torchSize(input.shape)}`);
    }
    const x = input as FloatTensor;
    const weight = this.weight as FloatTensor | null;
    const bias = this.bias as FloatTensor | null;
    const runningMean = this.running_mean as FloatTensor | null;
    const runningVar = this.running_var as FloatTensor | null;
    if (!useInputStats && runningMean && runningVar) {
      return instanceNorm(x, { eps: this.eps, weight, bias, useInputStats: false, runningMean, runningVar });
    }
    const track = runningMean && runningVar ? { runningMean, runningVar, momentum: this.momentum ?? 0 } : undefined;
    return instanceNorm(x, { eps: this.eps, weight, bias, useInputStats: true, track });
  }

  override extra_repr(): string {
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyFloatOrNone(this.momentum)}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.track_running_stats)}`;
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
