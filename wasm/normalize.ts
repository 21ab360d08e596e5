// AssemblyScript source of the wasm normalize kernel (built by `npm run build:wasm`).
//
// The JS side owns the memory layout: it copies a cache-sized block of input in, calls one of these
// functions on the block's address, and copies the result out, so the copies stay in cache. All
// statistics are float64 at the end; the float32 fast paths keep only short partial sums in
// float32 and fall back to exact float64 code whenever a row's range or shape could make them
// inaccurate (see `fastStats32` and `fastNormalizeOk`).
//
// A block holds `runs` consecutive runs (the elements one set of statistics covers), as `images`
// stretches of `length` values each: stretch k of run j starts at value (k * runs + j) * length. A
// row of instance norm is a run of one image; a channel of batch norm is a run of N images (its
// slice in each batch entry), gathered from the input in element order.

// Flags for the block functions.
const USE_INPUT_STATS: i32 = 1;
const HAS_WEIGHT: i32 = 2;
const HAS_BIAS: i32 = 4;
const WRITE_STATS: i32 = 8;

// Vector adds into one float32 partial sum before it is flushed to float64: the worst-case
// relative error of a flushed group is about (GROUP + 3) * 2^-24.
const GROUP: i32 = 8;

// Results of the last statistics call: mean and sum of squared deviations (M2), both float64.
let lastMean: f64 = 0;
let lastM2: f64 = 0;

export function statMean(): f64 {
  return lastMean;
}
export function statM2(): f64 {
  return lastM2;
}

// ---------------------------------------------------------------- float32 statistics

/** Exact-as-float64 two-pass statistics of n float32 values at p. */
function exactStats32(p: usize, n: i32): void {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let i = 0;
  const n4 = n & ~3;
  for (; i < n4; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  }
  let sum = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; i < n; i++) sum += <f64>load<f32>(p + (<usize>i << 2));
  let mean = sum / <f64>n;
  // A second, shifted pass removes what rounding left in the first mean.
  const mv = f64x2.splat(mean);
  let d0 = f64x2.splat(0);
  let d1 = f64x2.splat(0);
  let q0 = f64x2.splat(0);
  let q1 = f64x2.splat(0);
  i = 0;
  for (; i < n4; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    const a = f64x2.sub(f64x2.promote_low_f32x4(v), mv);
    const b = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), mv);
    d0 = f64x2.add(d0, a);
    d1 = f64x2.add(d1, b);
    q0 = f64x2.add(q0, f64x2.mul(a, a));
    q1 = f64x2.add(q1, f64x2.mul(b, b));
  }
  let ds = f64x2.extract_lane(d0, 0) + f64x2.extract_lane(d0, 1) + f64x2.extract_lane(d1, 0) + f64x2.extract_lane(d1, 1);
  let qs = f64x2.extract_lane(q0, 0) + f64x2.extract_lane(q0, 1) + f64x2.extract_lane(q1, 0) + f64x2.extract_lane(q1, 1);
  for (; i < n; i++) {
    const d = <f64>load<f32>(p + (<usize>i << 2)) - mean;
    ds += d;
    qs += d * d;
  }
  // Corrected two-pass formula (Chan, Golub & LeVeque): M2 = sum d^2 - (sum d)^2 / n.
  lastMean = mean + ds / <f64>n;
  lastM2 = max(qs - (ds * ds) / <f64>n, 0);
}

@inline
function flush(acc: v128, s: v128): v128 {
  return f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(s), f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 0, 1))));
}

/**
 * One pass of shifted sums, sum(x - K) and sum((x - K)^2), in short float32 partial sums flushed
 * to float64. K is the mean of the first few values, so the shift is close to the mean. Returns
 * false (and leaves the globals alone) when the result could be inaccurate: overflow or NaN, a
 * variance small enough for float32 squares to underflow, or a shift far from the mean, where
 * subtracting (sum d)^2 / n cancels.
 */
function fastStats32(p: usize, n: i32): bool {
  if (n < 64) return false;
  let k: f64 = 0;
  for (let j = 0; j < 32; j++) k += <f64>load<f32>(p + (<usize>j << 2));
  const K = <f32>(k / 32);
  const kv = f32x4.splat(K);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let i = 0;
  const n16 = n & ~15;
  while (i < n16) {
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    let q0 = f32x4.splat(0);
    let q1 = f32x4.splat(0);
    let q2 = f32x4.splat(0);
    let q3 = f32x4.splat(0);
    const end = min(i + 16 * GROUP, n16);
    for (; i < end; i += 16) {
      const q = p + (<usize>i << 2);
      const d0 = f32x4.sub(v128.load(q), kv);
      const d1 = f32x4.sub(v128.load(q, 16), kv);
      const d2 = f32x4.sub(v128.load(q, 32), kv);
      const d3 = f32x4.sub(v128.load(q, 48), kv);
      s0 = f32x4.add(s0, d0);
      s1 = f32x4.add(s1, d1);
      s2 = f32x4.add(s2, d2);
      s3 = f32x4.add(s3, d3);
      q0 = f32x4.add(q0, f32x4.mul(d0, d0));
      q1 = f32x4.add(q1, f32x4.mul(d1, d1));
      q2 = f32x4.add(q2, f32x4.mul(d2, d2));
      q3 = f32x4.add(q3, f32x4.mul(d3, d3));
    }
    a1 = flush(a1, f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
    a2 = flush(a2, f32x4.add(f32x4.add(q0, q1), f32x4.add(q2, q3)));
  }
  let S1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  let S2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
  const kd = <f64>K;
  for (; i < n; i++) {
    const d = <f64>load<f32>(p + (<usize>i << 2)) - kd;
    S1 += d;
    S2 += d * d;
  }
  const nf = <f64>n;
  const shiftPart = (S1 * S1) / nf;
  const m2 = S2 - shiftPart;
  // Finite, the shift costs at most a third of the sum of squares (cancellation factor <= 1.5),
  // and the variance is far above where float32 squares lose bits to underflow.
  if (!(S2 < Infinity) || !(shiftPart <= S2 / 3) || !(m2 >= 1e-24 * nf)) return false;
  lastMean = kd + S1 / nf;
  lastM2 = m2;
  return true;
}

/** Mean and M2 of n float32 values at p, into the globals. */
export function stats32(p: usize, n: i32): void {
  if (!fastStats32(p, n)) exactStats32(p, n);
}

// ---------------------------------------------------------------- float32 normalize

/**
 * Whether y = (x - mean) * scale + shift may be computed in float32 with the mean split into a
 * float32 head and tail: the head subtraction is exact near the mean (Sterbenz), the tail carries
 * the rest, and nothing overflows or underflows on the way as long as these stay in range.
 */
@inline
function fastNormalizeOk(mean: f64, scale: f64, shift: f64): bool {
  const s = abs(scale);
  return abs(mean) < 1e30 && ((s > 1e-30 && s < 1e30) || s == 0) && abs(shift) < 1e30;
}

/** y = (x - mean) * scale + shift over n float32 values at p, in place. */
export function normalize32(p: usize, n: i32, mean: f64, scale: f64, shift: f64): void {
  let i = 0;
  if (fastNormalizeOk(mean, scale, shift)) {
    const head = <f32>mean;
    const tail = mean - <f64>head;
    // (x - head) * scale + (shift - tail * scale), the second term folded in float64.
    const hv = f32x4.splat(head);
    const sv = f32x4.splat(<f32>scale);
    const bv = f32x4.splat(<f32>(shift - tail * scale));
    const n16 = n & ~15;
    for (; i < n16; i += 16) {
      const q = p + (<usize>i << 2);
      const x0 = v128.load(q);
      const x1 = v128.load(q, 16);
      const x2 = v128.load(q, 32);
      const x3 = v128.load(q, 48);
      v128.store(q, f32x4.add(f32x4.mul(f32x4.sub(x0, hv), sv), bv));
      v128.store(q, f32x4.add(f32x4.mul(f32x4.sub(x1, hv), sv), bv), 16);
      v128.store(q, f32x4.add(f32x4.mul(f32x4.sub(x2, hv), sv), bv), 32);
      v128.store(q, f32x4.add(f32x4.mul(f32x4.sub(x3, hv), sv), bv), 48);
    }
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, <f32>((<f64>load<f32>(q) - mean) * scale + shift));
  }
}

// ---------------------------------------------------------------- float64

/** Mean and M2 of n float64 values at p: a shifted one-pass estimate, redone two-pass if it cancels. */
export function stats64(p: usize, n: i32): void {
  const nf = <f64>n;
  let K: f64 = 0;
  const head = min(n, 32);
  for (let j = 0; j < head; j++) K += load<f64>(p + (<usize>j << 3));
  K /= <f64>head;
  if (twoSums64(p, n, K)) {
    const m2 = lastM2 - (lastMean * lastMean) / nf;
    if (m2 >= 0 && (lastMean * lastMean) / nf <= lastM2 / 3 && lastM2 < Infinity) {
      lastMean = K + lastMean / nf;
      lastM2 = m2;
      return;
    }
  }
  // Two-pass: plain mean, then the corrected shifted sums around it.
  twoSums64(p, n, 0);
  const mean = lastMean / nf;
  twoSums64(p, n, mean);
  lastM2 = max(lastM2 - (lastMean * lastMean) / nf, 0);
  lastMean = mean + lastMean / nf;
}

/** sum(x - K) into lastMean and sum((x - K)^2) into lastM2; returns whether both are finite. */
function twoSums64(p: usize, n: i32, K: f64): bool {
  const kv = f64x2.splat(K);
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let q0 = f64x2.splat(0);
  let q1 = f64x2.splat(0);
  let i = 0;
  const n4 = n & ~3;
  for (; i < n4; i += 4) {
    const q = p + (<usize>i << 3);
    const d0 = f64x2.sub(v128.load(q), kv);
    const d1 = f64x2.sub(v128.load(q, 16), kv);
    s0 = f64x2.add(s0, d0);
    s1 = f64x2.add(s1, d1);
    q0 = f64x2.add(q0, f64x2.mul(d0, d0));
    q1 = f64x2.add(q1, f64x2.mul(d1, d1));
  }
  let S1 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  let S2 = f64x2.extract_lane(q0, 0) + f64x2.extract_lane(q0, 1) + f64x2.extract_lane(q1, 0) + f64x2.extract_lane(q1, 1);
  for (; i < n; i++) {
    const d = load<f64>(p + (<usize>i << 3)) - K;
    S1 += d;
    S2 += d * d;
  }
  lastMean = S1;
  lastM2 = S2;
  return S2 < Infinity && S1 - S1 == 0;
}

/** y = (x - mean) * scale + shift over n float64 values at p, in place. */
export function normalize64(p: usize, n: i32, mean: f64, scale: f64, shift: f64): void {
  const mv = f64x2.splat(mean);
  const sv = f64x2.splat(scale);
  const bv = f64x2.splat(shift);
  let i = 0;
  const n4 = n & ~3;
  for (; i < n4; i += 4) {
    const q = p + (<usize>i << 3);
    const x0 = v128.load(q);
    const x1 = v128.load(q, 16);
    v128.store(q, f64x2.add(f64x2.mul(f64x2.sub(x0, mv), sv), bv));
    v128.store(q, f64x2.add(f64x2.mul(f64x2.sub(x1, mv), sv), bv), 16);
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 3);
    store<f64>(q, (load<f64>(q) - mean) * scale + shift);
  }
}

// ---------------------------------------------------------------- whole blocks of runs

/**
 * Mean and M2 of a run of `images` stretches of n values (float64 when `wide`, else float32),
 * `stride` bytes apart: per-stretch statistics merged pairwise (Chan et al.), into the globals.
 */
function runStats(p: usize, n: i32, images: i32, stride: usize, wide: bool): void {
  if (images == 1) {
    if (wide) stats64(p, n);
    else stats32(p, n);
    return;
  }
  let seen: f64 = 0;
  let mean: f64 = 0;
  let m2: f64 = 0;
  for (let k = 0; k < images; k++) {
    if (wide) stats64(p + <usize>k * stride, n);
    else stats32(p + <usize>k * stride, n);
    const total = seen + <f64>n;
    const delta = lastMean - mean;
    mean += (delta * <f64>n) / total;
    m2 += lastM2 + ((delta * delta * seen) / total) * <f64>n;
    seen = total;
  }
  lastMean = mean;
  lastM2 = m2;
}

/**
 * Normalizes the `runs` runs of a block at p (run index r0 + j, channel (r0 + j) % channels), in
 * place. `chan` holds four float64 arrays of `channels` values: weight, bias, running mean, running
 * var. With WRITE_STATS, each run's mean and sum of squared deviations go to float64 arrays at
 * `stats` and `stats + 8 * totalRuns`.
 */
export function block32(p: usize, runs: i32, length: i32, images: i32, r0: i32, channels: i32, eps: f64, flags: i32, chan: usize, stats: usize, totalRuns: i32): void {
  const stride = (<usize>runs * <usize>length) << 2;
  for (let j = 0; j < runs; j++) {
    const q = p + ((<usize>j * <usize>length) << 2);
    const r = r0 + j;
    if (flags & USE_INPUT_STATS) runStats(q, length, images, stride, false);
    runParams(r, r % channels, channels, length * images, eps, flags, chan, stats, totalRuns);
    for (let k = 0; k < images; k++) normalize32(q + <usize>k * stride, length, lastMean, lastScale, lastShift);
  }
}

export function block64(p: usize, runs: i32, length: i32, images: i32, r0: i32, channels: i32, eps: f64, flags: i32, chan: usize, stats: usize, totalRuns: i32): void {
  const stride = (<usize>runs * <usize>length) << 3;
  for (let j = 0; j < runs; j++) {
    const q = p + ((<usize>j * <usize>length) << 3);
    const r = r0 + j;
    if (flags & USE_INPUT_STATS) runStats(q, length, images, stride, true);
    runParams(r, r % channels, channels, length * images, eps, flags, chan, stats, totalRuns);
    for (let k = 0; k < images; k++) normalize64(q + <usize>k * stride, length, lastMean, lastScale, lastShift);
  }
}

let lastScale: f64 = 0;
let lastShift: f64 = 0;

/**
 * Turns run r's statistics (from the stats call over its `count` values, or channel c's running
 * ones) into lastMean, lastScale and lastShift; records the run's mean and sum of squared
 * deviations when asked. Channel arrays are float64, laid out [weight | bias | running mean |
 * running var], `channels` values each.
 */
@inline
function runParams(r: i32, c: i32, channels: i32, count: i32, eps: f64, flags: i32, chan: usize, stats: usize, totalRuns: i32): void {
  let invstd: f64;
  if (flags & USE_INPUT_STATS) {
    const variance = lastM2 / <f64>count;
    if (flags & WRITE_STATS) {
      store<f64>(stats + (<usize>r << 3), lastMean);
      store<f64>(stats + ((<usize>totalRuns + <usize>r) << 3), lastM2);
    }
    // A constant run with eps 0 normalizes to 0 rather than NaN (PyTorch's InvStd rule).
    invstd = variance == 0 && eps == 0 ? 0 : 1 / Math.sqrt(variance + eps);
  } else {
    lastMean = load<f64>(chan + ((<usize>(2 * channels + c)) << 3));
    invstd = 1 / Math.sqrt(load<f64>(chan + ((<usize>(3 * channels + c)) << 3)) + eps);
  }
  lastScale = flags & HAS_WEIGHT ? invstd * load<f64>(chan + (<usize>c << 3)) : invstd;
  lastShift = flags & HAS_BIAS ? load<f64>(chan + ((<usize>(channels + c)) << 3)) : 0;
}

// ================================================================ stepwise float32
//
// The steps of a CPU batch-norm kernel (see Arithmetic in src/core/kernels/types.ts): the row sum
// and the sum of float32 squares in float64 *in element order*, each rounded to float32, then
// y = fma(x, alpha, beta). An element-order sum is one long dependency chain, so the fast path
// sums in 8 float64 lanes instead, with a rigorous bound on how far both sums can be from the
// exact one; when the bound leaves the float32 rounding of the result undecided, the row is summed
// again in element order (rare: the bound is about L * 2^-53 relative, a float32 ulp is 2^-24).
// FMA: wasm has none, but a product of two float32 is exact in float64, so s = x * alpha + beta
// is one float64 rounding; it can only differ from the fused result when s lands exactly on a
// float32 rounding midpoint, which is checked for (and such groups redone with rounding to odd).

const U: f64 = 1.1102230246251565e-16; // 2^-53, the float64 unit roundoff
const CHUNK: i32 = 64; // elements between two samples of the lane magnitudes (for the bound)

// Row state, kept across calls when a long row is streamed in several blocks.
let sumEst: f64 = 0; // pass A: the 8-lane float64 sum
let sumBound: f64 = 0; // its distance to the element-order sum, less the term in sum |x|
let sumCalls: i32 = 0;
let squaresEst: f64 = 0; // pass B
let squaresCalls: i32 = 0;
let count: i32 = 0;
let serialTotal: f64 = 0; // the element-order sums, when needed
let alwaysInOrder: bool = false; // tests: decide nothing from the lane sums

export function setAlwaysInOrder(on: bool): void {
  alwaysInOrder = on;
}

export function rowStart(): void {
  sumEst = 0;
  sumBound = 0;
  sumCalls = 0;
  squaresEst = 0;
  squaresCalls = 0;
  count = 0;
  serialTotal = 0;
}

export function rowSumEstimate(): f64 {
  return sumEst;
}
export function rowSquaresEstimate(): f64 {
  return squaresEst;
}
export function rowSerialTotal(): f64 {
  return serialTotal;
}

@inline
function absLanes(a: v128, b: v128, c: v128, d: v128): v128 {
  return f64x2.add(f64x2.add(f64x2.abs(a), f64x2.abs(b)), f64x2.add(f64x2.abs(c), f64x2.abs(d)));
}

@inline
function lanes2(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/**
 * Pass A over n float32 values at p: adds their 8-lane float64 sum to sumEst and the bound terms
 * to sumBound. Bound: the element-order sum errs by at most U * sum over k of |prefix_k| and the
 * lane sum by U * sum over adds of |lane partial|; a prefix inside chunk j of this call is at most
 * |sumEst| + T_j + A_j (T_j: sum of |lanes| at the chunk's start, A_j: sum |x| in the chunk), so
 * both are covered by U * (n |sumEst| + 1.125 CHUNK sum_j T_j + 16 (T_end + |tail|)) plus
 * U * (2 CHUNK + 16) * sum |x|, the last added in rowMeanCertain once sum |x| is bounded.
 */
export function sumBlock32(p: usize, n: i32): void {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let b0 = f64x2.splat(0);
  let b1 = f64x2.splat(0);
  let t = f64x2.splat(0);
  let i = 0;
  const n8 = n & ~7;
  while (i < n8) {
    t = f64x2.add(t, absLanes(a0, a1, b0, b1));
    const end = min(i + CHUNK, n8);
    for (; i < end; i += 8) {
      const q = p + (<usize>i << 2);
      const v = v128.load(q);
      const w = v128.load(q, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      b0 = f64x2.add(b0, f64x2.promote_low_f32x4(w));
      b1 = f64x2.add(b1, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1)));
    }
  }
  let tail: f64 = 0;
  for (; i < n; i++) tail += <f64>load<f32>(p + (<usize>i << 2));
  const block = (lanes2(a0) + lanes2(a1)) + (lanes2(b0) + lanes2(b1)) + tail;
  const tEnd = lanes2(absLanes(a0, a1, b0, b1));
  sumBound += U * (<f64>n * abs(sumEst) + 1.125 * <f64>CHUNK * lanes2(t) + 16 * (tEnd + abs(tail)) + abs(sumEst) + abs(block));
  sumEst += block;
  sumCalls++;
  count += n;
}

/** Pass B: the 8-lane float64 sum of float32 (x - mean)^2 over n values at p, into squaresEst. */
export function squaresBlock32(p: usize, n: i32, mean: f32): void {
  const mv = f32x4.splat(mean);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let b0 = f64x2.splat(0);
  let b1 = f64x2.splat(0);
  let i = 0;
  const n8 = n & ~7;
  for (; i < n8; i += 8) {
    const q = p + (<usize>i << 2);
    const d = f32x4.sub(v128.load(q), mv);
    const e = f32x4.sub(v128.load(q, 16), mv);
    const v = f32x4.mul(d, d);
    const w = f32x4.mul(e, e);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    b0 = f64x2.add(b0, f64x2.promote_low_f32x4(w));
    b1 = f64x2.add(b1, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1)));
  }
  let tail: f64 = 0;
  for (; i < n; i++) {
    const d = load<f32>(p + (<usize>i << 2)) - mean;
    tail += <f64>(d * d);
  }
  squaresEst += (lanes2(a0) + lanes2(a1)) + (lanes2(b0) + lanes2(b1)) + tail;
  squaresCalls++;
}

/** The element-order float64 sum of the values (continued across calls), into serialTotal. */
export function serialSumBlock32(p: usize, n: i32): void {
  let s = serialTotal;
  for (let i = 0; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  serialTotal = s;
}

/** The element-order float64 sum of float32 (x - mean)^2 (continued across calls), into serialTotal. */
export function serialSquaresBlock32(p: usize, n: i32, mean: f32): void {
  let s = serialTotal;
  for (let i = 0; i < n; i++) {
    const d = load<f32>(p + (<usize>i << 2)) - mean;
    s += <f64>(d * d);
  }
  serialTotal = s;
}

/**
 * Whether float32(sum / count) is the same for the element-order sum as for sumEst: true when
 * every sum within the bound rounds to the same float32 (or the sum is not finite: then no order
 * changes it). sum |x| <= sqrt(count * sum (x - mean)^2) + count * |mean| (Cauchy-Schwarz), from
 * pass B's squares (each float32 square within 2^-23 of (x - mean)^2, or an underflow to 0).
 */
export function rowMeanCertain(mean: f32): bool {
  if (alwaysInOrder) return false;
  if (!(sumEst - sumEst == 0)) return true;
  const L = <f64>count;
  const squares = squaresEst * (1 + 2e-6) + squaresBound() + L * 1e-42;
  const absSum = (1 + 1e-6) * Math.sqrt(L * squares) + L * abs(<f64>mean);
  const bound = 1.02 * (sumBound + U * <f64>(2 * CHUNK + 16) * absSum) + 4 * U * abs(sumEst);
  return <f32>((sumEst - bound) / L) == <f32>((sumEst + bound) / L);
}

/** The element-order and the 8-lane sums of non-negative terms each err by at most U * (count + 16 calls) * total. */
@inline
function squaresBound(): f64 {
  return 1.02 * U * (2 * <f64>count + 16 * <f64>squaresCalls) * squaresEst;
}

/** Whether float32(squares) is the same for the element-order sum as for squaresEst. */
export function rowSquaresCertain(): bool {
  if (alwaysInOrder) return false;
  if (!(squaresEst - squaresEst == 0)) return true;
  const bound = squaresBound() + 4 * U * squaresEst;
  return <f32>(squaresEst - bound) == <f32>(squaresEst + bound);
}

/** a * b + c rounded once to float32 (the product is exact in float64; the sum rounded to odd). */
export function fma32(a: f32, b: f32, c: f32): f32 {
  const p = <f64>a * <f64>b;
  const s = p + <f64>c;
  const bb = s - p;
  const e = (p - (s - bb)) + (<f64>c - bb);
  if (e == 0 || !(s - s == 0)) return <f32>s;
  let bits = reinterpret<u64>(s);
  if ((bits & 1) == 0) bits = (e > 0) == (s > 0) ? bits + 1 : bits - 1;
  return <f32>reinterpret<f64>(bits);
}

/** y = fma(x, alpha, beta) one element at a time, in place. */
function fmaScalar32(p: usize, n: i32, alpha: f32, beta: f32): void {
  for (let i = 0; i < n; i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, fma32(load<f32>(q), alpha, beta));
  }
}

/**
 * y = fma(x, alpha, beta) over n values at p, in place. In float64, x * alpha is exact and
 * s = x * alpha + beta rounds once; rounding s to float32 then gives the fused result unless s is
 * exactly a float32 midpoint (low 29 mantissa bits 0x10000000), checked per 16 values. In the
 * float32 subnormal range midpoints look different, but there s is exact whenever |beta| >= 2^-100
 * or beta == 0 (every term is then a multiple of 2^-149); otherwise the row goes element by element.
 */
export function fmaBlock32(p: usize, n: i32, alpha: f32, beta: f32): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    // The build with relaxed SIMD is used only where relaxed_madd is fused (see fusedMultiplyAdd).
    const av = f32x4.splat(alpha);
    const bv = f32x4.splat(beta);
    let j = 0;
    const n16 = n & ~15;
    for (; j < n16; j += 16) {
      const q = p + (<usize>j << 2);
      v128.store(q, f32x4.relaxed_madd(v128.load(q), av, bv));
      v128.store(q, f32x4.relaxed_madd(v128.load(q, 16), av, bv), 16);
      v128.store(q, f32x4.relaxed_madd(v128.load(q, 32), av, bv), 32);
      v128.store(q, f32x4.relaxed_madd(v128.load(q, 48), av, bv), 48);
    }
    fmaScalar32(p + (<usize>j << 2), n - j, alpha, beta);
    return;
  }
  if (!(beta == 0 || abs(beta) >= <f32>7.888609052210118e-31)) {
    fmaScalar32(p, n, alpha, beta);
    return;
  }
  const av = f64x2.splat(<f64>alpha);
  const bv = f64x2.splat(<f64>beta);
  const mask = i32x4.splat(0x1fffffff);
  const tie = i32x4.splat(0x10000000);
  let i = 0;
  const n16 = n & ~15;
  for (; i < n16; i += 16) {
    const q = p + (<usize>i << 2);
    const s0 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q)), av), bv);
    const s1 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 8)), av), bv);
    const s2 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 16)), av), bv);
    const s3 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 24)), av), bv);
    const s4 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 32)), av), bv);
    const s5 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 40)), av), bv);
    const s6 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 48)), av), bv);
    const s7 = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(q, 56)), av), bv);
    // The low words of the eight pairs, then (low & mask) == tie in any lane.
    const w0 = v128.shuffle<i32>(s0, s1, 0, 2, 4, 6);
    const w1 = v128.shuffle<i32>(s2, s3, 0, 2, 4, 6);
    const w2 = v128.shuffle<i32>(s4, s5, 0, 2, 4, 6);
    const w3 = v128.shuffle<i32>(s6, s7, 0, 2, 4, 6);
    const ties = v128.or(
      v128.or(i32x4.eq(v128.and(w0, mask), tie), i32x4.eq(v128.and(w1, mask), tie)),
      v128.or(i32x4.eq(v128.and(w2, mask), tie), i32x4.eq(v128.and(w3, mask), tie)),
    );
    if (v128.any_true(ties)) {
      fmaScalar32(q, 16, alpha, beta);
      continue;
    }
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s0), 0);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s1), 0, 8);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s2), 0, 16);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s3), 0, 24);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s4), 0, 32);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s5), 0, 40);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s6), 0, 48);
    v128.store64_lane(q, f32x4.demote_f64x2_zero(s7), 0, 56);
  }
  fmaScalar32(p + (<usize>i << 2), n - i, alpha, beta);
}

let stepMean: f32 = 0;
let stepM2: f32 = 0;

export function stepwiseMean(): f32 {
  return stepMean;
}
export function stepwiseM2(): f32 {
  return stepM2;
}

/**
 * The statistics of a whole run at p (`images` stretches of n values, `stride` bytes apart, in
 * element order): the decisions of rowMeanCertain/rowSquaresCertain, with element-order fallbacks.
 */
function runStepwiseStats32(p: usize, n: i32, images: i32, stride: usize): void {
  rowStart();
  for (let k = 0; k < images; k++) sumBlock32(p + <usize>k * stride, n);
  const total = <f64>count;
  let mean = <f32>(sumEst / total);
  for (let k = 0; k < images; k++) squaresBlock32(p + <usize>k * stride, n, mean);
  if (!rowMeanCertain(mean)) {
    serialTotal = 0;
    for (let k = 0; k < images; k++) serialSumBlock32(p + <usize>k * stride, n);
    const exact = <f32>(serialTotal / total);
    if (reinterpret<u32>(exact) != reinterpret<u32>(mean)) {
      mean = exact;
      squaresEst = 0;
      squaresCalls = 0;
      for (let k = 0; k < images; k++) squaresBlock32(p + <usize>k * stride, n, mean);
    }
  }
  let m2 = <f32>squaresEst;
  if (!rowSquaresCertain()) {
    serialTotal = 0;
    for (let k = 0; k < images; k++) serialSquaresBlock32(p + <usize>k * stride, n, mean);
    m2 = <f32>serialTotal;
  }
  stepMean = mean;
  stepM2 = m2;
}

/** The stepwise invstd of a run's own statistics over `count` values (0 for a zero variance with eps 0). */
export function ownInvStd32(m2: f32, count: i32, eps: f64): f32 {
  const variance = m2 / <f32>count;
  return variance == 0 && eps == 0 ? 0 : <f32>(1 / Math.sqrt(<f64>variance + eps));
}

/** The stepwise invstd of given statistics: 1 / sqrt(var + eps), each step in float32. */
export function givenInvStd32(variance: f32, eps: f64): f32 {
  return <f32>1 / Mathf.sqrt(variance + <f32>eps);
}

/** Whole runs in a block, stepwise: statistics (own or given), alpha and beta, then the fused normalize. Same layout as block32. */
export function stepwiseBlock32(p: usize, runs: i32, length: i32, images: i32, r0: i32, channels: i32, eps: f64, flags: i32, chan: usize, stats: usize, totalRuns: i32): void {
  const stride = (<usize>runs * <usize>length) << 2;
  for (let j = 0; j < runs; j++) {
    const q = p + ((<usize>j * <usize>length) << 2);
    const r = r0 + j;
    const c = r % channels;
    let mean: f32;
    let invstd: f32;
    if (flags & USE_INPUT_STATS) {
      runStepwiseStats32(q, length, images, stride);
      mean = stepMean;
      if (flags & WRITE_STATS) {
        store<f64>(stats + (<usize>r << 3), <f64>stepMean);
        store<f64>(stats + ((<usize>totalRuns + <usize>r) << 3), <f64>stepM2);
      }
      invstd = ownInvStd32(stepM2, length * images, eps);
    } else {
      mean = <f32>load<f64>(chan + (<usize>(2 * channels + c) << 3));
      invstd = givenInvStd32(<f32>load<f64>(chan + (<usize>(3 * channels + c) << 3)), eps);
    }
    const alpha = flags & HAS_WEIGHT ? invstd * <f32>load<f64>(chan + (<usize>c << 3)) : invstd;
    const beta = fma32(-mean, alpha, flags & HAS_BIAS ? <f32>load<f64>(chan + (<usize>(channels + c) << 3)) : 0);
    for (let k = 0; k < images; k++) fmaBlock32(q + <usize>k * stride, length, alpha, beta);
  }
}

export function squaresReset(): void {
  squaresEst = 0;
  squaresCalls = 0;
}
export function serialReset(): void {
  serialTotal = 0;
}

// ================================================================ stepwise float64
//
// float64 sums must follow element order exactly (there is no float32 rounding to hide in), so
// they run as real dependency chains: one chain per row, two rows per vector, four vectors of
// rows at a time to keep the adder busy. y = fma(x, alpha, beta) is emulated exactly: x * alpha
// split into two doubles (Dekker), the sum with beta by TwoSum, and the low parts rounded to odd
// before the final addition (Boldo & Melquiond), the same steps as fma64 in src/core/fma.ts.

const SPLIT: f64 = 134217729; // 2^27 + 1
const TWO_996: f64 = 6.696928794914171e299; // 2^996: above it the split overflows
const TWO_1000: f64 = 1.0715086071862673e301; // 2^1000
const TWO_M960: f64 = 1.0261342003245941e-289; // 2^-960: below it the product's error underflows

/** a * b + c rounded once in float64: src/core/fma.ts's fma64, step for step (same results). */
export function fma64(a: f64, b: f64, c: f64): f64 {
  const p = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const q = ah * bh - p + ah * bl + al * bh + al * bl;
  const th = p + c;
  if (!(abs(p) < TWO_996 && abs(th) < TWO_1000) || !(q - q == 0) || (p != 0 && abs(p) < TWO_M960)) return th;
  const z = th - p;
  const tl = p - (th - z) + (c - z);
  const v = tl + q;
  if (v == 0) return th;
  const vz = v - tl;
  const ve = tl - (v - vz) + (q - vz);
  if (ve == 0) return th + v;
  let bits = reinterpret<u64>(v);
  if ((bits & 1) == 0) bits = (ve > 0) == (v > 0) ? bits + 1 : bits - 1;
  return th + reinterpret<f64>(bits);
}

const TWO_490: f64 = 3.196670515523576e+147; // 2^490
const TWO_500: f64 = 3.273390607896142e150; // 2^500
const TWO_995: f64 = 3.3484643974570855e299; // 2^995
const TWO_M900: f64 = 1.1830521861667747e-271; // 2^-900

/**
 * y = fma(x, alpha, beta) over n float64 values at p, in place, exactly (fma64's steps in two
 * lanes). Within the ranges checked here (|x| < 2^490 per group of 8, |alpha| < 2^500,
 * 2^-900 <= |beta| < 2^995) the split cannot overflow and an underflowing product error cannot
 * matter; elsewhere, element by element with fma64. beta == 0 is a plain product.
 */
export function fmaBlock64(p: usize, n: i32, alpha: f64, beta: f64): void {
  let i = 0;
  if (ASC_FEATURE_RELAXED_SIMD) {
    const av = f64x2.splat(alpha);
    const bv = f64x2.splat(beta);
    const n8 = n & ~7;
    for (; i < n8; i += 8) {
      const q = p + (<usize>i << 3);
      v128.store(q, f64x2.relaxed_madd(v128.load(q), av, bv));
      v128.store(q, f64x2.relaxed_madd(v128.load(q, 16), av, bv), 16);
      v128.store(q, f64x2.relaxed_madd(v128.load(q, 32), av, bv), 32);
      v128.store(q, f64x2.relaxed_madd(v128.load(q, 48), av, bv), 48);
    }
    for (; i < n; i++) {
      const q = p + (<usize>i << 3);
      store<f64>(q, fma64(load<f64>(q), alpha, beta));
    }
    return;
  }
  if (beta == 0) {
    const av = f64x2.splat(alpha);
    const zero = f64x2.splat(0);
    const n2 = n & ~1;
    for (; i < n2; i += 2) {
      const q = p + (<usize>i << 3);
      v128.store(q, f64x2.add(f64x2.mul(v128.load(q), av), zero));
    }
    for (; i < n; i++) {
      const q = p + (<usize>i << 3);
      store<f64>(q, load<f64>(q) * alpha + 0);
    }
    return;
  }
  if (abs(alpha) < TWO_500 && abs(beta) < TWO_995 && abs(beta) >= TWO_M900) {
    const ca = SPLIT * alpha;
    const ahs = ca - (ca - alpha);
    const av = f64x2.splat(alpha);
    const ah = f64x2.splat(ahs);
    const al = f64x2.splat(alpha - ahs);
    const bv = f64x2.splat(beta);
    const split = f64x2.splat(SPLIT);
    const limit = f64x2.splat(TWO_490);
    const one = i64x2.splat(1);
    const zero = f64x2.splat(0);
    const n8 = n & ~7;
    for (; i < n8; i += 8) {
      const q = p + (<usize>i << 3);
      const x0 = v128.load(q);
      const x1 = v128.load(q, 16);
      const x2 = v128.load(q, 32);
      const x3 = v128.load(q, 48);
      const small = v128.and(
        v128.and(f64x2.lt(f64x2.abs(x0), limit), f64x2.lt(f64x2.abs(x1), limit)),
        v128.and(f64x2.lt(f64x2.abs(x2), limit), f64x2.lt(f64x2.abs(x3), limit)),
      );
      if (!i64x2.all_true(small)) {
        for (let j = 0; j < 8; j++) store<f64>(q + (<usize>j << 3), fma64(load<f64>(q + (<usize>j << 3)), alpha, beta));
        continue;
      }
      v128.store(q, fmaLanes(x0, av, ah, al, bv, split, one, zero));
      v128.store(q, fmaLanes(x1, av, ah, al, bv, split, one, zero), 16);
      v128.store(q, fmaLanes(x2, av, ah, al, bv, split, one, zero), 32);
      v128.store(q, fmaLanes(x3, av, ah, al, bv, split, one, zero), 48);
    }
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 3);
    store<f64>(q, fma64(load<f64>(q), alpha, beta));
  }
}

/** fma64(x, alpha, beta) in two lanes (alpha split as ah + al once). */
@inline
function fmaLanes(x: v128, av: v128, ah: v128, al: v128, bv: v128, split: v128, one: v128, zero: v128): v128 {
  const p = f64x2.mul(x, av);
  const c = f64x2.mul(x, split);
  const xh = f64x2.sub(c, f64x2.sub(c, x));
  const xl = f64x2.sub(x, xh);
  // q = ((xh * ah - p) + xh * al + xl * ah) + xl * al: the exact error of p
  const q = f64x2.add(f64x2.add(f64x2.add(f64x2.sub(f64x2.mul(xh, ah), p), f64x2.mul(xh, al)), f64x2.mul(xl, ah)), f64x2.mul(xl, al));
  // th + tl = p + beta exactly
  const th = f64x2.add(p, bv);
  const z = f64x2.sub(th, p);
  const tl = f64x2.add(f64x2.sub(p, f64x2.sub(th, z)), f64x2.sub(bv, z));
  // v = tl + q, and its exact error ve
  const v = f64x2.add(tl, q);
  const vz = f64x2.sub(v, tl);
  const ve = f64x2.add(f64x2.sub(tl, f64x2.sub(v, vz)), f64x2.sub(q, vz));
  // v rounded to odd: an even v with ve != 0 moves one ulp toward ve (+1 on the bits when the signs agree).
  const even = i64x2.eq(v128.and(v, one), i64x2.splat(0));
  const inexact = f64x2.ne(ve, zero);
  const step = v128.or(i64x2.lt_s(v128.xor(v, ve), i64x2.splat(0)), one);
  const odd = i64x2.add(v, v128.and(step, v128.and(even, inexact)));
  // v == 0: the sum was exact, the result is th
  return v128.bitselect(th, f64x2.add(th, odd), f64x2.eq(v, zero));
}

// Statistics of up to 8 runs (lane k & 1 of vector k >> 1 is run k).
let groupMean0 = f64x2.splat(0);
let groupMean1 = f64x2.splat(0);
let groupMean2 = f64x2.splat(0);
let groupMean3 = f64x2.splat(0);
let groupM20 = f64x2.splat(0);
let groupM21 = f64x2.splat(0);
let groupM22 = f64x2.splat(0);
let groupM23 = f64x2.splat(0);

/**
 * Element-order statistics of 8 consecutive float64 runs at p, each of `images` stretches of n
 * values `stride` bytes apart (four vectors of two runs: eight independent dependency chains):
 * sum, mean = sum / (n * images), then the unfused squares in order, the last square of each
 * odd-length stretch fused. Runs past `runs` repeat the last one (their results are not used).
 */
function groupStats64(p: usize, n: i32, runs: i32, images: i32, stride: usize): void {
  const runBytes = <usize>n << 3;
  const last = runs - 1;
  const r1 = min(1, last), r2 = min(2, last), r3 = min(3, last), r4 = min(4, last), r5 = min(5, last), r6 = min(6, last), r7 = min(7, last);
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  for (let k = 0; k < images; k++) {
    const p0 = p + <usize>k * stride;
    const p1 = p0 + <usize>r1 * runBytes, p2 = p0 + <usize>r2 * runBytes, p3 = p0 + <usize>r3 * runBytes;
    const p4 = p0 + <usize>r4 * runBytes, p5 = p0 + <usize>r5 * runBytes, p6 = p0 + <usize>r6 * runBytes, p7 = p0 + <usize>r7 * runBytes;
    for (let i = 0; i < n; i++) {
      const off = <usize>i << 3;
      s0 = f64x2.add(s0, v128.load64_lane(p1 + off, v128.load64_zero(p0 + off), 1));
      s1 = f64x2.add(s1, v128.load64_lane(p3 + off, v128.load64_zero(p2 + off), 1));
      s2 = f64x2.add(s2, v128.load64_lane(p5 + off, v128.load64_zero(p4 + off), 1));
      s3 = f64x2.add(s3, v128.load64_lane(p7 + off, v128.load64_zero(p6 + off), 1));
    }
  }
  const nv = f64x2.splat(<f64>n * <f64>images);
  const m0 = f64x2.div(s0, nv);
  const m1 = f64x2.div(s1, nv);
  const m2 = f64x2.div(s2, nv);
  const m3 = f64x2.div(s3, nv);
  let q0 = f64x2.splat(0);
  let q1 = f64x2.splat(0);
  let q2 = f64x2.splat(0);
  let q3 = f64x2.splat(0);
  const paired = n & ~1;
  for (let k = 0; k < images; k++) {
    const p0 = p + <usize>k * stride;
    const p1 = p0 + <usize>r1 * runBytes, p2 = p0 + <usize>r2 * runBytes, p3 = p0 + <usize>r3 * runBytes;
    const p4 = p0 + <usize>r4 * runBytes, p5 = p0 + <usize>r5 * runBytes, p6 = p0 + <usize>r6 * runBytes, p7 = p0 + <usize>r7 * runBytes;
    for (let i = 0; i < paired; i++) {
      const off = <usize>i << 3;
      const d0 = f64x2.sub(v128.load64_lane(p1 + off, v128.load64_zero(p0 + off), 1), m0);
      const d1 = f64x2.sub(v128.load64_lane(p3 + off, v128.load64_zero(p2 + off), 1), m1);
      const d2 = f64x2.sub(v128.load64_lane(p5 + off, v128.load64_zero(p4 + off), 1), m2);
      const d3 = f64x2.sub(v128.load64_lane(p7 + off, v128.load64_zero(p6 + off), 1), m3);
      q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      q1 = f64x2.add(q1, f64x2.mul(d1, d1));
      q2 = f64x2.add(q2, f64x2.mul(d2, d2));
      q3 = f64x2.add(q3, f64x2.mul(d3, d3));
    }
    if (paired < n) {
      q0 = lastOdd(q0, p0, p1, n, m0);
      q1 = lastOdd(q1, p2, p3, n, m1);
      q2 = lastOdd(q2, p4, p5, n, m2);
      q3 = lastOdd(q3, p6, p7, n, m3);
    }
  }
  groupMean0 = m0;
  groupMean1 = m1;
  groupMean2 = m2;
  groupMean3 = m3;
  groupM20 = q0;
  groupM21 = q1;
  groupM22 = q2;
  groupM23 = q3;
}

/** The last square of an odd stretch of each lane, fused into its sum (fma64). */
@inline
function lastOdd(q: v128, a: usize, b: usize, n: i32, mean: v128): v128 {
  const off = <usize>(n - 1) << 3;
  const da = load<f64>(a + off) - f64x2.extract_lane(mean, 0);
  const db = load<f64>(b + off) - f64x2.extract_lane(mean, 1);
  return f64x2.replace_lane(f64x2.replace_lane(q, 0, fma64(da, da, f64x2.extract_lane(q, 0))), 1, fma64(db, db, f64x2.extract_lane(q, 1)));
}

/** Lane k of the group's means or sums of squares. */
function groupLane(k: i32, v0: v128, v1: v128, v2: v128, v3: v128): f64 {
  const v = k < 2 ? v0 : k < 4 ? v1 : k < 6 ? v2 : v3;
  return k & 1 ? f64x2.extract_lane(v, 1) : f64x2.extract_lane(v, 0);
}

/**
 * Whole float64 runs in a block, stepwise (same layout as block64). Own statistics are computed
 * for eight runs at a time (two dependency chains per vector); a short last group repeats its last run.
 */
export function stepwiseBlock64(p: usize, runs: i32, length: i32, images: i32, r0: i32, channels: i32, eps: f64, flags: i32, chan: usize, stats: usize, totalRuns: i32): void {
  const stride = (<usize>runs * <usize>length) << 3;
  const count = <f64>length * <f64>images;
  for (let j = 0; j < runs; j += 8) {
    const g = p + ((<usize>j * <usize>length) << 3);
    const members = min(8, runs - j);
    if (flags & USE_INPUT_STATS) groupStats64(g, length, members, images, stride);
    for (let k = 0; k < members; k++) {
      const r = r0 + j + k;
      const c = r % channels;
      let mean: f64;
      let invstd: f64;
      if (flags & USE_INPUT_STATS) {
        mean = groupLane(k, groupMean0, groupMean1, groupMean2, groupMean3);
        const m2 = groupLane(k, groupM20, groupM21, groupM22, groupM23);
        if (flags & WRITE_STATS) {
          store<f64>(stats + (<usize>r << 3), mean);
          store<f64>(stats + ((<usize>totalRuns + <usize>r) << 3), m2);
        }
        const variance = m2 / count;
        invstd = variance == 0 && eps == 0 ? 0 : 1 / Math.sqrt(variance + eps);
      } else {
        mean = load<f64>(chan + (<usize>(2 * channels + c) << 3));
        invstd = 1 / Math.sqrt(load<f64>(chan + (<usize>(3 * channels + c) << 3)) + eps);
      }
      const alpha = flags & HAS_WEIGHT ? invstd * load<f64>(chan + (<usize>c << 3)) : invstd;
      const beta = fma64(-mean, alpha, flags & HAS_BIAS ? load<f64>(chan + (<usize>(channels + c) << 3)) : 0);
      const q = g + ((<usize>k * <usize>length) << 3);
      for (let i = 0; i < images; i++) fmaBlock64(q + <usize>i * stride, length, alpha, beta);
    }
  }
}

/** Element-order float64 sum of n float64 values (continued across calls), into serialTotal. */
export function serialSumBlock64(p: usize, n: i32): void {
  let s = serialTotal;
  for (let i = 0; i < n; i++) s += load<f64>(p + (<usize>i << 3));
  serialTotal = s;
}

/**
 * Element-order sum of the float64 squares (x - mean)^2 of n values (continued across calls), into
 * serialTotal: unfused, except the last square of each odd-length stretch of `image` values, which
 * is fused into the sum. `position` is the first value's index within its stretch.
 */
export function serialSquaresBlock64(p: usize, n: i32, mean: f64, image: i32, position: i32): void {
  let s = serialTotal;
  const fuseAt = image & 1 ? image - 1 : -1;
  let at = position;
  for (let i = 0; i < n; i++) {
    const d = load<f64>(p + (<usize>i << 3)) - mean;
    s = at == fuseAt ? fma64(d, d, s) : s + d * d;
    at = at + 1 == image ? 0 : at + 1;
  }
  serialTotal = s;
}

/**
 * Whether this build's vector multiply-add is fused, for both float32 and float64, on operands
 * where fusing shows (a = b = 1 + 2^-12 and c = -(1 + 2^-11) give 2^-24 fused, 0 unfused; the
 * same with 2^-27 and 2^-26 in float64). Operands come from the caller so nothing is folded at build
 * time. Always false in the build without relaxed SIMD.
 */
export function fusedMultiplyAdd(a32: f32, c32: f32, a64: f64, c64: f64): bool {
  if (!ASC_FEATURE_RELAXED_SIMD) return false;
  const single = f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a32), f32x4.splat(a32), f32x4.splat(c32)), 0);
  const double = f64x2.extract_lane(f64x2.relaxed_madd(f64x2.splat(a64), f64x2.splat(a64), f64x2.splat(c64)), 0);
  return single == <f32>5.9604644775390625e-8 && double == 5.551115123125783e-17;
}

// ================================================================ channels of one value per batch entry
//
// (N, C) input (and any whose slices hold one value) is an N x C matrix whose channels are its
// columns. The JS side computes the per-channel parameters; these functions run the passes down
// the columns, vectorized across channels, over `rows` rows of C values at p. `buf`, `mean`,
// `alpha`, `beta`, `scale` and `shift` are arrays of C values (float32 for the float32 stepwise
// passes, float64 otherwise). The stepwise steps are a CPU batch-norm kernel's for channels-last data, on one thread:
// float sums down each column, the squares fused into theirs, then y = fma(x, alpha, beta).

/** buf[c] = f32(x[r][c] + buf[c]) for each row in order (float32 adds are exact lane by lane). */
export function columnSums32(p: usize, rows: i32, C: i32, buf: usize): void {
  const c4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const q = p + ((<usize>r * <usize>C) << 2);
    let c = 0;
    for (; c < c4; c += 4) v128.store(buf + (<usize>c << 2), f32x4.add(v128.load(q + (<usize>c << 2)), v128.load(buf + (<usize>c << 2))));
    for (; c < C; c++) store<f32>(buf + (<usize>c << 2), load<f32>(q + (<usize>c << 2)) + load<f32>(buf + (<usize>c << 2)));
  }
}

/** buf[c] = fma32(d, d, buf[c]) with d = f32(x[r][c] - mean[c]), for each row in order. */
export function columnSquares32(p: usize, rows: i32, C: i32, mean: usize, buf: usize): void {
  const c8 = C & ~7;
  for (let r = 0; r < rows; r++) {
    const q = p + ((<usize>r * <usize>C) << 2);
    let c = 0;
    if (ASC_FEATURE_RELAXED_SIMD) {
      for (; c < c8; c += 4) {
        const at = <usize>c << 2;
        const d = f32x4.sub(v128.load(q + at), v128.load(mean + at));
        v128.store(buf + at, f32x4.relaxed_madd(d, d, v128.load(buf + at)));
      }
    } else {
      // Eight channels at a time in float64 (d * d is exact there, the sum rounds once); a group
      // where a sum cannot be demoted safely is redone with the exact scalar fma32.
      for (; c < c8; c += 8) {
        const at = <usize>c << 2;
        const s0 = squarePair(q + at, mean + at, buf + at);
        const s1 = squarePair(q + at + 8, mean + at + 8, buf + at + 8);
        const s2 = squarePair(q + at + 16, mean + at + 16, buf + at + 16);
        const s3 = squarePair(q + at + 24, mean + at + 24, buf + at + 24);
        if (demotable(s0, s1, s2, s3, true)) {
          v128.store64_lane(buf + at, f32x4.demote_f64x2_zero(s0), 0);
          v128.store64_lane(buf + at, f32x4.demote_f64x2_zero(s1), 0, 8);
          v128.store64_lane(buf + at, f32x4.demote_f64x2_zero(s2), 0, 16);
          v128.store64_lane(buf + at, f32x4.demote_f64x2_zero(s3), 0, 24);
        } else {
          for (let k = c; k < c + 8; k++) {
            const d = load<f32>(q + (<usize>k << 2)) - load<f32>(mean + (<usize>k << 2));
            store<f32>(buf + (<usize>k << 2), fma32(d, d, load<f32>(buf + (<usize>k << 2))));
          }
        }
      }
    }
    for (; c < C; c++) {
      const d = load<f32>(q + (<usize>c << 2)) - load<f32>(mean + (<usize>c << 2));
      store<f32>(buf + (<usize>c << 2), fma32(d, d, load<f32>(buf + (<usize>c << 2))));
    }
  }
}

/** Two lanes of d * d + buf in float64, d = f32(x - mean) (float32 values at x, mean, buf). */
@inline
function squarePair(x: usize, mean: usize, buf: usize): v128 {
  const d = f64x2.promote_low_f32x4(f32x4.sub(v128.load64_zero(x), v128.load64_zero(mean)));
  return f64x2.add(f64x2.mul(d, d), f64x2.promote_low_f32x4(v128.load64_zero(buf)));
}

/**
 * Whether eight float64 sums (each of a float32 product and a float32) round to float32 as their
 * exact values would: none is a float32 rounding midpoint (low 29 mantissa bits 0x10000000) and,
 * with `nearSubnormal`, none (0 aside) lies below 2^-100, near the float32 subnormals, whose
 * rounding grid that test does not see and where the float64 sum need not be exact.
 */
@inline
function demotable(s0: v128, s1: v128, s2: v128, s3: v128, nearSubnormal: bool): bool {
  const mask = i32x4.splat(0x1fffffff);
  const tie = i32x4.splat(0x10000000);
  const w0 = v128.shuffle<i32>(s0, s1, 0, 2, 4, 6);
  const w1 = v128.shuffle<i32>(s2, s3, 0, 2, 4, 6);
  let bad = v128.or(i32x4.eq(v128.and(w0, mask), tie), i32x4.eq(v128.and(w1, mask), tie));
  if (nearSubnormal) {
    const limit = f64x2.splat(7.888609052210118e-31);
    const zero = f64x2.splat(0);
    bad = v128.or(bad, v128.or(v128.and(f64x2.lt(f64x2.abs(s0), limit), f64x2.ne(s0, zero)), v128.and(f64x2.lt(f64x2.abs(s1), limit), f64x2.ne(s1, zero))));
    bad = v128.or(bad, v128.or(v128.and(f64x2.lt(f64x2.abs(s2), limit), f64x2.ne(s2, zero)), v128.and(f64x2.lt(f64x2.abs(s3), limit), f64x2.ne(s3, zero))));
  }
  return !v128.any_true(bad);
}

/**
 * y[r][c] = fma32(x[r][c], alpha[c], beta[c]), in place. Without relaxed SIMD: eight channels at a
 * time in float64, alpha and beta widened once into `wideAlpha` and `wideBeta` (C float64 each);
 * where every |beta| >= 2^-100 or beta == 0 the float64 sums are exact near the float32
 * subnormals (every term a multiple of 2^-149), so only midpoints need checking.
 */
export function columnFma32(p: usize, rows: i32, C: i32, alpha: usize, beta: usize, wideAlpha: usize, wideBeta: usize): void {
  const c8 = C & ~7;
  let betasSafe = true;
  if (!ASC_FEATURE_RELAXED_SIMD) {
    for (let c = 0; c < C; c++) {
      const b = load<f32>(beta + (<usize>c << 2));
      store<f64>(wideAlpha + (<usize>c << 3), <f64>load<f32>(alpha + (<usize>c << 2)));
      store<f64>(wideBeta + (<usize>c << 3), <f64>b);
      if (!(b == 0 || abs(b) >= <f32>7.888609052210118e-31)) betasSafe = false;
    }
  }
  for (let r = 0; r < rows; r++) {
    const q = p + ((<usize>r * <usize>C) << 2);
    let c = 0;
    if (ASC_FEATURE_RELAXED_SIMD) {
      for (; c < c8; c += 4) {
        const at = <usize>c << 2;
        v128.store(q + at, f32x4.relaxed_madd(v128.load(q + at), v128.load(alpha + at), v128.load(beta + at)));
      }
    } else {
      for (; c < c8; c += 8) {
        const at = <usize>c << 2;
        const wide = <usize>c << 3;
        const s0 = fmaPair(q + at, wideAlpha + wide, wideBeta + wide);
        const s1 = fmaPair(q + at + 8, wideAlpha + wide + 16, wideBeta + wide + 16);
        const s2 = fmaPair(q + at + 16, wideAlpha + wide + 32, wideBeta + wide + 32);
        const s3 = fmaPair(q + at + 24, wideAlpha + wide + 48, wideBeta + wide + 48);
        if (demotable(s0, s1, s2, s3, !betasSafe)) {
          v128.store64_lane(q + at, f32x4.demote_f64x2_zero(s0), 0);
          v128.store64_lane(q + at, f32x4.demote_f64x2_zero(s1), 0, 8);
          v128.store64_lane(q + at, f32x4.demote_f64x2_zero(s2), 0, 16);
          v128.store64_lane(q + at, f32x4.demote_f64x2_zero(s3), 0, 24);
        } else {
          for (let k = c; k < c + 8; k++) store<f32>(q + (<usize>k << 2), fma32(load<f32>(q + (<usize>k << 2)), load<f32>(alpha + (<usize>k << 2)), load<f32>(beta + (<usize>k << 2))));
        }
      }
    }
    for (; c < C; c++) store<f32>(q + (<usize>c << 2), fma32(load<f32>(q + (<usize>c << 2)), load<f32>(alpha + (<usize>c << 2)), load<f32>(beta + (<usize>c << 2))));
  }
}

/** Two lanes of x * alpha + beta in float64 (x float32, alpha and beta already widened). */
@inline
function fmaPair(x: usize, alpha: usize, beta: usize): v128 {
  return f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(x)), v128.load(alpha)), v128.load(beta));
}

/** float64 buf[c] += x[r][c] for each row in order, the values float32 (`narrow`) or float64: the float64 sums of both arithmetics. */
export function columnSums64(p: usize, rows: i32, C: i32, buf: usize, narrow: bool): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const i = <usize>r * <usize>C + <usize>c;
      const v = narrow ? <f64>load<f32>(p + (i << 2)) : load<f64>(p + (i << 3));
      store<f64>(buf + (<usize>c << 3), v + load<f64>(buf + (<usize>c << 3)));
    }
  }
}

/** float64 buf[c] += (x[r][c] - mean[c])^2, the square fused into the sum (`fused`: stepwise float64) or not ('accurate'). */
export function columnSquares64(p: usize, rows: i32, C: i32, mean: usize, buf: usize, narrow: bool, fused: bool): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const i = <usize>r * <usize>C + <usize>c;
      const d = (narrow ? <f64>load<f32>(p + (i << 2)) : load<f64>(p + (i << 3))) - load<f64>(mean + (<usize>c << 3));
      const s = load<f64>(buf + (<usize>c << 3));
      store<f64>(buf + (<usize>c << 3), fused ? fma64(d, d, s) : s + d * d);
    }
  }
}

/** float64 y[r][c] = fma64(x[r][c], alpha[c], beta[c]), in place. */
export function columnFma64(p: usize, rows: i32, C: i32, alpha: usize, beta: usize): void {
  for (let r = 0; r < rows; r++) {
    const q = p + ((<usize>r * <usize>C) << 3);
    let c = 0;
    if (ASC_FEATURE_RELAXED_SIMD) {
      for (; c + 1 < C; c += 2) {
        const at = <usize>c << 3;
        v128.store(q + at, f64x2.relaxed_madd(v128.load(q + at), v128.load(alpha + at), v128.load(beta + at)));
      }
    }
    for (; c < C; c++) store<f64>(q + (<usize>c << 3), fma64(load<f64>(q + (<usize>c << 3)), load<f64>(alpha + (<usize>c << 3)), load<f64>(beta + (<usize>c << 3))));
  }
}

/** 'accurate': y[r][c] = (x[r][c] - mean[c]) * scale[c] + shift[c] in float64, stored as float32 (`narrow`) or float64, in place. */
export function columnAffine(p: usize, rows: i32, C: i32, mean: usize, scale: usize, shift: usize, narrow: bool): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const i = <usize>r * <usize>C + <usize>c;
      const at = <usize>c << 3;
      if (narrow) store<f32>(p + (i << 2), <f32>((<f64>load<f32>(p + (i << 2)) - load<f64>(mean + at)) * load<f64>(scale + at) + load<f64>(shift + at)));
      else store<f64>(p + (i << 3), (load<f64>(p + (i << 3)) - load<f64>(mean + at)) * load<f64>(scale + at) + load<f64>(shift + at));
    }
  }
}
