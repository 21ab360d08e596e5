/**
 * Numeric properties of the torch facade (issue 8/8), over shapes, values, eps and options drawn
 * by fast-check for 1d, 2d and 3d. Expected values are the properties themselves (or the float64
 * reference), never a previous output of the code under test.
 */
import fc from 'fast-check';
import { Tensor, torch } from '../../src';
import { instanceNormReference } from '../../src/core/reference';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32 } from '../helpers/random';

const VARIANTS = [
  { cls: torch.nn.InstanceNorm1d, spatialDims: 1 },
  { cls: torch.nn.InstanceNorm2d, spatialDims: 2 },
  { cls: torch.nn.InstanceNorm3d, spatialDims: 3 },
] as const;

interface Drawn {
  variant: (typeof VARIANTS)[number];
  shape: number[];
  values: number[];
}

/** A batched input: N, C, spatial sizes with at least 2 elements per slice; values spread well above eps. */
const drawn = (minSpatial = 2): fc.Arbitrary<Drawn> =>
  fc
    .record({
      v: fc.integer({ min: 0, max: 2 }),
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 4 }),
      spatial: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
      scale: fc.double({ min: 0.5, max: 50, noNaN: true }),
      offset: fc.double({ min: -100, max: 100, noNaN: true }),
      seed: fc.integer(),
    })
    .map(({ v, n, c, spatial, scale, offset, seed }) => {
      const variant = VARIANTS[v];
      const shape = [n, c, ...spatial.slice(0, variant.spatialDims)];
      const size = shape.reduce((a, b) => a * b, 1);
      const random = mulberry32(seed);
      const values = Array.from({ length: size }, () => (random() - 0.5) * scale + offset);
      return { variant, shape, values };
    })
    .filter(({ shape }) => shape.slice(2).reduce((a, b) => a * b, 1) >= minSpatial);

function slices(shape: number[]): number {
  return shape[0] * shape[1];
}

/** Smallest biased variance over the (n, c) slices, in float64. */
function minVariance(x: Tensor): number {
  return Math.min(...instanceNormReference(x, { eps: 0 }).biasedVar);
}

describe('torch facade properties', () => {
  it('without affine, each (n, c) slice has mean ~0 and biased variance ~1', () => {
    fc.assert(
      fc.property(drawn(), ({ variant, shape, values }) => {
        const x = Tensor.from(values, { shape });
        fc.pre(minVariance(x) > 1e-2);
        const y = new variant.cls(shape[1]).forward(x);
        const stats = instanceNormReference(y, { eps: 0 });
        const input = instanceNormReference(x, { eps: 0 });
        for (let s = 0; s < slices(shape); s++) {
          // PyTorch's float32 steps leave a mean of a few float32 ulps of beta = -mean(x) / std(x).
          const beta = Math.abs(input.mean[s]) / Math.sqrt(input.biasedVar[s]);
          expect(Math.abs(stats.mean[s])).toBeLessThan(1e-5 + 2 ** -21 * beta);
          expect(Math.abs(stats.biasedVar[s] - 1)).toBeLessThan(2e-3); // v / (v + eps) with v > 1e-2
        }
      }),
    );
  });

  it('affine output is weight * normalized + bias, per channel', () => {
    fc.assert(
      fc.property(drawn(), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }), ({ variant, shape, values }, wb) => {
        const C = shape[1];
        const x = Tensor.from(values, { shape, dtype: 'float64' });
        const plain = new variant.cls(C, { dtype: 'float64' }).forward(x);
        const m = new variant.cls(C, { affine: true, dtype: 'float64' });
        const weight = wb.slice(0, C);
        const bias = wb.slice(4, 4 + C);
        m.load_state_dict({ weight: Tensor.from(weight, { dtype: 'float64' }), bias: Tensor.from(bias, { dtype: 'float64' }) });
        const y = m.forward(x);
        const inner = x.size / (shape[0] * C);
        for (let i = 0; i < y.size; i++) {
          const c = Math.floor(i / inner) % C;
          expect(Math.abs(y.item(i) - (weight[c] * plain.item(i) + bias[c]))).toBeLessThan(1e-12);
        }
      }),
    );
  });

  it('permuting channels (with weight and bias) permutes the output', () => {
    fc.assert(
      fc.property(drawn(), fc.integer(), ({ variant, shape, values }, seed) => {
        const [N, C] = shape;
        const inner = values.length / (N * C);
        const perm = [...Array(C).keys()].sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13) || a - b);
        const permute = (v: number[]): number[] => {
          const out: number[] = [];
          for (let n = 0; n < N; n++) for (const c of perm) out.push(...v.slice((n * C + c) * inner, (n * C + c + 1) * inner));
          return out;
        };
        const weight = [...Array(C).keys()].map((c) => 0.5 + c);
        const bias = [...Array(C).keys()].map((c) => c - 1);
        const run = (v: number[], w: number[], b: number[]): Tensor => {
          const m = new variant.cls(C, { affine: true });
          m.load_state_dict({ weight: Tensor.from(w), bias: Tensor.from(b) });
          return m.forward(Tensor.from(v, { shape }));
        };
        const y = run(values, weight, bias);
        const yp = run(permute(values), perm.map((c) => weight[c]), perm.map((c) => bias[c]));
        expect(Array.from(yp.data as Float32Array)).toEqual(permute(Array.from(y.data as Float32Array)));
      }),
    );
  });

  it('y(a * x + b) = y(x) for a > 0 when the variance is well above eps', () => {
    fc.assert(
      fc.property(drawn(), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), ({ variant, shape, values }, a, b) => {
        const x = Tensor.from(values, { shape, dtype: 'float64' });
        // Both inputs' variances must dwarf eps: a * a scales the variance of the moved input.
        fc.pre(minVariance(x) * Math.min(1, a * a) > 1e-2);
        const m = new variant.cls(shape[1], { eps: 1e-12, dtype: 'float64' });
        const y = m.forward(x);
        const ys = m.forward(Tensor.from(values.map((v) => a * v + b), { shape, dtype: 'float64' }));
        expect(maxAbsDiff(y, ys)).toBeLessThan(1e-6);
      }),
    );
  });

  it('NaN or Infinity in one (n, c) slice makes that slice NaN and leaves every other slice (and channel stat) alone', () => {
    fc.assert(
      fc.property(drawn(), fc.nat(), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), ({ variant, shape, values }, sliceSeed, posSeed, bad) => {
        const [N, C] = shape;
        const inner = values.length / (N * C);
        const s = sliceSeed % (N * C);
        const poisoned = values.slice();
        poisoned[s * inner + (posSeed % inner)] = bad;
        const clean = new variant.cls(C, { track_running_stats: true }).forward(Tensor.from(values, { shape }));
        const m = new variant.cls(C, { track_running_stats: true });
        const y = m.forward(Tensor.from(poisoned, { shape }));
        for (let i = 0; i < y.size; i++) {
          if (Math.floor(i / inner) === s) expect(y.item(i)).toBeNaN();
          else expect(y.item(i)).toBe(clean.item(i));
        }
        for (let c = 0; c < C; c++) {
          const poisonedChannel = c === s % C;
          expect(Number.isNaN(m.running_mean?.item(c) ?? 0) || Number.isNaN(m.running_var?.item(c) ?? 0)).toBe(poisonedChannel);
        }
      }),
    );
  });

  it('a constant slice gives zeros (the bias with affine): exactly with eps 0, else to float32 rounding of x / sqrt(eps)', () => {
    fc.assert(
      fc.property(drawn(), fc.nat(), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.constantFrom(0, 1e-5), ({ variant, shape, values }, sliceSeed, constant, eps) => {
        const [N, C] = shape;
        const inner = values.length / (N * C);
        const s = sliceSeed % (N * C);
        const v = values.slice();
        for (let i = 0; i < inner; i++) v[s * inner + i] = constant;
        // y = x * alpha + (bias - mean * alpha) in float32, alpha = weight / sqrt(eps): the rounding of mean * alpha stays.
        const alpha = eps === 0 ? 0 : 1 / Math.sqrt(eps);
        const tol = (scale: number) => 2 ** -24 * Math.abs(Math.fround(constant)) * alpha * scale * (1 + 2 ** -20);
        const y = new variant.cls(C, { eps }).forward(Tensor.from(v, { shape }));
        for (let i = 0; i < inner; i++) expect(Math.abs(y.item(s * inner + i))).toBeLessThanOrEqual(tol(1));
        const m = new variant.cls(C, { affine: true, eps });
        m.load_state_dict({ weight: Tensor.full([C], 2, 'float32'), bias: Tensor.full([C], 0.25, 'float32') });
        const ya = m.forward(Tensor.from(v, { shape }));
        for (let i = 0; i < inner; i++) expect(Math.abs(ya.item(s * inner + i) - 0.25)).toBeLessThanOrEqual(tol(2) + 2 ** -25);
      }),
    );
  });

  it('inputs with an empty dimension give empty outputs of the same shape (ATen returns a copy)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }).filter((d) => d.includes(0)),
        (v, dims) => {
          const variant = VARIANTS[v];
          const shape = dims.slice(0, 2 + variant.spatialDims);
          fc.pre(shape.includes(0) && shape.slice(2).reduce((a, b) => a * b, 1) !== 1);
          const m = new variant.cls(Math.max(1, shape[1]));
          const y = torchQuiet(() => m.forward(Tensor.zeros(shape, 'float32')));
          expect(y.shape).toEqual(shape);
          expect(y.size).toBe(0);
        },
      ),
    );
  });
});

/** Runs with the channel-mismatch warning silenced (C = 0 inputs warn, as in PyTorch). */
function torchQuiet<T>(fn: () => T): T {
  torch.warnings.simplefilter('ignore');
  try {
    return fn();
  } finally {
    torch.warnings.simplefilter('default');
  }
}
