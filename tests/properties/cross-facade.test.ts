/**
 * Properties that tie the two facades together (issue 8/8): on the same input, PyTorch's defaults
 * and MindSpore's `affine=False` in training are the same computation; so are PyTorch with
 * `affine=True` and MindSpore with the same values in gamma/beta. Shapes, values and eps are drawn
 * by fast-check, so this is not one hand-picked case. The torch facade rounds PyTorch's float32
 * steps and the MindSpore facade computes in float64, so they agree to float32 rounding of
 * max |x| / std (stepwiseTolerance).
 */
import fc from 'fast-check';
import { Tensor, mindspore, torch } from '../../src';
import { maxAbsDiff, stepwiseTolerance } from '../helpers/close';
import { mulberry32 } from '../helpers/random';

const variants = [
  { torchCls: torch.nn.InstanceNorm1d, msCls: mindspore.nn.InstanceNorm1d, spatialDims: 1 },
  { torchCls: torch.nn.InstanceNorm2d, msCls: mindspore.nn.InstanceNorm2d, spatialDims: 2 },
  { torchCls: torch.nn.InstanceNorm3d, msCls: mindspore.nn.InstanceNorm3d, spatialDims: 3 },
] as const;

/** A batched input for one variant: N, C, then spatial sizes whose product is at least 2. */
function inputArb(spatialDims: number) {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 4 }),
      spatial: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: spatialDims, maxLength: spatialDims }),
      scale: fc.double({ min: 0.1, max: 100, noNaN: true }),
      offset: fc.double({ min: -50, max: 50, noNaN: true }),
      seed: fc.integer(),
    })
    .filter((r) => r.spatial.reduce((a, b) => a * b, 1) >= 2)
    .map(({ n, c, spatial, scale, offset, seed }) => {
      const shape = [n, c, ...spatial];
      const size = shape.reduce((a, b) => a * b, 1);
      const random = mulberry32(seed);
      const values = Float32Array.from({ length: size }, () => (random() - 0.5) * scale + offset);
      return Tensor.from(values, { shape });
    });
}

const epsArb = fc.constantFrom(1e-5, 1e-3, 0.1, 1);

describe.each(variants)('$torchCls.name: torch and MindSpore facades agree', ({ torchCls, msCls, spatialDims }) => {
  it('PyTorch defaults == MindSpore affine=False in training, on any input', () => {
    fc.assert(
      fc.property(inputArb(spatialDims), epsArb, (x, eps) => {
        const C = x.shape[1];
        const t = new torchCls(C, { eps });
        const m = new msCls(C, { eps, affine: false }).set_train();
        expect(maxAbsDiff(t.forward(x), m.construct(x))).toBeLessThanOrEqual(stepwiseTolerance(x, eps));
      }),
      { numRuns: 40 },
    );
  });

  it('PyTorch affine=True with weight/bias == MindSpore with the same gamma/beta', () => {
    fc.assert(
      fc.property(inputArb(spatialDims), fc.integer(), (x, seed) => {
        const C = x.shape[1];
        const gamma = Array.from({ length: C }, (_, i) => ((seed >>> (i % 16)) % 7) / 3 - 1);
        const beta = Array.from({ length: C }, (_, i) => ((seed >>> ((i + 3) % 16)) % 5) - 2);
        const t = new torchCls(C, { affine: true });
        t.load_state_dict({ weight: Tensor.from(gamma), bias: Tensor.from(beta) });
        const m = new msCls(C, { gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta) });
        expect(maxAbsDiff(t.forward(x), m.construct(x))).toBeLessThanOrEqual(stepwiseTolerance(x, 1e-5, { weight: gamma, bias: beta }));
      }),
      { numRuns: 40 },
    );
  });
});
