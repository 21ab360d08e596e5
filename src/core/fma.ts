/**
 * Fused multiply-add, a * b + c rounded once, for runtimes that have no FMA instruction (JS, and
 * wasm without relaxed SIMD). Both use rounding to odd (Boldo & Melquiond, "Emulation of FMA and
 * correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008): a value rounded
 * to odd in a precision at least two bits wider than the target, then rounded to nearest, is the
 * correctly rounded value, so the intermediate rounding cannot cause double rounding.
 */

// Views for reading and nudging the last bit of a double (little-endian, as every JS engine is).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * `s`, the double nearest to s + e (e: the exact rounding error of s, sign only matters), moved to
 * the neighbouring double toward s + e when its last bit is even and e is not 0: s rounded to odd.
 */
function roundToOdd(s: number, e: number): number {
  if (e === 0) return s;
  f64[0] = s;
  if ((u32[0] & 1) !== 0) return s;
  // Even: step one ulp toward the exact value (away from zero when e has the sign of s).
  if (e > 0 === s > 0) {
    u32[0] += 1; // cannot carry: the low word is even
  } else if (u32[0] === 0) {
    u32[0] = 0xffffffff;
    u32[1] -= 1;
  } else {
    u32[0] -= 1;
  }
  return f64[0];
}

/**
 * a * b + c rounded once to float32, for float32 a, b, c. The product of two float32 values is
 * exact in float64 (48 bits); the sum is rounded to odd in float64 (53 >= 24 + 2 bits) and then to
 * float32.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  // TwoSum: the exact error of s = p + c (any magnitudes; Inf/NaN propagate into s).
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  return Math.fround(e === 0 || s - s !== 0 ? s : roundToOdd(s, e));
}

const SPLIT = 134217729; // 2^27 + 1: Veltkamp's constant, splits a double into two 26-bit halves

/**
 * a * b + c rounded once in float64: the exact product as p + q (Dekker), p + c as th + tl
 * (TwoSum), then th + RO(tl + q). Exact unless the splitting overflows (|a| or |b| above about
 * 2^996) or the product's error falls below the subnormal range; those cases (and non-finite
 * operands) return the unfused a * b + c.
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const q = ah * bh - p + ah * bl + al * bh + al * bl;
  const th = p + c;
  if (!(Math.abs(p) < 2 ** 996 && Math.abs(th) < 2 ** 1000) || q - q !== 0 || (p !== 0 && Math.abs(p) < 2 ** -960)) return th;
  const z = th - p;
  const tl = p - (th - z) + (c - z);
  const v = tl + q;
  if (v === 0) return th; // exact (and keeps the sign of a zero sum)
  const vz = v - tl;
  const ve = tl - (v - vz) + (q - vz);
  return th + roundToOdd(v, ve);
}
