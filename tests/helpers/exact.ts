/**
 * Exact arithmetic on doubles with BigInt, for checking rounding code: a * b + c computed exactly
 * and rounded once to float32 or float64 (round to nearest, ties to even, with subnormals and
 * overflow). Slow and plain on purpose: it shares nothing with src/core/fma.ts.
 */
const view = new DataView(new ArrayBuffer(8));

/** x = m * 2^e exactly, with m a signed integer (x finite). */
function decompose(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) mant |= 1n << 52n;
  return { m: sign * mant, e: (exp === 0 ? 1 : exp) - 1075 };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** The value m * 2^e rounded to a binary format with `precision` bits and smallest ulp 2^minUlpExp. */
function roundTo(m: bigint, e: number, precision: number, minUlpExp: number): number {
  const negative = m < 0n;
  let mag = negative ? -m : m;
  const ulpExp = Math.max(e + bitLength(mag) - precision, minUlpExp);
  if (ulpExp > e) {
    const shift = BigInt(ulpExp - e);
    const q = mag >> shift;
    const rest = mag - (q << shift);
    const half = 1n << (shift - 1n);
    mag = rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
  } else {
    mag <<= BigInt(e - ulpExp);
  }
  const value = Number(mag) * 2 ** ulpExp;
  return negative ? -value : value;
}

/** a * b + c, exactly, rounded once; `format` picks float32 (24 bits) or float64 (53 bits). */
export function exactFma(a: number, b: number, c: number, format: 'float32' | 'float64'): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const pe = x.e + y.e;
  const e = Math.min(pe, z.e);
  const sum = ((x.m * y.m) << BigInt(pe - e)) + (z.m << BigInt(z.e - e));
  if (sum === 0n) return a * b + c; // the sign of an exact zero is the plain sum's
  const rounded = format === 'float32' ? roundTo(sum, e, 24, -149) : roundTo(sum, e, 53, -1074);
  return format === 'float32' ? Math.fround(rounded) : rounded;
}
