/**
 * Instance normalization over (N, C, *spatial) tensors: per (n, c) over all trailing dims,
 * y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance; plus the
 * running-statistics update. Framework rules (which statistics a mode uses, which checks come
 * first, what each message says, which arithmetic) live in the facades.
 */
import { allocate, numberToHalf, halfToNumber, type ComputeDType, type FloatDType } from './dtype';
import { PyTypeError, ValueError } from './errors';
import { jsKernel } from './kernels/js';
import { loadWasmKernel } from './kernels/wasm';
import type { Arithmetic, NormalizeArgs, NormalizeKernel, StatsSource } from './kernels/types';
import { storeRunningStats, type RunningStats } from './running-stats';
import { numel, sameShape, sharesMemory, Tensor } from './tensor';

export type { Arithmetic } from './kernels/types';
export type { RunningStats } from './running-stats';
export type FloatTensor = Tensor<FloatDType>;

export type InstanceNormOptions = {
  eps: number;
  /** How each step is rounded (see Arithmetic). */
  arithmetic: Arithmetic;
  weight?: FloatTensor | null;
  bias?: FloatTensor | null;
  /** Write the result here (same shape and dtype as the input) instead of allocating. */
  out?: Tensor;
} & (
  | {
      /** Normalize each (n, c) slice with its own statistics. */
      useInputStats: true;
      /**
       * Blend each instance's statistics into its own copy of these running ones, then store the
       * copies' mean over the batch (momentum 0 keeps the copies; an empty input leaves them as they are).
       */
      track?: RunningStats & { momentum: number };
    }
  | {
      /** Normalize with fixed per-channel statistics. */
      useInputStats: false;
      running: RunningStats;
      /**
       * Afterwards store back the batch mean of one unchanged copy per instance: exact in
       * 'accurate' arithmetic, possibly an ulp off in 'stepwise', NaN for an empty batch.
       */
      storeBack?: boolean;
    }
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
  const running: RunningStats | undefined = options.useInputStats ? track : options.running;
  if (running) {
    checkChannel('running_mean', running.runningMean, C);
    checkChannel('running_var', running.runningVar, C);
  }
  const out = prepareOut(x, options.out);
  const rows = N * C;
  const rowMean = track ? rowScratch(0, rows) : null;
  const rowM2 = track ? rowScratch(1, rows) : null;
  const stats: StatsSource = options.useInputStats
    ? { from: 'rows', rowMean, rowM2 }
    : { from: 'given', mean: options.running.runningMean.data, var: options.running.runningVar.data };
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x.data as Float32Array,
    y: out.data as Float32Array,
    rows,
    channels: C,
    length,
    eps: options.eps,
    arithmetic: options.arithmetic,
    weight: weight === null ? null : weight.data,
    bias: bias === null ? null : bias.data,
    stats,
  };
  if (x.dtype === 'float32') activeKernel.normalize32(args as NormalizeArgs<Float32Array>);
  else if (x.dtype === 'float64') activeKernel.normalize64(args as NormalizeArgs<Float64Array>);
  else normalizeHalf(x as Tensor<'float16'>, out as Tensor<'float16'>, args);
  if (track && rowMean && rowM2) {
    const instances = N > 0 && length > 0 ? { rowMean, rowM2, length, momentum: track.momentum } : null;
    storeRunningStats(options.arithmetic, track, instances, N, C);
  } else if (!options.useInputStats && options.storeBack) {
    storeRunningStats(options.arithmetic, options.running, null, N, C);
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
