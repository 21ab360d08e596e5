/**
 * mindspore.nn.InstanceNorm1d / 2d / 3d: MindSpore 2.6.0's `_InstanceNorm` cell
 * (nn/layer/normalization.py@v2.6.0:879-1170). It always owns four
 * Parameters and always applies gamma and beta (`affine` only decides whether they train); it
 * always normalizes with the input's own statistics, in training and inference alike, and never
 * reads or updates its moving statistics (its GPU kernel updates a workspace copy only).
 *
 * MindSpore runs this layer on GPU only (cuDNN); the facade computes the same formula on the CPU,
 * float16 input widened to float32 as the GPU kernel does.
 */
import { ValueError } from '../core/errors';
import { instanceNorm } from '../core/instance-norm';
import { pyFloat } from '../core/python';
import { Tensor } from '../core/tensor';
import { Cell, Parameter, type ConstructOptions } from './cell';
import { checkTensorTypeSame, checkTensorTypeValid, shapeOf } from './primitive';
import { initialParameterData, type InitSpec } from './initializer';
import { checkEpsilon, parseOptions, type InstanceNormArgs } from './options';

export abstract class _InstanceNorm extends Cell {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';
  readonly num_features: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly moving_mean: Parameter;
  readonly moving_variance: Parameter;
  readonly gamma: Parameter;
  readonly beta: Parameter;
  /** The exact input rank this cell takes: 3 for 1d, 4 for 2d, 5 for 3d. */
  protected abstract readonly inputRank: number;

  constructor(...args: InstanceNormArgs) {
    super();
    const cls = new.target.name;
    const options = parseOptions(cls, args);
    this.num_features = options.num_features;
    this.eps = options.eps;
    this.momentum = options.momentum;
    this.affine = options.affine;
    const make = (init: InitSpec) => initialParameterData(cls, init, options.num_features, options.dtype);
    // Assignment registers each Parameter (Cell.__setattr__), in MindSpore's order.
    this.moving_mean = new Parameter(make('zeros'), 'mean', false);
    this.moving_variance = new Parameter(make('ones'), 'variance', false);
    this.gamma = new Parameter(make(options.gamma_init), 'gamma', options.affine);
    this.beta = new Parameter(make(options.beta_init), 'beta', options.affine);
    checkEpsilon(options.eps);
  }

  /**
   * The forward pass: `self.shape(x)` and the rank check (normalization.py@v2.6.0:918-919), then
   * the primitive's infer, types before shapes (ops/infer/instance_norm.cc@v2.6.0:116-133, 48-95),
   * then instance normalization with gamma and beta. No parsing here: construct runs per batch.
   */
  construct(x: Tensor, options?: ConstructOptions): Tensor<'float32' | 'float16'> {
    const rank = shapeOf(x).length;
    if (rank !== this.inputRank) {
      throw new ValueError(`For '${this.cls_name}', the in_shape must have ${this.inputRank} dims, but got ${rank}.`);
    }
    checkTensorTypeValid('InstanceNorm', 'input_x', x.dtype, ['float16', 'float32']);
    this.checkParameters(x.shape[1]);
    // MindSpore computes this layer on GPU with cuDNN, whose rounding cannot be reproduced here;
    // float64-accurate arithmetic gives the best estimate of its result (the exact answer).
    return instanceNorm(x as Tensor<'float32' | 'float16'>, {
      eps: this.eps,
      arithmetic: 'accurate',
      weight: this.gamma.data as Tensor<'float32'>,
      bias: this.beta.data as Tensor<'float32'>,
      useInputStats: true,
      out: options?.out,
    });
  }

  /**
   * The primitive's parameter checks. Types: `CheckTensorTypeSame` over a `std::map`, so in the
   * names' sorted order (beta, gamma, mean, variance): all one dtype, then that dtype float32,
   * reported for the first name, beta (utils/check_convert_utils.cc@v2.6.0:739-790, 1097-1141).
   * Shapes: the four ranks, then the four lengths (instance_norm.cc@v2.6.0:82-95).
   */
  private checkParameters(channels: number): void {
    // The primitive's inputs in their order (x, gamma, beta, mean, variance).
    const inputs: [string, Parameter][] = [
      ['gamma', this.gamma],
      ['beta', this.beta],
      ['mean', this.moving_mean],
      ['variance', this.moving_variance],
    ];
    // MindSpore's signature cast stops mixed Parameter dtypes before the infer, with a message of
    // its own (pynative/forward/do_cast.cc@v2.6.0:230-233) that this facade does not reproduce.
    checkTensorTypeSame('InstanceNorm', inputs.map(([name, p]) => [name, p.dtype] as const), ['float32']);
    for (const [name, p] of inputs) {
      if (p.shape.length !== 1) throw new ValueError(`For primitive[InstanceNorm], the ${name} rank must be equal to 1 , but got ${p.shape.length}.`);
    }
    for (const [name, p] of inputs) {
      if (p.shape[0] !== channels) {
        throw new ValueError(`For primitive[InstanceNorm], the ${name} shape must be equal to (C, ) which is ${channels} , but got ${p.shape[0]}.`);
      }
    }
  }

  /** `_InstanceNorm.extend_repr` (normalization.py@v2.6.0:926-928); Python's `str.format` prints floats as `str(float)`. */
  override extend_repr(): string {
    return `num_features=${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, gamma=${this.gamma}, beta=${this.beta}, moving_mean=${this.moving_mean}, moving_variance=${this.moving_variance}`;
  }
}

export class InstanceNorm1d extends _InstanceNorm {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';
  protected readonly inputRank = 3;
}

export class InstanceNorm2d extends _InstanceNorm {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';
  protected readonly inputRank = 4;
}

export class InstanceNorm3d extends _InstanceNorm {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';
  protected readonly inputRank = 5;
}
