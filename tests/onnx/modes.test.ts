/**
 * Every mode of both facades, exported and run in onnxruntime-node on random shapes: the model's
 * output must match the facade's forward/construct and the float64 reference (an independent
 * formula) to 1e-5.
 */
import { Tensor, mindspore, torch } from '../../src';
import { instanceNormReference } from '../../src/core/reference';
import { toOnnx } from '../../src/onnx/export';
import { maxAbsDiff, values } from '../helpers/close';
import { mulberry32, normals, randInt } from '../helpers/random';
import { decode, ortRun, randomTensor, setValues } from './helpers';

const TOLERANCE = 1e-5;
/** float64 graphs: rounding, plus eps stored as a float32 attribute in BatchNormalization (measured <= 3e-13). */
const TOLERANCE_F64 = 1e-11;
/** Worst differences seen, printed at the end for the report. */
const worst: Record<string, number> = {};
function record(key: string, value: number): void {
  worst[key] = Math.max(worst[key] ?? 0, value);
}
afterAll(() => {
  // ONNX_REPORT=1 npx jest tests/onnx/modes.test.ts prints the measured maxima.
  if (process.env.ONNX_REPORT) console.log(`max |onnxruntime - x| per group: ${JSON.stringify(worst, null, 1)}`);
});

const TORCH = { 1: torch.nn.InstanceNorm1d, 2: torch.nn.InstanceNorm2d, 3: torch.nn.InstanceNorm3d } as const;
const MS = { 1: mindspore.nn.InstanceNorm1d, 2: mindspore.nn.InstanceNorm2d, 3: mindspore.nn.InstanceNorm3d } as const;

/** N, C and spatial sizes; spatial slices keep >= 4 elements (a 2-element slice's mean/std ratio is unbounded). */
function randomShape(rand: () => number, dims: 1 | 2 | 3): number[] {
  const spatial = dims === 1 ? [randInt(rand, 4, 9)] : Array.from({ length: dims }, () => randInt(rand, 2, 5));
  return [randInt(rand, 1, 3), randInt(rand, 1, 4), ...spatial];
}

const numbers = (t: Tensor | null): number[] | undefined => (t ? values(t) : undefined);

type Mode = { dims: 1 | 2 | 3; affine: boolean; track: boolean; train: boolean; batched: boolean; dtype: 'float32' | 'float64' };
const torchModes: Mode[] = [];
for (const dims of [1, 2, 3] as const)
  for (const affine of [false, true])
    for (const track of [false, true])
      for (const train of [true, false])
        for (const batched of [true, false]) torchModes.push({ dims, affine, track, train, batched, dtype: 'float32' });
for (const dims of [1, 2, 3] as const) for (const train of [true, false]) torchModes.push({ dims, affine: true, track: true, train, batched: dims !== 2, dtype: 'float64' });

describe('toOnnx: torch facade, every mode, in onnxruntime-node', () => {
  it.each(torchModes.map((m, i) => [`${m.dims}d affine=${m.affine} track=${m.track} ${m.train ? 'train' : 'eval'} ${m.batched ? 'batched' : 'unbatched'} ${m.dtype}`, m, i] as const))(
    '%s',
    async (_label, mode, i) => {
      const rand = mulberry32(100 + i);
      const shape = randomShape(rand, mode.dims);
      const C = shape[1];
      const m = new TORCH[mode.dims](C, { affine: mode.affine, track_running_stats: mode.track, momentum: 0.3, dtype: mode.dtype });
      if (m.weight && m.bias) {
        setValues(m.weight, normals(rand, C, 0.5, 1));
        setValues(m.bias, normals(rand, C, 0.5));
      }
      // Two training steps, so running statistics are not the initial zeros and ones.
      for (let k = 0; k < 2; k++) m.forward(randomTensor(rand, shape, mode.dtype));
      m.train(mode.train);
      const inputShape = mode.batched ? shape : shape.slice(1);
      const bytes = toOnnx(m, { inputShape });
      const x = randomTensor(rand, inputShape, mode.dtype);
      const before = m.state_dict();
      const saved = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, numbers(t)]));
      const ort = await ortRun(bytes, x);
      const facade = m.forward(x);
      expect(ort.dtype).toBe(mode.dtype);
      expect([...ort.shape]).toEqual(inputShape);

      const running = !mode.train && mode.track;
      const reference = instanceNormReference(mode.batched ? x : x.reshape([1, ...inputShape]), {
        eps: m.eps,
        weight: numbers(m.weight),
        bias: numbers(m.bias),
        running: running ? { mean: saved.running_mean!, var: saved.running_var! } : undefined,
      }).y.reshape(inputShape);
      const vsFacade = maxAbsDiff(ort, facade);
      const vsReference = maxAbsDiff(ort, reference);
      record(`torch ${mode.dtype} ${running ? 'running' : 'input'} stats vs facade`, vsFacade);
      record(`torch ${mode.dtype} ${running ? 'running' : 'input'} stats vs float64 reference`, vsReference);
      const tolerance = mode.dtype === 'float64' ? TOLERANCE_F64 : TOLERANCE;
      expect(vsFacade).toBeLessThanOrEqual(tolerance);
      expect(vsReference).toBeLessThanOrEqual(tolerance);

      const ops = decode(bytes).graph.node!.map((n) => n.opType);
      const core = running ? 'BatchNormalization' : mode.dtype === 'float64' ? 'ReduceMean' : 'InstanceNormalization';
      expect(ops).toContain(core);
      expect(ops.includes('Unsqueeze') && ops.includes('Squeeze')).toBe(!mode.batched);
    },
  );
});

type MsMode = { dims: 1 | 2 | 3; affine: boolean; custom: boolean; train: boolean; dtype: 'float32' | 'float16' };
const msModes: MsMode[] = [];
for (const dims of [1, 2, 3] as const)
  for (const affine of [true, false])
    for (const custom of [false, true]) for (const train of [false, true]) msModes.push({ dims, affine, custom, train, dtype: 'float32' });
for (const dims of [1, 2, 3] as const) msModes.push({ dims, affine: true, custom: true, train: false, dtype: 'float16' });

describe('toOnnx: mindspore facade, every mode, in onnxruntime-node', () => {
  it.each(msModes.map((m, i) => [`${m.dims}d affine=${m.affine} gamma/beta ${m.custom ? 'custom' : 'default'} set_train(${m.train}) ${m.dtype}`, m, i] as const))(
    '%s',
    async (_label, mode, i) => {
      const rand = mulberry32(500 + i);
      const shape = randomShape(rand, mode.dims);
      const C = shape[1];
      const init = mode.custom ? { gamma_init: Tensor.from(normals(rand, C, 0.5, 1)), beta_init: Tensor.from(normals(rand, C, 0.5)) } : {};
      const m = new MS[mode.dims](C, { affine: mode.affine, ...init }).set_train(mode.train);
      const bytes = toOnnx(m, { inputShape: shape, dtype: mode.dtype });
      const x = randomTensor(rand, shape, mode.dtype);
      const ort = await ortRun(bytes, x);
      const facade = m.construct(x);
      expect(ort.dtype).toBe(mode.dtype);
      const reference = instanceNormReference(x, { eps: m.eps, weight: numbers(m.gamma.data), bias: numbers(m.beta.data) }).y;
      const vsFacade = maxAbsDiff(ort, facade);
      const vsReference = maxAbsDiff(ort, reference);
      record(`mindspore ${mode.dtype} vs facade`, vsFacade);
      record(`mindspore ${mode.dtype} vs float64 reference`, vsReference);
      expect(vsFacade).toBeLessThanOrEqual(mode.dtype === 'float16' ? 4e-3 : TOLERANCE);
      if (mode.dtype === 'float16') {
        // The float32 result rounded to half: half an ulp (2^-11 relative), one ulp where the float32
        // result sits on a rounding boundary, of the reference.
        for (let k = 0; k < ort.size; k++) expect(Math.abs(ort.item(k) - reference.item(k))).toBeLessThanOrEqual(Math.abs(reference.item(k)) * 2 ** -10 + 1e-5);
      } else {
        expect(vsReference).toBeLessThanOrEqual(TOLERANCE);
      }
      expect(decode(bytes).graph.node!.map((n) => n.opType)).toContain('InstanceNormalization');
    },
  );
});
