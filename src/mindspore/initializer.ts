/**
 * `mindspore.common.initializer` (common/initializer.py@v2.6.0): the Initializer classes with
 * MindSpore's constructor arguments, its case-insensitive alias registry, and
 * `initializer(init, shape, dtype)`.
 *
 * As in MindSpore, constructors store their arguments unchecked (only VarianceScaling compares
 * its own); an argument of the wrong type fails when the values are drawn, with the error the
 * Python operation MindSpore applies to it raises there. Values are materialized at once
 * (MindSpore's Parameter calls `init_data()` on creation outside parallel mode), so an initializer
 * that cannot fill a shape fails when the layer is built. Random initializers draw from `./random`
 * (seedable with `set_seed`); their distributions are MindSpore's, their exact numbers are not.
 */
import { isDType, type DType } from '../core/dtype';
import { AttributeError, PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { bindArguments, isKeywordObject, type PyArgs } from '../core/python-args';
import { pyRepr, pyStr, pyTuple, pyTypeName } from '../core/python';
import { numel, rowMajorStrides, sameShape, Tensor } from '../core/tensor';
import { pyClassOf } from './cell';
import { nextNormal, nextTruncatedNormal, nextUniform } from './random';

export abstract class Initializer {
  /** Fills `arr` (row-major, `shape`) in place, as MindSpore's `_initialize(arr)` does. */
  protected abstract _initialize(arr: Float64Array, shape: readonly number[]): void;

  /** The values for a tensor of `shape` in `dtype` (MindSpore's `Tensor.init_data()`; tensor.py@v2.6.0:2062-2162). */
  init_data(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const arr = new Float64Array(numel(shape));
    this._initialize(arr, shape);
    return Tensor.from(arr, { dtype, shape });
  }
}

// ---- the Python operations MindSpore applies to initializer arguments, with Python's errors

type PyNumber = number | bigint | boolean;

function isPyNumber(value: unknown): value is PyNumber {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
}

/** `value < bound` / `value <= bound` in Python; `boundType` is the Python type of the literal MindSpore compares with. */
function compare(value: unknown, op: '<' | '<=', bound: number, boundType: 'int' | 'float'): boolean {
  if (!isPyNumber(value)) throw new PyTypeError(`'${op}' not supported between instances of '${pyTypeName(value)}' and '${boundType}'`);
  return op === '<' ? Number(value) < bound : Number(value) <= bound;
}

/** `value * factor` in Python, `factor` a float. */
function multiply(value: unknown, factor: number): number {
  if (isPyNumber(value)) return Number(value) * factor;
  if (typeof value === 'string' || Array.isArray(value)) throw new PyTypeError("can't multiply sequence by non-int of type 'float'");
  throw new PyTypeError(`unsupported operand type(s) for *: '${pyTypeName(value)}' and 'float'`);
}

/** `-value` in Python. */
function negate(value: unknown): number {
  if (!isPyNumber(value)) throw new PyTypeError(`bad operand type for unary -: '${pyTypeName(value)}'`);
  return -Number(value);
}

/** `value.lower()` in Python. */
function lower(value: unknown): string {
  if (typeof value !== 'string') throw new AttributeError(`'${pyTypeName(value)}' object has no attribute 'lower'`);
  return value.toLowerCase();
}

/**
 * The `float` arguments of MindSpore's C++ random functions (pybind_api/initializer/init_random.cc@v2.6.0:46-62):
 * pybind11 takes any Python number and rounds it to float32. For anything else pybind11 raises a
 * TypeError listing the signature and the call (a fresh seed and the array), which is not
 * reproducible; its first sentence is kept (mapping.json decision `mindspore-initializer-foreign-errors`).
 */
function cFloats(fn: string, values: readonly unknown[]): number[] {
  for (const v of values) if (!isPyNumber(v)) throw new PyTypeError(`${fn}(): incompatible function arguments (got ${pyClassOf(v)} for a float argument)`);
  return values.map((v) => Math.fround(Number(v)));
}

/** A number MindSpore hands to numpy (Sparse's sparsity, Orthogonal's gain); numpy's errors are not reproduced (same decision). */
function numpyNumber(cls: string, name: string, value: unknown): number {
  if (!isPyNumber(value)) throw new PyTypeError(`For ${cls} initializer, numpy cannot compute with '${name}' of type '${pyTypeName(value)}'`);
  return Number(value);
}

/** `_init_random_normal(mean, sigma, shape)` (initializer.py@v2.6.0:110-115). */
function fillNormal(arr: Float64Array, mean: unknown, sigma: unknown): void {
  if (compare(sigma, '<', 0, 'int')) throw new ValueError('sigma < 0');
  const [m, s] = cFloats('_random_normal', [mean, sigma]);
  for (let i = 0; i < arr.length; i++) arr[i] = m + s * nextNormal();
}

/** `_init_random_uniform(a, b, shape)` (:122-125). */
function fillUniform(arr: Float64Array, low: unknown, high: unknown): void {
  const [a, b] = cFloats('_random_uniform', [low, high]);
  for (let i = 0; i < arr.length; i++) arr[i] = a + (b - a) * nextUniform();
}

/** `_init_truncated_normal(a, b, mean, sigma, shape)` (:134-139), then C++'s `TruncatedNormal` (include/common/random.h@v2.6.0:336-356). */
function fillTruncatedNormal(arr: Float64Array, low: unknown, high: unknown, mean: unknown, sigma: unknown): void {
  if (compare(sigma, '<', 0, 'int')) throw new ValueError('sigma < 0');
  const [a, b, m, s] = cFloats('_truncated_normal', [low, high, mean, sigma]);
  // MS_LOG(EXCEPTION) << "TruncatedNormal: invalid sigma " << sigma << "." prints a double as C++ streams do (0 -> "0").
  if (s <= 0) throw new RuntimeError(`TruncatedNormal: invalid sigma ${Object.is(s, -0) ? '-0' : '0'}.`);
  for (let i = 0; i < arr.length; i++) arr[i] = nextTruncatedNormal(m, s, a, b);
}

/**
 * numpy's `arr.fill(value)` on a float array (Constant, initializer.py@v2.6.0:484): numbers as
 * they are, a string through Python's `float()`, None as NaN, as numpy does.
 */
function fillValue(value: unknown): number {
  if (isPyNumber(value)) return Number(value);
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'string') return pyFloatFromString(value);
  if (Array.isArray(value)) throw new ValueError('setting an array element with a sequence.');
  throw new PyTypeError(`float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
}

/** Python's `float(str)`: surrounding whitespace, `_` between digits, inf/infinity/nan in any case. */
function pyFloatFromString(text: string): number {
  const s = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  const digits = '\\d(?:_?\\d)*';
  const literal = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (!literal.test(s)) throw new ValueError(`could not convert string to float: ${pyRepr(text)}`);
  return Number(s.replace(/_/g, ''));
}

// ---- the classes

/** An argument's value, or its default when not given (`undefined`); `null` is Python's None and stays. */
const orDefault = (value: unknown, fallback: unknown): unknown => (value === undefined ? fallback : value);

/** Binds an initializer's constructor arguments the way Python binds `__init__`'s. */
function bindInit<P extends string>(cls: string, params: readonly P[], required: number, args: readonly unknown[]): Partial<Record<P, unknown>> {
  return bindArguments({ qualname: `${cls}.__init__`, params, required }, args);
}

/** `Initializer.__init__(self, **kwargs)` (:45-47), inherited by the classes without an `__init__`: any keywords, no positional argument. */
function bindKeywordsOnly(args: readonly unknown[]): void {
  const positional = args.length > 0 && isKeywordObject(args[args.length - 1]) ? args.slice(0, -1) : args;
  bindArguments({ qualname: 'Initializer.__init__', params: [], required: 0 }, positional);
}

type KeywordsOnly = PyArgs<[], Record<string, unknown>>;

export class Zero extends Initializer {
  constructor(...args: KeywordsOnly) {
    super();
    bindKeywordsOnly(args);
  }
  protected _initialize(arr: Float64Array): void {
    arr.fill(0);
  }
}

export class One extends Initializer {
  constructor(...args: KeywordsOnly) {
    super();
    bindKeywordsOnly(args);
  }
  protected _initialize(arr: Float64Array): void {
    arr.fill(1);
  }
}

export class Constant extends Initializer {
  readonly value: unknown;
  constructor(...args: PyArgs<[value: unknown], { value?: unknown }>) {
    super();
    this.value = bindInit('Constant', ['value'], 1, args).value;
  }
  protected _initialize(arr: Float64Array): void {
    arr.fill(fillValue(this.value));
  }
}

/** `_calculate_fan_in_and_fan_out` (:176-201): needs at least 2 dims (so every fan-based init fails on a (C,) parameter). */
function fanInAndOut(shape: readonly number[]): [number, number] {
  if (shape.length < 2) {
    throw new ValueError(`'fan_in' and 'fan_out' can not be computed for tensor with fewer than 2 dimensions, but got dimensions ${shape.length}.`);
  }
  const receptive = numel(shape, 2);
  return [shape[1] * receptive, shape[0] * receptive];
}

/** `_calculate_correct_fan` (:204-220): the mode is lower-cased and checked before the fans. */
function correctFan(shape: readonly number[], mode: unknown): number {
  const m = lower(mode);
  if (m !== 'fan_in' && m !== 'fan_out') throw new ValueError(`'mode' ${m} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = fanInAndOut(shape);
  return m === 'fan_in' ? fanIn : fanOut;
}

const LINEAR_FNS = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'];

/** `_calculate_gain` (:223-257). */
function calculateGain(nonlinearity: unknown, param: unknown): number {
  if (LINEAR_FNS.includes(nonlinearity as string)) return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    // A bool is an int in Python, and the only one refused here.
    if (typeof param === 'number' || typeof param === 'bigint') slope = Number(param);
    else if (param !== undefined && param !== null) {
      throw new ValueError(
        `For 'HeUniform', 'negative_slope' ${pyStr(param)} is not a valid number.When 'nonlinearity' has been set to 'leaky_relu', 'negative_slope' should be int or float type, but got ${pyClassOf(param)}.`,
      );
    }
    return Math.sqrt(2 / (1 + slope ** 2));
  }
  throw new ValueError(`For 'HeUniform', the argument 'nonlinearity' should be one of ['sigmoid', 'tanh', 'relu' or 'leaky_relu'], but got ${pyStr(nonlinearity)}.`);
}

type GainArgs = PyArgs<[gain: unknown], { gain?: unknown }>;

export class XavierNormal extends Initializer {
  readonly gain: unknown;
  constructor(...args: GainArgs) {
    super();
    this.gain = orDefault(bindInit('XavierNormal', ['gain'], 0, args).gain, 1);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fanInAndOut(shape);
    fillNormal(arr, 0, multiply(this.gain, Math.sqrt(2 / (fanIn + fanOut))));
  }
}

export class XavierUniform extends Initializer {
  readonly gain: unknown;
  constructor(...args: GainArgs) {
    super();
    this.gain = orDefault(bindInit('XavierUniform', ['gain'], 0, args).gain, 1);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fanInAndOut(shape);
    const bound = multiply(this.gain, Math.sqrt(6 / (fanIn + fanOut)));
    fillUniform(arr, -bound, bound);
  }
}

type HeArgs = PyArgs<[negative_slope: unknown, mode: unknown, nonlinearity: unknown], { negative_slope?: unknown; mode?: unknown; nonlinearity?: unknown }>;

abstract class He extends Initializer {
  readonly negative_slope: unknown;
  readonly mode: unknown;
  readonly nonlinearity: unknown;
  constructor(cls: string, args: readonly unknown[]) {
    super();
    const bound = bindInit(cls, ['negative_slope', 'mode', 'nonlinearity'], 0, args);
    this.negative_slope = orDefault(bound.negative_slope, 0);
    this.mode = orDefault(bound.mode, 'fan_in');
    this.nonlinearity = orDefault(bound.nonlinearity, 'leaky_relu');
  }
  /** `gain / sqrt(fan)` (:404-406, :454-456): the fan first, then the gain. */
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
  constructor(...args: KeywordsOnly) {
    super();
    bindKeywordsOnly(args);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    if (shape.length !== 2) throw new ValueError(`For Identity initializer, the dimension of the initialized tensor should be 2, but got ${shape.length}.`);
    arr.fill(0);
    for (let i = 0; i < Math.min(shape[0], shape[1]); i++) arr[i * shape[1] + i] = 1;
  }
}

export class Sparse extends Initializer {
  readonly sparsity: unknown;
  readonly sigma: unknown;
  constructor(...args: PyArgs<[sparsity: unknown, sigma: unknown], { sparsity?: unknown; sigma?: unknown }>) {
    super();
    const bound = bindInit('Sparse', ['sparsity', 'sigma'], 1, args);
    this.sparsity = bound.sparsity;
    this.sigma = orDefault(bound.sigma, 0.01);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    if (shape.length !== 2) throw new ValueError(`For Sparse initializer, the dimension of the initialized tensor should be 2, but got ${shape.length}.`);
    const [rows, cols] = shape;
    const zeros = Math.ceil(numpyNumber('Sparse', 'sparsity', this.sparsity) * rows);
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
  readonly groups: unknown;
  constructor(...args: PyArgs<[groups: unknown], { groups?: unknown }>) {
    super();
    this.groups = orDefault(bindInit('Dirac', ['groups'], 0, args).groups, 1);
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const dims = shape.length;
    if (dims < 3 || dims > 5) throw new ValueError(`For Dirac initializer, only support to initialize tensor with dimension of 3, 4 or 5, but got ${dims}.`);
    // `shapes[0] % self.groups` (:583), then `range(self.groups)` (:591).
    if (!isPyNumber(this.groups)) throw new PyTypeError(`unsupported operand type(s) for %: 'int' and '${pyTypeName(this.groups)}'`);
    const groups = Number(this.groups);
    if (shape[0] % groups !== 0) {
      throw new ValueError(
        `For Dirac initializer, the first dimension ofthe initialized tensor must be divisible by groups, but got first dimension${shape[0]}, groups${pyStr(this.groups)}.`,
      );
    }
    if (!Number.isInteger(groups)) throw new PyTypeError("'float' object cannot be interpreted as an integer");
    arr.fill(0);
    const perGroup = shape[0] / groups;
    const strides = rowMajorStrides(shape);
    const centre = shape.slice(2).reduce((acc, size, i) => acc + Math.floor(size / 2) * strides[i + 2], 0);
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < Math.min(perGroup, shape[1]); d++) arr[(g * perGroup + d) * strides[0] + d * strides[1] + centre] = 1;
    }
  }
}

export class Orthogonal extends Initializer {
  readonly gain: unknown;
  constructor(...args: GainArgs) {
    super();
    this.gain = orDefault(bindInit('Orthogonal', ['gain'], 0, args).gain, 1.0);
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
    const gain = numpyNumber('Orthogonal', 'gain', this.gain);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) arr[r * cols + c] = gain * (tall ? q[c][r] : q[r][c]);
    }
  }
}

export class VarianceScaling extends Initializer {
  readonly scale: unknown;
  readonly mode: unknown;
  readonly distribution: unknown;
  /** The only constructor here that checks (:687-703), by comparing: a non-number scale is Python's TypeError. */
  constructor(...args: PyArgs<[scale: unknown, mode: unknown, distribution: unknown], { scale?: unknown; mode?: unknown; distribution?: unknown }>) {
    super();
    const bound = bindInit('VarianceScaling', ['scale', 'mode', 'distribution'], 0, args);
    const scale = orDefault(bound.scale, 1.0);
    const mode = orDefault(bound.mode, 'fan_in');
    const distribution = orDefault(bound.distribution, 'truncated_normal');
    if (compare(scale, '<=', 0, 'float')) throw new ValueError(`For VarianceScaling initializer, the argument 'scale' must be greater than 0, but got ${pyStr(scale)}.`);
    if (!['fan_in', 'fan_out', 'fan_avg'].includes(mode as string)) {
      throw new ValueError(`For VarianceScaling initializer, the argument 'mode' must be fan_in, fan_out or fan_avg, but got ${pyStr(mode)}.`);
    }
    if (!['uniform', 'truncated_normal', 'untruncated_normal'].includes(distribution as string)) {
      throw new ValueError(
        `For VarianceScaling initializer, the argument 'distribution' must be uniform, truncated_norm or untruncated_norm, but got ${pyStr(distribution)}.`,
      );
    }
    this.scale = scale;
    this.mode = mode;
    this.distribution = distribution;
  }
  protected _initialize(arr: Float64Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fanInAndOut(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const scale = Number(this.scale) / Math.max(1, n);
    // MindSpore compares against 'truncated_norm' (:715), which the constructor never lets through,
    // so 'truncated_normal' (the default) falls to the uniform branch. Kept as the code does it.
    if (this.distribution === 'untruncated_normal') fillNormal(arr, 0, Math.sqrt(scale));
    else {
      const limit = Math.sqrt(3 * scale);
      fillUniform(arr, -limit, limit);
    }
  }
}

export class Uniform extends Initializer {
  readonly scale: unknown;
  constructor(...args: PyArgs<[scale: unknown], { scale?: unknown }>) {
    super();
    this.scale = orDefault(bindInit('Uniform', ['scale'], 0, args).scale, 0.07);
  }
  /** `_init_random_uniform(-self.scale, self.scale, ...)` (:749-754). */
  protected _initialize(arr: Float64Array): void {
    fillUniform(arr, negate(this.scale), this.scale);
  }
}

export class Normal extends Initializer {
  readonly sigma: unknown;
  readonly mean: unknown;
  constructor(...args: PyArgs<[sigma: unknown, mean: unknown], { sigma?: unknown; mean?: unknown }>) {
    super();
    const bound = bindInit('Normal', ['sigma', 'mean'], 0, args);
    this.sigma = orDefault(bound.sigma, 0.01);
    this.mean = orDefault(bound.mean, 0.0);
  }
  protected _initialize(arr: Float64Array): void {
    fillNormal(arr, this.mean, this.sigma);
  }
}

export class TruncatedNormal extends Initializer {
  readonly sigma: unknown;
  readonly mean: unknown;
  readonly a: unknown;
  readonly b: unknown;
  constructor(...args: PyArgs<[sigma: unknown, mean: unknown, a: unknown, b: unknown], { sigma?: unknown; mean?: unknown; a?: unknown; b?: unknown }>) {
    super();
    const bound = bindInit('TruncatedNormal', ['sigma', 'mean', 'a', 'b'], 0, args);
    this.sigma = orDefault(bound.sigma, 0.01);
    this.mean = orDefault(bound.mean, 0.0);
    this.a = orDefault(bound.a, -2.0);
    this.b = orDefault(bound.b, 2.0);
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

/** MindSpore dtypes this package has no tensors for (mapping.json decision `mindspore-dtype-unsupported`). */
const MINDSPORE_ONLY_DTYPES = ['uint16', 'uint32', 'uint64', 'complex64', 'complex128', 'qint4x2', 'int4', 'string'];

/**
 * The `dtype` of `Tensor(dtype=dtype, shape=shape, init=init)`: None is `_check_tensor_input`'s
 * ValueError (tensor.py@v2.6.0:3955-3956), anything but a dtype the C++ constructor's TypeError
 * (frontend/ir/tensor_py.cc@v2.6.0:930-936). Any MindSpore dtype passes, as in MindSpore: a layer
 * of int32 parameters builds, and fails when called.
 */
export function checkTensorDType(dtype: unknown): DType {
  if (dtype === null) throw new ValueError('init, dtype and shape must have values at the same time.');
  if (isDType(dtype)) return dtype;
  if (typeof dtype === 'string' && MINDSPORE_ONLY_DTYPES.includes(dtype)) {
    throw new PyTypeError(`For 'Tensor', mindspore.${dtype} is a MindSpore dtype this package cannot hold; it holds bool_, int8, int16, int32, int64, uint8, float16, float32, float64 and bfloat16.`);
  }
  throw new PyTypeError(
    `For 'Tensor', the 'dtype' should be one of [mindspore.int8, mindspore.int16, mindspore.int32, mindspore.int64, mindspore.uint8, mindspore.uint16, mindspore.uint32, mindspore.uint64, mindspore.float16, mindspore.float32, mindspore.float64, mindspore.bfloat16, mindspore.complex64, mindspore.complex128, mindspore.int4, mindspore.bool_, mindspore.string_], but got '${pyClassOf(dtype)}'.`,
  );
}

/**
 * `mindspore.common.initializer.initializer(init, shape=None, dtype=mstype.float32)` (:825-899),
 * materialized. A Tensor `init` must already have `shape` and is returned as it is, in its own dtype.
 */
export function initializer(init: InitSpec, shape: number | readonly number[], dtype: DType = 'float32'): Tensor {
  if (!isInitSpec(init)) {
    throw new PyTypeError(`For 'initializer', the type of the 'init' argument should be 'Tensor', 'number', 'string' or 'initializer', but got ${pyClassOf(init)}.`);
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
  const resolved = resolveInitializer(init);
  return resolved.init_data(dims, checkTensorDType(dtype));
}

/**
 * The data of `Parameter(initializer(init, num_features, dtype=dtype))` in a layer's `__init__`: a
 * Tensor init is copied (MindSpore's Parameter copies a Tensor referenced elsewhere, as the
 * caller's is), and a size no typed array can hold is reported as an allocation failure naming
 * the layer rather than a bare RangeError.
 */
export function initialParameterData(cls: string, init: InitSpec, numFeatures: number, dtype: DType): Tensor {
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
