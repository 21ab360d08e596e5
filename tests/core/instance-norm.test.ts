import { instanceNorm } from '../../src/core/instance-norm';
import { instanceNormReference, runningStatsReference } from '../../src/core/reference';
import { Tensor } from '../../src/core/tensor';
import { ValueError, PyTypeError } from '../../src/core/errors';
import { ortInstanceNorm } from '../../src/onnx/runtime';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32, normals, randInt } from '../helpers/random';

describe('reference kernel: hand-derived cases', () => {
  it('normalizes one row of [1, 2, 3, 4] (mean 2.5, biased var 1.25)', () => {
    const x = Tensor.from([[[1, 2, 3, 4]]], { dtype: 'float64' });
    const { y, mean, biasedVar, unbiasedVar } = instanceNormReference(x, { eps: 0 });
    const s = Math.sqrt(1.25);
    expect(maxAbsDiff(y, [[[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]]])).toBeLessThan(1e-15);
    expect(mean).toEqual([2.5]);
    expect(biasedVar).toEqual([1.25]);
    expect(unbiasedVar[0]).toBeCloseTo(5 / 3, 15);
  });

  it('applies weight and bias per channel and keeps a constant row at bias', () => {
    const x = Tensor.from([[[0, 2], [5, 5]]], { dtype: 'float64' });
    const { y } = instanceNormReference(x, { eps: 0, weight: [3, 7], bias: [1, -2] });
    expect(y.tolist()).toEqual([[[-2, 4], [-2, -2]]]);
  });

  it("PyTorch's C++ module tests: arange inputs in 1d/2d/3d (test/cpp/api/modules.cpp)", () => {
    const arange = (shape: number[]) => Tensor.from(Float64Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i), { shape, dtype: 'float64' });
    const rows = (t: Tensor, per: number) => Array.from({ length: t.size / per }, (_, r) => Array.from(t.data.slice(r * per, r * per + per) as Float64Array));
    for (const row of rows(instanceNormReference(arange([2, 5, 2]), { eps: 1e-5 }).y, 2)) {
      expect(maxAbsDiff(row, [-1.0, 1.0])).toBeLessThan(1e-3);
    }
    for (const row of rows(instanceNormReference(arange([2, 5, 2, 2]), { eps: 1e-5 }).y, 4)) {
      expect(maxAbsDiff(row, [-1.3416, -0.4472, 0.4472, 1.3416])).toBeLessThan(1e-3);
    }
    for (const row of rows(instanceNormReference(arange([2, 5, 2, 2, 2]), { eps: 1e-5 }).y, 8)) {
      expect(maxAbsDiff(row, [-1.5275, -1.0911, -0.6547, -0.2182, 0.2182, 0.6547, 1.0911, 1.5275])).toBeLessThan(1e-3);
    }
  });

  it('running statistics: momentum 1 gives the batch mean and the mean unbiased variance (PyTorch test_nn)', () => {
    const x = Tensor.from([[[1, 2, 4], [0, 0, 3]], [[-1, 5, 0], [2, 2, 2]]], { dtype: 'float64' });
    const r = runningStatsReference(x, { mean: [0, 0], var: [1, 1] }, 1);
    expect(r.mean[0]).toBeCloseTo((1 + 2 + 4 - 1 + 5 + 0) / 6, 14);
    expect(r.mean[1]).toBeCloseTo((0 + 0 + 3 + 2 + 2 + 2) / 6, 14);
    // unbiased variances: [1,2,4] -> 7/3, [-1,5,0] -> 31/3; [0,0,3] -> 3, [2,2,2] -> 0
    expect(r.var[0]).toBeCloseTo((7 / 3 + 31 / 3) / 2, 14);
    expect(r.var[1]).toBeCloseTo(1.5, 14);
  });
});

describe('fast kernel against the reference', () => {
  const worked = Tensor.from([[[1, 2, 4], [0, 0, 3]], [[-1, 5, 0], [2, 2, 2]]]);

  it('matches the worked example of the torch spec notes (numpy float64, affine + running stats)', () => {
    const weight = Tensor.from([1.5, -0.5]);
    const bias = Tensor.from([0.1, 0.2]);
    const runningMean = Tensor.from([0, 0]);
    const runningVar = Tensor.from([1, 1]);
    const y = instanceNorm(worked, { arithmetic: 'accurate', eps: 1e-5, weight, bias, useInputStats: true, track: { runningMean, runningVar, momentum: 0.1 } });
    expect(maxAbsDiff(y, [[[-1.503562, -0.300891, 2.104453], [0.553553, 0.553553, -0.507105]], [[-1.2335, 2.195501, -0.662], [0.2, 0.2, 0.2]]])).toBeLessThan(1e-6);
    expect(maxAbsDiff(runningMean, [0.183333, 0.15])).toBeLessThan(1e-6);
    expect(maxAbsDiff(runningVar, [1.533333, 1.05])).toBeLessThan(1e-6);
    const evalY = instanceNorm(worked, { arithmetic: 'accurate', eps: 1e-5, weight, bias, useInputStats: false, running: { runningMean, runningVar } });
    expect(maxAbsDiff(evalY, [[[1.089274, 2.300629, 4.72334], [0.273192, 0.273192, -1.190651]], [[-1.333437, 5.934695, -0.122082], [-0.702703, -0.702703, -0.702703]]])).toBeLessThan(1e-6);
  });

  it('agrees with the float64 reference on random shapes, both dtypes, with and without affine', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 60; trial++) {
      const shape = [randInt(rand, 1, 3), randInt(rand, 1, 5), randInt(rand, 2, 40)];
      if (trial % 3 === 0) shape.push(randInt(rand, 1, 4));
      const size = shape.reduce((a, b) => a * b);
      const dtype = trial % 2 ? 'float32' : 'float64';
      const x = Tensor.from(normals(rand, size, 3, rand() * 10), { shape, dtype });
      const C = shape[1];
      const weight = trial % 4 < 2 ? Tensor.from(normals(rand, C), { dtype }) : null;
      const bias = weight ? Tensor.from(normals(rand, C), { dtype }) : null;
      const eps = [1e-5, 1e-3, 0.1][trial % 3];
      const y = instanceNorm(x, { arithmetic: 'accurate', eps, weight, bias, useInputStats: true });
      const ref = instanceNormReference(x, { eps, weight: weight ? Array.from(weight.data) : undefined, bias: bias ? Array.from(bias.data) : undefined });
      expect(y.dtype).toBe(dtype);
      expect(maxAbsDiff(y, ref.y)).toBeLessThan(dtype === 'float64' ? 1e-12 : 2e-6);
    }
  });

  it('computes float16 input in float32 and stores half results', () => {
    const x = Tensor.from([[[0.5, 1.5, -2, 4]]], { dtype: 'float16' });
    const y = instanceNorm(x, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true });
    expect(y.dtype).toBe('float16');
    const ref = instanceNormReference(x, { eps: 1e-5 });
    expect(maxAbsDiff(y, ref.y)).toBeLessThan(2e-3);
  });

  it('writes into out when given, and checks its shape and dtype', () => {
    const out = Tensor.zeros([2, 2, 3], 'float32');
    const y = instanceNorm(worked, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, out });
    expect(y).toBe(out);
    expect(maxAbsDiff(out, instanceNormReference(worked, { eps: 1e-5 }).y)).toBeLessThan(2e-6);
    expect(() => instanceNorm(worked, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, out: Tensor.zeros([2, 2, 3], 'float64') })).toThrow(PyTypeError);
    expect(() => instanceNorm(worked, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, out: Tensor.zeros([2, 6], 'float32') })).toThrow(ValueError);
  });

  it('refuses an out that shares memory with the input, not only the identical array (it would overwrite values still to be read)', () => {
    const buffer = new Float32Array(9);
    buffer.set([1, 5, 2, 8, 3, -1, 4, 0]);
    const x = new Tensor('float32', buffer.subarray(0, 8), [1, 2, 4]);
    const shifted = new Tensor('float32', buffer.subarray(1, 9), [1, 2, 4]);
    const aliased = new Tensor('float32', buffer.subarray(0, 8), [1, 2, 4]);
    for (const out of [shifted, aliased, x]) {
      expect(() => instanceNorm(x, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, out })).toThrow('out must not share memory with the input');
    }
    const separate = new Tensor('float32', new Float32Array(8), [1, 2, 4]);
    expect(maxAbsDiff(instanceNorm(x, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, out: separate }), instanceNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(2e-6);
  });

  it('rejects per-channel tensors of the wrong length', () => {
    expect(() => instanceNorm(worked, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, weight: Tensor.from([1, 2, 3]) })).toThrow('weight must have shape [2]');
  });
});

describe('fast kernel against onnxruntime-node InstanceNormalization', () => {
  it('random shapes N 1-4, C 1-8, L 2-300; eps 1e-5, 1e-3, 0.1; with and without scale/bias: max abs diff <= 1e-5', async () => {
    const rand = mulberry32(20261125);
    let worst = 0;
    for (let trial = 0; trial < 36; trial++) {
      const shape = [randInt(rand, 1, 4), randInt(rand, 1, 8), randInt(rand, 2, 300)];
      const x = Tensor.from(normals(rand, shape.reduce((a, b) => a * b), 2, rand() * 4 - 2), { shape });
      const C = shape[1];
      const eps = [1e-5, 1e-3, 0.1][trial % 3];
      const affine = trial % 2 === 0;
      const weight = affine ? Tensor.from(normals(rand, C)) : null;
      const bias = affine ? Tensor.from(normals(rand, C)) : null;
      const ours = instanceNorm(x, { arithmetic: 'accurate', eps, weight, bias, useInputStats: true });
      const theirs = await ortInstanceNorm(x, { eps, scale: weight ?? undefined, bias: bias ?? undefined });
      worst = Math.max(worst, maxAbsDiff(ours, theirs));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
