/**
 * torch.nn.BatchNorm1d / 2d / 3d over PyTorch's `_NormBase` and `_BatchNorm`, with three thin
 * subclasses that only check the input's rank; `_InstanceNorm` (./instancenorm.ts) is the other
 * family on the same base.
 *
 * Sources (PyTorch PYTORCH_RELEASE; the newest copies read: torch/nn/modules/batchnorm.py@5c6695eeeec82353acf609f111efccf5281171c4,
 * the rest as in PyTorch 1.13.1, whose lines are cited where no newer copy was at hand):
 * batchnorm.py (`_NormBase` :17-122, `_BatchNorm.forward` :141-187, `_check_input_dim` of each
 * class), functional.py (`batch_norm`, `_verify_batch_size`), and ATen's Normalization.cpp
 * (`batch_norm`: the empty-input copy; `_batch_norm_impl_index`: the size checks; `batch_norm_cpu`:
 * the dtype rules) with cpu/batch_norm_kernel.cpp, whose steps the core's 'stepwise' arithmetic
 * follows. forward() does no schema parsing and allocates only the output: it runs per call.
 */
import { allocate, type DType, type FloatDType } from '../core/dtype';
import { batchNorm } from '../core/batch-norm';
import { PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { prepareOut, type FloatTensor } from '../core/normalize';
import { describeValue, pyFloat, pyFloatOrNone, pyRepr } from '../core/python';
import { isKeywordObject } from '../core/python-args';
import { numel, Tensor } from '../core/tensor';
import { Module, Parameter, torchSize } from './module';
import { BATCH_NORM_INIT, parseOptions, type NormArgs, type NormInit } from './options';

export interface ForwardOptions {
  /** Write the result into this tensor (same shape and dtype as the input) instead of allocating one. */
  out?: Tensor | null;
}

/** ATen's scalar type names, as its "not implemented for" errors print them. */
const ATEN_NAME: Record<DType, string> = {
  float16: 'Half',
  bfloat16: 'BFloat16',
  float32: 'Float',
  float64: 'Double',
  int8: 'Char',
  uint8: 'Byte',
  int16: 'Short',
  int32: 'Int',
  int64: 'Long',
  bool: 'Bool',
};

/**
 * `_NormBase` (batchnorm.py@5c6695e:17-122): the arguments, weight and bias (affine), the running
 * statistics and num_batches_tracked (track_running_stats), reset_*, the state-dict version, and
 * what both families' forwards share (the forward options, ATen's dtype rules).
 */
export abstract class _NormBase extends Module {
  protected static override readonly _version = 2;
  readonly num_features: number;
  readonly eps: number;
  /** `null` is Python's None (BatchNorm: the cumulative average; InstanceNorm: passes 0). */
  momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;

  protected constructor(init: NormInit, args: NormArgs) {
    super();
    const options = parseOptions(new.target.name, init, args);
    this.outLabel = `${new.target.name}.forward(): argument 'out'`;
    this.num_features = options.num_features;
    this.eps = options.eps;
    this.momentum = options.momentum;
    this.affine = options.affine;
    this.track_running_stats = options.track_running_stats;
    const dtype = options.dtype ?? 'float32';
    const C = options.num_features;
    // __init__ then reset_parameters(): weight 1, bias 0, running mean 0, variance 1, count 0 (int64 whatever the dtype).
    this.register_parameter('weight', options.affine ? new Parameter(Tensor.ones([C], dtype)) : null);
    this.register_parameter('bias', options.affine ? new Parameter(Tensor.zeros([C], dtype)) : null);
    this.register_buffer('running_mean', options.track_running_stats ? Tensor.zeros([C], dtype) : null);
    this.register_buffer('running_var', options.track_running_stats ? Tensor.ones([C], dtype) : null);
    this.register_buffer('num_batches_tracked', options.track_running_stats ? Tensor.zeros([], 'int64') : null);
  }

  /** `reset_running_stats`: mean 0, variance 1, count 0. */
  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    this.running_mean?.data.fill(0 as never);
    this.running_var?.data.fill(1 as never);
    this.num_batches_tracked?.data.fill(0n as never);
  }

  /** `reset_parameters`: the running stats, then weight 1 and bias 0. */
  reset_parameters(): void {
    this.reset_running_stats();
    this.weight?.data.fill(1 as never);
    this.bias?.data.fill(0 as never);
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

  /** `module(input)`. `options.out` is this package's addition (PyTorch modules have none). */
  abstract forward(input: Tensor, options?: ForwardOptions): Tensor;

  /** Each class's accepted ranks and ValueError (`_NormBase._check_input_dim` raises NotImplementedError). */
  protected abstract _check_input_dim(input: Tensor): void;

  /** How the core's errors name `out` (made once: forward passes it on every call). */
  protected readonly outLabel: string;

  /** forward's arguments: the input must be a Tensor (stricter than PyTorch's AttributeError); `options` holds only `out`. */
  protected readForward(input: unknown, options: ForwardOptions | undefined): unknown {
    if (!(input instanceof Tensor)) {
      throw new PyTypeError(`${this._get_name()}.forward(): argument 'input' must be a Tensor, but got ${describeValue(input)}`);
    }
    if (options === undefined) return undefined;
    if (!isKeywordObject(options)) {
      throw new PyTypeError(`${this._get_name()}.forward(): options must be an object like { out }, got ${describeValue(options)}`);
    }
    // for...in rather than Object.keys: no array per call.
    for (const key in options) {
      if (key !== 'out') throw new PyTypeError(`${this._get_name()}.forward() got an unexpected keyword argument '${key}'`);
    }
    // The core checks what `out` must be (src/core/normalize.ts prepareOut); null is None.
    return options.out ?? undefined;
  }

  /**
   * The dtypes ATen's CPU batch_norm accepts (PYTORCH_RELEASE; cpu/mixed_data_type.h): the weight,
   * bias and running stats must have the input's dtype (the first one defined decides), since
   * mixed types are only for half-precision input; the facade computes float32 and float64 only.
   */
  protected checkDTypes(x: Tensor): Tensor<FloatDType> {
    const dtype = x.dtype;
    if (dtype === 'float16' || dtype === 'bfloat16') {
      throw new PyTypeError(`${this._get_name()}.forward(): input dtype ${dtype} is not supported by this package (PyTorch runs it on the CPU); convert with input.astype('float32')`);
    }
    if (dtype !== 'float32' && dtype !== 'float64') throw new RuntimeError(`"batch_norm" not implemented for '${ATEN_NAME[dtype]}'`);
    const first = this.weight ?? this.bias ?? this.running_mean ?? this.running_var;
    if (first && first.dtype !== dtype) {
      const float = (t: Tensor | null) => t === null || t.dtype === 'float32';
      const allFloat = float(this.weight) && float(this.bias) && float(this.running_mean) && float(this.running_var);
      throw new RuntimeError(allFloat ? 'mixed dtype (CPU): all inputs must share same datatype.' : 'mixed dtype (CPU): expect parameter to have scalar type of Float');
    }
    return x as Tensor<FloatDType>;
  }

  /**
   * at::batch_norm on an empty input: `input.clone()`, times weight[0] and plus bias[0] when they
   * are defined, so the result takes a floating dtype from them when the input has none (type
   * promotion with a 0-dim tensor); written into `out` when given (checked as the core checks it).
   */
  protected emptyResult(x: Tensor, out: unknown): Tensor {
    const floating = x.dtype === 'float32' || x.dtype === 'float64' || x.dtype === 'float16' || x.dtype === 'bfloat16';
    const dtype = floating ? x.dtype : (this.weight ?? this.bias)?.dtype ?? x.dtype;
    const result = new Tensor(dtype, allocate(dtype, 0), x.shape);
    return out === undefined ? result : prepareOut(result as Tensor<FloatDType>, out, this.outLabel);
  }

  /**
   * `_NormBase._load_from_state_dict` (batchnorm.py@5c6695e:101-112): a dict without version
   * metadata (or older than version 2) may lack num_batches_tracked; the module then keeps its own.
   */
  protected override _prepareStateDict(incoming: Map<string, unknown>, prefix: string, version: number | undefined, _errors: string[]): void {
    const countKey = `${prefix}num_batches_tracked`;
    if ((version === undefined || version < 2) && this.num_batches_tracked && !incoming.has(countKey)) {
      incoming.set(countKey, this.num_batches_tracked);
    }
  }

  override extra_repr(): string {
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyFloatOrNone(this.momentum)}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.track_running_stats)}`;
  }
}

/** `_BatchNorm` (batchnorm.py@5c6695e:125-187): statistics of each channel over the batch and every position. */
export abstract class _BatchNorm extends _NormBase {
  constructor(...args: NormArgs) {
    super(BATCH_NORM_INIT, args);
  }

  /**
   * `_BatchNorm.forward`: the rank check; in training with running stats, num_batches_tracked += 1
   * and, for momentum None, the factor 1 / num_batches_tracked (the cumulative average); batch
   * statistics in training and whenever there are no running stats; the running stats passed only
   * to be updated (training) or used (eval).
   */
  forward(input: Tensor, options?: ForwardOptions): Tensor {
    const out = this.readForward(input, options);
    this._check_input_dim(input);
    let factor = this.momentum ?? 0;
    const count = this.num_batches_tracked;
    if (this.training && this.track_running_stats && count) {
      const counter = count.data as BigInt64Array;
      counter[0] += 1n;
      factor = this.momentum === null ? 1 / Number(counter[0]) : this.momentum;
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const passBuffers = !this.training || this.track_running_stats;
    return this.batchNorm(input, passBuffers, useBatchStats, factor, out);
  }

  /**
   * F.batch_norm then ATen, in their order of checks: `_verify_batch_size` (when using batch
   * statistics), the empty-input copy, the sizes of running_mean, running_var, weight and bias
   * against the input's channels (`_batch_norm_impl_index`), the dtypes (`batch_norm_cpu`).
   */
  private batchNorm(x: Tensor, passBuffers: boolean, useBatchStats: boolean, momentum: number, out: unknown): Tensor {
    const shape = x.shape;
    if (useBatchStats && shape[0] * numel(shape, 2) === 1) {
      throw new ValueError(`Expected more than 1 value per channel when training, got input size ${torchSize(shape)}`);
    }
    if (x.size === 0) return this.emptyResult(x, out);
    const C = shape[1];
    const runningMean = passBuffers ? (this.running_mean as FloatTensor | null) : null;
    const runningVar = passBuffers ? (this.running_var as FloatTensor | null) : null;
    const weight = this.weight as FloatTensor | null;
    const bias = this.bias as FloatTensor | null;
    for (const [name, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', weight], ['bias', bias]] as const) {
      if (t && t.size !== C) throw new RuntimeError(`${name} should contain ${C} elements not ${t.size}`);
    }
    const input = this.checkDTypes(x);
    // One literal per call shape, no spreads: this runs per forward, and spread-built options cost microseconds.
    const { eps, outLabel } = this;
    const o = out as Tensor | undefined;
    if (!useBatchStats) {
      return batchNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out: o, outLabel, useInputStats: false, running: { runningMean: runningMean!, runningVar: runningVar! } });
    }
    const track = runningMean && runningVar ? { runningMean, runningVar, momentum } : undefined;
    return batchNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out: o, outLabel, useInputStats: true, track });
  }
}

/** `BatchNorm1d`: (N, C) or (N, C, L). */
export class BatchNorm1d extends _BatchNorm {
  protected _check_input_dim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new ValueError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** `BatchNorm2d`: (N, C, H, W). */
export class BatchNorm2d extends _BatchNorm {
  protected _check_input_dim(input: Tensor): void {
    if (input.ndim !== 4) throw new ValueError(`expected 4D input (got ${input.ndim}D input)`);
  }
}

/** `BatchNorm3d`: (N, C, D, H, W). */
export class BatchNorm3d extends _BatchNorm {
  protected _check_input_dim(input: Tensor): void {
    if (input.ndim !== 5) throw new ValueError(`expected 5D input (got ${input.ndim}D input)`);
  }
}
