/**
 * mindspore.nn.BatchNorm1d / 2d / 3d: MindSpore 2.6.0's `_BatchNorm` cell and `BatchNorm3d`
 * (nn/layer/normalization.py@v2.6.0:51-482) as they run on CPU, where the `BatchNorm` primitive
 * is the oneDNN kernel of ops/kernel/cpu/mkldnn/batch_norm_cpu_kernel.cc@v2.6.0.
 *
 * What a PyTorch user does not expect: a fresh cell is in inference mode and normalizes with its
 * moving statistics; `momentum` is stored as `1.0 - momentum`, the batch's weight in the update;
 * `use_batch_statistics=True` normalizes with the batch and updates the moving statistics in
 * inference too, `False` never does either; `affine=False` keeps gamma and beta (applied, not
 * trained); the moving variance takes the unbiased batch variance while the output uses the
 * biased one; one value per channel raises nothing (the output is beta, the moving variance NaN);
 * eps is checked only at the first call. BatchNorm3d is a cell holding a BatchNorm2d `bn2d`, so
 * its Parameters are `bn2d.moving_mean` and so on.
 *
 * Numbers: the core's batch norm with 'accurate' arithmetic (statistics and output computed in
 * float64 and rounded once to float32); oneDNN's float32 summation order is not reproduced
 * (mapping.json decision mindspore-batchnorm-arithmetic).
 */
import type { DType } from '../core/dtype';
import { ValueError } from '../core/errors';
import { batchNorm } from '../core/batch-norm';
import { pyFloat, pyStr, pyTruthy } from '../core/python';
import { sameShape, type Tensor } from '../core/tensor';
import { Cell, Parameter, type ConstructOptions } from './cell';
import { initialParameterData, type InitSpec } from './initializer';
import { bind3d, parseOptions, type BatchNorm3dArgs, type BatchNormArgs, type DataFormat } from './batchnorm-options';
import { checkOpArguments, checkTensorTypeSame, checkTensorTypeValid, rangeMessage, rankOneMessage, shapeOf, type OpDef } from './primitive';

/** ops/op_def/yaml/batch_norm_op.yaml@v2.6.0:1-31, the arguments in its order. */
const BATCH_NORM: OpDef = {
  name: 'BatchNorm',
  args: [
    { name: 'input_x', dtype: 'tensor' },
    { name: 'scale', dtype: 'tensor' },
    { name: 'bias', dtype: 'tensor' },
    { name: 'mean', dtype: 'tensor' },
    { name: 'variance', dtype: 'tensor' },
    { name: 'is_training', dtype: 'bool', init: true },
    { name: 'epsilon', dtype: 'float', init: true },
    { name: 'momentum', dtype: 'float', init: true },
    { name: 'data_format', dtype: 'int', init: true, handler: 'str_to_enum' },
  ],
};

/** The primitive's valid dtypes for x and for the four Parameters (ops/infer/ops_func_impl/batch_norm.cc@v2.6.0:130). */
const FLOAT_TYPES: readonly DType[] = ['float16', 'float32'];

/** `self.bn_infer = P.BatchNorm(is_training=False, epsilon=self.eps, ...)` gets the primitive's default momentum (ops_def.py@v2.6.0:713). */
const INFERENCE_MOMENTUM = 0.1;

/** `NCHW` after `str_to_enum`: the int the primitive receives (Format::NCHW, core/include/mindapi/base/format.h@v2.6.0:27). */
const NCHW_ENUM = 0;

export abstract class _BatchNorm extends Cell {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';
  readonly num_features: number;
  /** As given: MindSpore stores eps unchecked (normalization.py@v2.6.0:85); the primitive checks it at each call. */
  readonly eps: number;
  /** `1.0 - momentum` (normalization.py@v2.6.0:110): the batch's weight when the moving statistics update. */
  readonly momentum: number;
  /** data_format, as MindSpore names the attribute (normalization.py@v2.6.0:76). */
  readonly format: DataFormat;
  /**
   * None (null): batch statistics in training, moving statistics in inference; True/False: always
   * one of them. A plain attribute, read at each call (code that freezes BatchNorm sets it).
   */
  use_batch_statistics: boolean | null;
  readonly gamma_init: InitSpec;
  readonly beta_init: InitSpec;
  readonly moving_mean_init: InitSpec;
  readonly moving_var_init: InitSpec;
  readonly moving_mean: Parameter;
  readonly moving_variance: Parameter;
  readonly gamma: Parameter;
  readonly beta: Parameter;

  constructor(...args: BatchNormArgs) {
    super();
    const cls = new.target.name;
    const options = parseOptions(cls, args);
    this.format = options.data_format;
    this.use_batch_statistics = options.use_batch_statistics;
    this.num_features = options.num_features;
    this.eps = options.eps;
    this.beta_init = options.beta_init;
    this.gamma_init = options.gamma_init;
    this.moving_mean_init = options.moving_mean_init;
    this.moving_var_init = options.moving_var_init;
    const make = (init: InitSpec) => initialParameterData(cls, init, options.num_features, options.dtype);
    // normalization.py@v2.6.0:90-97, in this order; assignment registers each (Cell.__setattr__),
    // and `requires_grad=affine` is checked by Parameter once gamma's data exists.
    this.moving_mean = new Parameter(make(options.moving_mean_init), 'mean', false);
    this.moving_variance = new Parameter(make(options.moving_var_init), 'variance', false);
    this.gamma = new Parameter(make(options.gamma_init), 'gamma', options.affine);
    this.beta = new Parameter(make(options.beta_init), 'beta', options.affine);
    this.momentum = 1.0 - options.momentum;
  }

  /** `_check_input_dim(shape, cls_name)`: each class's accepted ranks and message. */
  protected abstract checkInputDim(rank: number): void;

  /** `construct(x)` (normalization.py@v2.6.0:136-175): `self.shape(x)` and the rank check, then the primitive. */
  construct(x: Tensor, options?: ConstructOptions): Tensor<'float16' | 'float32'> {
    this.checkInputDim(shapeOf(x).length);
    return this.normalize(x, options);
  }

  /**
   * `self.bn_train(...)` or `self.bn_infer(...)` as construct picks them, on an input whose rank
   * has been checked (BatchNorm3d calls this on its bn2d; the facade's 2-D/3-D inputs need no
   * reshape, its statistics are per channel over every trailing dim). In PyNative mode the
   * primitive converts its arguments, then checks them (CheckValidation, InferShape, InferType:
   * pynative/forward/do_infer.cc@v2.6.0:125-127), then runs the kernel.
   */
  normalize(x: Tensor, options?: ConstructOptions): Tensor<'float16' | 'float32'> {
    // normalization.py@v2.6.0:144-175: None follows the cell's mode; otherwise its truthiness decides.
    const flag: unknown = this.use_batch_statistics;
    const training = flag === null || flag === undefined ? this.training : pyTruthy(flag);
    const momentum = training ? this.momentum : INFERENCE_MOMENTUM;
    const params = [this.gamma, this.beta, this.moving_mean, this.moving_variance] as const;
    checkOpArguments(BATCH_NORM, [x, ...params, training, this.eps, momentum, NCHW_ENUM]);
    // The float arguments reach C++ as float32 (pipeline/jit/ps/parse/data_converter.cc@v2.6.0:890-896).
    const eps = Math.fround(this.eps);
    const weight = Math.fround(momentum);
    this.checkValidation(eps, weight);
    const [scale, bias, mean, variance] = params;
    this.inferShape(x);
    checkTensorTypeValid('BatchNorm', 'input_x', x.dtype, FLOAT_TYPES);
    checkTensorTypeSame('BatchNorm', [['scale', scale.dtype], ['bias', bias.dtype], ['mean', mean.dtype], ['variance', variance.dtype]], FLOAT_TYPES);
    // The CPU kernel is float32 only (batch_norm_cpu_kernel.cc@v2.6.0:134-153): float16 input and
    // Parameters reach it through casts (plugin/device/cpu/hal/hardware/cpu_device_context.cc@v2.6.0:414-422).
    // Its in-place update then lands in the casts' float32 copies, which are not written back to
    // float16 Parameters (plugin/device/cpu/optimizer/insert_cast_cpu.cc@v2.6.0:166-169 syncs only
    // optimizer and Assign kernels; utils/anfalgo.cc@v2.6.0:1178-1188).
    const [w, b, runningMean, runningVar] = params.map((p) => (p.dtype === 'float16' ? p.data.astype('float32') : p.data)) as Tensor<'float32'>[];
    const input = x as Tensor<'float16' | 'float32'>;
    const common = { eps, arithmetic: 'accurate', weight: w, bias: b, out: options?.out } as const;
    if (!training) return batchNorm(input, { ...common, useInputStats: false, running: { runningMean, runningVar } });
    // batch_norm_cpu_kernel.cc@v2.6.0:118-121: moving = moving * (1 - m) + batch * m, the variance
    // times n / (n - 1) (n = N * every trailing dim), while the output uses the biased one.
    return batchNorm(input, { ...common, useInputStats: true, track: { runningMean, runningVar, momentum: weight } });
  }

  /** `BatchNormFuncImpl::CheckValidation` (ops/infer/ops_func_impl/batch_norm.cc@v2.6.0:149-178) on the float32 values. */
  private checkValidation(eps: number, momentum: number): void {
    if (!(eps > 0 && eps <= 1)) throw new ValueError(rangeMessage('BatchNorm', 'eps', eps, [0, 1]));
    // The test is [0, 1]; the message says (0,1] (kIncludeRight at :165-166). Only NaN fails it.
    if (!(momentum >= 0 && momentum <= 1)) throw new ValueError(rangeMessage('BatchNorm', 'momentum', momentum, [0, 1]));
  }

  /**
   * `BatchNormShapeCheck` (ops/infer/ops_func_impl/batch_norm.cc@v2.6.0:57-109). Its rank check on
   * x (2 to 4) cannot fail behind the nn classes' own. The size check on mean and variance runs
   * only in inference there; in training MindSpore's kernel then reads and writes past the shorter
   * vector, which the facade refuses with the same message (decision mindspore-batchnorm-sizes).
   */
  private inferShape(x: Tensor): void {
    const [scale, bias, mean, variance] = [this.gamma.shape, this.beta.shape, this.moving_mean.shape, this.moving_variance.shape];
    if (scale.length !== 1) throw new ValueError(rankOneMessage('BatchNorm', 'scale', scale.length));
    if (bias.length !== 1) throw new ValueError(rankOneMessage('BatchNorm', 'bias', bias.length));
    if (!sameShape(scale, bias)) {
      const list = (dims: readonly number[]) => `[${dims.map((d) => `${d},`).join('')}]`;
      throw new ValueError(`For primitive[BatchNorm], the scale and bias: ${list(scale)} must be equal to ${list(bias)}`);
    }
    const channel = x.shape[1];
    if (scale[0] !== channel) {
      throw new ValueError(`For BatchNorm, scale.shape[0] should be equal to input_x's channel dimension: ${channel}, bug got scale.shape[0]: ${scale[0]}.`);
    }
    if (mean.length !== 1) throw new ValueError(rankOneMessage('BatchNorm', 'mean', mean.length));
    if (variance.length !== 1) throw new ValueError(rankOneMessage('BatchNorm', 'variance', variance.length));
    if (mean[0] !== variance[0] || variance[0] !== scale[0]) {
      throw new ValueError(
        `For 'BatchNorm', 'scale', 'bias', 'mean', and 'variance' should have the same size during training, but got ${scale[0]}, ${bias[0]}, ${mean[0]} and ${variance[0]}.`,
      );
    }
  }

  /** `_BatchNorm.extend_repr` (normalization.py@v2.6.0:177-180): momentum printed as `1.0 - self.momentum`. */
  override extend_repr(): string {
    const eps = typeof this.eps === 'number' ? pyFloat(this.eps) : pyStr(this.eps);
    return `num_features=${this.num_features}, eps=${eps}, momentum=${pyFloat(1.0 - this.momentum)}, gamma=${pyStr(this.gamma)}, beta=${pyStr(this.beta)}, moving_mean=${pyStr(this.moving_mean)}, moving_variance=${pyStr(this.moving_variance)}`;
  }
}

export class BatchNorm1d extends _BatchNorm {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';

  /** normalization.py@v2.6.0:260-267 (sic: "the must have"). */
  protected checkInputDim(rank: number): void {
    if (rank !== 2 && rank !== 3) throw new ValueError(`For '${this.cls_name}', the must have 2 dims or 3 dims, but got ${rank}.`);
  }
}

export class BatchNorm2d extends _BatchNorm {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';

  /** `_check_dim(dim, 4, cls_name)` (normalization.py@v2.6.0:44-48, 366-370). */
  protected checkInputDim(rank: number): void {
    if (rank !== 4) throw new ValueError(`For '${this.cls_name}', the in_shape must have 4 dims, but got ${rank}.`);
  }
}

/**
 * `BatchNorm3d(Cell)` (normalization.py@v2.6.0:373-482): no `@cell_attr_register`, no data_format;
 * every argument goes by keyword to a BatchNorm2d child `bn2d`, which checks them and holds the
 * state. The cell itself has no num_features, gamma or moving_mean of its own.
 */
export class BatchNorm3d extends Cell {
  static override readonly __module__ = 'mindspore.nn.layer.normalization';
  readonly bn2d: BatchNorm2d;

  constructor(...args: BatchNorm3dArgs) {
    super();
    this.bn2d = new BatchNorm2d({ ...bind3d(args), data_format: 'NCHW' });
  }

  /**
   * `construct(x)` (:476-482): the rank check, then bn2d on `x` reshaped to (N, C, D*H, W), whose
   * per-channel statistics are those over (N, D, H, W); the facade hands bn2d the 5-D tensor.
   */
  construct(x: Tensor, options?: ConstructOptions): Tensor<'float16' | 'float32'> {
    const rank = shapeOf(x).length;
    if (rank !== 5) throw new ValueError(`For '${this.cls_name}', the in_shape must have 5 dims, but got ${rank}.`);
    return this.bn2d.normalize(x, options);
  }
}
