/**
 * `mindspore.common.initializer`: the Initializer classes with MindSpore's constructor arguments,
 * its case-insensitive alias registry, and `initializer(init, shape, dtype)`.
 *
 * Values are materialized at once (MindSpore's Parameter calls `init_data()` on creation outside
 * parallel mode), so an initializer that cannot fill a shape fails when the layer is built, with
 * MindSpore's message. Random initializers draw from `./random` (seedable with `set_seed`); their
 * distributions are MindSpore's, their exact numbers are not (see random.ts).
 */
import { PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { bindArguments, type PyArgs } from '../core/python-args';
import { pyFloat, pyRepr, pyTuple, pyTypeName } from '../core/python';
import { numel, rowMajorStrides, sameShape, Tensor } from '../core/tensor';
import { nextNormal, nextTruncatedNormal, nextUniform } from './random';

/** The parameter dtypes this facade can hold (MindSpore's float types). */
export type ParamDType = 'float16' | 'float32' | 'float64';

export abstract class Initializer {
  /** Fills `arr` (row-major, `shape`) in place, as MindSpore's `_initialize(arr)` does. */
  protected abstract _initialize(arr: Float64Array, shape: readonly number[]): void;

  /** The values for a tensor of `shape` in `dtype` (MindSpore's `Tensor.init_data()`). */
  init_data(shape: readonly number[], dtype: ParamDType = 'float32'): Tensor<ParamDType> {
    const arr = new Float64Array(numel(shape));
    this._initialize(arr, shape);
    return Tensor.from(arr, { dtype, shape });
  }
}

/** Binds an initializer's constructor arguments the way Python binds `__init__`'s. */
function bindInit<P extends string>(cls: string, params: readonly P[], required: number, args: readonly unknown[]): Partial<Record<P, unknown>> {
  return bindArguments({ qualname: `${cls}.__init__`, params, required }, args);
}

/** A numeric constructor argument; MindSpore does arithmetic on it, so anything else is a TypeError here. */
function numberArg(cls: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new PyTypeError(`For '${cls}', the type of '${name}' should be one of ['int', 'float'], but got type '${pyTypeName(value)}'.`);
}

function stringArg(cls: string, name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value;
  throw new PyTypeError(`For '${cls}', the type of '${name}' should be 'str', but got type '${pyTypeName(value)}'.`);
}

export class Zero extends Initializer {
  constructor(...args: PyArgs<[], Record<string, never>>) {
    super();
    bindInit('Zero', [], 0, args);
  }
  protected _initialize(arr: Float64Array): void {
    arr.fill(0);
  }
}

export class One extends Initializer {
  constructor(...args: PyArgs<[], Record<string, never>>) {
    super();
    bindInit('One', [], 0, args);
  }
  protected _initialize(arr: Float64Array): void {
    arr.fill(1);
  }
}

export class Constant extends Initializer {
  readonly value: number;
  constructor(...args: PyArgs<[value: number | boolean | bigint], { value?: number | boolean | bigint }>) {
    super();
    const { value } = bindInit('Constant', ['value'], 1, args);
    this.value = typeof value === 'boolean' ? Number(value) : numberArg('Constant', 'value', value, 0);
  }
  protected _initialize(arr: Float64Array): void {
    arr.fill(this.value);
  }
}

/** `sigma < 0` is checked in Python before the draw (`_init_random_normal`). */
function checkSigma(sigma: number): void {
  if (sigma < 0) throw new ValueError('sigma < 0');
}

function fillNormal(arr: Float64Array, mean: number, sigma: number): void {
  checkSigma(sigma);
  for (let i = 0; i < arr.length; i++) arr[i] = mean + sigma * nextNormal();
}

function fillUniform(arr: Float64Array, a: number, b: number): void {
  for (let i = 0; i < arr.length; i++) arr[i] = a + (b - a) * nextUniform();
}

function fillTruncatedNormal(arr: Float64Array, a: number, b: number, mean: number, sigma: number): void {
  checkSigma(sigma);
  // MindSpore's C++ distribution rejects sigma == 0 (MS_LOG(EXCEPTION) surfaces as RuntimeError).
  if (!(sigma > 0)) throw new RuntimeError(`TruncatedNormal: invalid sigma ${pyFloat(sigma)}.`);
  for (let i = 0; i < arr.length; i++) arr[i] = nextTruncatedNormal(mean, sigma, a, b);
}

/** `_calculate_fan_in_and_fan_out`: needs at least 2 dims (so every fan-based init fails on a (C,) parameter). */
function fanInAndOut(shape: readonly number[]): [number, number] {
  if (shape.length < 2) {
    throw new ValueError(`'fan_in' and 'fan_out' can not be computed for tensor with fewer than 2 dimensions, but got dimensions ${shape.length}.`);
  }
  const receptive = numel(shape, 2);
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(shape: readonly number[], mode: string): number {
  const m = mode.toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') throw new ValueError(`'mode' ${m} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = fanInAndOut(shape);
  return m === 'fan_in' ? fanIn : fanOut;
}

const LINEAR_FNS = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'];

function calculateGain(nonlinearity: string, param: unknown): number {
  if (LINEAR_FNS.includes(nonlinearity)) return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    if (typeof param === 'number') slope = param;
    else if (param !== undefined && param !== null) {
      throw new ValueError(
        `For 'HeUniform', 'negative_slope' ${pyRepr(param)} is not a valid number.When 'nonlinearity' has been set to 'leaky_relu', 'negative_slope' should be int or float type, but got <class '${pyTypeName(param)}'>.`,
      );
    }
    return Math.sqrt(2 / (1 + slope ** 2));
  }
  throw new ValueError(`For 'HeUniform', the argument 'nonlinearity' should be one of ['sigmoid', 'tanh', 'relu' or 'leaky_relu'], but got ${nonlinearity}.`);
}

type GainArgs = PyArgs<[gain: number], { gain?: number }>;

/** The lone `gain=1` argument of XavierNormal, XavierUniform and Orthogonal. */
function gainArg(cls: string, args: readonly unknown[]): number {
  return numberArg(cls, 'gain', bindInit(cls, ['gain'], 0, args).gain, 1);
}

export class XavierNormal extends Initializer {
  readonly gain: number;
  constructor(...args: GainArgs) {
    super();
    this.gain = gainArg('XavierNormal', args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fanInAndOut(shape);
    fillNormal(arr, 0, this.gain * Math.sqrt(2 / (fanIn + fanOut)));
  }
}

export class XavierUniform extends Initializer {
  readonly gain: number;
  constructor(...args: GainArgs) {
    super();
    this.gain = gainArg('XavierUniform', args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fanInAndOut(shape);
    const bound = this.gain * Math.sqrt(6 / (fanIn + fanOut));
    fillUniform(arr, -bound, bound);
  }
}

type HeArgs = PyArgs<
  [negative_slope: number, mode: string, nonlinearity: string],
  { negative_slope?: number; mode?: string; nonlinearity?: string }
>;

abstract class He extends Initializer {
  readonly negative_slope: number;
  readonly mode: string;
  readonly nonlinearity: string;
  constructor(cls: string, args: readonly unknown[]) {
    super();
    const bound = bindInit(cls, ['negative_slope', 'mode', 'nonlinearity'], 0, args);
    this.negative_slope = numberArg(cls, 'negative_slope', bound.negative_slope, 0);
    this.mode = stringArg(cls, 'mode', bound.mode, 'fan_in');
    this.nonlinearity = stringArg(cls, 'nonlinearity', bound.nonlinearity, 'leaky_relu');
  }
  protected std(shape: readonly number[]): number {
    const fan = correctFan(shape, this.mode);
    return calculateGain(this.nonlinearity, this.negative_slope) / Math.sqrt(fan);
  }
}

export class HeUniform extends He {
  constructor(...args: HeArgs) {
    super('HeUniform', args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const bound = Math.sqrt(3) * this.std(shape);
    fillUniform(arr, -bound, bound);
  }
}

export class HeNormal extends He {
  constructor(...args: HeArgs) {
    super('HeNormal', args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    fillNormal(arr, 0, this.std(shape));
  }
}

export class Identity extends Initializer {
  constructor(...args: PyArgs<[], Record<string, never>>) {
    super();
    bindInit('Identity', [], 0, args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    if (shape.length !== 2) throw new ValueError(`For Identity initializer, the dimension of the initialized tensor should be 2, but got ${shape.length}.`);
    arr.fill(0);
    for (let i = 0; i < Math.min(shape[0], shape[1]); i++) arr[i * shape[1] + i] = 1;
  }
}

export class Sparse extends Initializer {
  readonly sparsity: number;
  readonly sigma: number;
  constructor(...args: PyArgs<[sparsity: number, sigma: number], { sparsity?: number; sigma?: number }>) {
    super();
    const bound = bindInit('Sparse', ['sparsity', 'sigma'], 1, args);
    this.sparsity = numberArg('Sparse', 'sparsity', bound.sparsity, 0);
    this.sigma = numberArg('Sparse', 'sigma', bound.sigma, 0.01);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    if (shape.length !== 2) throw new ValueError(`For Sparse initializer, the dimension of the initialized tensor should be 2, but got ${shape.length}.`);
    const [rows, cols] = shape;
    const zeros = Math.ceil(this.sparsity * rows);
    fillNormal(arr, 0, this.sigma);
    for (let col = 0; col < cols; col++) {
      const order = Array.from({ length: rows }, (_, i) => i);
      for (let i = rows - 1; i > 0; i--) {
        const j = Math.floor(nextUniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const row of order.slice(0, zeros)) arr[row * cols + col] = 0;
    }
  }
}

export class Dirac extends Initializer {
  readonly groups: number;
  constructor(...args: PyArgs<[groups: number], { groups?: number }>) {
    super();
    this.groups = numberArg('Dirac', 'groups', bindInit('Dirac', ['groups'], 0, args).groups, 1);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const dims = shape.length;
    if (dims < 3 || dims > 5) throw new ValueError(`For Dirac initializer, only support to initialize tensor with dimension of 3, 4 or 5, but got ${dims}.`);
    if (shape[0] % this.groups !== 0) {
      throw new ValueError(
        `For Dirac initializer, the first dimension ofthe initialized tensor must be divisible by groups, but got first dimension${shape[0]}, groups${this.groups}.`,
      );
    }
    arr.fill(0);
    const perGroup = shape[0] / this.groups;
    const strides = rowMajorStrides(shape);
    const centre = shape.slice(2).reduce((acc, size, i) => acc + Math.floor(size / 2) * strides[i + 2], 0);
    for (let g = 0; g < this.groups; g++) {
      for (let d = 0; d < Math.min(perGroup, shape[1]); d++) arr[(g * perGroup + d) * strides[0] + d * strides[1] + centre] = 1;
    }
  }
}

export class Orthogonal extends Initializer {
  readonly gain: number;
  constructor(...args: GainArgs) {
    super();
    this.gain = gainArg('Orthogonal', args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    if (shape.length < 2) {
      throw new ValueError(`For Orthogonal initializer, the dimension of the initialized tensor should be no less than 2, but got ${shape.length}.`);
    }
    const rows = shape[0];
    const cols = arr.length / rows;
    // QR of a Gaussian matrix, with Q's columns signed so that R's diagonal is positive (what
    // MindSpore's `q *= sign(diag(r))` makes of numpy's QR); Gram-Schmidt gives that sign directly.
    const tall = rows >= cols;
    const [m, n] = tall ? [rows, cols] : [cols, rows];
    const q: number[][] = [];
    for (let j = 0; j < n; j++) {
      const v = Array.from({ length: m }, () => nextNormal());
      for (const u of q) {
        const dot = v.reduce((s, x, i) => s + x * u[i], 0);
        for (let i = 0; i < m; i++) v[i] -= dot * u[i];
      }
      const norm = Math.hypot(...v);
      q.push(v.map((x) => x / norm));
    }
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) arr[r * cols + c] = this.gain * (tall ? q[c][r] : q[r][c]);
    }
  }
}

export class VarianceScaling extends Initializer {
  readonly scale: number;
  readonly mode: string;
  readonly distribution: string;
  constructor(
    ...args: PyArgs<[scale: number, mode: string, distribution: string], { scale?: number; mode?: string; distribution?: string }>
  ) {
    super();
    const bound = bindInit('VarianceScaling', ['scale', 'mode', 'distribution'], 0, args);
    this.scale = numberArg('VarianceScaling', 'scale', bound.scale, 1.0);
    this.mode = stringArg('VarianceScaling', 'mode', bound.mode, 'fan_in');
    this.distribution = stringArg('VarianceScaling', 'distribution', bound.distribution, 'truncated_normal');
    if (this.scale <= 0) throw new ValueError(`For VarianceScaling initializer, the argument 'scale' must be greater than 0, but got ${pyRepr(bound.scale ?? 1.0)}.`);
    if (!['fan_in', 'fan_out', 'fan_avg'].includes(this.mode)) {
      throw new ValueError(`For VarianceScaling initializer, the argument 'mode' must be fan_in, fan_out or fan_avg, but got ${this.mode}.`);
    }
    if (!['uniform', 'truncated_normal', 'untruncated_normal'].includes(this.distribution)) {
      throw new ValueError(
        `For VarianceScaling initializer, the argument 'distribution' must be uniform, truncated_norm or untruncated_norm, but got ${this.distribution}.`,
      );
    }
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fanInAndOut(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const scale = this.scale / Math.max(1, n);
    // MindSpore compares against 'truncated_norm', which the constructor never lets through, so
    // 'truncated_normal' (the default) falls to the uniform branch. Kept as the code does it.
    if (this.distribution === 'untruncated_normal') fillNormal(arr, 0, Math.sqrt(scale));
    else {
      const limit = Math.sqrt(3 * scale);
      fillUniform(arr, -limit, limit);
    }
  }
}

export class Uniform extends Initializer {
  readonly scale: number;
  constructor(...args: PyArgs<[scale: number], { scale?: number }>) {
    super();
    this.scale = numberArg('Uniform', 'scale', bindInit('Uniform', ['scale'], 0, args).scale, 0.07);
  }
  protected _initialize(arr: Float64Array): void {
    fillUniform(arr, -this.scale, this.scale);
  }
}

export class Normal extends Initializer {
  readonly sigma: number;
  readonly mean: number;
  constructor(...args: PyArgs<[sigma: number, mean: number], { sigma?: number; mean?: number }>) {
    super();
    const bound = bindInit('Normal', ['sigma', 'mean'], 0, args);
    this.sigma = numberArg('Normal', 'sigma', bound.sigma, 0.01);
    this.mean = numberArg('Normal', 'mean', bound.mean, 0.0);
  }
  protected _initialize(arr: Float64Array): void {
    fillNormal(arr, this.mean, this.sigma);
  }
}

export class TruncatedNormal extends Initializer {
  readonly sigma: number;
  readonly mean: number;
  readonly a: number;
  readonly b: number;
  constructor(...args: PyArgs<[sigma: number, mean: number, a: number, b: number], { sigma?: number; mean?: number; a?: number; b?: number }>) {
    super();
    const bound = bindInit('TruncatedNormal', ['sigma', 'mean', 'a', 'b'], 0, args);
    this.sigma = numberArg('TruncatedNormal', 'sigma', bound.sigma, 0.01);
    this.mean = numberArg('TruncatedNormal', 'mean', bound.mean, 0.0);
    this.a = numberArg('TruncatedNormal', 'a', bound.a, -2.0);
    this.b = numberArg('TruncatedNormal', 'b', bound.b, 2.0);
  }
  protected _initialize(arr: Float64Array): void {
    fillTruncatedNormal(arr, this.a, this.b, this.mean, this.sigma);
  }
}

/**
 * `_INITIALIZER_ALIAS`: each registered class under its lower-cased name and its aliases.
 * `Constant` is not registered (reachable through a number or an instance only).
 */
const REGISTRY: Record<string, new () => Initializer> = {
  zero: Zero,
  zeros: Zero,
  one: One,
  ones: One,
  xaviernormal: XavierNormal,
  xavier_normal: XavierNormal,
  xavieruniform: XavierUniform,
  xavier_uniform: XavierUniform,
  heuniform: HeUniform,
  he_uniform: HeUniform,
  henormal: HeNormal,
  he_normal: HeNormal,
  identity: Identity,
  sparse: Sparse,
  dirac: Dirac,
  orthogonal: Orthogonal,
  variancescaling: VarianceScaling,
  uniform: Uniform,
  normal: Normal,
  truncatednormal: TruncatedNormal,
};

/** The names `initializer` accepts (case-insensitively). */
export const INITIALIZER_NAMES: readonly string[] = Object.keys(REGISTRY);

export type InitSpec = string | number | bigint | boolean | Tensor | Initializer;

export function isInitSpec(value: unknown): value is InitSpec {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean' || value instanceof Tensor || value instanceof Initializer;
}

/** The Initializer a name, number or Initializer stands for (Tensors are handled by the caller). */
function resolveInitializer(init: Exclude<InitSpec, Tensor>): Initializer {
  if (init instanceof Initializer) return init;
  if (typeof init === 'string') {
    const cls = Object.prototype.hasOwnProperty.call(REGISTRY, init.toLowerCase()) ? REGISTRY[init.toLowerCase()] : undefined;
    if (!cls) throw new ValueError(`For 'initializer', the class corresponding to '${init}' was not found.`);
    return new cls();
  }
  return new Constant(init);
}

/**
 * `mindspore.common.initializer.initializer(init, shape=None, dtype=mstype.float32)`, materialized.
 * A Tensor `init` must already have `shape` and is returned as it is.
 */
export function initializer(init: InitSpec, shape: number | readonly number[], dtype: ParamDType = 'float32'): Tensor {
  if (!isInitSpec(init)) {
    throw new PyTypeError(
      `For 'initializer', the type of the 'init' argument should be 'Tensor', 'number', 'string' or 'initializer', but got <class '${pyTypeName(init)}'>.`,
    );
  }
  const dims = typeof shape === 'number' ? [shape] : [...shape];
  if (init instanceof Tensor) {
    if (!sameShape(init.shape, dims)) {
      throw new ValueError(
        `For 'initializer', the shape of the 'init' argument should be same as the argument 'shape', but got the 'init' shape [${init.shape.join(', ')}] and the 'shape' [${dims.join(', ')}].`,
      );
    }
    return init;
  }
  for (const d of dims) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new ValueError(`For 'initializer', the argument 'shape' is invalid, the value of 'shape' must be positive integer, but got ${pyTuple(dims)}`);
    }
  }
  return resolveInitializer(init).init_data(dims, dtype);
}
