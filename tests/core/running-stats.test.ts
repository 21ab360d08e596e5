/**
 * The running-statistics step: the core against the plain emulation of ATen's (tests/helpers/aten.ts)
 * for batches that take every path of the cascade sum (one column as vectors plus a tail, groups of
 * 4 columns or 4 vectors, split sums, levels that carry), both dtypes, training and eval, and the
 * accurate arithmetic against the float64 reference.
 */
import { instanceNorm } from '../../src/core/instance-norm';
import { runningStatsReference } from '../../src/core/reference';
import { Tensor } from '../../src/core/tensor';
import { atenRowStats, atenRunningStats } from '../helpers/aten';
import { compareBits } from '../helpers/torch-fixtures';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32 } from '../helpers/random';

function input(N: number, C: number, L: number, dtype: 'float32' | 'float64', seed: number): Tensor<'float32' | 'float64'> {
  const rand = mulberry32(seed);
  const x = Tensor.zeros([N, C, L], dtype);
  for (let i = 0; i < x.size; i++) x.data[i] = (rand() - 0.3) * (1 + (i % 7)) + Math.floor(i / L) * 0.01;
  return x;
}

/** Expected values in the tensor's own array type, for a bit comparison. */
function same(t: Tensor<'float32' | 'float64'>, values: number[]): Float32Array | Float64Array {
  return t.dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

describe("running statistics ('stepwise') against the emulation of ATen's", () => {
  const shapes: [number, number][] = [[1, 3], [2, 1], [7, 1], [8, 1], [9, 1], [17, 1], [33, 1], [100, 1], [300, 1], [3, 2], [16, 3], [17, 4], [40, 5], [9, 7], [8, 8], [17, 9], [33, 31], [5, 32], [20, 33], [3, 41], [290, 2]];
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(shapes)(`${dtype}: batch %i x %i channels, a training step then eval`, (N, C) => {
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      const mean0 = Array.from({ length: C }, (_, c) => round(0.1 + c / 3));
      const var0 = Array.from({ length: C }, (_, c) => round(1.7 - c / 11));
      const runningMean = Tensor.from(mean0, { dtype });
      const runningVar = Tensor.from(var0, { dtype });
      const x = input(N, C, 5, dtype, N * 100 + C);
      instanceNorm(x, { arithmetic: 'stepwise', eps: 1e-5, useInputStats: true, track: { runningMean, runningVar, momentum: 0.3 } });
      const stats = Array.from({ length: N * C }, (_, r) => atenRowStats(x.data.subarray(r * 5, r * 5 + 5), dtype));
      const trained = atenRunningStats({ mean: mean0, var: var0 }, stats, { n: N, channels: C, length: 5 }, 0.3, dtype);
      expect(compareBits(runningMean.data, same(runningMean, trained.mean)).identical).toBe(C);
      expect(compareBits(runningVar.data, same(runningVar, trained.var)).identical).toBe(C);
      instanceNorm(x, { arithmetic: 'stepwise', eps: 1e-5, useInputStats: false, running: { runningMean, runningVar }, storeBack: true });
      const kept = atenRunningStats(trained, null, { n: N, channels: C, length: 5 }, 0.3, dtype);
      expect(compareBits(runningMean.data, same(runningMean, kept.mean)).identical).toBe(C);
      expect(compareBits(runningVar.data, same(runningVar, kept.var)).identical).toBe(C);
    });
  }

  it('eval stores back the batch mean of unchanged copies: a float32 sum of N copies divided by N moves it (real PyTorch 1.13 deltas)', () => {
    const runningMean = Tensor.from([0.1, 0.7, 1 / 3]);
    const runningVar = Tensor.from([0.3, 1.1, 2 / 3]);
    const mean0 = Array.from(runningMean.data);
    const var0 = Array.from(runningVar.data);
    const deltas = (t: Tensor, from: number[]) => Array.from(t.data as Float32Array).map((v, c) => v - from[c]);
    // torch.nn.InstanceNorm1d(3, track_running_stats=True).eval() on batches of 1, 2, 3, 5, 7, then 100 (any values).
    const seen: Record<number, number[][]> = {};
    for (const N of [1, 2, 3, 5, 7, 100]) {
      instanceNorm(input(N, 3, 4, 'float32', N), { arithmetic: 'stepwise', eps: 1e-5, useInputStats: false, running: { runningMean, runningVar }, storeBack: true });
      seen[N] = [deltas(runningMean, mean0), deltas(runningVar, var0)];
    }
    expect(seen[5]).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(seen[7]).toEqual([[2 ** -27, -(2 ** -24), -(2 ** -25)], [-(2 ** -25), 0, -(2 ** -24)]]);
    expect(seen[100]).toEqual([[2 ** -26, -(2 ** -23), -(2 ** -24)], [0, 2 ** -23, -(2 ** -23)]]);
  });

  it('an empty batch gives NaN in both arithmetics; accurate eval leaves them as they are', () => {
    for (const arithmetic of ['stepwise', 'accurate'] as const) {
      const runningMean = Tensor.from([1, 2]);
      const runningVar = Tensor.from([3, 4]);
      instanceNorm(Tensor.zeros([0, 2, 3], 'float32'), { arithmetic, eps: 1e-5, useInputStats: true, track: { runningMean, runningVar, momentum: 0.1 } });
      expect(Array.from(runningMean.data).every(Number.isNaN)).toBe(true);
      const kept = Tensor.from([1, 2]);
      instanceNorm(input(9, 2, 3, 'float32', 1), { arithmetic, eps: 1e-5, useInputStats: false, running: { runningMean: kept, runningVar: Tensor.from([3, 4]) }, storeBack: true });
      if (arithmetic === 'accurate') expect(Array.from(kept.data)).toEqual([1, 2]);
    }
  });

  it("'accurate' blends in float64 like the reference", () => {
    const x = input(3, 4, 50, 'float64', 9);
    const runningMean = Tensor.zeros([4], 'float64');
    const runningVar = Tensor.ones([4], 'float64');
    instanceNorm(x, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, track: { runningMean, runningVar, momentum: 0.25 } });
    const ref = runningStatsReference(x, { mean: [0, 0, 0, 0], var: [1, 1, 1, 1] }, 0.25);
    expect(maxAbsDiff(runningMean, ref.mean)).toBeLessThan(1e-15);
    expect(maxAbsDiff(runningVar, ref.var)).toBeLessThan(1e-14);
  });
});
