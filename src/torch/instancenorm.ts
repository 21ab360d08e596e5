/**
 * torch.nn.InstanceNorm1d / 2d / 3d: PyTorch's `_InstanceNorm` (via `_NormBase`) with three thin
 * subclasses that only say how many dims an unbatched input has.
 *
 * Sources (PyTorch PYTORCH_RELEASE): torch/nn/modules/instancenorm.py (forward,
 * _load_from_state_dict), batchnorm.py (_NormBase), functional.py (instance_norm,
 * _verify_spatial_size) and ATen's Normalization.cpp (instance_norm, _batch_norm_impl_index,
 * batch_norm_cpu) with cpu/batch_norm_kernel.cpp, whose steps the core's 'stepwise' arithmetic
 * follows. forward() does no schema parsing and allocates only the output and O(N * C) scratch:
 * it runs per call.
 */
import type { DType, FloatDType } from '../core/dtype';
import { IndexError, PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { instanceNorm, type FloatTensor } from '../core/instance-norm';
import { storeRunningStats } from '../core/running-stats';
import { isKeywordObject } from '../core/python-args';
import { pyFloat, pyFloatOrNone, pyRepr } from '../core/python';
import { numel, Tensor, sameShape, sharesMemory } from '../core/tensor';
import { warn } from '../core/warnings';
import { Module, Parameter, torchSize } from './module';
import { parseOptions, typeLabel, type InstanceNormArgs } from './options';

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

export abstract class _InstanceNorm extends Module {
  protected static override readonly _version = 2;
  readonly num_features: number;
  readonly eps: number;
  /** `null` is Python's None: InstanceNorm passes 0 to ATen then, so running statistics never move. */
  momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;
  /** Input dims without the batch dim: 2 for 1d, 3 for 2d, 4 for 3d. */
  protected abstract readonly noBatchDim: number;
  /** Python shows a warning once per place; here once per module, so a training loop does not flood. */
  private warnedChannels = false;

  constructor(...args: InstanceNormArgs) {
    super();
    const options = parseOptions(new.target.name, args);
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
    // int64 whatever the dtype, and never incremented: only _BatchNorm.forward counts batches.
    this.register_buffer('num_batches_tracked', options.track_running_stats ? Tensor.zeros([], 'int64') : null);
  }

  /** `_NormBase.reset_running_stats`: mean 0, variance 1, count 0. */
  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    this.running_mean?.data.fill(0 as never);
    this.running_var?.data.fill(1 as never);
    this.num_batches_tracked?.data.fill(0n as never);
  }

  /** `_NormBase.reset_parameters`: the running stats, then weight 1 and bias 0. */
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
  forward(input: Tensor, options?: ForwardOptions): Tensor {
    if (!(input instanceof Tensor)) {
      throw new PyTypeError(`${this._get_name()}.forward(): argument 'input' must be a Tensor, but got ${describe(input)}`);
    }
    const out = this.readOut(options);
    const dims = input.ndim;
    if (dims !== this.noBatchDim && dims !== this.noBatchDim + 1) {
      throw new ValueError(`expected ${this.noBatchDim}D or ${this.noBatchDim + 1}D input (got ${dims}D input)`);
    }
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
    if (out) this.checkOut(input, out);
    if (dims === this.noBatchDim) {
      // _handle_no_batch_input: unsqueeze(0), normalize, squeeze(0); errors below show the batched shape.
      const batchedOut = out ? out.reshape([1, ...out.shape]) : undefined;
      return this.applyInstanceNorm(input.reshape([1, ...input.shape]), batchedOut).reshape(input.shape);
    }
    return this.applyInstanceNorm(input, out);
  }

  /**
   * F.instance_norm and ATen's instance_norm, in their order of checks. ATen normalizes the
   * (1, N * C, *) view with batch norm over running stats repeated N times and then copies the
   * mean of the N copies back, in eval too: the core's track/storeBack.
   */
  private applyInstanceNorm(x: Tensor, out: Tensor | undefined): Tensor {
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
    const eps = this.eps;
    if (!runningMean || !runningVar) return instanceNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out, useInputStats: true });
    if (!useInputStats) {
      const running = { runningMean, runningVar };
      return instanceNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out, useInputStats: false, running, storeBack: true });
    }
    const track = { runningMean, runningVar, momentum: this.momentum ?? 0 };
    return instanceNorm(input, { eps, arithmetic: 'stepwise', weight, bias, out, useInputStats: true, track });
  }

  /**
   * numel == 0: ATen returns a copy (times weight[0], plus bias[0]: an IndexError when N == 0,
   * since the weight was repeated 0 times) and then, in training and eval alike, stores the mean of
   * the N unchanged copies of the running stats (NaN for N == 0), or fails to view or broadcast
   * them when the channels differ.
   */
  private emptyInput(x: Tensor, out: Tensor | undefined): Tensor {
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
    return out ?? x.clone();
  }

  /**
   * The dtypes ATen's CPU batch_norm accepts (PYTORCH_RELEASE; cpu/mixed_data_type.h): the weight,
   * bias and running stats must have the input's dtype (the first one defined decides), since
   * mixed types are only for half-precision input; the facade computes float32 and float64 only.
   */
  private checkDTypes(x: Tensor): Tensor<FloatDType> {
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

  private readOut(options: ForwardOptions | undefined): Tensor | undefined {
    if (options === undefined) return undefined;
    if (!isKeywordObject(options)) {
      throw new PyTypeError(`${this._get_name()}.forward(): options must be an object like { out }, got ${describe(options)}`);
    }
    // for...in rather than Object.keys: no array per call.
    for (const key in options) {
      if (key !== 'out') throw new PyTypeError(`${this._get_name()}.forward() got an unexpected keyword argument '${key}'`);
    }
    const out = options.out;
    if (out === undefined || out === null) return undefined;
    if (!(out instanceof Tensor)) {
      throw new PyTypeError(`${this._get_name()}.forward(): argument 'out' must be a Tensor, but got ${describe(out)}`);
    }
    return out;
  }

  private checkOut(input: Tensor, out: Tensor): void {
    const name = this._get_name();
    if (out.dtype !== input.dtype) {
      throw new PyTypeError(`${name}.forward(): argument 'out' has dtype ${out.dtype}, but the result has dtype ${input.dtype}`);
    }
    if (!sameShape(out.shape, input.shape)) {
      throw new ValueError(`${name}.forward(): argument 'out' has shape ${torchSize(out.shape)}, but the result has shape ${torchSize(input.shape)}`);
    }
    if (sharesMemory(input, out)) {
      throw new RuntimeError(
        'unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.',
      );
    }
  }

  /**
   * _InstanceNorm then _NormBase `_load_from_state_dict`: a dict without version metadata (a
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
    const countKey = `${prefix}num_batches_tracked`;
    if ((version === undefined || version < 2) && this.num_batches_tracked && !incoming.has(countKey)) {
      incoming.set(countKey, this.num_batches_tracked);
    }
  }

  override extra_repr(): string {
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyFloatOrNone(this.momentum)}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.track_running_stats)}`;
  }
}

/** `repr(value) (type)`, cut short: an input may be a huge nested list. */
function describe(value: unknown): string {
  let text: string;
  try {
    text = pyRepr(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  return `${text} (${typeLabel(value)})`;
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
