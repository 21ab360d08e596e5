/**
 * What the core's normalization ops share: the kernels (and which one runs), the argument checks
 * worded with the op's name (per-channel vectors of length C, the optional `out`), and one kernel
 * call for every compute dtype.
 */
import { allocate, halfToNumber, numberToHalf, type ComputeDType, type FloatDType } from './dtype';
import { PyTypeError, ValueError } from './errors';
import { jsKernel } from './kernels/js';
import type { Arithmetic, NormalizeArgs, NormalizeKernel, StatsRecord } from './kernels/types';
import { loadWasmKernel } from './kernels/wasm';
import { describeValue } from './python';
import type { RunningStats } from './running-stats';
import { sameShape, sharesMemory, Tensor } from './tensor';

export type FloatTensor = Tensor<FloatDType>;

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

/** What every op takes besides the statistics rule. */
export interface NormOptions {
  eps: number;
  /** How each step is rounded (see Arithmetic). */
  arithmetic: Arithmetic;
  weight?: FloatTensor | null;
  bias?: FloatTensor | null;
  /** Write the result here (same shape and dtype as the input) instead of allocating. */
  out?: Tensor;
  /** How errors about `out` name it (default `<op>: out`). */
  outLabel?: string;
}

/** One kernel pass's result: the output, the input's (N, C, positions per slice), and the statistics recorded. */
export interface NormPass<D extends ComputeDType> {
  out: Tensor<D>;
  N: number;
  C: number;
  length: number;
  /** Each run's mean and sum of squared deviations (rows: N * C, channels: C, at least), when asked for; read before the op returns. */
  record: StatsRecord | null;
}

/**
 * The part every op shares, called once per forward: checks the input's shape (N, C, ...), the
 * per-channel vectors and `out`, then one pass of the active kernel with statistics `from` each
 * row, each channel, or `running` (then required). With `record`, each run's statistics are kept
 * for the running-statistics update, in scratch arrays reused across calls (fresh ones per training
 * step measurably added GC work).
 */
export function normalizePass<D extends ComputeDType>(
  op: string,
  x: Tensor<D>,
  options: NormOptions,
  from: 'rows' | 'channels' | 'given',
  running: RunningStats | undefined,
  record: boolean,
): NormPass<D> {
  const shape = x.shape;
  if (shape.length < 2) throw new ValueError(`${op}: expected an input of shape (N, C, ...), got shape [${shape.join(', ')}]`);
  const N = shape[0];
  const C = shape[1];
  let length = 1;
  for (let i = 2; i < shape.length; i++) length *= shape[i];
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  checkChannelVector(op, 'weight', weight, C);
  checkChannelVector(op, 'bias', bias, C);
  if (running) {
    checkChannelVector(op, 'running_mean', running.runningMean, C);
    checkChannelVector(op, 'running_var', running.runningVar, C);
  }
  const out = prepareOut(x, options.out, options.outLabel ?? `${op}: out`);
  const kept = record && from !== 'given' ? recordScratch(from === 'rows' ? N * C : C) : null;
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x.data as Float32Array,
    y: out.data as Float32Array,
    rows: N * C,
    channels: C,
    length,
    eps: options.eps,
    arithmetic: options.arithmetic,
    weight: weight === null ? null : weight.data,
    bias: bias === null ? null : bias.data,
    stats: from === 'given' ? { from, mean: running!.runningMean.data, var: running!.runningVar.data } : { from, record: kept },
  };
  runKernel(x.dtype, args);
  return { out, N, C, length, record: kept };
}

let scratch: StatsRecord = { mean: new Float64Array(0), m2: new Float64Array(0) };

/** At least `runs` entries each (the kernel writes, and the update reads, the first `runs`). */
function recordScratch(runs: number): StatsRecord {
  if (scratch.mean.length < runs) scratch = { mean: new Float64Array(runs), m2: new Float64Array(runs) };
  return scratch;
}

/** A per-channel vector (weight, bias, running statistic) must have shape [C]. */
function checkChannelVector(op: string, name: string, t: FloatTensor | null | undefined, C: number): void {
  if (t == null) return;
  if (t.shape.length !== 1 || t.data.length !== C) {
    throw new ValueError(`${op}: ${name} must have shape [${C}] (one value per channel), got [${t.shape.join(', ')}]`);
  }
}

/**
 * `out` as given (a Tensor of the result's dtype and shape that does not overlap the input), or a
 * fresh tensor like `x`. `label` names `out` in the messages (a facade passes its own wording).
 */
export function prepareOut<D extends ComputeDType>(x: Tensor<D>, out: unknown, label: string): Tensor<D> {
  if (out === undefined) return new Tensor(x.dtype, allocate(x.dtype, x.size), x.shape);
  if (!(out instanceof Tensor)) throw new PyTypeError(`${label} must be a Tensor, but got ${describeValue(out)}`);
  if (out.dtype !== x.dtype) throw new PyTypeError(`${label} has dtype ${out.dtype}, but the result has dtype ${x.dtype}`);
  if (!sameShape(out.shape, x.shape)) {
    throw new ValueError(`${label} has shape [${out.shape.join(', ')}], but the result has shape [${x.shape.join(', ')}]`);
  }
  // The kernels read the input after writing parts of the output, so any overlap corrupts it.
  if (sharesMemory(out, x)) throw new ValueError(`${label} must not share memory with the input tensor`);
  return out as Tensor<D>;
}

/**
 * One pass of the active kernel; `args.x` and `args.y` are the data of tensors of `dtype`. float16
 * is stored as IEEE half bits and computed in float32 (a float32 kernel behind casts). Called once
 * per forward: no copies of `args` for float32 and float64.
 */
function runKernel(dtype: ComputeDType, args: NormalizeArgs<Float32Array | Float64Array>): void {
  if (dtype === 'float32') activeKernel.normalize32(args as NormalizeArgs<Float32Array>);
  else if (dtype === 'float64') activeKernel.normalize64(args as NormalizeArgs<Float64Array>);
  else {
    const bits = args.x as unknown as Uint16Array;
    const wide = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) wide[i] = halfToNumber(bits[i]);
    const result = new Float32Array(bits.length);
    activeKernel.normalize32({ ...args, x: wide, y: result });
    const out = args.y as unknown as Uint16Array;
    for (let i = 0; i < out.length; i++) out[i] = numberToHalf(result[i]);
  }
}
