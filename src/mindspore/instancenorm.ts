/**
 * mindspore.nn.InstanceNorm1d / 2d / 3d: MindSpore's `_InstanceNorm` cell. It always owns four
 * Parameters and always applies gamma and beta (`affine` only decides whether they train); it
 * always normalizes with the input's own statistics, in training and inference alike, and never
 * reads or updates its moving statistics (its GPU kernel updates a workspace copy only).
 */
import { PyTypeError, ValueError } from '../core/errors';
import { instanceNorm } from '../core/instance-norm';
import { pyFloat } from '../core/python';
import { Tensor } from '../core/tensor';
import { Cell, Parameter, msDTypeName } from './cell';
import { initializer } from './initializer';
import { parseOptions, type InstanceNormArgs } from './options';

export abstract class _InstanceNorm extends Cell {
  readonly num_features: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly moving_mean: Parameter<'float32'>;
  readonly moving_variance: Parameter<'float32'>;
  readonly gamma: Parameter<'float32'>;
  readonly beta: Parameter<'float32'>;
  /** The exact input rank this cell takes: 3 for 1d, 4 for 2d, 5 for 3d. */
  protected abstract readonly inputRank: number;

  constructor(...args: InstanceNormArgs) {
    super();
    const options = parseOptions(new.target.name, args);
    this.num_features = options.num_features;
    this.eps = options.eps;
    this.momentum = options.momentum;
    this.affine = options.affine;
    const C = options.num_features;
    this.moving_mean = new Parameter(Tensor.zeros([C], 'float32'), 'mean', false);
    this.moving_variance = new Parameter(Tensor.ones([C], 'float32'), 'variance', false);
    this.gamma = new Parameter(initializer(options.gamma_init, C), 'gamma', options.affine);
    this.beta = new Parameter(initializer(options.beta_init, C), 'beta', options.affine);
    this.insert_param_to_cell('moving_mean', this.moving_mean);
    this.insert_param_to_cell('moving_variance', this.moving_variance);
    this.insert_param_to_cell('gamma', this.gamma);
    this.insert_param_to_cell('beta', this.beta);
  }

  construct(x: Tensor): Tensor {
    if (x.ndim !== this.inputRank) {
      throw new ValueError(`For '${this.cls_name}', the in_shape must have ${this.inputRank} dims, but got ${x.ndim}.`);
    }
    if (x.dtype !== 'float32' && x.dtype !== 'float16') {
      throw new PyTypeError(
        `For primitive[InstanceNorm], the input argument[input_x] must be a type of {Tensor[Float16], Tensor[Float32]}, but got Tensor[${msDTypeName(x.dtype)}].`,
      );
    }
    if (x.shape[1] !== this.num_features) {
      throw new ValueError(`For primitive[InstanceNorm], the gamma shape must be equal to (C, ) which is ${x.shape[1]} , but got ${this.num_features}.`);
    }
    return instanceNorm(x as Tensor<'float32' | 'float16'>, {
      eps: this.eps,
      weight: this.gamma.data,
      bias: this.beta.data,
      useInputStats: true,
    });
  }

  override toString(): string {
    return `${this.cls_name}<num_features=${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, gamma=${this.gamma}, beta=${this.beta}, moving_mean=${this.moving_mean}, moving_variance=${this.moving_variance}>`;
  }
}

export class InstanceNorm1d extends _InstanceNorm {
  protected readonly inputRank = 3;
}

export class InstanceNorm2d extends _InstanceNorm {
  protected readonly inputRank = 4;
}

export class InstanceNorm3d extends _InstanceNorm {
  protected readonly inputRank = 5;
}
