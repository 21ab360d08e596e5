// AssemblyScript source of the wasm normalize kernel (built by `npm run build:wasm`).
//
// The JS side owns the memory layout: it copies a cache-sized block of rows in, calls one of these
// functions on the block's address, and copies the result out, so the copies stay in cache. All
// statistics are float64 at the end; the float32 fast paths keep only short partial sums in
// float32 and fall back to exact float64 code whenever a row's range or shape could make them
// inaccurate (see `fastStats32` and `fastNormalizeOk`).

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

// ---------------------------------------------------------------- whole blocks of rows

/**
 * Normalizes `rows` consecutive rows of `length` values at p (row index r0 + j, channel
 * (r0 + j) % channels), in place. `chan` holds four float64 arrays of `channels` values: weight,
 * bias, running mean, running var. With WRITE_STATS, each row's mean and biased variance go to
 * float64 arrays at `rowStats` and `rowStats + 8 * totalRows`.
 */
export function block32(p: usize, rows: i32, length: i32, r0: i32, channels: i32, eps: f64, flags: i32, chan: usize, rowStats: usize, totalRows: i32): void {
  for (let j = 0; j < rows; j++) {
    const q = p + ((<usize>j * <usize>length) << 2);
    const r = r0 + j;
    if (flags & USE_INPUT_STATS) stats32(q, length);
    const c = r % channels;
    rowParams(r, c, channels, length, eps, flags, chan, rowStats, totalRows);
    normalize32(q, length, lastMean, lastScale, lastShift);
  }
}

export function block64(p: usize, rows: i32, length: i32, r0: i32, channels: i32, eps: f64, flags: i32, chan: usize, rowStats: usize, totalRows: i32): void {
  for (let j = 0; j < rows; j++) {
    const q = p + ((<usize>j * <usize>length) << 3);
    const r = r0 + j;
    if (flags & USE_INPUT_STATS) stats64(q, length);
    const c = r % channels;
    rowParams(r, c, channels, length, eps, flags, chan, rowStats, totalRows);
    normalize64(q, length, lastMean, lastScale, lastShift);
  }
}

let lastScale: f64 = 0;
let lastShift: f64 = 0;

/**
 * Turns row r's statistics (from the stats call, or channel c's running ones) into lastMean,
 * lastScale and lastShift; records the row's mean and sum of squared deviations when asked. Channel arrays
 * are float64, laid out [weight | bias | running mean | running var], `channels` values each.
 */
@inline
function rowParams(r: i32, c: i32, channels: i32, length: i32, eps: f64, flags: i32, chan: usize, rowStats: usize, totalRows: i32): void {
  let invstd: f64;
  if (flags & USE_INPUT_STATS) {
    const variance = lastM2 / <f64>length;
    if (flags & WRITE_STATS) {
      store<f64>(rowStats + (<usize>r << 3), lastMean);
      store<f64>(rowStats + ((<usize>totalRows + <usize>r) << 3), lastM2);
    }
    // A constant row with eps 0 normalizes to 0 rather than NaN (PyTorch's InvStd rule).
    invstd = variance == 0 && eps == 0 ? 0 : 1 / Math.sqrt(variance + eps);
  } else {
    lastMean = load<f64>(chan + ((<usize>(2 * channels + c)) << 3));
    invstd = 1 / Math.sqrt(load<f64>(chan + ((<usize>(3 * channels + c)) << 3)) + eps);
  }
  lastScale = flags & HAS_WEIGHT ? invstd * load<f64>(chan + (<usize>c << 3)) : invstd;
  lastShift = flags & HAS_BIAS ? load<f64>(chan + ((<usize>(channels + c)) << 3)) : 0;
}
