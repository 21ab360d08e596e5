/** Per-channel values a kernel reads (weight, bias, given statistics), in any float precision. */
export type ChannelValues = Float32Array | Float64Array;

/**
 * How the numbers are rounded (the formula is the same):
 *
 * - `'stepwise'`: the steps of a CPU batch-norm kernel, each result stored in the tensor's dtype.
 *   The sum of a run's values (a row, or a channel over the batch: see StatsSource) in float64 in
 *   element order, the mean = sum / n rounded to the dtype; the squared deviations (x - mean)^2
 *   computed in the dtype and summed in float64 in element order, the sum rounded to the dtype;
 *   var = sum / n and invstd = 1 / sqrt(var + eps) (in float64) stored in the dtype, invstd = 0
 *   when var and eps are both 0; with given statistics invstd = 1 / sqrt(var + eps) in the dtype.
 *   Then alpha = invstd * weight, beta = bias - mean * alpha and y = x * alpha + beta, the last two
 *   as fused multiply-adds. float64 tensors take the same steps in float64, the last square of
 *   each odd-length stretch (a row, or a channel's slice of one batch entry) fused into the sum
 *   (pairs of squares computed as two-lane vectors, the odd one out as a multiply-add). Channels
 *   of one value per batch entry (length 1) are summed in the dtype instead, the squares fused
 *   into the sum, as the kernel for channels-last data does on one thread.
 * - `'accurate'`: float64 throughout, rounded once when stored: the closest result to the exact
 *   answer that a float64 computation gives.
 */
export type Arithmetic = 'stepwise' | 'accurate';

/** Each run's mean and sum of squared deviations, written by the kernel (index: the run). */
export interface StatsRecord {
  mean: Float64Array;
  m2: Float64Array;
}

/**
 * Where a normalization pass takes its statistics from:
 * - `'rows'`: each row's own (instance norm: every (n, c) slice is a run);
 * - `'channels'`: each channel's over every row of it, in element order (batch norm: channel c's
 *   run is rows c, c + C, c + 2C, ..., over N and every position);
 * - `'given'`: fixed per-channel ones.
 * With `record`, the kernel writes each run's statistics there (rows: N * C entries, channels: C),
 * for the running-statistics update.
 */
export type StatsSource =
  | { from: 'rows' | 'channels'; record: StatsRecord | null }
  | { from: 'given'; mean: ChannelValues; var: ChannelValues };

/**
 * One normalization pass over `rows` = N * C contiguous rows of `length` elements; row r belongs
 * to channel r % channels. Results are stored in the dtype of `y`, rounded as `arithmetic` says;
 * with `'stepwise'`, `record` holds the values the steps stored (already in the dtype).
 */
export interface NormalizeArgs<A extends Float32Array | Float64Array> {
  x: A;
  y: A;
  rows: number;
  channels: number;
  length: number;
  eps: number;
  arithmetic: Arithmetic;
  weight: ChannelValues | null;
  bias: ChannelValues | null;
  stats: StatsSource;
}

export interface NormalizeKernel {
  readonly name: string;
  normalize32(args: NormalizeArgs<Float32Array>): void;
  normalize64(args: NormalizeArgs<Float64Array>): void;
}

/**
 * 1 / sqrt(variance + eps) for a run's own statistics, except that a constant run with eps 0
 * normalizes to 0 rather than NaN (PyTorch's InvStd rule). The float64 form; the stepwise kernels
 * round it to the dtype, and the wasm module repeats it for the runs it finishes itself.
 */
export function inputInvStd(variance: number, eps: number): number {
  return variance === 0 && eps === 0 ? 0 : 1 / Math.sqrt(variance + eps);
}
