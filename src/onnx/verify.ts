/**
 * `verifyOnnx`: runs an exported model in onnxruntime-node and compares it with the facade
 * module it came from, on seeded random inputs (at the export shape and, where axes are dynamic,
 * at other sizes) and on any inputs the caller gives.
 */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { mulberry32, standardNormal } from '../core/random';
import { numel, Tensor } from '../core/tensor';
import { INPUT_NAME, OUTPUT_NAME } from './export';
import { summarizeModel, type ModelSummary } from './summary';
import { describeLayer, runLayer, type FacadeLayer } from '../families';
import type { ExportDType } from './layer';
import { createSession, onnxruntime, runSession } from './runtime';

/** float32/float64 agree to rounding; float16 output may differ by one half ulp (2^-9 at |y| < 4). */
export const DEFAULT_TOLERANCE: Record<ExportDType, number> = { float32: 1e-5, float64: 1e-5, float16: 4e-3 };

export interface VerifyOptions {
  /** Inputs to check besides the random ones (each must fit the model's input). */
  inputs?: readonly Tensor[];
  /** Seed of the random inputs (default 0): the same seed draws the same inputs. */
  seed?: number;
  /** Largest allowed |onnxruntime - facade|; DEFAULT_TOLERANCE for the model's dtype when absent. */
  tolerance?: number;
  /** How many random inputs (default 2; the second varies the dynamic axes). */
  randomInputs?: number;
}

export interface VerifyRun {
  source: 'random' | 'given';
  shape: number[];
  maxAbsDiff: number;
}

export interface VerifyReport {
  maxAbsDiff: number;
  tolerance: number;
  ok: boolean;
  dtype: ExportDType;
  opset: number;
  onnxruntime: string;
  runs: VerifyRun[];
}

/**
 * Normal values with a different offset and spread per (n, c) slice, so statistics matter.
 * Offsets stay within about two spreads: onnxruntime's float32 InstanceNormalization computes
 * `x * s + (B - mean * s)`, which loses |mean| / std float32 ulps, so a slice whose mean is
 * hundreds of standard deviations from zero differs by more than rounding (the facade is the
 * accurate one there; the float64 reference agrees with it).
 */
function randomInput(rand: () => number, shape: number[], dtype: ExportDType): Tensor {
  const slices = shape.length >= 2 ? shape[0] * shape[1] : 1;
  const size = numel(shape);
  const perSlice = size / slices;
  const values = new Float64Array(size);
  for (let s = 0; s < slices; s++) {
    const spread = 0.5 + rand() * 2;
    const offset = (rand() - 0.5) * 4 * spread;
    for (let i = 0; i < perSlice; i++) values[s * perSlice + i] = offset + spread * standardNormal(rand);
  }
  return Tensor.from(values, { dtype, shape });
}

/**
 * Random shapes: the export shape first, then the dynamic axes at other sizes (3 to 9; a length-2
 * slice's mean / std ratio is Cauchy-distributed, see randomInput).
 */
function randomShapes(model: ModelSummary, count: number, rand: () => number): number[][] {
  const base = model.input.dims.map((d, i) => (typeof d === 'number' ? d : (model.exportShape?.[i] ?? 4)));
  const shapes = count > 0 ? [base] : [];
  const sizes = new Map<string, number>();
  for (let k = 1; k < count; k++) {
    sizes.clear();
    shapes.push(
      model.input.dims.map((d, i) => {
        if (typeof d === 'number') return d;
        if (!sizes.has(d)) {
          let size = 3 + Math.floor(rand() * 7);
          if (size === base[i]) size = size === 9 ? 3 : size + 1;
          sizes.set(d, size);
        }
        return sizes.get(d) as number;
      }),
    );
  }
  return shapes;
}

/** The layer's state tensors (torch: state_dict; MindSpore: its Parameters), which a training step may change. */
function stateTensors(layer: FacadeLayer): Tensor[] {
  return 'forward' in layer ? Object.values(layer.state_dict()) : [...layer.parameters_and_names()].map(([, p]) => p.data);
}

/** The facade's output, leaving the layer as it was (training updates running statistics in place). */
function facadeOutput(layer: FacadeLayer, x: Tensor): Tensor {
  const saved = stateTensors(layer).map((t) => t.clone());
  try {
    return runLayer(layer, x);
  } finally {
    stateTensors(layer).forEach((t, i) => (t.data as Float32Array).set(saved[i].data as Float32Array));
  }
}

function maxAbsDiff(a: Tensor, b: Tensor, shape: readonly number[]): number {
  if (a.size !== b.size) throw new ValueError(`onnxruntime returned ${b.size} values for an input of shape ${pyRepr(shape)}; the facade returned ${a.size}`);
  let max = 0;
  for (let i = 0; i < a.size; i++) {
    const d = Math.abs(a.item(i) - b.item(i));
    if (Number.isNaN(d)) {
      // NaN in both at the same place is agreement (a NaN input slice); NaN in one is not.
      if (Number.isNaN(a.item(i)) && Number.isNaN(b.item(i))) continue;
      return NaN;
    }
    if (d > max) max = d;
  }
  return max;
}

function checkGiven(inputs: readonly Tensor[], { input }: ModelSummary): void {
  inputs.forEach((x, k) => {
    if (!(x instanceof Tensor)) throw new ValueError(`argument 'inputs'[${k}] must be a Tensor, got ${pyRepr(x)}`);
    const fits = x.ndim === input.dims.length && input.dims.every((d, i) => typeof d === 'string' || d === x.shape[i]);
    if (!fits || x.dtype !== input.dtype) {
      throw new ValueError(
        `argument 'inputs'[${k}] is ${x.dtype} [${x.shape.join(', ')}], but the model takes ${input.dtype} [${input.dims.join(', ')}]`,
      );
    }
  });
}

/** onnxruntime's output of an exported model for one input. */
export async function runExported(bytes: Uint8Array, x: Tensor): Promise<Tensor> {
  const session = await createSession(bytes);
  try {
    return (await runSession(session, { [INPUT_NAME]: x }))[OUTPUT_NAME];
  } finally {
    await session.release();
  }
}

export async function verifyOnnx(module: unknown, bytes: Uint8Array, options: VerifyOptions = {}): Promise<VerifyReport> {
  if (!describeLayer(module)) throw new ValueError(`argument 'module' must be a layer of the torch or mindspore facade, got ${pyRepr(module)}`);
  const layer = module as FacadeLayer;
  const ortVersion = onnxruntime('verifyOnnx').env.versions.common;
  const model = summarizeModel(bytes);
  const dtype = model.input.dtype;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE[dtype];
  if (typeof tolerance !== 'number' || !(tolerance >= 0)) throw new ValueError(`argument 'tolerance' must be a non-negative number, got ${pyRepr(tolerance)}`);
  const count = options.randomInputs ?? 2;
  if (!Number.isInteger(count) || count < 0) throw new ValueError(`argument 'randomInputs' must be a non-negative integer, got ${pyRepr(count)}`);
  const given = options.inputs ?? [];
  checkGiven(given, model);
  const rand = mulberry32(options.seed ?? 0);
  const inputs: { source: VerifyRun['source']; x: Tensor }[] = [
    ...randomShapes(model, count, rand).map((shape) => ({ source: 'random' as const, x: randomInput(rand, shape, dtype) })),
    ...given.map((x) => ({ source: 'given' as const, x })),
  ];
  if (inputs.length === 0) throw new ValueError("arguments 'randomInputs' and 'inputs' leave nothing to run: give at least one input");
  const session = await createSession(bytes);
  const runs: VerifyRun[] = [];
  try {
    for (const { source, x } of inputs) {
      const ort = (await runSession(session, { [INPUT_NAME]: x }))[OUTPUT_NAME];
      const expected = facadeOutput(layer, x);
      runs.push({ source, shape: [...x.shape], maxAbsDiff: maxAbsDiff(expected, ort, x.shape) });
    }
  } finally {
    await session.release();
  }
  const worst = runs.reduce((m, r) => (Number.isNaN(r.maxAbsDiff) || Number.isNaN(m) ? NaN : Math.max(m, r.maxAbsDiff)), 0);
  return {
    maxAbsDiff: worst,
    tolerance,
    ok: worst <= tolerance,
    dtype,
    opset: model.opset,
    onnxruntime: ortVersion,
    runs,
  };
}
