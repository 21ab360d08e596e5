/**
 * The core's batch normalization (src/core/batch-norm.ts): 'accurate' against the float64
 * reference written apart from it (src/core/batch-norm-reference.ts), 'stepwise' (outputs and the
 * running-statistics blend) against the plain emulation of ATen's steps (tests/helpers/aten.ts),
 * and the reference against cases worked by hand. The kernels' per-channel statistics on
 * adversarial inputs: tests/core/kernel-channels.test.ts.
 */
import { batchNorm } from '../../src/core/batch-norm';
import { batchNormReference, batchRunningStatsReference } from '../../src/core/batch-norm-reference';
import { halfToNumber, numberToHalf } from '../../src/core/dtype';
import { PyTypeError, ValueError } from '../../src/core/errors';
import { Tensor } from '../../src/core/tensor';
import { atenBatchNorm, atenBatchRunningStats } from '../helpers/aten';
import { maxAbsDiff, values } from '../helpers/close';
import { compareBits } from '../helpers/torch-fixtures';
import { mulberry32, normals, randInt } from '../helpers/random';

function randomInput(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float32', scale = 3, offset = 1): Tensor<'float32' | 'float64'> {
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(normals(mulberry32(seed), size, scale, offset), { shape, dtype });
}

describe('batch norm reference: hand-worked cases', () => {
  it('reduces each channel over N and the trailing dims: x[:, 0] = 1, 3, 5, 7 (mean 4, biased var 5, unbiased 20/3)', () => {
    const x = Tensor.from([[[1, 3], [0, 0]], [[5, 7], [2, 4]]], { dtype: 'float64' });
    const r = batchNormReference(x, { eps: 0 });
    expect(r.mean).toEqual([4, 1.5]);
    expect(r.biasedVar).toEqual([5, 2.75]);
    expect(r.unbiasedVar[0]).toBeCloseTo(20 / 3, 14);
    const s = Math.sqrt(5);
    expect(maxAbsDiff(Tensor.from(values(r.y).filter((_, i) => [0, 1, 4, 5].includes(i)), { dtype: 'float64' }), [-3 / s, -1 / s, 1 / s, 3 / s])).toBeLessThan(1e-15);
  });

  it('normalizes with given statistics, weight and bias: (x - m) / sqrt(v + eps) * w + b', () => {
    const x = Tensor.from([[[2], [10]]], { dtype: 'float64' });
    const r = batchNormReference(x, { eps: 0.5, weight: [2, -1], bias: [1, 3], running: { mean: [1, 4], var: [3.5, 8.5] } });
    expect(r.y.tolist()).toEqual([[[2 * (1 / 2) + 1], [-1 * (6 / 3) + 3]]]);
  });

  it('blends the running statistics: momentum 1 gives the batch statistics, 0 keeps the running ones', () => {
    const x = Tensor.from([[[1, 3]], [[5, 7]]], { dtype: 'float64' });
    expect(batchRunningStatsReference(x, { mean: [9], var: [9] }, 1, true).mean).toEqual([4]);
    expect(batchRunningStatsReference(x, { mean: [9], var: [9] }, 1, true).var[0]).toBeCloseTo(20 / 3, 14);
    expect(batchRunningStatsReference(x, { mean: [9], var: [9] }, 1, false).var).toEqual([5]);
    expect(batchRunningStatsReference(x, { mean: [9], var: [2] }, 0, true)).toEqual({ mean: [9], var: [2] });
    expect(batchRunningStatsReference(x, { mean: [0], var: [1] }, 0.25, false).var).toEqual([0.75 + 0.25 * 5]);
  });
});

describe('batchNorm against the reference', () => {
  const shapes = [
    [4, 3],
    [2, 3, 7],
    [3, 2, 4, 5],
    [2, 3, 2, 3, 4],
    [1, 5, 1],
    [7, 1],
  ];

  it.each(shapes.map((s) => [s.join('x'), s] as const))('%s: batch statistics, weight and bias, float32 and float64', (_name, shape) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randomInput(shape, shape.length * 7 + shape[0], dtype);
      const C = shape[1];
      const rand = mulberry32(C);
      const w = normals(rand, C, 2, 0).map(Math.fround);
      const b = normals(rand, C, 2, 0).map(Math.fround);
      const y = batchNorm(x, { eps: 1e-5, weight: Tensor.from(w), bias: Tensor.from(b), arithmetic: 'accurate', useInputStats: true });
      expect(y.dtype).toBe(dtype);
      const ref = batchNormReference(x, { eps: 1e-5, weight: w, bias: b }).y;
      // float64 arithmetic and one rounding: within an ulp or two of the exact value.
      const scale = Math.max(...values(ref).map(Math.abs));
      expect(maxAbsDiff(y, ref) / scale).toBeLessThan(dtype === 'float32' ? 2.5e-7 : 1e-13);
    }
  });

  it.each(shapes.map((s) => [s.join('x'), s] as const))('%s: given statistics', (_name, shape) => {
    const x = randomInput(shape, 3);
    const C = shape[1];
    const mean = normals(mulberry32(5), C, 1, 0).map(Math.fround);
    const variance = normals(mulberry32(6), C, 1, 0).map((v) => Math.fround(v * v + 0.1));
    const y = batchNorm(x, { eps: 1e-3, arithmetic: 'accurate', useInputStats: false, running: { runningMean: Tensor.from(mean), runningVar: Tensor.from(variance) } });
    expect(maxAbsDiff(y, batchNormReference(x, { eps: 1e-3, running: { mean, var: variance } }).y)).toBeLessThan(4e-6);
  });

  it('blends the batch mean and unbiased variance into the running ones', () => {
    const x = randomInput([3, 4, 5, 2], 9);
    const runningMean = Tensor.from([0.5, -1, 2, 0]);
    const runningVar = Tensor.from([1, 2, 0.5, 3]);
    const before = { mean: values(runningMean), var: values(runningVar) };
    batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true, track: { runningMean, runningVar, momentum: 0.1 } });
    const expected = batchRunningStatsReference(x, before, 0.1, true);
    expect(maxAbsDiff(runningMean, expected.mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(runningVar, expected.var)).toBeLessThan(1e-6);
  });

  it('one value per channel: the output is the bias; the unbiased running variance becomes NaN (0 / 0)', () => {
    const x = Tensor.from([[3, -2]]);
    const runningMean = Tensor.from([0, 0]);
    const runningVar = Tensor.from([1, 1]);
    const y = batchNorm(x, { eps: 1e-5, bias: Tensor.from([0.5, -4]), arithmetic: 'accurate', useInputStats: true, track: { runningMean, runningVar, momentum: 0.5 } });
    expect(values(y)).toEqual([0.5, -4]);
    expect(values(runningMean)).toEqual([1.5, -1]);
    expect(values(runningVar).every(Number.isNaN)).toBe(true);
  });

  it('a constant channel with eps 0 normalizes to 0 rather than NaN (the kernels\' InvStd rule); with given statistics it does not', () => {
    const x = Tensor.from([[1, 2], [1, 4]]);
    expect(values(batchNorm(x, { eps: 0, arithmetic: 'accurate', useInputStats: true }))).toEqual([0, -1, 0, 1]);
    const given = batchNorm(x, { eps: 0, arithmetic: 'accurate', useInputStats: false, running: { runningMean: Tensor.from([1, 3]), runningVar: Tensor.from([0, 1]) } });
    expect(Number.isNaN(given.item(0))).toBe(true);
  });

  it('float16 input: computed in float32 from the exact half values and rounded to half', () => {
    const x32 = randomInput([2, 3, 4], 21);
    const half = x32.astype('float16');
    const y = batchNorm(half, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true });
    expect(y.dtype).toBe('float16');
    const ref = batchNormReference(half, { eps: 1e-5 }).y;
    for (let i = 0; i < ref.size; i++) expect(y.data[i]).toBe(numberToHalf(Math.fround(ref.data[i])));
    expect(halfToNumber(y.data[0])).toBeCloseTo(ref.data[0], 2);
  });

  it('writes into out when given, and checks it', () => {
    const x = randomInput([2, 3, 4], 1);
    const out = Tensor.zeros([2, 3, 4], 'float32');
    expect(batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true, out })).toBe(out);
    expect(maxAbsDiff(out, batchNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-5);
    expect(() => batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true, out: Tensor.zeros([2, 3, 5], 'float32') })).toThrow(
      new ValueError('batch norm: out has shape [2, 3, 5], but the result has shape [2, 3, 4]'),
    );
    expect(() => batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true, out: Tensor.zeros([2, 3, 4], 'float64') })).toThrow(PyTypeError);
    expect(() => batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true, out: x })).toThrow(new ValueError('batch norm: out must not share memory with the input tensor'));
  });

  it('checks the shapes of its per-channel vectors and of the input', () => {
    const x = randomInput([2, 3], 1);
    expect(() => batchNorm(x, { eps: 1e-5, weight: Tensor.from([1, 2]), arithmetic: 'accurate', useInputStats: true })).toThrow(
      new ValueError('batch norm: weight must have shape [3] (one value per channel), got [2]'),
    );
    expect(() => batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: false, running: { runningMean: Tensor.from([1, 2, 3]), runningVar: Tensor.from([[1, 2, 3]]) } })).toThrow(
      new ValueError('batch norm: running_var must have shape [3] (one value per channel), got [1, 3]'),
    );
    expect(() => batchNorm(Tensor.from([1, 2]), { eps: 1e-5, arithmetic: 'accurate', useInputStats: true })).toThrow(new ValueError('batch norm: expected an input of shape (N, C, ...), got shape [2]'));
  });

  it('an empty batch or spatial dim gives an empty output and leaves the running statistics alone', () => {
    for (const shape of [[0, 2, 3], [2, 2, 0]]) {
      const runningMean = Tensor.from([1, 2]);
      const runningVar = Tensor.from([3, 4]);
      const y = batchNorm(Tensor.zeros(shape, 'float32'), { eps: 1e-5, arithmetic: 'accurate', useInputStats: true, track: { runningMean, runningVar, momentum: 0.1 } });
      expect(y.shape).toEqual(shape);
      expect([...values(runningMean), ...values(runningVar)]).toEqual([1, 2, 3, 4]);
    }
  });

  it('random shapes and scales agree with the reference', () => {
    const rand = mulberry32(77);
    for (let trial = 0; trial < 25; trial++) {
      const shape = [randInt(rand, 1, 4), randInt(rand, 1, 5), ...Array.from({ length: randInt(rand, 0, 3) }, () => randInt(rand, 1, 5))];
      if (shape[0] * shape.slice(2).reduce((a, b) => a * b, 1) < 2) continue;
      const x = randomInput(shape, trial, 'float64', 10 ** randInt(rand, -3, 3), randInt(rand, -100, 100));
      const y = batchNorm(x, { eps: 1e-5, arithmetic: 'accurate', useInputStats: true });
      expect(maxAbsDiff(y, batchNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-9);
    }
  });
});

describe("batchNorm 'stepwise' against the emulation of ATen's steps", () => {
  const shapes: number[][] = [
    [4, 3],
    [300, 5],
    [2, 3, 7],
    [3, 2, 4, 5],
    [2, 3, 2, 3, 3],
    [16, 4, 40],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(shapes.map((s) => [s.join('x'), s] as const))(`${dtype} %s: outputs and the running statistics, momentum 0.1 and 1/3`, (_name, shape) => {
      const x = randomInput(shape, shape.length * 11 + shape[0], dtype, 2, 3);
      const [N, C] = shape;
      const length = shape.slice(2).reduce((a, b) => a * b, 1);
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      const w = normals(mulberry32(C + 1), C, 1, 1).map(round);
      const b = normals(mulberry32(C + 2), C, 1, 0).map(round);
      for (const momentum of [0.1, 1 / 3]) {
        const mean0 = Array.from({ length: C }, (_, c) => round(0.1 * c - 0.2));
        const var0 = Array.from({ length: C }, (_, c) => round(1 + c / 7));
        const runningMean = Tensor.from(mean0, { dtype });
        const runningVar = Tensor.from(var0, { dtype });
        const weight = Tensor.from(w, { dtype });
        const bias = Tensor.from(b, { dtype });
        const y = batchNorm(x, { eps: 1e-5, arithmetic: 'stepwise', weight, bias, useInputStats: true, track: { runningMean, runningVar, momentum } });
        const expected = atenBatchNorm(x.data, { N, C, length }, { eps: 1e-5, format: dtype, weight: w, bias: b });
        const same = (values: number[]) => (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values));
        expect(compareBits(y.data as Float32Array, same(expected.y)).identical).toBe(x.size);
        const running = atenBatchRunningStats({ mean: mean0, var: var0 }, expected.stats, N * length, momentum, dtype);
        expect(compareBits(runningMean.data as Float32Array, same(running.mean)).identical).toBe(C);
        expect(compareBits(runningVar.data as Float32Array, same(running.var)).identical).toBe(C);
        // eval with the updated statistics
        const z = batchNorm(x, { eps: 1e-5, arithmetic: 'stepwise', weight, bias, useInputStats: false, running: { runningMean, runningVar } });
        const given = atenBatchNorm(x.data, { N, C, length }, { eps: 1e-5, format: dtype, weight: w, bias: b, given: running });
        expect(compareBits(z.data as Float32Array, same(given.y)).identical).toBe(x.size);
      }
    });
  }
});
