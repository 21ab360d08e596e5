/**
 * mindspore.nn.InstanceNorm1d / 2d / 3d: MindSpore's `_InstanceNorm` cell. It always owns four
 * Parameters and always applies gamma and beta (`affine` only decides whether they train); it
 * always normalizes with the input's own statistics, in training and inference alike, and never
 * reads or updates its moving statistics (its GPU kernel updates a workspace copy only).
 *
 * MindSpore runs this layer on GPU only (cuDNN); the facade computes the same formula on the CPU,
 * float16 input widened to float32 as the GPU kernel does.
 */
import { PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { instanceNorm } from '../core/instance-norm';
import { pyFloat, pyTypeName } from '../core/python';
import { Tensor } from '../core/tensor';
import { Cell, Parameter, msDTypeName } from './cell';
import { initializer, type InitSpec, type ParamDType } from './initializer';
import { checkEpsilon, parseOptions, type InstanceNormArgs } from './options';

export interface ConstructOptions {
  /** Write the result into this tensor (same shape and dtype as `x`) instead of allocating one. */
  out?: Tensor;
}

export abstract class _InstanceNorm extends Cell {
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
    const make = (init: InitSpec) => createParamData(cls, init, options.num_features, options.dtype);
    // Assignment registers each Parameter (Cell.__setattr__), in MindSpore's order.
    this.moving_mean = new Parameter(make('zeros'), 'mean', false);
    this.moving_variance = new Parameter(make('ones'), 'variance', false);
    this.gamma = new Parameter(make(options.gamma_init), 'gamma', options.affine);
    this.beta = new Parameter(make(options.beta_init), 'beta', options.affine);
    checkEpsilon(options.eps);
  }

  /**
   * The forward pass: MindSpore's rank check, then the primitive's dtype and channel checks, then
   * instance normalization with gamma and beta. No parsing here: construct runs per batch.
   */
  construct(x: Tensor, options?: ConstructOptions): Tensor<'float32' | 'float16'> {
    if (!(x instanceof Tensor)) {
      throw new PyTypeError(`For primitive[Shape], the input argument[input_x] must be a Tensor, but got ${pyTypeName(x)}.`);
    }
    if (x.ndim !== this.inputRank) {
      throw new ValueError(`For '${this.cls_name}', the in_shape must have ${this.inputRank} dims, but got ${x.ndim}.`);
    }
    if (x.dtype !== 'float32' && x.dtype !== 'float16') {
      throw new PyTypeError(
        `For primitive[InstanceNorm], the input argument[input_x] must be a type of {Tensor[Float16], Tensor[Float32]}, but got Tensor[${msDTypeName(x.dtype)}].`,
      );
    }
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

  /** The primitive's infer: all four parameters float32, then each of shape (C,). */
  private checkParameters(channels: number): void {
    const params: [string, Parameter][] = [
      ['gamma', this.gamma],
      ['beta', this.beta],
      ['mean', this.moving_mean],
      ['variance', this.moving_variance],
    ];
    for (const [name, p] of params) {
      if (p.dtype !== 'float32') {
        throw new PyTypeError(`For primitive[InstanceNorm], the input argument[${name}] must be a type of {Tensor[Float32]}, but got Tensor[${msDTypeName(p.dtype)}].`);
      }
    }
    for (const [name, p] of params) {
      if (p.shape.length !== 1) throw new ValueError(`For primitive[InstanceNorm], the ${name} rank must be equal to 1 , but got ${p.shape.length}.`);
      if (p.shape[0] !== channels) {
        throw new ValueError(`For primitive[InstanceNorm], the ${name} shape must be equal to (C, ) which is ${channels} , but got ${p.shape[0]}.`);
      }
    }
  }

  override toString(): string {
    return `${this.cls_name}<num_features=${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, gamma=${this.gamma}, beta=${this.beta}, moving_mean=${this.moving_mean}, moving_variance=${this.moving_variance}>`;
  }
}

/**
 * `Parameter(initializer(init, num_features, dtype=dtype))`: a Tensor init is copied (MindSpore's
 * Parameter copies a referenced Tensor), and a size no typed array can hold is MindSpore's
 * allocation failure rather than a bare RangeError.
 */
function createParamData(cls: string, init: InitSpec, numFeatures: number, dtype: ParamDType): Tensor {
  try {
    const data = initializer(init, numFeatures, dtype);
    return data === init ? data.clone() : data;
  } catch (err) {
    // By name: under a test runner the typed arrays may come from another realm.
    if ((err as Error)?.name === 'RangeError') {
      throw new RuntimeError(`For '${cls}', unable to allocate the parameters of shape (${numFeatures},) and data type ${dtype}: 'num_features' is ${numFeatures}.`);
    }
    throw err;
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
