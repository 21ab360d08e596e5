/**
 * Numeric properties of mindspore.nn.InstanceNorm{1,2,3}d.construct, checked with fast-check on
 * random shapes and values. The expectations are the formula's own consequences (normalized
 * slices, affine map, equivariance, invariance, locality), not outputs of the code under test;
 * the per-slice statistics come from the float64 reference.
 */
import fc from 'fast-check';
import { mindspore, Tensor, ValueError } from '../../src';
import { instanceNormReference } from '../../src/core/reference';
import { mulberry32, normals } from '../helpers/random';

const { nn } = mindspore;
const LAYERS = { 3: nn.InstanceNorm1d, 4: nn.InstanceNorm2d, 5: nn.InstanceNorm3d } as const;
type Rank = keyof typeof LAYERS;
const RUNS = { numRuns: 100 };

interface Case {
  shape: number[];
  x: Tensor<'float32'>;
  gamma: number[];
  beta: number[];
}

/** A random input: N in 1..3, C in 1..4, spatial dims 1..4 with at least `minLength` positions per slice. */
const caseArb = (minLength = 4) =>
  fc
    .record({
      rank: fc.constantFrom<Rank>(3, 4, 5),
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 4 }),
      spatial: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
      seed: fc.integer(),
      scale: fc.double({ min: 0.5, max: 20, noNaN: true }),
      offset: fc.double({ min: -50, max: 50, noNaN: true }),
    })
    .map(({ rank, n, c, spatial, seed, scale, offset }): Case => {
      const dims = spatial.slice(0, rank - 2);
      while (dims.reduce((a, b) => a * b, 1) < minLength) dims[dims.length - 1] += 1;
      const shape = [n, c, ...dims];
      const rand = mulberry32(seed);
      const size = shape.reduce((a, b) => a * b, 1);
      const x = Tensor.from(new Float32Array(normals(rand, size, scale, offset)), { shape });
      const gamma = normals(rand, c, 2, 0).map(Math.fround);
      const beta = normals(rand, c, 2, 0).map(Math.fround);
      return { shape, x, gamma, beta };
    });

const layerFor = (shape: number[], options: Record<string, unknown> = {}) => new LAYERS[shape.length as Rank](shape[1], options);

/** Visits each (n, c) slice: its index and its flat element range. */
function forEachSlice(shape: number[], fn: (slice: number, start: number, end: number) => void): void {
  const length = shape.slice(2).reduce((a, b) => a * b, 1);
  for (let s = 0; s < shape[0] * shape[1]; s++) fn(s, s * length, (s + 1) * length);
}

describe('InstanceNorm properties (fast-check, 1d/2d/3d)', () => {
  it('with identity gamma/beta, each slice has mean ~0 and biased variance ~1 when its variance is well above eps', () => {
    fc.assert(
      fc.property(caseArb(), ({ shape, x }) => {
        const y = layerFor(shape).construct(x).data;
        const { biasedVar } = instanceNormReference(x, { eps: 0 });
        forEachSlice(shape, (s, start, end) => {
          const slice = Array.from(y.subarray(start, end));
          const mean = slice.reduce((a, b) => a + b, 0) / slice.length;
          const variance = slice.reduce((a, b) => a + (b - mean) ** 2, 0) / slice.length;
          expect(Math.abs(mean)).toBeLessThan(1e-5);
          if (biasedVar[s] > 1e-1) expect(Math.abs(variance - 1)).toBeLessThan(2e-4);
        });
      }),
      RUNS,
    );
  });

  it('with gamma and beta, the output is gamma[c] * normalized + beta[c]', () => {
    fc.assert(
      fc.property(caseArb(), fc.boolean(), ({ shape, x, gamma, beta }, affine) => {
        const plain = layerFor(shape).construct(x).data;
        const y = layerFor(shape, { affine, gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta) }).construct(x).data;
        forEachSlice(shape, (s, start, end) => {
          const c = s % shape[1];
          for (let i = start; i < end; i++) expect(Math.abs(y[i] - (gamma[c] * plain[i] + beta[c]))).toBeLessThan(1e-5 * (1 + Math.abs(gamma[c]) * 4));
        });
      }),
      RUNS,
    );
  });

  it('permuting the channels of x, gamma and beta permutes the output the same way', () => {
    fc.assert(
      fc.property(caseArb(), fc.integer(), ({ shape, x, gamma, beta }, seed) => {
        const [N, C] = shape;
        const rand = mulberry32(seed);
        const perm = Array.from({ length: C }, (_, i) => i).sort(() => rand() - 0.5);
        const length = x.size / (N * C);
        const px = new Float32Array(x.size);
        for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) px.set(x.data.subarray((n * C + perm[c]) * length, (n * C + perm[c] + 1) * length), (n * C + c) * length);
        const y = layerFor(shape, { gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta) }).construct(x).data;
        const py = layerFor(shape, { gamma_init: Tensor.from(perm.map((p) => gamma[p])), beta_init: Tensor.from(perm.map((p) => beta[p])) }).construct(
          Tensor.from(px, { shape }),
        ).data;
        for (let n = 0; n < N; n++) {
          for (let c = 0; c < C; c++) {
            expect(Array.from(py.subarray((n * C + c) * length, (n * C + c + 1) * length))).toEqual(
              Array.from(y.subarray((n * C + perm[c]) * length, (n * C + perm[c] + 1) * length)),
            );
          }
        }
      }),
      RUNS,
    );
  });

  it('y(a*x + b) = y(x) for a > 0 where the variance is well above eps', () => {
    fc.assert(
      fc.property(caseArb(8), fc.double({ min: 0.5, max: 8, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), ({ shape, x }, a, b) => {
        const m = layerFor(shape);
        const y = m.construct(x).data;
        const moved = Tensor.from(Float32Array.from(x.data, (v) => a * v + b), { shape });
        const ym = m.construct(moved).data;
        const { biasedVar } = instanceNormReference(x, { eps: 0 });
        forEachSlice(shape, (s, start, end) => {
          if (a * a * biasedVar[s] < 1) return;
          for (let i = start; i < end; i++) expect(Math.abs(ym[i] - y[i])).toBeLessThan(2e-3);
        });
      }),
      RUNS,
    );
  });

  it('NaN or Inf in one (n, c) slice turns that slice into NaN and leaves every other slice as it was', () => {
    fc.assert(
      fc.property(caseArb(), fc.constantFrom(NaN, Infinity, -Infinity), fc.nat(), fc.nat(), ({ shape, x }, bad, sliceSeed, posSeed) => {
        const length = x.size / (shape[0] * shape[1]);
        const slice = sliceSeed % (shape[0] * shape[1]);
        const poisoned = x.clone();
        poisoned.data[slice * length + (posSeed % length)] = bad;
        const m = layerFor(shape);
        const clean = m.construct(x).data;
        const y = m.construct(poisoned).data;
        forEachSlice(shape, (s, start, end) => {
          for (let i = start; i < end; i++) {
            if (s === slice) expect(y[i]).toBeNaN();
            else expect(y[i]).toBe(clean[i]);
          }
        });
      }),
      RUNS,
    );
  });

  it('a constant slice normalizes to zero, so the output there is beta', () => {
    fc.assert(
      fc.property(caseArb(), fc.float({ min: -1e4, max: 1e4, noNaN: true }), fc.nat(), ({ shape, x, gamma, beta }, value, sliceSeed) => {
        const length = x.size / (shape[0] * shape[1]);
        const slice = sliceSeed % (shape[0] * shape[1]);
        const flat = x.clone();
        flat.data.fill(value, slice * length, (slice + 1) * length);
        const y = layerFor(shape, { gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta) }).construct(flat).data;
        for (let i = slice * length; i < (slice + 1) * length; i++) expect(y[i]).toBe(beta[slice % shape[1]]);
      }),
      RUNS,
    );
  });

  it('empty dims: an empty batch or spatial dim gives an empty output of the same shape; zero channels fail the channel check', () => {
    fc.assert(
      fc.property(fc.constantFrom<Rank>(3, 4, 5), fc.integer({ min: 1, max: 3 }), fc.nat({ max: 4 }), (rank, c, zeroAt) => {
        const shape = [2, c, 3, 3, 3].slice(0, rank);
        const at = zeroAt % rank === 1 ? 0 : zeroAt % rank;
        shape[at] = 0;
        const y = layerFor([2, c, 3, 3, 3].slice(0, rank)).construct(Tensor.zeros(shape, 'float32'));
        expect(y.shape).toEqual(shape);
        expect(y.size).toBe(0);
        const noChannels = [2, 0, 3, 3, 3].slice(0, rank);
        expect(() => layerFor([2, c, 3, 3, 3].slice(0, rank)).construct(Tensor.zeros(noChannels, 'float32'))).toThrow(
          new ValueError(`For primitive[InstanceNorm], the gamma shape must be equal to (C, ) which is 0 , but got ${c}.`),
        );
      }),
      RUNS,
    );
  });
});
