/**
 * The element types a tensor can hold. The float types are the ones the layers compute in; the
 * others exist so that checkpoints can carry every tensor a real model has (an int64
 * `num_batches_tracked`, a uint8 mask, a bfloat16 conv weight) through a conversion unchanged.
 */
export const DTYPES = {
  float16: { array: Uint16Array, bytes: 2, kind: 'float' },
  bfloat16: { array: Uint16Array, bytes: 2, kind: 'float' },
  float32: { array: Float32Array, bytes: 4, kind: 'float' },
  float64: { array: Float64Array, bytes: 8, kind: 'float' },
  int8: { array: Int8Array, bytes: 1, kind: 'int' },
  uint8: { array: Uint8Array, bytes: 1, kind: 'int' },
  int16: { array: Int16Array, bytes: 2, kind: 'int' },
  int32: { array: Int32Array, bytes: 4, kind: 'int' },
  int64: { array: BigInt64Array, bytes: 8, kind: 'int' },
  bool: { array: Uint8Array, bytes: 1, kind: 'bool' },
} as const;

export type DType = keyof typeof DTYPES;
/** The dtypes the normalization kernels compute in directly. */
export type FloatDType = 'float32' | 'float64';
/** Half precision is stored as raw IEEE bits and computed in float32 (as MindSpore's GPU kernel does). */
export type ComputeDType = FloatDType | 'float16';

interface DataMap {
  float16: Uint16Array;
  bfloat16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}
/** The typed array that holds elements of `D` (half and bfloat16 as raw bits). */
export type DataOf<D extends DType> = DataMap[D];
export type TypedArray = DataOf<DType>;

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, value);
}

export function allocate<D extends DType>(dtype: D, length: number): DataOf<D> {
  return new DTYPES[dtype].array(length) as DataOf<D>;
}

// ---- IEEE half and bfloat16 bit conversions (Node 20 has no Float16Array) ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float16 bits -> number (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number -> float16 bits, rounding to nearest even (as numpy's astype(float16)). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= 65520) return sign | 0x7c00; // rounds to infinity
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24, round half to even
    const units = a * 2 ** 24;
    let r = Math.round(units);
    if (r - units === 0.5 && r % 2 === 1) r -= 1;
    return sign | r;
  }
  let exp = Math.floor(Math.log2(a));
  if (2 ** exp > a) exp -= 1; // guard log2 rounding
  if (2 ** (exp + 1) <= a) exp += 1;
  const mant = a / 2 ** exp - 1; // [0, 1)
  const units = mant * 1024;
  let r = Math.round(units);
  if (r - units === 0.5 && r % 2 === 1) r -= 1;
  if (r === 1024) {
    r = 0;
    exp += 1;
    if (exp > 15) return sign | 0x7c00;
  }
  return sign | ((exp + 15) << 10) | r;
}

/** bfloat16 bits -> number (exact). */
export function bfloat16ToNumber(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** number -> bfloat16 bits, rounding to nearest even (as PyTorch's conversion). */
export function numberToBfloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  if (Number.isNaN(f32[0])) return 0x7fc0;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
