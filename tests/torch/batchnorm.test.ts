/**
 * torch.nn.BatchNorm1d/2d/3d beyond the real-PyTorch fixtures (pytorch-numbers.test.ts,
 * pytorch-batchnorm-behaviour.test.ts): where the classes are exported, PyTorch's defaults, the
 * facade's stricter argument checks (the same policy as InstanceNorm's, STRICTER_THAN_PYTORCH),
 * forward(x, { out }), and properties against the float64 reference (src/core/batch-norm-reference.ts)
 * over shapes and values drawn by fast-check.
 */
import fc from 'fast-check';
import { Tensor, torch, ValueError, TypeError as PyTypeError } from '../../src';
import { batchNormReference, batchRunningStatsReference } from '../../src/core/batch-norm-reference';
import { _NormBase } from '../../src/torch/nn';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32, normals } from '../helpers/random';

const { BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm2d } = torch.nn;
const CLASSES = [BatchNorm1d, BatchNorm2d, BatchNorm3d] as const;

function randomInput(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float32', scale = 2, offset = 1): Tensor {
  return Tensor.from(normals(mulberry32(seed), shape.reduce((a, b) => a * b, 1), scale, offset), { shape, dtype });
}

describe('torch.nn.BatchNorm1d/2d/3d', () => {
  it('are exported from torch.nn, over _NormBase beside InstanceNorm', () => {
    for (const cls of CLASSES) {
      const m = new cls(4);
      expect(m).toBeInstanceOf(torch.nn._BatchNorm);
      expect(m).toBeInstanceOf(_NormBase);
      expect(m).not.toBeInstanceOf(torch.nn._InstanceNorm);
    }
    expect(new InstanceNorm2d(4)).toBeInstanceOf(_NormBase);
  });

  it("take PyTorch's defaults: affine and running statistics on, weight 1, bias 0, mean 0, var 1, count 0", () => {
    const m = new BatchNorm2d(3);
    expect(String(m)).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(m.training).toBe(true);
    expect(Object.fromEntries(Object.entries(m.state_dict()).map(([k, t]) => [k, [t.dtype, t.tolist()]]))).toEqual({
      weight: ['float32', [1, 1, 1]],
      bias: ['float32', [0, 0, 0]],
      running_mean: ['float32', [0, 0, 0]],
      running_var: ['float32', [1, 1, 1]],
      num_batches_tracked: ['int64', 0n],
    });
    const bare = new BatchNorm1d(3, { affine: false, track_running_stats: false });
    expect(bare.weight).toBeNull();
    expect(bare.running_mean).toBeNull();
    expect(bare.num_batches_tracked).toBeNull();
    expect(Object.keys(bare.state_dict())).toEqual([]);
    expect(new BatchNorm3d(2, 1e-3, null, true, true, 'cpu', 'float64').running_var?.dtype).toBe('float64');
  });

  it.each([
    [[0], ValueError, "BatchNorm2d(): argument 'num_features' must be a positive int, but got 0 (int)"],
    [[3, -1e-5], ValueError, "BatchNorm2d(): argument 'eps' must be a finite, non-negative float, but got -1e-05 (float)"],
    [[3, 1e-5, NaN], ValueError, "BatchNorm2d(): argument 'momentum' must be a finite float or None, but got nan (float)"],
    [[3, { affine: 1 }], PyTypeError, "BatchNorm2d(): argument 'affine' must be a bool, but got 1 (int)"],
    [[3, { dtype: 'float16' }], ValueError, "BatchNorm2d(): argument 'dtype' must be 'float32', 'float64' or None, but got 'float16' (str)"],
    [[3, { device: 'cuda' }], ValueError, "BatchNorm2d(): argument 'device' must be 'cpu' or None (the facade computes on the CPU), but got 'cuda' (str)"],
  ] as [unknown[], new (m: string) => Error, string][])('checks its arguments as InstanceNorm does (stricter than PyTorch): %p', (args, cls, message) => {
    const make = () => new (BatchNorm2d as unknown as new (...a: unknown[]) => unknown)(...args);
    expect(make).toThrow(cls);
    expect(make).toThrow(message);
  });

  it('momentum=None: the cumulative average, 1 / num_batches_tracked (the probe in /work/notes/aten-bn/out_probe_edges.txt)', () => {
    // Real PyTorch 1.13.1: BatchNorm1d(2, momentum=None) on [[1 + k, 2], [3 + k, 6]], k = 0, 1, 2, then eval.
    const m = new BatchNorm1d(2, { momentum: null });
    const seen: unknown[] = [];
    for (let k = 0; k < 3; k++) {
      m.forward(Tensor.from([[1 + k, 2], [3 + k, 6]]));
      seen.push([Number(m.num_batches_tracked?.item(0)), m.running_mean?.tolist(), m.running_var?.tolist()]);
    }
    m.eval().forward(Tensor.from([[100, 2], [3, 6]]));
    seen.push(['after eval', Number(m.num_batches_tracked?.item(0)), m.running_mean?.tolist()]);
    expect(seen).toEqual([[1, [2, 4], [2, 8]], [2, [2.5, 4], [2, 8]], [3, [3, 4], [2, 8]], ['after eval', 3, [3, 4]]]);
  });

  it('writes into out when given; the core checks it, in the facade\'s words', () => {
    const x = randomInput([4, 3, 5], 1);
    const m = new BatchNorm1d(3);
    const out = Tensor.zeros([4, 3, 5], 'float32');
    expect(m.forward(x, { out })).toBe(out);
    expect(maxAbsDiff(out, batchNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-5);
    expect(() => m.forward(x, { out: Tensor.zeros([4, 3, 4], 'float32') })).toThrow(
      new ValueError("BatchNorm1d.forward(): argument 'out' has shape [4, 3, 4], but the result has shape [4, 3, 5]"),
    );
    expect(() => m.forward(x, { out: x })).toThrow(new ValueError("BatchNorm1d.forward(): argument 'out' must not share memory with the input tensor"));
    expect(() => m.forward(x, { out: [1] as never })).toThrow(new PyTypeError("BatchNorm1d.forward(): argument 'out' must be a Tensor, but got [1] (list)"));
    expect(() => m.forward(Tensor.zeros([0, 3, 5], 'float32'), { out: Tensor.zeros([0, 3, 5], 'float64') })).toThrow(
      new PyTypeError("BatchNorm1d.forward(): argument 'out' has dtype float64, but the result has dtype float32"),
    );
  });
});

describe('BatchNorm properties against the float64 reference', () => {
  const drawn = fc
    .record({
      dims: fc.integer({ min: 0, max: 3 }),
      n: fc.integer({ min: 1, max: 5 }),
      c: fc.integer({ min: 1, max: 4 }),
      spatial: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
      scale: fc.double({ min: 0.5, max: 50, noNaN: true }),
      offset: fc.double({ min: -100, max: 100, noNaN: true }),
      seed: fc.integer(),
      dtype: fc.constantFrom('float32' as const, 'float64' as const),
    })
    .map(({ dims, n, c, spatial, scale, offset, seed, dtype }) => {
      // dims 0: BatchNorm1d on (N, C); 1 to 3: BatchNorm{dims}d.
      const shape = [n, c, ...spatial.slice(0, dims)];
      const rand = mulberry32(seed);
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * scale + offset);
      return { cls: CLASSES[Math.max(dims, 1) - 1], shape, dtype, x: Tensor.from(values, { shape, dtype }) };
    })
    .filter(({ shape }) => shape[0] * shape.slice(2).reduce((a, b) => a * b, 1) > 1);

  it('training: outputs and the running statistics (unbiased variance) as the reference computes them', () => {
    fc.assert(
      fc.property(drawn, fc.double({ min: 0, max: 1, noNaN: true }), ({ cls, shape, dtype, x }, momentum) => {
        const C = shape[1];
        const m = new cls(C, { momentum, dtype });
        const y = m.forward(x);
        const ref = batchNormReference(x, { eps: 1e-5 });
        const spread = Math.max(...ref.biasedVar.map(Math.sqrt), 1e-3);
        const scale = Math.max(...ref.mean.map(Math.abs), 1) / spread;
        expect(maxAbsDiff(y, ref.y)).toBeLessThan((dtype === 'float32' ? 3e-6 : 1e-12) * (1 + scale));
        const running = batchRunningStatsReference(x, { mean: Array(C).fill(0), var: Array(C).fill(1) }, Math.fround(momentum), true);
        const varScale = Math.max(...running.var.map(Math.abs), 1);
        expect(maxAbsDiff(m.running_mean as Tensor, running.mean)).toBeLessThan((dtype === 'float32' ? 1e-5 : 1e-11) * (1 + scale * spread));
        expect(maxAbsDiff(m.running_var as Tensor, running.var)).toBeLessThan((dtype === 'float32' ? 1e-5 : 1e-11) * varScale * (1 + scale));
      }),
      { numRuns: 60 },
    );
  });

  it('eval normalizes with the running statistics; without them, with the batch statistics in eval too', () => {
    fc.assert(
      fc.property(drawn, ({ cls, shape, dtype, x }) => {
        const C = shape[1];
        const m = new cls(C, { dtype });
        m.running_mean?.data.set(Array.from({ length: C }, (_, c) => c - 1) as never);
        m.running_var?.data.set(Array.from({ length: C }, (_, c) => 0.5 + c) as never);
        const running = { mean: Array.from(m.running_mean!.data as Float32Array), var: Array.from(m.running_var!.data as Float32Array) };
        const before = m.state_dict();
        const y = m.eval().forward(x);
        expect(maxAbsDiff(y, batchNormReference(x, { eps: 1e-5, running }).y)).toBeLessThan((dtype === 'float32' ? 1e-6 : 1e-14) * (1 + Math.max(...Array.from(x.data as Float32Array, Math.abs))));
        expect(m.state_dict()).toEqual(before);
        expect(Number(m.num_batches_tracked?.item(0))).toBe(0);
        const untracked = new cls(C, { track_running_stats: false, dtype }).eval();
        expect(maxAbsDiff(untracked.forward(x), batchNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(dtype === 'float32' ? 3e-5 : 1e-9);
      }),
      { numRuns: 40 },
    );
  });
});
