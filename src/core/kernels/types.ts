/** Per-channel values a kernel reads (weight, bias, running statistics), in any float precision. */
export type ChannelValues = Float32Array | Float64Array;

/**
 * One normalization pass over `rows` = N * C contiguous rows of `length` elements; row r belongs
 * to channel r % channels. Kernels compute in float64 (or, for SIMD code, with float64 sums) and
 * store in the dtype of `y`.
 */
export interface NormalizeArgs<A extends Float32Array | Float64Array> {
  x: A;
  y: A;
  rows: number;
  channels: number;
  length: number;
  eps: number;
  weight: ChannelValues | null;
  bias: ChannelValues | null;
  /**
   * Where the statistics come from: each row's own (mean and biased variance written to
   * `rowMean`/`rowVar` when given, for the running-statistics update), or fixed per-channel ones.
   */
  stats:
    | { useInputStats: true; rowMean: Float64Array | null; rowVar: Float64Array | null }
    | { useInputStats: false; runningMean: ChannelValues; runningVar: ChannelValues };
}

export interface NormalizeKernel {
  readonly name: string;
  normalize32(args: NormalizeArgs<Float32Array>): void;
  normalize64(args: NormalizeArgs<Float64Array>): void;
}

/**
 * 1 / sqrt(variance + eps) for a row's own statistics, except that a constant row with eps 0
 * normalizes to 0 rather than NaN (PyTorch's InvStd rule). Every kernel follows it; the wasm
 * module repeats it in AssemblyScript for the rows it finishes itself.
 */
export function inputInvStd(variance: number, eps: number): number {
  return variance === 0 && eps === 0 ? 0 : 1 / Math.sqrt(variance + eps);
}
