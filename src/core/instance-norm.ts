/**
 * Instance normalization over (N, C, *spatial) tensors: per (n, c) over all trailing dims,
 * y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance; plus the
 * running-statistics update PyTorch performs in training. Framework rules (which statistics a
 * mode uses, which checks come first, what each message says) live in the facades.
 */
import { allocate, numberToHalf, halfToNumber, type ComputeDType, type FloatDType } from './dtype';
import { PyTypeError, ValueError } from './errors';
import { jsKernel } from './kernels/js';
import { loadWasmKernel } from './kernels/wasm';
import type { NormalizeArgs, NormalizeKernel } from './kernels/types';
import { numel, sameShape, sharesMemory, Tensor } from './tensor';

export type FloatTensor = Tensor<FloatDType>;

export interface RunningStats {
  runningMean: FloatTensor;
  runningVar: FloatTensor;
}

export type InstanceNormOptions = {
  eps: number;
  weight?: FloatTensor | null;
  bias?: FloatTensor | null;
  /** Write the result here (same shape and dtype as the input) instead of allocating. */
  out?: Tensor;
} & (
  | {
      /** Normalize each (n, c) slice with its own statistics. */
      useInputStats: true;
      /** Blend the batch's statistics into these running ones (momentum 0 leaves them as they are). */
      track?: RunningStats & { momentum: number };
    }
  | ({ /** Normalize with fixed per-channel statistics (PyTorch eval with running stats). */ useInputStats: false } & RunningStats)
);

/** The kernels this build can run, fastest first; the JS kernel is always there. */
const wasmKernel = loadWasmKernel();
export const kernels: readonly NormalizeKernel[] = wasmKernel ? [wasmKernel, jsKernel] : [jsKernel];

let activeKernel: NormalizeKernel = kernels[0];

/** Chooses the kernel the core runs; `kernels[0]`, the fastest this build has, runs until then. */
export function selectKernel(kernel: NormalizeKernel): void {
  activeKernel = kernel;
}

export function currentKernel(): string {
  return activeKernel.name;
}

// Called once per forward: no closures, spreads or temporary arrays here (the [1, 2, 4] case
// is a budget of about a microsecond); everything beyond the output is O(N * C).
export function instanceNorm<D extends ComputeDType>(x: Tensor<D>, options: InstanceNormOptions): Tensor<D> {
  const shape = x.shape;
  if (shape.length < 2) throw new ValueError(`instance norm: expected an input of shape (N, C, ...), got shape [${shape.join(', ')}]`);
  const N = shape[0];
  const C = shape[1];
  const length = numel(shape, 2);
  const track = options.useInputStats ? options.track : undefined;
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  checkChannel('weight', weight, C);
  checkChannel('bias', bias, C);
  const running: RunningStats | undefined = options.useInputStats ? track : options;
  if (running) {
    checkChannel('running_mean', running.runningMean, C);
    checkChannel('running_var', running.runningVar, C);
  }
  const out = prepareOut(x, options.out);
  const rows = N * C;
  const rowMean = track ? rowScratch(0, rows) : null;
  const rowVar = track ? rowScratch(1, rows) : null;
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x.data as Float32Array,
    y: out.data as Float32Array,
    rows,
    channels: C,
    length,
    eps: options.eps,
    weight: weight === null ? null : weight.data,
    bias: bias === null ? null : bias.data,
    stats: options.useInputStats
      ? { useInputStats: true, rowMean, rowVar }
      : { useInputStats: false, runningMean: options.runningMean.data, runningVar: options.runningVar.data },
  };
  if (x.dtype === 'float32') activeKernel.normalize32(args as NormalizeArgs<Float32Array>);
  else if (x.dtype === 'float64') activeKernel.normalize64(args as NormalizeArgs<Float64Array>);
  else normalizeHalf(x as Tensor<'float16'>, out as Tensor<'float16'>, args);
  if (track && rowMean && rowVar && N > 0 && length > 0) {
    blendRunningStats(track, rowMean, rowVar, N, C, length);
  }
  return out;
}

/** float16 is stored as IEEE half bits and computed in float32, as MindSpore's GPU kernel does. */
function normalizeHalf(x: Tensor<'float16'>, out: Tensor<'float16'>, args: NormalizeArgs<Float32Array | Float64Array>): void {
  const wide = new Float32Array(x.size);
  for (let i = 0; i < x.size; i++) wide[i] = halfToNumber(x.data[i]);
  const result = new Float32Array(x.size);
  activeKernel.normalize32({ ...args, x: wide, y: result });
  for (let i = 0; i < x.size; i++) out.data[i] = numberToHalf(result[i]);
}

/**
 * running = (1 - m) * running + m * mean over the batch of each instance's statistic, with the
 * unbiased variance for running_var (PyTorch blends each instance into its own copy and then
 * averages the copies, which is the same thing).
 */
function blendRunningStats(
  track: RunningStats & { momentum: number },
  rowMean: Float64Array,
  rowVar: Float64Array,
  N: number,
  C: number,
  length: number,
): void {
  const m = track.momentum;
  const bessel = length / (length - 1);
  const runMean = track.runningMean.data;
  const runVar = track.runningVar.data;
  for (let c = 0; c < C; c++) {
    let meanSum = 0;
    let varSum = 0;
    for (let n = 0; n < N; n++) {
      meanSum += rowMean[n * C + c];
      varSum += rowVar[n * C + c] * bessel;
    }
    runMean[c] = (1 - m) * runMean[c] + m * (meanSum / N);
    runVar[c] = (1 - m) * runVar[c] + m * (varSum / N);
  }
}

// Per-row statistics for the running-statistics update, reused across calls (the update consumes
// them before instanceNorm returns): fresh arrays per training step measurably added GC work.
const scratch: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

function rowScratch(which: 0 | 1, rows: number): Float64Array {
  if (scratch[which].length < rows) scratch[which] = new Float64Array(rows);
  return scratch[which].subarray(0, rows);
}

function checkChannel(name: string, t: FloatTensor | null | undefined, C: number): void {
  if (t == null) return;
  if (t.shape.length !== 1 || t.data.length !== C) {
    throw new ValueError(`instance norm: ${name} must have shape [${C}] (one value per channel), got [${t.shape.join(', ')}]`);
  }
}

function prepareOut<D extends ComputeDType>(x: Tensor<D>, out: Tensor | undefined): Tensor<D> {
  if (out === undefined) return new Tensor(x.dtype, allocate(x.dtype, x.size), x.shape);
  if (!(out instanceof Tensor)) throw new PyTypeError(`instance norm: out must be a Tensor, got ${typeof out}`);
  if (out.dtype !== x.dtype) {
    throw new PyTypeError(`instance norm: out has dtype ${out.dtype}, but the result has dtype ${x.dtype}`);
  }
  if (!sameShape(out.shape, x.shape)) {
    throw new ValueError(`instance norm: out has shape [${out.shape.join(', ')}], but the result has shape [${x.shape.join(', ')}]`);
  }
  // The kernels read each row after earlier rows were written, so any overlap corrupts the input.
  if (sharesMemory(out, x)) throw new ValueError('instance norm: out must not share memory with the input tensor');
  return out as Tensor<D>;
}
