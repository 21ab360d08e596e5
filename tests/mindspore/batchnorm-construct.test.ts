/**
 * construct(x) of mindspore.nn.BatchNorm{1,2,3}d (MindSpore 2.6.0 on CPU). Expected numbers come
 * from the float64 reference (src/core/batch-norm-reference.ts), from MindSpore's published
 * outputs (its r2.4.10 "differences from PyTorch" pages for BatchNorm1d and BatchNorm3d, its
 * docstring examples, its own tests' expectations) and from the kernel's formulas worked by hand.
 * The r2.4.10 BatchNorm2d page's MindSpore numbers are not used: they match neither a float32 nor
 * a float64 computation of their input in two of three channels (/work/notes research, §7.3).
 * Messages are MindSpore's format strings filled in by hand, each cited. The facade mirrors
 * MindSpore on CPU and computes in float64 with one rounding to float32, so numbers agree with
 * MindSpore's to float32 rounding (mapping.json decisions mindspore-batchnorm-cpu and
 * mindspore-batchnorm-arithmetic).
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError } from '../../src';
import { batchNormReference, batchRunningStatsReference } from '../../src/core/batch-norm-reference';
import { halfToNumber, numberToHalf } from '../../src/core/dtype';
import { maxAbsDiff, values } from '../helpers/close';
import { thrown } from '../helpers/errors';
import { mulberry32, normals } from '../helpers/random';
import python from '../fixtures/mindspore_python.json';

const { nn, load_param_into_net } = mindspore;
const LAYERS = [
  ['BatchNorm1d (N, C)', nn.BatchNorm1d, [6, 3]],
  ['BatchNorm1d (N, C, L)', nn.BatchNorm1d, [2, 3, 7]],
  ['BatchNorm2d', nn.BatchNorm2d, [2, 3, 4, 5]],
  ['BatchNorm3d', nn.BatchNorm3d, [2, 3, 2, 3, 4]],
] as const;
type Layer = InstanceType<(typeof LAYERS)[number][1]>;
/** The cell holding the state: BatchNorm3d's is its `bn2d` (normalization.py@v2.6.0:456). */
const stateOf = (m: Layer) => (m instanceof nn.BatchNorm3d ? m.bn2d : m);

/** eps and the momentum weight as the kernel reads them: float32 (batch_norm_cpu_kernel.cc@v2.6.0:45-46). */
const EPS = Math.fround(1e-5);
const weightOf = (momentum: number) => Math.fround(1 - momentum);

function randomInput(shape: readonly number[], seed: number, scale = 3, offset = 1): Tensor<'float32'> {
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(new Float32Array(normals(mulberry32(seed), size, scale, offset)), { shape });
}

const GAMMA = [0.5, -1.25, 2];
const BETA = [0.1, 0, -3];
const MEAN = [0.25, -1, 3];
const VAR = [1.5, 0.75, 4];
const withState = (Cls: (typeof LAYERS)[number][1], options: Record<string, unknown> = {}) =>
  new Cls(3, { gamma_init: Tensor.from(GAMMA), beta_init: Tensor.from(BETA), moving_mean_init: Tensor.from(MEAN), moving_var_init: Tensor.from(VAR), ...options });

describe.each(LAYERS)('%s: which statistics, and whether they update (normalization.py@v2.6.0:144-175)', (_name, Cls, shape) => {
  const x = randomInput(shape, 11);
  const batch = batchNormReference(x, { eps: EPS, weight: GAMMA, bias: BETA }).y;
  const moving = batchNormReference(x, { eps: EPS, weight: GAMMA, bias: BETA, running: { mean: MEAN, var: VAR } }).y;
  const updated = batchRunningStatsReference(x, { mean: MEAN, var: VAR }, weightOf(0.9), true);

  function run(m: Layer): { y: Tensor; mean: number[]; var: number[] } {
    const y = m.construct(x);
    return { y, mean: values(stateOf(m).moving_mean.data), var: values(stateOf(m).moving_variance.data) };
  }

  it('a fresh cell is in inference mode (cell.py@v2.6.0:184): moving statistics, no update', () => {
    const m = withState(Cls);
    expect(m.training).toBe(false);
    const r = run(m);
    expect(maxAbsDiff(r.y, moving)).toBeLessThan(4e-6);
    expect([r.mean, r.var]).toEqual([MEAN, VAR]);
  });

  it('None + set_train(): batch statistics, and the moving statistics update', () => {
    const r = run(withState(Cls).set_train());
    expect(maxAbsDiff(r.y, batch)).toBeLessThan(4e-6);
    expect(maxAbsDiff(r.mean, updated.mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(r.var, updated.var)).toBeLessThan(4e-6);
  });

  it('True: batch statistics and the update, in inference too (:161-166)', () => {
    for (const train of [false, true]) {
      const r = run(withState(Cls, { use_batch_statistics: true }).set_train(train));
      expect(maxAbsDiff(r.y, batch)).toBeLessThan(4e-6);
      expect(maxAbsDiff(r.mean, updated.mean)).toBeLessThan(1e-6);
    }
  });

  it('False: moving statistics and no update, in training too (:168-175)', () => {
    for (const train of [false, true]) {
      const r = run(withState(Cls, { use_batch_statistics: false }).set_train(train));
      expect(maxAbsDiff(r.y, moving)).toBeLessThan(4e-6);
      expect([r.mean, r.var]).toEqual([MEAN, VAR]);
    }
  });

  it('reads use_batch_statistics at each call: set to False after construction, training stops updating (:144, 161)', () => {
    const m = withState(Cls).set_train();
    stateOf(m).use_batch_statistics = false;
    const r = run(m);
    expect(maxAbsDiff(r.y, moving)).toBeLessThan(4e-6);
    expect([r.mean, r.var]).toEqual([MEAN, VAR]);
  });

  it('set_train(False) goes back to the moving statistics, now updated', () => {
    const m = withState(Cls).set_train();
    m.construct(x);
    m.set_train(false);
    const after = run(m);
    const expected = batchNormReference(x, { eps: EPS, weight: GAMMA, bias: BETA, running: { mean: after.mean, var: after.var } }).y;
    expect(maxAbsDiff(after.y, expected)).toBeLessThan(4e-6);
  });

  it('applies gamma and beta with affine=False too: the kernel always scales and shifts (batch_norm_cpu_kernel.cc@v2.6.0:94-101)', () => {
    const m = new Cls(3, { affine: false, gamma_init: 2.0, beta_init: 0.5 }).set_train();
    expect(maxAbsDiff(m.construct(x), batchNormReference(x, { eps: EPS, weight: [2, 2, 2], bias: [0.5, 0.5, 0.5] }).y)).toBeLessThan(1e-5);
  });

  it('uses its eps, as float32', () => {
    const m = new Cls(3, { eps: 0.5 }).set_train();
    expect(maxAbsDiff(m.construct(x), batchNormReference(x, { eps: 0.5 }).y)).toBeLessThan(2e-6);
  });

  it('writes into out when given (a facade option), with the input shape', () => {
    const out = Tensor.zeros(shape, 'float32');
    const m = new Cls(3).set_train();
    expect(m.construct(x, { out })).toBe(out);
    expect(maxAbsDiff(out, batchNormReference(x, { eps: EPS }).y)).toBeLessThan(4e-6);
    expect(thrown(() => new Cls(3).construct(x, { out: Tensor.zeros([1, ...shape.slice(1)], 'float32') })).message).toMatch(/^batch norm: out has shape/);
  });
});

describe('the moving-statistics update (batch_norm_cpu_kernel.cc@v2.6.0:118-121)', () => {
  it('blends with weight 1 - momentum, the unbiased variance n / (n - 1): x[:, 0] = [0, 2] gives mean 0.1, variance 1.1', () => {
    // moving_mean = 0 * (1 - 0.1) + 1 * 0.1; moving_variance = 1 * 0.9 + (1 * 2/1) * 0.1 (biased would give 1.0).
    const m = new nn.BatchNorm1d(1).set_train();
    m.construct(Tensor.from([[0], [2]]));
    expect(m.moving_mean.data.item()).toBeCloseTo(0.1, 7);
    expect(m.moving_variance.data.item()).toBeCloseTo(1.1, 6);
  });

  it("matches MindSpore's own expectations for BatchNorm1d(2, momentum=0.1) over two steps (tests/st/ops/gpu/test_batchnorm_op.py@v2.6.0:227-291, atol 1e-4)", () => {
    // That test runs on GPU; the CPU kernel blends the same way since 2.5.0 (batch_norm_cpu_kernel.cc@v2.6.0:118-121).
    // The moving statistics do not depend on gamma/beta, which that test also trains.
    const m = new nn.BatchNorm1d(2, { eps: 0.00001, momentum: 0.1 }).set_train();
    const x1 = [[1.6243454, -0.6117564], [-0.5281718, -1.0729686], [0.86540765, -2.3015387], [1.7448118, -0.7612069], [0.3190391, -0.24937038]];
    const x2 = [[-0.19183555, -0.887629], [-0.7471583, 1.6924546], [0.05080776, -0.6369957], [0.19091548, 2.1002553], [0.12015896, 0.6172031]];
    m.construct(Tensor.from(x1));
    expect(maxAbsDiff(m.moving_mean.data, [0.7246, -0.8994])).toBeLessThan(1e-4);
    expect(maxAbsDiff(m.moving_variance.data, [0.9036, 0.6559])).toBeLessThan(1e-4);
    m.construct(Tensor.from(x2));
    expect(maxAbsDiff(m.moving_mean.data, [-0.0314, 0.4294])).toBeLessThan(1e-4);
    expect(maxAbsDiff(m.moving_variance.data, [0.2213, 1.6822])).toBeLessThan(1e-4);
  });

  it('counts n over N and every trailing dim: N*L for BatchNorm1d, N*D*H*W for BatchNorm3d (:51-54, 118)', () => {
    for (const [Cls, shape] of [[nn.BatchNorm1d, [2, 3, 5]], [nn.BatchNorm2d, [2, 3, 2, 2]], [nn.BatchNorm3d, [2, 3, 2, 1, 2]]] as const) {
      const x = randomInput(shape, 3);
      const m = new Cls(3).set_train();
      m.construct(x);
      const expected = batchRunningStatsReference(x, { mean: [0, 0, 0], var: [1, 1, 1] }, weightOf(0.9), true);
      expect(maxAbsDiff(stateOf(m).moving_variance.data, expected.var)).toBeLessThan(1e-6);
    }
  });

  it('momentum 1.0 (weight 0) keeps the moving statistics; momentum 0.0 (weight 1) replaces them with the batch\'s', () => {
    const x = randomInput([4, 3], 5);
    const keep = new nn.BatchNorm1d(3, { momentum: 1.0, moving_mean_init: 0.5 }).set_train();
    keep.construct(x);
    expect([...values(keep.moving_mean.data), ...values(keep.moving_variance.data)]).toEqual([0.5, 0.5, 0.5, 1, 1, 1]);
    const replace = new nn.BatchNorm1d(3, { momentum: 0.0 }).set_train();
    replace.construct(x);
    const stats = batchNormReference(x, { eps: 1 });
    expect(maxAbsDiff(replace.moving_mean.data, stats.mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(replace.moving_variance.data, stats.unbiasedVar)).toBeLessThan(1e-5);
  });

  it('one value per channel raises nothing: the output is beta, moving_mean updates, moving_variance is NaN (1.0f / 0 = inf, 0 * inf)', () => {
    for (const [Cls, shape] of [[nn.BatchNorm1d, [1, 2]], [nn.BatchNorm1d, [1, 2, 1]], [nn.BatchNorm2d, [1, 2, 1, 1]], [nn.BatchNorm3d, [1, 2, 1, 1, 1]]] as const) {
      const m = new Cls(2, { beta_init: Tensor.from([0.5, -4]), gamma_init: 3 }).set_train();
      const y = m.construct(Tensor.from([3, -2], { shape: [...shape] }));
      expect(values(y)).toEqual([0.5, -4]);
      // moving_mean = 0 * (1 - m) + x * m.
      expect(values(stateOf(m).moving_mean.data)).toEqual([3, -2].map((v) => Math.fround(v * weightOf(0.9))));
      expect(values(stateOf(m).moving_variance.data).every(Number.isNaN)).toBe(true);
    }
  });
});

describe("MindSpore's published and documented outputs", () => {
  it('BatchNorm1d, r2.4.10 diff page (docs/mindspore/source_en/note/api_mapping/pytorch_diff/BatchNorm1d.md@r2.4.10:110-122), within 1e-6', () => {
    // Training output is the same at 2.6.0 (only the moving-variance update changed in 2.5.0).
    const net = new nn.BatchNorm1d({ num_features: 4, affine: false, momentum: 0.9 });
    net.set_train();
    const output = net.construct(Tensor.from([[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]));
    expect(maxAbsDiff(output, [[0.9995001, 0.9980063, -0.998006, -0.9997778], [-0.9995007, -0.9980057, 0.998006, 0.9997778]])).toBeLessThan(1e-6);
  });

  it('BatchNorm3d, r2.4.10 diff page (.../pytorch_diff/BatchNorm3d.md@r2.4.10:115-129), within 1e-6', () => {
    const m = new nn.BatchNorm3d({ num_features: 2, momentum: 0.9 });
    m.set_train();
    const output = m.construct(Tensor.from([[[[[0.1, 0.2], [0.3, 0.4]]], [[[0.9, 1], [1.1, 1.2]]]]]));
    expect(maxAbsDiff(output, [[[[[-1.3411044, -0.44703478], [0.4470349, 1.3411044]]], [[[-1.3411039, -0.44703427], [0.44703534, 1.341105]]]]])).toBeLessThan(1e-6);
  });

  it('BatchNorm1d docstring: a fresh cell divides by sqrt(1 + eps) (normalization.py@v2.6.0:251-257)', () => {
    const output = new nn.BatchNorm1d({ num_features: 4 }).construct(Tensor.from([[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]));
    expect(maxAbsDiff(output, [[0.6999965, 0.4999975, 0.4999975, 0.59999704], [0.4999975, 0.399998, 0.59999704, 0.89999545]])).toBeLessThan(1e-7);
  });

  it('BatchNorm2d docstring: np.ones([1, 3, 2, 2]) gives 0.999995 (:354-363); BatchNorm3d keeps (16, 3, 10, 32, 32) (:436-440)', () => {
    const y = new nn.BatchNorm2d({ num_features: 3 }).construct(Tensor.ones([1, 3, 2, 2], 'float32'));
    expect(values(y).every((v) => Math.abs(v - 0.999995) < 5e-7)).toBe(true);
    expect(new nn.BatchNorm3d({ num_features: 3 }).construct(Tensor.ones([16, 3, 10, 32, 32], 'float32')).shape).toEqual([16, 3, 10, 32, 32]);
  });

  it("matches MindSpore's CPU test of BatchNorm2d in training (tests/st/ops/cpu/test_batchnorm_op.py@v2.6.0:52-78, error 1e-4)", () => {
    const x = [[[[1, 3, 3, 5], [2, 4, 6, 8], [3, 6, 7, 7], [4, 3, 8, 2]], [[5, 7, 6, 3], [3, 5, 6, 7], [9, 4, 2, 5], [7, 5, 8, 1]]]];
    const expected = [
      [
        [[-0.6059, 0.3118, 0.3118, 1.2294], [-0.1471, 0.7706, 1.6882, 2.6059], [0.3118, 1.6882, 2.1471, 2.1471], [0.7706, 0.3118, 2.6059, -0.1471]],
        [[0.9119, 1.8518, 1.3819, -0.0281], [-0.0281, 0.9119, 1.3819, 1.8518], [2.7918, 0.4419, -0.4981, 0.9119], [1.8518, 0.9119, 2.3218, -0.968]],
      ],
    ];
    const ones = Tensor.from([1, 1]);
    const net = new nn.BatchNorm2d(2, { eps: 0.00001, momentum: 0.1, beta_init: ones, gamma_init: ones, moving_mean_init: ones, moving_var_init: ones });
    net.set_train();
    expect(maxAbsDiff(net.construct(Tensor.from(x)), expected)).toBeLessThan(1e-4);
  });
});

describe('BatchNorm3d is bn2d on (N, C, D*H, W) (normalization.py@v2.6.0:476-482)', () => {
  it('gives the output and moving statistics of a BatchNorm2d on the reshaped input, bit for bit', () => {
    const x = randomInput([2, 3, 2, 3, 4], 8);
    const m3 = new nn.BatchNorm3d(3, { momentum: 0.7 }).set_train();
    const m2 = new nn.BatchNorm2d(3, { momentum: 0.7 }).set_train();
    const y3 = m3.construct(x);
    const y2 = m2.construct(x.reshape([2, 3, 6, 4]));
    expect(y3.shape).toEqual([2, 3, 2, 3, 4]);
    expect([...y3.data]).toEqual([...y2.data]);
    expect([...m3.bn2d.moving_variance.data.data]).toEqual([...m2.moving_variance.data.data]);
  });

  it('follows set_train through its child: the mode that matters is bn2d.training (cell.py@v2.6.0:2555-2582)', () => {
    const m = new nn.BatchNorm3d(3).set_train();
    expect([m.training, m.bn2d.training]).toEqual([true, true]);
    m.set_train(false);
    expect(m.bn2d.training).toBe(false);
  });
});

describe('checks at the call, in PyNative order: rank (Python), argument conversion, CheckValidation, InferShape, InferType', () => {
  it("refuses a non-Tensor with the Shape primitive's message (ops_def.py@v2.6.0:911-914)", () => {
    for (const Cls of [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d]) {
      expect(() => new Cls(2).construct([[1, 2]] as never)).toThrow(new PyTypeError("For primitive[Shape], the input argument must be Tensor, but got <class 'list'>."));
    }
  });

  it('checks the rank per class (normalization.py@v2.6.0:260-267, 44-48 and 366-370, 470-474)', () => {
    const rank = (r: number) => Tensor.zeros([2, 2, 2, 2, 2, 2].slice(0, r), 'float32');
    for (const r of [1, 4, 5]) expect(() => new nn.BatchNorm1d(2).construct(rank(r))).toThrow(new ValueError(`For 'BatchNorm1d', the must have 2 dims or 3 dims, but got ${r}.`));
    for (const r of [2, 3, 5]) expect(() => new nn.BatchNorm2d(2).construct(rank(r))).toThrow(new ValueError(`For 'BatchNorm2d', the in_shape must have 4 dims, but got ${r}.`));
    for (const r of [3, 4, 6]) expect(() => new nn.BatchNorm3d(2).construct(rank(r))).toThrow(new ValueError(`For 'BatchNorm3d', the in_shape must have 5 dims, but got ${r}.`));
  });

  it('checks eps at the call, not at construction: (0, 1] on its float32 value, in both modes (ops/infer/ops_func_impl/batch_norm.cc@v2.6.0:156-158)', () => {
    // FormatCheckInRangeMsg (include/utils/check_convert_utils.h@v2.6.0:165-184) prints with C++ streams.
    const cases: [number, string][] = [
      [0, '0'],
      [-1e-5, '-1e-05'],
      [2, '2'],
      [1.5, '1.5'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [1e-50, '0'],
    ];
    for (const [eps, printed] of cases) {
      for (const train of [false, true]) {
        const m = new nn.BatchNorm2d(2, { eps }).set_train(train);
        expect(() => m.construct(Tensor.zeros([1, 2, 2, 2], 'float32'))).toThrow(new ValueError(`For primitive[BatchNorm], the eps must be in (0,1], but got ${printed}.`));
      }
    }
    // 1 + 1e-9 is 1.0 in float32 (data_converter.cc@v2.6.0:890-896) and passes.
    expect(new nn.BatchNorm2d(2, { eps: 1 + 1e-9 }).construct(Tensor.zeros([1, 2, 2, 2], 'float32')).shape).toEqual([1, 2, 2, 2]);
  });

  it('wants a Python float eps: an int, bool, str or None fails the argument conversion (pynative_utils.cc@v2.6.0:1151-1196, primfunc_utils.cc@v2.6.0:190-244)', () => {
    const wanted = 'The valid calling should be: \n"BatchNorm(is_training=<bool>, epsilon=<float>, momentum=<float>, data_format=<string>)(input_x=<Tensor>, scale=<Tensor>, bias=<Tensor>, mean=<Tensor>, variance=<Tensor>)".';
    for (const [eps, word] of [[1n, 'int'], [true, 'bool'], ['1e-5', 'string'], [null, 'None'], [[1e-5], 'List<float>']] as const) {
      const m = new nn.BatchNorm1d(2, { eps: eps as never });
      const err = thrown(() => m.construct(Tensor.zeros([2, 2], 'float32')));
      expect(err).toBeInstanceOf(PyTypeError);
      expect(err.message).toBe(
        `Failed calling BatchNorm with "BatchNorm(is_training=bool, epsilon=${word}, momentum=float, data_format=string)(input_x=Tensor, scale=Tensor, bias=Tensor, mean=Tensor, variance=Tensor)".\n${wanted}`,
      );
    }
  });

  it('a Parameter set to None reaches the primitive as None (cell.py@v2.6.0:1429-1458, then the argument conversion)', () => {
    const m = new nn.BatchNorm2d(2);
    (m as unknown as { gamma: null }).gamma = null;
    expect(thrown(() => m.construct(Tensor.zeros([1, 2, 1, 1], 'float32'))).message).toMatch(/^Failed calling BatchNorm with "BatchNorm\(is_training=bool, epsilon=float, momentum=float, data_format=string\)\(input_x=Tensor, scale=None, bias=Tensor/);
  });

  it('checks momentum on the training primitive only: NaN fails there, with a message that says (0,1] (batch_norm.cc@v2.6.0:164-166)', () => {
    const m = new nn.BatchNorm1d(2, { momentum: NaN });
    expect(m.construct(Tensor.zeros([2, 2], 'float32')).shape).toEqual([2, 2]);
    expect(() => m.set_train().construct(Tensor.zeros([2, 2], 'float32'))).toThrow(new ValueError('For primitive[BatchNorm], the momentum must be in (0,1], but got nan.'));
  });

  it('checks the channel count against scale (batch_norm.cc@v2.6.0:75-84, sic "bug got")', () => {
    expect(() => new nn.BatchNorm2d(2).construct(Tensor.zeros([1, 3, 2, 2], 'float32'))).toThrow(
      new ValueError("For BatchNorm, scale.shape[0] should be equal to input_x's channel dimension: 3, bug got scale.shape[0]: 2."),
    );
    expect(() => new nn.BatchNorm1d(4).construct(Tensor.zeros([2, 3], 'float32'))).toThrow(/channel dimension: 3, bug got scale.shape\[0\]: 4\.$/);
  });

  it('checks the Parameters\' shapes as InferShape does (batch_norm.cc@v2.6.0:65-73, 89-107): set_data takes any shape (parameter.py@v2.6.0:876-926)', () => {
    const x = Tensor.zeros([1, 2, 1, 1], 'float32');
    const make = () => new nn.BatchNorm2d(2);
    let m = make();
    m.gamma.set_data(Tensor.zeros([2, 1], 'float32'));
    expect(() => m.construct(x)).toThrow(new ValueError('For primitive[BatchNorm], the rank of scale must be equal to 1, but got 2.'));
    m = make();
    m.beta.set_data(Tensor.zeros([3], 'float32'));
    expect(() => m.construct(x)).toThrow(new ValueError('For primitive[BatchNorm], the scale and bias: [2,] must be equal to [3,]'));
    m = make();
    m.moving_variance.set_data(Tensor.zeros([2, 1], 'float32'));
    expect(() => m.construct(x)).toThrow(new ValueError('For primitive[BatchNorm], the rank of variance must be equal to 1, but got 2.'));
    m = make();
    m.moving_mean.set_data(Tensor.zeros([3], 'float32'));
    const sizes = new ValueError("For 'BatchNorm', 'scale', 'bias', 'mean', and 'variance' should have the same size during training, but got 2, 2, 3 and 2.");
    expect(() => m.construct(x)).toThrow(sizes);
    // In training MindSpore skips this check and its kernel runs past the shorter vector; the facade
    // refuses (mapping.json decision mindspore-batchnorm-sizes).
    expect(() => m.set_train().construct(x)).toThrow(sizes);
  });

  it('checks dtypes last (InferType, batch_norm.cc@v2.6.0:128-147): x float16/float32, the Parameters one dtype of those, named in sorted order', () => {
    expect(() => new nn.BatchNorm2d(2).construct(Tensor.zeros([1, 2, 1, 1], 'float64'))).toThrow(
      new PyTypeError('For primitive[BatchNorm], the input argument[input_x] must be a type of {Tensor[Float16], Tensor[Float32]}, but got Tensor[Float64].'),
    );
    // The std::map orders bias, mean, scale, variance: the first is bias (check_convert_utils.cc@v2.6.0:739-791, 1002-1041).
    for (const [dtype, name] of [['int32', 'Int32'], ['float64', 'Float64'], ['bfloat16', 'BFloat16']] as const) {
      expect(() => new nn.BatchNorm2d(2, { dtype }).construct(Tensor.zeros([1, 2, 1, 1], 'float32'))).toThrow(
        new PyTypeError(`For primitive[BatchNorm], the input argument[bias] must be a type of {Tensor[Float16], Tensor[Float32]}, but got Tensor[${name}].`),
      );
    }
    // Mixed dtypes: the infer's message, MindSpore's own in inference (the inference primitive has no
    // signature, ops_def.py@v2.6.0:716-717); in training MindSpore's signature cast words it otherwise
    // (decision mindspore-batchnorm-mixed-parameter-dtypes).
    const mixed = new PyTypeError(
      'For primitive[BatchNorm], the input type must be same.\nname:[bias]:Tensor[Float32].\nname:[mean]:Tensor[Float64].\nname:[scale]:Tensor[Float32].\nname:[variance]:Tensor[Float32].\n',
    );
    for (const train of [false, true]) {
      const m = new nn.BatchNorm2d(2, { moving_mean_init: Tensor.from([0, 0], { dtype: 'float64' }) }).set_train(train);
      expect(() => m.construct(Tensor.zeros([1, 2, 1, 1], 'float32'))).toThrow(mixed);
    }
    // Shapes before types: a channel mismatch with a float64 input reports the channel.
    expect(thrown(() => new nn.BatchNorm2d(2).construct(Tensor.zeros([1, 3, 1, 1], 'float64'))).message).toMatch(/^For BatchNorm, scale.shape\[0\]/);
  });

  it('checks in order: the rank before eps, eps before shapes', () => {
    expect(thrown(() => new nn.BatchNorm2d(2, { eps: 0 }).construct(Tensor.zeros([2, 2], 'float32'))).message).toBe("For 'BatchNorm2d', the in_shape must have 4 dims, but got 2.");
    expect(thrown(() => new nn.BatchNorm2d(2, { eps: 0 }).construct(Tensor.zeros([1, 3, 1, 1], 'float64'))).message).toBe('For primitive[BatchNorm], the eps must be in (0,1], but got 0.');
  });
});

describe('float16', () => {
  it('float16 input: cast to float32 for the float32-only kernel and back (batch_norm_cpu_kernel.cc@v2.6.0:134-153, cpu_device_context.cc@v2.6.0:414-422)', () => {
    const x = randomInput([4, 3, 5], 4).astype('float16');
    const m = new nn.BatchNorm1d(3).set_train();
    const y = m.construct(x);
    expect(y.dtype).toBe('float16');
    const ref = batchNormReference(x, { eps: EPS }).y;
    for (let i = 0; i < y.size; i++) expect(y.data[i]).toBe(numberToHalf(Math.fround(ref.data[i])));
    // The float32 moving statistics update in place.
    const expected = batchRunningStatsReference(x, { mean: [0, 0, 0], var: [1, 1, 1] }, weightOf(0.9), true);
    expect(maxAbsDiff(m.moving_mean.data, expected.mean)).toBeLessThan(1e-6);
    expect(halfToNumber(y.data[0])).toBeCloseTo(ref.data[0], 2);
  });

  // Read from the source, not run (decision mindspore-batchnorm-float16-parameters).
  it('float16 Parameters: computed from float32 copies; in training the update lands in the copies and is lost (insert_cast_cpu.cc@v2.6.0:166-169, anfalgo.cc@v2.6.0:1178-1188)', () => {
    const x = randomInput([4, 3], 6);
    const m = new nn.BatchNorm1d(3, { dtype: 'float16', moving_mean_init: 0.5, gamma_init: 2 });
    const inference = m.construct(x);
    expect(maxAbsDiff(inference, batchNormReference(x, { eps: EPS, weight: [2, 2, 2], running: { mean: [0.5, 0.5, 0.5], var: [1, 1, 1] } }).y)).toBeLessThan(4e-6);
    const training = m.set_train().construct(x);
    expect(maxAbsDiff(training, batchNormReference(x, { eps: EPS, weight: [2, 2, 2] }).y)).toBeLessThan(8e-6);
    expect([...values(m.moving_mean.data), ...values(m.moving_variance.data)]).toEqual([0.5, 0.5, 0.5, 1, 1, 1]);
    expect(m.moving_mean.dtype).toBe('float16');
  });
});

describe('repr (torch-style Cell.__repr__, nn/cell.py@v2.6.0:1492-1514; _BatchNorm.extend_repr, normalization.py@v2.6.0:177-180)', () => {
  const param = (name: string, n: number, grad: boolean) => `Parameter (name=${name}, shape=(${n},), dtype=Float32, requires_grad=${grad ? 'True' : 'False'})`;

  it('prints one line for BatchNorm1d/2d, momentum as 1.0 - self.momentum', () => {
    expect(String(new nn.BatchNorm2d(3))).toBe(
      `BatchNorm2d(num_features=3, eps=1e-05, momentum=0.9, gamma=${param('gamma', 3, true)}, beta=${param('beta', 3, true)}, moving_mean=${param('mean', 3, false)}, moving_variance=${param('variance', 3, false)})`,
    );
    expect(String(new nn.BatchNorm1d(4, { affine: false }))).toMatch(/^BatchNorm1d\(num_features=4, eps=1e-05, momentum=0\.9, gamma=Parameter \(name=gamma, shape=\(4,\), dtype=Float32, requires_grad=False\)/);
  });

  // `'{}'.format(1.0 - (1.0 - m))` as CPython prints it (tests/fixtures/gen_mindspore_python.py).
  it.each(python.batchNorm.reprMomentum.map((c) => [c.momentum, c.printed] as const))('momentum=%s prints momentum=%s', (momentum, printed) => {
    expect(String(new nn.BatchNorm2d(2, { momentum }))).toContain(`, momentum=${printed}, gamma=`);
  });

  it.each(python.batchNorm.reprEps.map((c) => [c.eps, c.printed] as const))('eps=%s prints eps=%s', (eps, printed) => {
    expect(String(new nn.BatchNorm2d(2, { eps }))).toContain(`, eps=${printed}, momentum=`);
  });

  it('prints BatchNorm3d as a cell with its bn2d child, the names prefixed', () => {
    expect(String(new nn.BatchNorm3d(2))).toBe(
      `BatchNorm3d(\n  (bn2d): BatchNorm2d(num_features=2, eps=1e-05, momentum=0.9, gamma=${param('bn2d.gamma', 2, true)}, beta=${param('bn2d.beta', 2, true)}, moving_mean=${param('bn2d.moving_mean', 2, false)}, moving_variance=${param('bn2d.moving_variance', 2, false)})\n)`,
    );
  });
});

describe('state: parameters_dict and load_param_into_net (train/serialization.py@v2.6.0:1664-1775)', () => {
  it.each([
    ['BatchNorm1d', () => new nn.BatchNorm1d(3), [4, 3]],
    ['BatchNorm2d', () => new nn.BatchNorm2d(3), [2, 3, 2, 2]],
    ['BatchNorm3d', () => new nn.BatchNorm3d(3), [2, 3, 2, 1, 2]],
  ] as const)('%s: trained statistics survive a round trip into a fresh cell', (_name, make, shape) => {
    const trained = make().set_train();
    for (let step = 0; step < 3; step++) trained.construct(randomInput(shape, step));
    const fresh = make();
    const [notLoaded, ckptNotLoaded] = load_param_into_net(fresh, trained.parameters_dict());
    expect([notLoaded, ckptNotLoaded]).toEqual([[], []]);
    trained.set_train(false);
    const x = randomInput(shape, 99);
    expect([...fresh.construct(x).data]).toEqual([...trained.construct(x).data]);
  });

  it('the update is in place: a loaded dict Parameter shares the data and sees later updates (assign_value, serialization.py@v2.6.0:289)', () => {
    const source = new nn.BatchNorm1d(2);
    const dict = source.parameters_dict();
    const net = new nn.BatchNorm1d(2).set_train();
    load_param_into_net(net, dict);
    net.construct(Tensor.from([[0, 1], [2, 5]]));
    expect(values(dict.get('mean')!.data)).toEqual(values(net.moving_mean.data));
    expect(values(net.moving_mean.data)).not.toEqual([0, 0]);
  });
});
