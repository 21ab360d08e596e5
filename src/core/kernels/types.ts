/** Per-channel values a kernel reads (weight, bias, given statistics), in any float precision. */
export type ChannelValues = Float32Array | Float64Array;

/**
 * How the numbers are rounded (the formula is the same):
 *
 * - `'stepwise'`: the steps of a CPU batch-norm kernel, each result stored in the tensor's dtype.
 *   The row sum in float64 in element order, the mean = sum / n rounded to the dtype; the squared
 *   deviations (x - mean)^2 computed in the dtype and summed in float64 in element order, the sum
 *   rounded to the dtype; var = sum / n and invstd = 1 / sqrt(var + eps) (in float64) stored in
 *   the dtype, invstd = 0 when var and eps are both 0; with given statistics
 *   invstd = 1 / sqrt(var + eps) in the dtype. Then alpha = invstd * weight, beta = bias - mean *
 *   alpha and y = x * alpha + beta, the last two as fused multiply-adds. float64 tensors take the
 *   same steps in float64, the last square of an odd-length row fused into its sum (pairs of
 *   squares computed as two-lane vectors, the odd one out as a multiply-add).
 * - `'accurate'`: float64 throughout, rounded once when stored: the closest result to the exact
 *   answer that a float64 computation gives.
 */
export type Arithmetic = 'stepwise' | 'accurate';

/**
 * Where a normalization pass takes its statistics from: each row's own (the mean and the sum of
 * squared deviations written to `rowMean`/`rowM2` when given, for the running-statistics update),
 * or fixed per-channel ones. A reduction over every row of a channel (batch norm) would be a third
 * kind here.
 */
export type StatsSource =
  | { from: 'rows'; rowMean: Float64Array | null; rowM2: Float64Array | null }
  | { from: 'given'; mean: ChannelValues; var: ChannelValues };

/**
 * One normalization pass over `rows` = N * C contiguous rows of `length` elements; row r belongs
 * to channel r % channels. Results are stored in the dtype of `y`, rounded as `arithmetic` says;
 * with `'stepwise'`, `rowMean` and `rowM2` hold the values the steps stored (already in the dtype).
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
 * 1 / sqrt(variance + eps) for a row's own statistics, except that a constant row with eps 0
 * normalizes to 0 rather than NaN (PyTorch's InvStd rule). The float64 form; the stepwise kernels
 * round it to the dtype, and the wasm module repeats it for the rows it finishes itself.
 */
export function inputInvStd(variance: number, eps: number): number {
  return variance === 0 && eps === 0 ? 0 : 1 / Math.sqrt(variance + eps);
}
