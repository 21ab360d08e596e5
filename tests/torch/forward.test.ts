/**
 * forward() of torch.nn.InstanceNorm1d/2d/3d. Expected numbers come from the float64 reference
 * (src/core/reference.ts, written apart from the kernel), from PyTorch's own tests
 * (test/cpp/api/modules.cpp literals, test_nn.py rules) and from the worked example in
 * ../shared/spec/torch-instancenorm.md §5 (numpy, float64); messages from instancenorm.py,
 * functional.py and ATen's Normalization.cpp.
 */
import { Tensor, torch, IndexError, RuntimeError, ValueError, TypeError as PyTypeError } from '../../src';
import { instanceNormReference, runningStatsReference } from '../../src/core/reference';
import { catchWarnings } from '../../src/core/warnings';
import { maxAbsDiff, values } from '../helpers/close';
import { mulberry32, normals } from '../helpers/random';

const { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } = torch.nn;
type Cls = typeof InstanceNorm1d | typeof InstanceNorm2d | typeof InstanceNorm3d;

const SHAPES: [Cls, number[]][] = [
  [InstanceNorm1d, [2, 3, 7]],
  [InstanceNorm2d, [2, 3, 4, 5]],
  [InstanceNorm3d, [2, 3, 2, 3, 4]],
];

function randomInput(rand: () => number, shape: number[], dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const C = shape[1];
  const inner = size / (shape[0] * C);
  // Each channel gets its own scale and offset, so per-channel mistakes show.
  const values = normals(rand, size).map((v, i) => {
    const c = Math.floor(i / inner) % C;
    return v * (0.5 + c) + 3 * c - 2;
  });
  return Tensor.from(values, { shape, dtype });
}

/** Row `n` of a batched tensor, without the batch dim. */
function item(x: Tensor, n: number): Tensor {
  const per = x.size / x.shape[0];
  return new Tensor(x.dtype, x.data.slice(n * per, (n + 1) * per) as never, x.shape.slice(1));
}

function valuesOf(t: Tensor | null): number[] {
  if (!t) throw new Error('missing tensor');
  return values(t);
}


describe("PyTorch's C++ API test literals (default modules, eval mode, arange input)", () => {
  // test/cpp/api/modules.cpp: InstanceNorm{1,2,3}d(5) on arange(...).view(2, 5, ...), allclose 1e-3.
  const cases: [Cls, number[], number[]][] = [
    [InstanceNorm1d, [2, 5, 2], [-1.0, 1.0]],
    [InstanceNorm2d, [2, 5, 2, 2], [-1.3416, -0.4472, 0.4472, 1.3416]],
    [InstanceNorm3d, [2, 5, 2, 2, 2], [-1.5275, -1.0911, -0.6547, -0.2182, 0.2182, 0.6547, 1.0911, 1.5275]],
  ];
  it.each(cases)('%p', (cls, shape, plane) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const m = new cls(5).eval();
    const y = m.forward(Tensor.from(Array.from({ length: size }, (_, i) => i), { shape }));
    const expected = Array.from({ length: size }, (_, i) => plane[i % plane.length]);
    expect(maxAbsDiff(valuesOf(y), expected)).toBeLessThan(1e-3);
  });
});

describe('the worked example of the spec (numpy float64, affine + running stats, one training step then eval)', () => {
  // PyTorch's float32 steps round beta = bias - mean * alpha to float32, and for the constant row
  // [2, 2, 2] |beta| is about 316 (an ulp of 3e-5): the facade, like PyTorch, lands within half of
  // that of numpy's float64 answer. Exact bits are checked against PyTorch in pytorch-numbers.test.ts.
  it('matches output, running stats and eval output', () => {
    const x = Tensor.from([[[1, 2, 4], [0, 0, 3]], [[-1, 5, 0], [2, 2, 2]]]);
    const m = new InstanceNorm1d(2, { affine: true, track_running_stats: true });
    m.load_state_dict({ weight: Tensor.from([1.5, -0.5]), bias: Tensor.from([0.1, 0.2]) }, { strict: false });
    const y = m.forward(x);
    expect(maxAbsDiff(y, [[[-1.503562, -0.300891, 2.104453], [0.553553, 0.553553, -0.507105]], [[-1.2335, 2.195501, -0.662], [0.2, 0.2, 0.2]]])).toBeLessThan(1.6e-5);
    expect(maxAbsDiff(valuesOf(m.running_mean), [0.183333, 0.15])).toBeLessThan(1e-6);
    expect(maxAbsDiff(valuesOf(m.running_var), [1.533333, 1.05])).toBeLessThan(1e-6);
    m.eval();
    const e = m.forward(x);
    expect(maxAbsDiff(e, [[[1.089274, 2.300629, 4.72334], [0.273192, 0.273192, -1.190651]], [[-1.333437, 5.934695, -0.122082], [-0.702703, -0.702703, -0.702703]]])).toBeLessThan(2e-6);
  });
});

describe.each(SHAPES)('%p against the float64 reference', (cls, shape) => {
  for (const affine of [false, true]) {
    for (const track of [false, true]) {
      it(`affine=${affine}, track_running_stats=${track}: 4 training steps, then eval, batched and unbatched`, () => {
        const rand = mulberry32(shape.length * 100 + (affine ? 10 : 0) + (track ? 1 : 0));
        const momentum = 0.3;
        const m = new cls(3, { affine, track_running_stats: track, momentum });
        const weight = [0.5, -1.25, 2];
        const bias = [0.1, 0, -3];
        if (affine) m.load_state_dict({ weight: Tensor.from(weight), bias: Tensor.from(bias) }, { strict: false });
        const affineRef = affine ? { weight, bias } : {};
        let running = { mean: [0, 0, 0], var: [1, 1, 1] };
        for (let step = 0; step < 4; step++) {
          const x = randomInput(rand, shape);
          const y = m.forward(x);
          expect(y.dtype).toBe('float32');
          expect(y.shape).toEqual(shape);
          expect(maxAbsDiff(y, instanceNormReference(x, { eps: 1e-5, ...affineRef }).y)).toBeLessThan(1e-5);
          if (track) {
            running = runningStatsReference(x, running, momentum);
            expect(maxAbsDiff(valuesOf(m.running_mean), running.mean)).toBeLessThan(1e-5);
            expect(maxAbsDiff(valuesOf(m.running_var), running.var)).toBeLessThan(1e-5);
            expect(m.num_batches_tracked?.tolist()).toBe(0n); // InstanceNorm never counts batches
          }
          // Unbatched input: the same numbers as row 0 of a batch, and (tracking) its own update.
          const x0 = item(x, 0);
          const y0 = m.forward(x0);
          expect(y0.shape).toEqual(shape.slice(1));
          expect(maxAbsDiff(y0, item(instanceNormReference(x, { eps: 1e-5, ...affineRef }).y, 0))).toBeLessThan(1e-5);
          if (track) running = runningStatsReference(x0.reshape([1, ...x0.shape]), running, momentum);
        }
        m.eval();
        const x = randomInput(rand, shape);
        const before = [valuesOf(m.running_mean ?? Tensor.zeros([0], 'float32')), valuesOf(m.running_var ?? Tensor.zeros([0], 'float32'))];
        const y = m.forward(x);
        const expected = instanceNormReference(x, { eps: 1e-5, ...affineRef, ...(track ? { running } : {}) }).y;
        expect(maxAbsDiff(y, expected)).toBeLessThan(1e-4);
        if (track) {
          expect(valuesOf(m.running_mean)).toEqual(before[0]);
          expect(valuesOf(m.running_var)).toEqual(before[1]);
        }
      });
    }
  }
});

describe('momentum', () => {
  it('None (null) means 0 for InstanceNorm: running stats never move, and repr says None', () => {
    const m = new InstanceNorm2d(2, { momentum: null, track_running_stats: true });
    expect(String(m)).toBe('InstanceNorm2d(2, eps=1e-05, momentum=None, affine=False, track_running_stats=True)');
    const rand = mulberry32(7);
    for (let i = 0; i < 3; i++) m.forward(randomInput(rand, [3, 2, 4, 4]));
    expect(valuesOf(m.running_mean)).toEqual([0, 0]);
    expect(valuesOf(m.running_var)).toEqual([1, 1]);
  });

  it('1 with eps 0 makes the running stats the batch statistics (test_nn.py _test_InstanceNorm_general)', () => {
    const rand = mulberry32(8);
    const x = randomInput(rand, [4, 3, 10]);
    const m = new InstanceNorm1d(3, { momentum: 1, eps: 0, track_running_stats: true });
    const y = m.forward(x);
    const ref = runningStatsReference(x, { mean: [0, 0, 0], var: [1, 1, 1] }, 1);
    expect(maxAbsDiff(valuesOf(m.running_mean), ref.mean)).toBeLessThan(1e-5);
    expect(maxAbsDiff(valuesOf(m.running_var), ref.var)).toBeLessThan(1e-5);
    // eps 0: every instance has mean 0 and biased variance 1.
    const stats = instanceNormReference(y, { eps: 0 });
    expect(maxAbsDiff(stats.mean, stats.mean.map(() => 0))).toBeLessThan(1e-5);
    expect(maxAbsDiff(stats.biasedVar, stats.biasedVar.map(() => 1))).toBeLessThan(1e-5);
  });
});

describe('input checks, in PyTorch order', () => {
  it.each([
    [InstanceNorm1d, [1, 2, 3, 4], 'expected 2D or 3D input (got 4D input)'],
    [InstanceNorm1d, [2], 'expected 2D or 3D input (got 1D input)'],
    [InstanceNorm2d, [2, 3], 'expected 3D or 4D input (got 2D input)'],
    [InstanceNorm2d, [1, 2, 3, 4, 5], 'expected 3D or 4D input (got 5D input)'],
    [InstanceNorm3d, [2, 3, 4], 'expected 4D or 5D input (got 3D input)'],
    [InstanceNorm3d, [1, 2, 2, 2, 2, 2], 'expected 4D or 5D input (got 6D input)'],
  ] as [Cls, number[], string][])('%p rank of %p', (cls, shape, message) => {
    expect(() => new cls(2).forward(Tensor.zeros(shape, 'float32'))).toThrow(new ValueError(message));
  });

  it('raises on a channel mismatch with affine, naming the feature dim (1 batched, 0 unbatched)', () => {
    const m = new InstanceNorm1d(3, { affine: true });
    expect(() => m.forward(Tensor.zeros([2, 4, 5], 'float32'))).toThrow(new ValueError("expected input's size at dim=1 to match num_features (3), but got: 4."));
    expect(() => m.forward(Tensor.zeros([4, 5], 'float32'))).toThrow(new ValueError("expected input's size at dim=0 to match num_features (3), but got: 4."));
    expect(() => new InstanceNorm3d(4, { affine: true }).forward(Tensor.zeros([3, 2, 2, 2], 'float32'))).toThrow("expected input's size at dim=0 to match num_features (4), but got: 3.");
  });

  it('warns (once per module) on a channel mismatch without affine, and normalizes all channels', () => {
    const m = new InstanceNorm2d(3);
    const x = randomInput(mulberry32(3), [2, 4, 3, 3]);
    const { result, warnings } = catchWarnings(() => [m.forward(x), m.forward(x)]);
    expect(warnings).toEqual([
      { category: 'UserWarning', message: "input's size at dim=1 does not match num_features. You can silence this warning by not passing in num_features, which is not used because affine=False" },
    ]);
    expect(maxAbsDiff(result[0], instanceNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-5);
    expect(catchWarnings(() => new InstanceNorm2d(3).forward(item(x, 0))).warnings[0].message).toMatch(/^input's size at dim=0 does not match/);
  });

  it("with running stats, a channel mismatch warns and then fails in ATen's size check (counts times the batch)", () => {
    const m = new InstanceNorm1d(3, { track_running_stats: true });
    const { warnings } = catchWarnings(() => expect(() => m.forward(Tensor.zeros([2, 4, 5], 'float32'))).toThrow(new RuntimeError('running_mean should contain 8 elements not 6')));
    expect(warnings).toHaveLength(1);
    expect(() => m.eval().forward(Tensor.zeros([4, 5], 'float32'))).toThrow('running_mean should contain 4 elements not 3');
  });

  it('rejects a single spatial element when using input statistics, showing the batched size', () => {
    expect(() => new InstanceNorm1d(2).forward(Tensor.zeros([2, 1], 'float32'))).toThrow(new ValueError('Expected more than 1 spatial element when training, got input size torch.Size([1, 2, 1])'));
    // Not tracking: input statistics in eval too, so eval raises as well.
    expect(() => new InstanceNorm2d(2).eval().forward(Tensor.zeros([3, 2, 1, 1], 'float32'))).toThrow('got input size torch.Size([3, 2, 1, 1])');
    // test_instancenorm_raises_error_for_single_spatial_element_during_training: eval with running stats works.
    const m = new InstanceNorm3d(3, { track_running_stats: true });
    const x = randomInput(mulberry32(4), [10, 3, 1, 1, 1]);
    expect(() => m.forward(x)).toThrow('Expected more than 1 spatial element when training, got input size torch.Size([10, 3, 1, 1, 1])');
    const y = m.eval().forward(x);
    expect(maxAbsDiff(y, instanceNormReference(x, { eps: 1e-5, running: { mean: [0, 0, 0], var: [1, 1, 1] } }).y)).toBeLessThan(1e-5);
  });

  it('rejects non-tensors with a TypeError naming the input', () => {
    expect(() => new InstanceNorm1d(2).forward([[1, 2], [3, 4]] as never)).toThrow(new PyTypeError("InstanceNorm1d.forward(): argument 'input' must be a Tensor, but got [[1, 2], [3, 4]] (list)"));
  });
});

describe('dtypes', () => {
  it('returns the input dtype: float64 input through a float32 module without tensors', () => {
    const x = randomInput(mulberry32(5), [2, 3, 6], 'float64');
    const y = new InstanceNorm1d(3).forward(x);
    expect(y.dtype).toBe('float64');
    expect(maxAbsDiff(y, instanceNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-12);
  });

  it('float64 modules compute in float64', () => {
    const x = randomInput(mulberry32(6), [2, 3, 6], 'float64');
    const m = new InstanceNorm1d(3, { affine: true, track_running_stats: true, dtype: 'float64' });
    expect(maxAbsDiff(m.forward(x), instanceNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-12);
    const ref = runningStatsReference(x, { mean: [0, 0, 0], var: [1, 1, 1] }, 0.1);
    expect(maxAbsDiff(valuesOf(m.running_var), ref.var)).toBeLessThan(1e-12);
  });

  it("raises ATen's CPU mixed-dtype errors when the weight's dtype differs from the input's", () => {
    expect(() => new InstanceNorm1d(3, { affine: true }).forward(Tensor.zeros([2, 3, 4], 'float64'))).toThrow(new RuntimeError('mixed dtype (CPU): all inputs must share same datatype.'));
    expect(() => new InstanceNorm1d(3, { affine: true, dtype: 'float64' }).forward(Tensor.zeros([2, 3, 4], 'float32'))).toThrow(
      new RuntimeError('mixed dtype (CPU): expect parameter to have scalar type of Float'),
    );
  });

  it('refuses running stats of another dtype too, without a weight (PYTORCH_RELEASE; the CPU cast came later, pytorch/pytorch#164069)', () => {
    const x = randomInput(mulberry32(9), [2, 3, 6], 'float64');
    for (const train of [true, false]) {
      const m = new InstanceNorm1d(3, { track_running_stats: true }).train(train);
      expect(() => m.forward(x)).toThrow(new RuntimeError('mixed dtype (CPU): all inputs must share same datatype.'));
      const d = new InstanceNorm1d(3, { track_running_stats: true, dtype: 'float64' }).train(train);
      expect(() => d.forward(x.astype('float32'))).toThrow(new RuntimeError('mixed dtype (CPU): expect parameter to have scalar type of Float'));
    }
  });

  it('integer inputs fail as in ATen, half precision is refused by the facade', () => {
    expect(() => new InstanceNorm1d(2).forward(Tensor.zeros([1, 2, 3], 'int64'))).toThrow(new RuntimeError(`"batch_norm" not implemented for 'Long'`));
    expect(() => new InstanceNorm1d(2).forward(Tensor.zeros([1, 2, 3], 'int32'))).toThrow(`"batch_norm" not implemented for 'Int'`);
    expect(() => new InstanceNorm1d(2).forward(Tensor.zeros([1, 2, 3], 'float16'))).toThrow(PyTypeError);
  });
});

describe('constant slices and eps', () => {
  it("a constant slice gives zeros with eps 0 (ATen's InvStd rule), and bias with affine", () => {
    const x = Tensor.from([[[2, 2, 2], [1, 2, 3]]]);
    const y = new InstanceNorm1d(2, { eps: 0 }).forward(x);
    expect(valuesOf(y).slice(0, 3)).toEqual([0, 0, 0]);
    expect(maxAbsDiff(valuesOf(y).slice(3), [-Math.sqrt(1.5), 0, Math.sqrt(1.5)])).toBeLessThan(1e-6);
    const m = new InstanceNorm1d(2, { eps: 0, affine: true });
    m.load_state_dict({ weight: Tensor.from([3, 1]), bias: Tensor.from([0.5, 0]) });
    expect(valuesOf(m.forward(x)).slice(0, 3)).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('empty inputs (ATen: numel == 0 returns a copy; the running stats average the batch copies)', () => {
  it('N = 0 gives an empty output, and NaN running stats in training and in eval', () => {
    const y = new InstanceNorm1d(3).forward(Tensor.zeros([0, 3, 5], 'float32'));
    expect(y.shape).toEqual([0, 3, 5]);
    for (const train of [true, false]) {
      const m = new InstanceNorm1d(3, { track_running_stats: true }).train(train);
      m.forward(Tensor.zeros([0, 3, 5], 'float32'));
      expect(valuesOf(m.running_mean).every(Number.isNaN)).toBe(true);
      expect(valuesOf(m.running_var).every(Number.isNaN)).toBe(true);
    }
  });

  it('N = 0 with affine fails indexing the repeated weight (select() on a size-0 tensor)', () => {
    expect(() => new InstanceNorm2d(3, { affine: true }).forward(Tensor.zeros([0, 3, 2, 2], 'float32'))).toThrow(
      new IndexError('select(): index 0 out of range for tensor of size [0] at dimension 0'),
    );
  });

  it('empty spatial dims give an empty output and leave running stats alone', () => {
    const m = new InstanceNorm1d(3, { affine: true, track_running_stats: true });
    const y = m.forward(Tensor.zeros([2, 3, 0], 'float32'));
    expect(y.shape).toEqual([2, 3, 0]);
    expect(valuesOf(m.running_mean)).toEqual([0, 0, 0]);
    expect(valuesOf(m.running_var)).toEqual([1, 1, 1]);
  });
});

describe('forward(x, { out })', () => {
  it('writes into the caller\'s tensor and returns it (batched) or a view of it (unbatched)', () => {
    const x = randomInput(mulberry32(11), [2, 3, 5]);
    const m = new InstanceNorm1d(3);
    const out = Tensor.zeros([2, 3, 5], 'float32');
    expect(m.forward(x, { out })).toBe(out);
    expect(maxAbsDiff(out, instanceNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(1e-5);
    const x0 = item(x, 1);
    const out0 = Tensor.zeros([3, 5], 'float32');
    const y0 = m.forward(x0, { out: out0 });
    expect(y0.data).toBe(out0.data);
    expect(maxAbsDiff(out0, item(instanceNormReference(x, { eps: 1e-5 }).y, 1))).toBeLessThan(1e-5);
  });

  it('names a wrong out: type, dtype, shape, and memory shared with the input', () => {
    const m = new InstanceNorm1d(3);
    const x = Tensor.zeros([2, 3, 5], 'float32');
    expect(() => m.forward(x, { out: [1] as never })).toThrow(new PyTypeError("InstanceNorm1d.forward(): argument 'out' must be a Tensor, but got [1] (list)"));
    expect(() => m.forward(x, { out: Tensor.zeros([2, 3, 5], 'float64') })).toThrow(new PyTypeError("InstanceNorm1d.forward(): argument 'out' has dtype float64, but the result has dtype float32"));
    expect(() => m.forward(x, { out: Tensor.zeros([2, 3, 4], 'float32') })).toThrow(
      new ValueError("InstanceNorm1d.forward(): argument 'out' has shape [2, 3, 4], but the result has shape [2, 3, 5]"),
    );
    expect(() => m.forward(x, { out: x })).toThrow(new ValueError("InstanceNorm1d.forward(): argument 'out' must not share memory with the input tensor"));
    expect(() => m.forward(x, { output: x } as never)).toThrow(new PyTypeError("InstanceNorm1d.forward() got an unexpected keyword argument 'output'"));
  });
});
