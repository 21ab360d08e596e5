import {
  DTYPES,
  allocate,
  bfloat16ToNumber,
  halfToNumber,
  isDType,
  numberToBfloat16,
  numberToHalf,
  type DType,
  type DataOf,
  type TypedArray,
} from './dtype';
import { PyTypeError, ValueError } from './errors';
import { formatArray } from './numpy-format';
import { pyRepr, pyTypeName } from './python';
import { numel, sameShape } from './shape';

export { numel, rowMajorStrides, sameShape } from './shape';

/** Nested arrays of numbers (or booleans / bigints), the JS spelling of a Python list literal. */
export type NestedNumbers = number | boolean | bigint | readonly NestedNumbers[];

export interface FromOptions<D extends DType> {
  dtype?: D;
  /** Required shape; with a flat typed array it gives the shape, with nested input it is checked. */
  shape?: readonly number[];
}

/**
 * A dense, contiguous, row-major tensor: `dtype`, `shape` and a typed array `data`. Deliberately
 * small (it is onnxruntime-common's Tensor with the few helpers the layers, converters and tests
 * need), not a general array library.
 */
export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataOf<D>;

  /** Wraps `data` without copying. */
  constructor(dtype: D, data: DataOf<D>, shape: readonly number[]) {
    checkDType('Tensor', dtype);
    checkShape(shape);
    const expected = numel(shape);
    if (!(data instanceof DTYPES[dtype].array)) {
      throw new PyTypeError(`Tensor: data for dtype '${dtype}' must be a ${DTYPES[dtype].array.name}, got ${pyTypeName(data)}`);
    }
    if (data.length !== expected) {
      throw new ValueError(`Tensor: shape [${shape.join(', ')}] needs ${expected} elements, but data has ${data.length}`);
    }
    this.dtype = dtype;
    // A frozen shape (another tensor's, typically) is immutable already: sharing it saves a copy
    // per forward call.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.data = data;
  }

  /**
   * Builds a tensor from nested arrays (a Python list literal) or a flat typed array (with
   * `shape`). Always copies; float32 unless `dtype` says otherwise.
   */
  static from<D extends DType = 'float32'>(values: NestedNumbers | TypedArray, options: FromOptions<D> = {}): Tensor<D> {
    const dtype = (options.dtype ?? 'float32') as D;
    checkDType('Tensor.from', dtype);
    if (ArrayBuffer.isView(values)) {
      const flat = values as TypedArray;
      const shape = options.shape ?? [flat.length];
      checkShape(shape);
      if (numel(shape) !== flat.length) {
        throw new ValueError(`Tensor.from: shape [${shape.join(', ')}] needs ${numel(shape)} elements, but the array has ${flat.length}`);
      }
      const out = allocate(dtype, flat.length);
      for (let i = 0; i < flat.length; i++) writeElement(dtype, out, i, flat[i]);
      return new Tensor(dtype, out, shape);
    }
    const inferred = inferShape(values);
    // A flat list with a shape is a common spelling (numpy's `np.array(flat).reshape(shape)`).
    const requested = options.shape;
    const flatWithShape = requested !== undefined && inferred.length === 1 && numel(requested) === inferred[0];
    const shape = flatWithShape ? [...requested] : inferred;
    if (requested && !sameShape(requested, shape)) {
      throw new ValueError(`Tensor.from: the values have shape [${shape.join(', ')}], but shape [${requested.join(', ')}] was requested`);
    }
    const out = allocate(dtype, numel(shape));
    let i = 0;
    const fill = (v: NestedNumbers): void => {
      if (Array.isArray(v)) for (const item of v) fill(item);
      else writeElement(dtype, out, i++, v as number | boolean | bigint);
    };
    fill(values);
    return new Tensor(dtype, out, shape);
  }

  /** A tensor of `shape` filled with `value`. */
  static full<D extends DType>(shape: readonly number[], value: number, dtype: D): Tensor<D> {
    checkShape(shape);
    const data = allocate(dtype, numel(shape));
    for (let i = 0; i < data.length; i++) writeElement(dtype, data, i, value);
    return new Tensor(dtype, data, shape);
  }

  static zeros<D extends DType>(shape: readonly number[], dtype: D): Tensor<D> {
    return Tensor.full(shape, 0, dtype);
  }

  static ones<D extends DType>(shape: readonly number[], dtype: D): Tensor<D> {
    return Tensor.full(shape, 1, dtype);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Element `i` of the flat data as a JS number (half and bfloat16 decoded, int64 via Number). */
  item(i = 0): number {
    return readElement(this.dtype, this.data, i);
  }

  /** A copy with the same dtype and shape. */
  clone(): Tensor<D> {
    return new Tensor(this.dtype, this.data.slice() as DataOf<D>, this.shape);
  }

  /** The same data seen with another shape (no copy). */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.dtype, this.data, shape);
  }

  /** A converted copy (float16/bfloat16 rounded to nearest even; float to int truncates like numpy). */
  astype<T extends DType>(dtype: T): Tensor<T> {
    const out = allocate(dtype, this.size);
    if (dtype === (this.dtype as DType)) out.set(this.data as never);
    else for (let i = 0; i < this.size; i++) writeElement(dtype, out, i, readElement(this.dtype, this.data, i));
    return new Tensor(dtype, out, this.shape);
  }

  /** Nested arrays like Python's `tolist()`; int64 elements come back as bigint (lossless), bool as boolean. */
  tolist(): NestedNumbers {
    const element = (i: number): number | boolean | bigint => {
      if (this.dtype === 'int64') return (this.data as BigInt64Array)[i];
      if (this.dtype === 'bool') return this.data[i] !== 0;
      return readElement(this.dtype, this.data, i);
    };
    if (this.shape.length === 0) return element(0);
    let offset = 0;
    const build = (dim: number): NestedNumbers[] => {
      const out: NestedNumbers[] = [];
      for (let j = 0; j < this.shape[dim]; j++) out.push(dim === this.shape.length - 1 ? element(offset++) : build(dim + 1));
      return out;
    };
    return build(0);
  }

  /** The values as numpy prints them (`print(x.numpy())`). */
  toString(): string {
    const values: number[] = [];
    for (let i = 0; i < this.size; i++) values.push(readElement(this.dtype, this.data, i));
    return formatArray(values, this.shape, this.dtype);
  }

  /** Conversion to an onnxruntime-node Tensor sharing the same bytes (typed by onnxruntime-common, so the package's types do not need the optional onnxruntime-node). */
  toOrt(): import('onnxruntime-common').Tensor {
    const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
    const type = ORT_TYPE[this.dtype];
    if (!type) throw new PyTypeError(`Tensor.toOrt: onnxruntime has no ${this.dtype} tensor type`);
    return new ort.Tensor(type as 'float32', this.data as Float32Array, [...this.shape]);
  }

  /** Conversion from an onnxruntime-node Tensor, copying its data. */
  static fromOrt(tensor: import('onnxruntime-common').Tensor): Tensor {
    const dtype = (Object.keys(ORT_TYPE) as DType[]).find((d) => ORT_TYPE[d] === tensor.type);
    if (!dtype) throw new PyTypeError(`Tensor.fromOrt: unsupported onnxruntime tensor type '${tensor.type}'`);
    const data = tensor.data as TypedArray;
    const copy = allocate(dtype, data.length);
    copy.set(data as never);
    return new Tensor(dtype, copy, tensor.dims.map(Number));
  }
}

const ORT_TYPE: Partial<Record<DType, string>> = {
  float16: 'float16',
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

/** Whether two tensors' elements occupy any of the same bytes (views of one buffer may overlap partly). */
export function sharesMemory(a: Tensor, b: Tensor): boolean {
  const x = a.data;
  const y = b.data;
  return x.buffer === y.buffer && x.byteLength > 0 && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

function checkDType(where: string, dtype: unknown): void {
  if (!isDType(dtype)) throw new PyTypeError(`${where}: unknown dtype ${pyRepr(dtype)}; expected one of ${Object.keys(DTYPES).join(', ')}`);
}

function checkShape(shape: readonly number[]): void {
  let ok = Array.isArray(shape);
  // A plain loop: this runs on every tensor the layers create.
  for (let i = 0; ok && i < shape.length; i++) ok = Number.isSafeInteger(shape[i]) && shape[i] >= 0;
  if (!ok) throw new ValueError(`Tensor: shape must be a list of non-negative integers, got ${pyRepr(shape)}`);
}

function inferShape(values: NestedNumbers): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const check = (v: NestedNumbers, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new ValueError(`Tensor.from: expected a number at ${path}, got a list (the nesting is ragged)`);
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
        throw new PyTypeError(`Tensor.from: elements must be numbers, got ${pyRepr(v)} (${pyTypeName(v)}) at ${path}`);
      }
      return;
    }
    if (!Array.isArray(v)) {
      throw new ValueError(`Tensor.from: expected a sequence of length ${shape[dim]} at dim ${dim} (got ${pyRepr(v)} at ${path})`);
    }
    if (v.length !== shape[dim]) {
      throw new ValueError(`Tensor.from: expected sequence of length ${shape[dim]} at dim ${dim} (got ${v.length} at ${path})`);
    }
    v.forEach((item, j) => check(item, dim + 1, `${path}[${j}]`));
  };
  check(values, 0, 'values');
  return shape;
}

/** Reads element `i` of `data` (holding `dtype`) as a JS number. */
export function readElement(dtype: DType, data: TypedArray, i: number): number {
  switch (dtype) {
    case 'float16':
      return halfToNumber(data[i] as number);
    case 'bfloat16':
      return bfloat16ToNumber(data[i] as number);
    case 'int64':
      return Number(data[i]);
    default:
      return data[i] as number;
  }
}

/** Writes `value` as element `i` of `data` (holding `dtype`), converting like numpy's astype. */
export function writeElement(dtype: DType, data: TypedArray, i: number, value: number | boolean | bigint): void {
  const v = typeof value === 'number' ? value : Number(value);
  switch (dtype) {
    case 'float16':
      data[i] = numberToHalf(v);
      return;
    case 'bfloat16':
      data[i] = numberToBfloat16(v);
      return;
    case 'int64':
      if (!Number.isFinite(v)) throw new ValueError(`cannot convert ${pyRepr(v)} to int64`);
      data[i] = typeof value === 'bigint' ? value : BigInt(Math.trunc(v));
      return;
    case 'bool':
      data[i] = v !== 0 ? 1 : 0;
      return;
    default:
      data[i] = DTYPES[dtype].kind === 'int' ? Math.trunc(v) : v;
  }
}
