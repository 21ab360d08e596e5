import { fma32, fma64 } from '../fma';
import { inputInvStd, type NormalizeArgs, type NormalizeKernel } from './types';

/**
 * The portable kernel, used for small inputs and where wasm SIMD is missing.
 *
 * 'accurate': two passes over each row for the statistics (mean, then squared deviations: the
 * one-pass sum-of-squares formula loses everything when the mean is large against the spread),
 * then one pass writing (x - mean) * scale + shift, all in float64. A channel's statistics are its
 * rows' merged pairwise (Chan et al.), which stays as accurate however the rows differ. The sums run in four
 * independent accumulators (a single chain waits on each add's latency), and the float32 and
 * float64 versions are separate functions with the same body so that V8 sees one array type in
 * each (shared code would be polymorphic and several times slower).
 *
 * 'stepwise': the same passes written as the steps they emulate, one element after the other
 * (the order of the sums is part of the result), with Math.fround after each float32 step; a
 * channel's sums run over its rows in memory order (batch entry, then position).
 */

// Results of the last rowStats call (module scratch: no allocation per row): the mean and the sum
// of squared deviations.
let rowMean = 0;
let rowM2 = 0;

function rowStats32(x: Float32Array, start: number, end: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  const n = end - start;
  const mean = (s0 + s1 + s2 + s3) / n;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i] - mean;
    const d1 = x[i + 1] - mean;
    const d2 = x[i + 2] - mean;
    const d3 = x[i + 3] - mean;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i] - mean;
    q0 += d * d;
  }
  rowMean = mean;
  rowM2 = q0 + q1 + q2 + q3;
}

function rowStats64(x: Float64Array, start: number, end: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  const n = end - start;
  const mean = (s0 + s1 + s2 + s3) / n;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i] - mean;
    const d1 = x[i + 1] - mean;
    const d2 = x[i + 2] - mean;
    const d3 = x[i + 3] - mean;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i] - mean;
    q0 += d * d;
  }
  rowMean = mean;
  rowM2 = q0 + q1 + q2 + q3;
}

function apply32(x: Float32Array, y: Float32Array, start: number, end: number, mean: number, scale: number, shift: number): void {
  for (let i = start; i < end; i++) y[i] = (x[i] - mean) * scale + shift;
}

function apply64(x: Float64Array, y: Float64Array, start: number, end: number, mean: number, scale: number, shift: number): void {
  for (let i = start; i < end; i++) y[i] = (x[i] - mean) * scale + shift;
}

type RowStats<A> = (x: A, start: number, end: number) => void;
type Apply<A> = (x: A, y: A, start: number, end: number, mean: number, scale: number, shift: number) => void;

/** Per row: statistics (own or fixed), then the normalize pass; `stats`/`apply` fit the array type. */
function accurateRows<A extends Float32Array | Float64Array>(args: NormalizeArgs<A>, stats: RowStats<A>, apply: Apply<A>): void {
  const { x, y, rows, channels, length, eps, weight, bias, stats: source } = args;
  for (let r = 0; r < rows; r++) {
    const c = r % channels;
    const start = r * length;
    const end = start + length;
    let mean: number;
    let invstd: number;
    if (source.from !== 'given') {
      stats(x, start, end);
      mean = rowMean;
      if (source.record) {
        source.record.mean[r] = mean;
        source.record.m2[r] = rowM2;
      }
      invstd = inputInvStd(rowM2 / length, eps);
    } else {
      mean = source.mean[c];
      invstd = 1 / Math.sqrt(source.var[c] + eps);
    }
    const scale = weight ? invstd * weight[c] : invstd;
    const shift = bias ? bias[c] : 0;
    apply(x, y, start, end, mean, scale, shift);
  }
}

/** Per channel: its rows' statistics merged, then the normalize pass over each of its rows. */
function accurateChannels<A extends Float32Array | Float64Array>(args: NormalizeArgs<A>, stats: RowStats<A>, apply: Apply<A>): void {
  const { x, y, rows, channels: C, length, eps, weight, bias, stats: source } = args;
  const record = source.from === 'channels' ? source.record : null;
  const N = rows / C;
  for (let c = 0; c < C; c++) {
    let seen = 0;
    let mean = 0;
    let m2 = 0;
    for (let n = 0; n < N; n++) {
      const start = (n * C + c) * length;
      stats(x, start, start + length);
      const total = seen + length;
      const delta = rowMean - mean;
      mean += (delta * length) / total;
      m2 += rowM2 + ((delta * delta * seen) / total) * length;
      seen = total;
    }
    if (N === 0) mean = m2 = NaN;
    if (record) {
      record.mean[c] = mean;
      record.m2[c] = m2;
    }
    const invstd = inputInvStd(m2 / (N * length), eps);
    const scale = weight ? invstd * weight[c] : invstd;
    const shift = bias ? bias[c] : 0;
    for (let n = 0; n < N; n++) {
      const start = (n * C + c) * length;
      apply(x, y, start, start + length, mean, scale, shift);
    }
  }
}

// ---------------------------------------------------------------- stepwise

const f = Math.fround;

/** float32 steps for one row: sum and squared deviations in float64 in order, each stored in float32. */
function stepwiseRows32(args: NormalizeArgs<Float32Array>): void {
  const { x, y, rows, channels, length, eps, weight, bias, stats: source } = args;
  const n32 = f(length);
  for (let r = 0; r < rows; r++) {
    const c = r % channels;
    const start = r * length;
    const end = start + length;
    let mean: number;
    let invstd: number;
    if (source.from !== 'given') {
      let sum = 0;
      for (let i = start; i < end; i++) sum += x[i];
      mean = f(sum / length);
      let squares = 0;
      for (let i = start; i < end; i++) {
        const d = f(x[i] - mean);
        squares += f(d * d);
      }
      const m2 = f(squares);
      if (source.record) {
        source.record.mean[r] = mean;
        source.record.m2[r] = m2;
      }
      const variance = f(m2 / n32);
      invstd = variance === 0 && eps === 0 ? 0 : f(1 / Math.sqrt(variance + eps));
    } else {
      mean = f(source.mean[c]);
      invstd = f(1 / f(Math.sqrt(f(f(source.var[c]) + f(eps)))));
    }
    const alpha = weight ? f(invstd * f(weight[c])) : invstd;
    const beta = fma32(-mean, alpha, bias ? f(bias[c]) : 0);
    for (let i = start; i < end; i++) y[i] = fma32(x[i], alpha, beta);
  }
}

/** float64 steps for one row; of an odd-length row, the last square is fused into the sum. */
function stepwiseRows64(args: NormalizeArgs<Float64Array>): void {
  const { x, y, rows, channels, length, eps, weight, bias, stats: source } = args;
  const paired = length - (length % 2);
  for (let r = 0; r < rows; r++) {
    const c = r % channels;
    const start = r * length;
    const end = start + length;
    let mean: number;
    let invstd: number;
    if (source.from !== 'given') {
      let sum = 0;
      for (let i = start; i < end; i++) sum += x[i];
      mean = sum / length;
      let m2 = 0;
      for (let i = start; i < start + paired; i++) {
        const d = x[i] - mean;
        m2 += d * d;
      }
      if (paired < length) {
        const d = x[end - 1] - mean;
        m2 = fma64(d, d, m2);
      }
      if (source.record) {
        source.record.mean[r] = mean;
        source.record.m2[r] = m2;
      }
      invstd = inputInvStd(m2 / length, eps);
    } else {
      mean = source.mean[c];
      invstd = 1 / Math.sqrt(source.var[c] + eps);
    }
    const alpha = weight ? invstd * weight[c] : invstd;
    const beta = fma64(-mean, alpha, bias ? bias[c] : 0);
    for (let i = start; i < end; i++) y[i] = fma64(x[i], alpha, beta);
  }
}

/**
 * float32 steps for each channel over its N rows: the sum in float64 in memory order, the squares
 * in float32 summed in float64; rows of one value are summed in float32 instead, the squares fused
 * into that sum (a CPU kernel's loop for channels-last data, on one thread).
 */
function stepwiseChannels32(args: NormalizeArgs<Float32Array>): void {
  const { x, y, rows, channels: C, length, eps, weight, bias, stats: source } = args;
  const record = source.from === 'channels' ? source.record : null;
  const N = rows / C;
  const count = N * length;
  for (let c = 0; c < C; c++) {
    let mean: number;
    let m2: number;
    if (length === 1) {
      let sum = 0;
      for (let n = 0; n < N; n++) sum = f(x[n * C + c] + sum);
      mean = f(sum / N);
      let squares = 0;
      for (let n = 0; n < N; n++) {
        const d = f(x[n * C + c] - mean);
        squares = fma32(d, d, squares);
      }
      m2 = squares;
    } else {
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const start = (n * C + c) * length;
        for (let i = start; i < start + length; i++) sum += x[i];
      }
      mean = f(sum / count);
      let squares = 0;
      for (let n = 0; n < N; n++) {
        const start = (n * C + c) * length;
        for (let i = start; i < start + length; i++) {
          const d = f(x[i] - mean);
          squares += f(d * d);
        }
      }
      m2 = f(squares);
    }
    if (record) {
      record.mean[c] = mean;
      record.m2[c] = m2;
    }
    const variance = f(m2 / f(count));
    const invstd = variance === 0 && eps === 0 ? 0 : f(1 / Math.sqrt(variance + eps));
    const alpha = weight ? f(invstd * f(weight[c])) : invstd;
    const beta = fma32(-mean, alpha, bias ? f(bias[c]) : 0);
    for (let n = 0; n < N; n++) {
      const start = (n * C + c) * length;
      for (let i = start; i < start + length; i++) y[i] = fma32(x[i], alpha, beta);
    }
  }
}

/** float64 steps for each channel; of each odd-length row, the last square is fused into the sum. */
function stepwiseChannels64(args: NormalizeArgs<Float64Array>): void {
  const { x, y, rows, channels: C, length, eps, weight, bias, stats: source } = args;
  const record = source.from === 'channels' ? source.record : null;
  const N = rows / C;
  const count = N * length;
  const paired = length - (length % 2);
  for (let c = 0; c < C; c++) {
    let mean: number;
    let m2 = 0;
    if (length === 1) {
      let sum = 0;
      for (let n = 0; n < N; n++) sum = x[n * C + c] + sum;
      mean = sum / N;
      for (let n = 0; n < N; n++) {
        const d = x[n * C + c] - mean;
        m2 = fma64(d, d, m2);
      }
    } else {
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const start = (n * C + c) * length;
        for (let i = start; i < start + length; i++) sum += x[i];
      }
      mean = sum / count;
      for (let n = 0; n < N; n++) {
        const start = (n * C + c) * length;
        for (let i = start; i < start + paired; i++) {
          const d = x[i] - mean;
          m2 += d * d;
        }
        if (paired < length) {
          const d = x[start + length - 1] - mean;
          m2 = fma64(d, d, m2);
        }
      }
    }
    if (record) {
      record.mean[c] = mean;
      record.m2[c] = m2;
    }
    const invstd = inputInvStd(m2 / count, eps);
    const alpha = weight ? invstd * weight[c] : invstd;
    const beta = fma64(-mean, alpha, bias ? bias[c] : 0);
    for (let n = 0; n < N; n++) {
      const start = (n * C + c) * length;
      for (let i = start; i < start + length; i++) y[i] = fma64(x[i], alpha, beta);
    }
  }
}

function normalize32(args: NormalizeArgs<Float32Array>): void {
  const perChannel = args.stats.from === 'channels';
  if (args.arithmetic === 'stepwise') (perChannel ? stepwiseChannels32 : stepwiseRows32)(args);
  else (perChannel ? accurateChannels : accurateRows)(args, rowStats32, apply32);
}

function normalize64(args: NormalizeArgs<Float64Array>): void {
  const perChannel = args.stats.from === 'channels';
  if (args.arithmetic === 'stepwise') (perChannel ? stepwiseChannels64 : stepwiseRows64)(args);
  else (perChannel ? accurateChannels : accurateRows)(args, rowStats64, apply64);
}

export const jsKernel: NormalizeKernel = { name: 'js', normalize32, normalize64 };
