/**
 * `mindspore.set_seed` / `get_seed` and the generator the random initializers draw from.
 *
 * MindSpore's initializers draw a seed from numpy's global generator (which `set_seed` reseeds) and
 * fill the tensor with its own Philox stream. This facade keeps the contract (the same seed gives
 * the same values, run after run; no seed gives fresh values) but not the stream: its numbers come
 * from a xoshiro128** generator and cannot equal MindSpore's for the same seed.
 */
import { PyTypeError, ValueError } from '../core/errors';
import { isPyInt, pyTypeName } from '../core/python';
import { standardNormal } from '../core/random';

let globalSeed: number | null = null;
let state = seedState(freshSeed());

/** `mindspore.set_seed(seed)`: reseeds the generator; the seed must be a non-negative int. */
export function set_seed(seed: number | bigint): void {
  if (!isPyInt(seed) && typeof seed !== 'boolean') {
    throw new PyTypeError(`The argument 'seed' must be type of int, but got <class '${pyTypeName(seed)}'>.`);
  }
  // check_non_negative_int('seed', prim 'global_seed'): a bool is an int in Python but fails here.
  if (typeof seed === 'boolean') {
    throw new PyTypeError(`For 'global_seed', the 'seed' must be int and must >= 0, but got '${seed ? 'True' : 'False'}' with type 'bool'.`);
  }
  if (seed < 0) throw new ValueError(`For 'global_seed', the 'seed' must be int and must >= 0, but got '${seed}' with type 'int'.`);
  globalSeed = Number(seed);
  state = seedState(typeof seed === 'bigint' ? Number(seed % 2n ** 53n) : seed);
}

/** `mindspore.get_seed()`: the seed last set, or null (Python's None). */
export function get_seed(): number | null {
  return globalSeed;
}

/** A uniform draw in [0, 1) with 32 random bits. */
export function nextUniform(): number {
  return nextUint32() / 4294967296;
}

/** A standard normal draw. */
export function nextNormal(): number {
  return standardNormal(nextUniform);
}

/**
 * A draw from N(mean, sigma^2) truncated to [a, b] (absolute bounds, as MindSpore's kernel takes
 * them), by the inverse CDF as MindSpore's `TruncatedNormal` distribution does
 * (include/common/random.h@v2.6.0:348-356). Like it, the result is not clamped: rounding in the CDF
 * and its inverse can put a draw a hair outside [a, b].
 */
export function nextTruncatedNormal(mean: number, sigma: number, a: number, b: number): number {
  const cdfA = normalCdf((a - mean) / sigma);
  const cdfB = normalCdf((b - mean) / sigma);
  const p = cdfA + nextUniform() * (cdfB - cdfA);
  return mean + normalQuantile(p) * sigma;
}

function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32) ^ (Date.now() & 0xffffffff);
}

/** splitmix32 expands the seed into xoshiro128**'s four words (never all zero). */
function seedState(seed: number): Uint32Array {
  const s = new Uint32Array(4);
  let x = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1;
  return s;
}

function nextUint32(): number {
  const s = state;
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** erfc by the Chebyshev fit of Numerical Recipes' `erfcc` (fractional error below 1.2e-7, plenty for sampling). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Inverse standard normal CDF (Acklam's algorithm, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
