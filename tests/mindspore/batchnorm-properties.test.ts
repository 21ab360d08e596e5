/**
 * Numeric properties of mindspore.nn.BatchNorm{1,2,3}d.construct, checked with fast-check on random
 * shapes and values. The expectations are the formula's own consequences (normalized channels,
 * affine map, channel equivariance, the moving-statistics blend, inference as a per-sample map),
 * not outputs of the code under test; statistics come from the float64 reference.
 */
import fc from 'fast-check';
import { mindspore, Tensor } from '../../src';
import { batchNormReference, batchRunningStatsReference } from '../../src/core/batch-norm-reference';
import { maxAbsDiff, values } from '../helpers/close';
import { mulberry32, normals } from '../helpers/random';

const { nn } = mindspore;
type Rank = 2 | 3 | 4 | 5;
const RUNS = { numRuns: 100 };
/** The class that takes each input rank (normalization.py@v2.6.0:260-267, 366-370, 470-474). */
const layerFor = (shape: number[], options: Record<string, unknown> = {}) => {
  const Cls = shape.length <= 3 ? nn.BatchNorm1d : shape.length === 4 ? nn.BatchNorm2d : nn.BatchNorm3d;
  return new Cls(shape[1], options);
};
const stateOf = (m: ReturnType<typeof layerFor>) => (m instanceof nn.BatchNorm3d ? m.bn2d : m);
const EPS = Math.fround(1e-5);

interface Case {
  shape: number[];
  x: Tensor<'float32'>;
  gamma: number[];
  beta: number[];
}

/** A random input: N in 1..4, C in 1..4, spatial dims 1..3, at least `minCount` values per channel. */
const caseArb = (minCount = 4) =>
  fc
    .record({
      rank: fc.constantFrom<Rank>(2, 3, 4, 5),
      n: fc.integer({ min: 1, max: 4 }),
      c: fc.integer({ min: 1, max: 4 }),
      spatial: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
      seed: fc.integer(),
      scale: fc.double({ min: 0.5, max: 20, noNaN: true }),
      offset: fc.double({ min: -50, max: 50, noNaN: true }),
    })
    .map(({ rank, n, c, spatial, seed, scale, offset }): Case => {
      const shape = [n, c, ...spatial.slice(0, rank - 2)];
      while (shape[0] * shape.slice(2).reduce((a, b) => a * b, 1) < minCount) shape[0] += 1;
      const rand = mulberry32(seed);
      const size = shape.reduce((a, b) => a * b, 1);
      const x = Tensor.from(new Float32Array(normals(rand, size, scale, offset)), { shape });
      const gamma = normals(rand, c, 2, 0).map(Math.fround);
      const beta = normals(rand, c, 2, 0).map(Math.fround);
      return { shape, x, gamma, beta };
    });

/** The flat indices of channel c: every batch entry, every trailing position. */
function channelIndices(shape: number[], c: number): number[] {
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let n = 0; n < shape[0]; n++) for (let s = 0; s < inner; s++) out.push((n * shape[1] + c) * inner + s);
  return out;
}

describe('BatchNorm properties (fast-check, 1d/2d/3d)', () => {
  it('in training with identity gamma/beta, each channel has mean ~0 and biased variance ~1 over N and the trailing dims', () => {
    fc.assert(
      fc.property(caseArb(), ({ shape, x }) => {
        const y = layerFor(shape).set_train().construct(x).data;
        const { biasedVar } = batchNormReference(x, { eps: 0 });
        for (let c = 0; c < shape[1]; c++) {
          const v = channelIndices(shape, c).map((i) => y[i]);
          const mean = v.reduce((a, b) => a + b, 0) / v.length;
          const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
          expect(Math.abs(mean)).toBeLessThan(1e-5);
          if (biasedVar[c] > 1e-1) expect(Math.abs(variance - 1)).toBeLessThan(2e-4);
        }
      }),
      RUNS,
    );
  });

  it('gamma and beta give gamma[c] * normalized + beta[c], with affine True or False', () => {
    fc.assert(
      fc.property(caseArb(), fc.boolean(), ({ shape, x, gamma, beta }, affine) => {
        const plain = layerFor(shape).set_train().construct(x).data;
        const y = layerFor(shape, { affine, gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta) }).set_train().construct(x).data;
        for (let c = 0; c < shape[1]; c++) {
          for (const i of channelIndices(shape, c)) expect(Math.abs(y[i] - (gamma[c] * plain[i] + beta[c]))).toBeLessThan(1e-5 * (1 + Math.abs(gamma[c]) * 4));
        }
      }),
      RUNS,
    );
  });

  it('permuting the channels of x and of every Parameter permutes the output and the updated moving statistics', () => {
    fc.assert(
      fc.property(caseArb(), fc.integer(), ({ shape, x, gamma, beta }, seed) => {
        const C = shape[1];
        const rand = mulberry32(seed);
        const perm = Array.from({ length: C }, (_, i) => i).sort(() => rand() - 0.5);
        const px = new Float32Array(x.size);
        for (let c = 0; c < C; c++) {
          const from = channelIndices(shape, perm[c]);
          channelIndices(shape, c).forEach((to, k) => (px[to] = x.data[from[k]]));
        }
        const moving = normals(rand, C, 1, 0).map(Math.fround);
        const pick = (v: number[]) => Tensor.from(perm.map((p) => v[p]));
        const m = layerFor(shape, { gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta), moving_mean_init: Tensor.from(moving) }).set_train();
        const pm = layerFor(shape, { gamma_init: pick(gamma), beta_init: pick(beta), moving_mean_init: pick(moving) }).set_train();
        const y = m.construct(x).data;
        const py = pm.construct(Tensor.from(px, { shape })).data;
        for (let c = 0; c < C; c++) {
          const from = channelIndices(shape, perm[c]);
          expect(channelIndices(shape, c).map((i) => py[i])).toEqual(from.map((i) => y[i]));
        }
        expect(values(stateOf(pm).moving_mean.data)).toEqual(perm.map((p) => values(stateOf(m).moving_mean.data)[p]));
        expect(values(stateOf(pm).moving_variance.data)).toEqual(perm.map((p) => values(stateOf(m).moving_variance.data)[p]));
      }),
      RUNS,
    );
  });

  it('one training step blends: moving = (1 - m) * moving + m * batch, m = 1 - momentum, the variance unbiased (batch_norm_cpu_kernel.cc@v2.6.0:118-121)', () => {
    fc.assert(
      fc.property(caseArb(2), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), ({ shape, x }, momentum, seed) => {
        const rand = mulberry32(seed);
        const mean = normals(rand, shape[1], 2, 0).map(Math.fround);
        const variance = normals(rand, shape[1], 1, 0).map((v) => Math.fround(v * v + 0.5));
        const m = layerFor(shape, { momentum, moving_mean_init: Tensor.from(mean), moving_var_init: Tensor.from(variance) }).set_train();
        m.construct(x);
        const expected = batchRunningStatsReference(x, { mean, var: variance }, Math.fround(1 - momentum), true);
        const tol = (v: number[]) => 4e-7 * Math.max(1, ...v.map(Math.abs));
        expect(maxAbsDiff(stateOf(m).moving_mean.data, expected.mean)).toBeLessThan(tol(expected.mean));
        expect(maxAbsDiff(stateOf(m).moving_variance.data, expected.var)).toBeLessThan(tol(expected.var));
      }),
      RUNS,
    );
  });

  it('in inference each sample is normalized with the moving statistics alone: a batch gives what its samples give one by one', () => {
    fc.assert(
      fc.property(caseArb(1), fc.integer(), ({ shape, x, gamma, beta }, seed) => {
        const rand = mulberry32(seed);
        const mean = normals(rand, shape[1], 2, 0).map(Math.fround);
        const variance = normals(rand, shape[1], 1, 0).map((v) => Math.fround(v * v + 0.1));
        const m = layerFor(shape, { gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta), moving_mean_init: Tensor.from(mean), moving_var_init: Tensor.from(variance) });
        const y = m.construct(x);
        expect(maxAbsDiff(y, batchNormReference(x, { eps: EPS, weight: gamma, bias: beta, running: { mean, var: variance } }).y)).toBeLessThan(
          2e-6 * Math.max(1, ...values(y).map(Math.abs)),
        );
        const per = x.size / shape[0];
        for (let n = 0; n < shape[0]; n++) {
          const one = Tensor.from(x.data.slice(n * per, (n + 1) * per), { shape: [1, ...shape.slice(1)] });
          expect([...m.construct(one).data]).toEqual([...y.data.slice(n * per, (n + 1) * per)]);
        }
        expect([...values(stateOf(m).moving_mean.data)]).toEqual(mean);
      }),
      RUNS,
    );
  });

  it('in training y(a*x + b) = y(x) for a > 0 where the channel variance is well above eps', () => {
    fc.assert(
      fc.property(caseArb(8), fc.double({ min: 0.5, max: 8, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), ({ shape, x }, a, b) => {
        const m = layerFor(shape).set_train();
        const y = m.construct(x).data;
        const ym = m.construct(Tensor.from(Float32Array.from(x.data, (v) => a * v + b), { shape })).data;
        const { biasedVar } = batchNormReference(x, { eps: 0 });
        for (let c = 0; c < shape[1]; c++) {
          if (a * a * biasedVar[c] < 1) continue;
          for (const i of channelIndices(shape, c)) expect(Math.abs(ym[i] - y[i])).toBeLessThan(2e-3);
        }
      }),
      RUNS,
    );
  });
});
