/**
 * The constructors of mindspore.nn.BatchNorm{1,2,3}d (MindSpore 2.6.0): call shapes, the checks of
 * `_BatchNorm.__init__` in MindSpore's order with its error classes and messages, the four
 * Parameters and their names, what is stored. Expected messages are CPython's own output of
 * MindSpore's lines (tests/fixtures/gen_mindspore_python.py runs normalization.py@v2.6.0:69-83 and
 * _checkparam.py@v2.6.0:543-559, 723-746 verbatim, and binds normalization.py@v2.6.0:54-66's and
 * :443-453's signatures) or MindSpore's format strings filled in by hand where cited.
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError, RuntimeError } from '../../src';
import { parseOptions } from '../../src/mindspore/batchnorm-options';
import { thrown } from '../helpers/errors';
import python from '../fixtures/mindspore_python.json';

const { nn } = mindspore;
const CLASSES = [
  ['BatchNorm1d', nn.BatchNorm1d],
  ['BatchNorm2d', nn.BatchNorm2d],
] as const;
/** BatchNorm3d's checks run in its BatchNorm2d child (normalization.py@v2.6.0:456-466), so they name 'BatchNorm2d'. */
const ALL = [...CLASSES, ['BatchNorm3d', nn.BatchNorm3d]] as const;
/** The cell that holds the state: BatchNorm3d's is `bn2d`. */
const stateOf = (m: InstanceType<(typeof ALL)[number][1]>) => (m instanceof nn.BatchNorm3d ? m.bn2d : m);
const checkedName = (cls: string) => (cls === 'BatchNorm3d' ? 'BatchNorm2d' : cls);

describe.each(ALL)('%s constructor', (cls, Layer) => {
  it('takes positional, keyword and mixed call shapes with the defaults of normalization.py@v2.6.0:54-66 / 443-453', () => {
    const all = cls === 'BatchNorm3d' ? [4, 1e-5, 0.9, true, 'ones', 'zeros', 'zeros', 'ones', null, 'float32'] : [4, 1e-5, 0.9, true, 'ones', 'zeros', 'zeros', 'ones', null, 'NCHW', 'float32'];
    for (const made of [new Layer(4), new Layer({ num_features: 4 }), new Layer(...(all as [number])), new Layer(4, 1e-5, { affine: true })]) {
      const m = stateOf(made);
      expect([m.num_features, m.eps, m.use_batch_statistics, m.format]).toEqual([4, 1e-5, null, 'NCHW']);
      // `self.momentum = 1.0 - momentum` (normalization.py@v2.6.0:110).
      expect(m.momentum).toBe(1.0 - 0.9);
      expect([...m.gamma.data.data, ...m.beta.data.data, ...m.moving_mean.data.data, ...m.moving_variance.data.data]).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(m.get_parameters().map((p) => p.dtype)).toEqual(['float32', 'float32', 'float32', 'float32']);
    }
  });

  it('stores the initializers as given and builds the Parameters from them (normalization.py@v2.6.0:86-97)', () => {
    const m = stateOf(new Layer(2, { gamma_init: 0.5, beta_init: -1, moving_mean_init: 3, moving_var_init: Tensor.from([2, 4]) }));
    expect([m.gamma_init, m.beta_init, m.moving_mean_init]).toEqual([0.5, -1, 3]);
    expect([...m.gamma.data.data, ...m.beta.data.data, ...m.moving_mean.data.data, ...m.moving_variance.data.data]).toEqual([0.5, 0.5, -1, -1, 3, 3, 2, 4]);
  });

  it("names its Parameters 'mean', 'variance', 'gamma', 'beta'; requires_grad: False for the moving ones, affine for gamma/beta (:90-97)", () => {
    for (const affine of [true, false]) {
      const m = stateOf(new Layer(3, { affine }));
      expect([m.moving_mean, m.moving_variance, m.gamma, m.beta].map((p) => p.requires_grad)).toEqual([false, false, affine, affine]);
      // affine=False keeps gamma and beta: they are frozen, not removed.
      expect(m.get_parameters().map((p) => p.shape)).toEqual([[3], [3], [3], [3]]);
    }
  });

  it('checks every argument where MindSpore does; eps, affine, the initializers and dtype pass __init__\'s own checks unchecked', () => {
    // :84-89 store eps unchecked; the primitive checks it at the first call (batchnorm-construct.test.ts).
    for (const eps of [0, -1, 2, NaN, 'x', null, 1n]) expect(stateOf(new Layer(2, { eps: eps as number })).eps).toBe(eps);
  });

  // normalization.py@v2.6.0:69-83 run by CPython (tests/fixtures/gen_mindspore_python.py).
  it.each(python.batchNorm.checks.map((c) => [JSON.stringify(c.kwargs), c] as const))("__init__'s checks as CPython runs them: %s", (_label, c) => {
    const run = () => new Layer(c.kwargs as { num_features: number });
    if (cls === 'BatchNorm3d' && 'data_format' in c.kwargs) {
      // BatchNorm3d has no data_format (normalization.py@v2.6.0:443-453): Python's binding error first.
      expect(thrown(run).message).toBe("BatchNorm3d.__init__() got an unexpected keyword argument 'data_format'");
      return;
    }
    if (c.type === null) {
      expect(() => parseOptions(cls, [c.kwargs])).not.toThrow();
      return;
    }
    const err = thrown(run);
    expect(err.name).toBe(c.type);
    expect(err.message).toBe((c.message as string).replace(/'BatchNorm2d'/g, `'${checkedName(cls)}'`));
  });

  it('takes a BigInt num_features as the Python int it is, and momentum True/False as the numbers they compare as', () => {
    expect(stateOf(new Layer(3n)).num_features).toBe(3);
    // `momentum < 0 or momentum > 1` with a bool compares 1 or 0 (:73); `1.0 - True` is 0.0.
    expect(stateOf(new Layer(2, { momentum: true as never })).momentum).toBe(0);
    expect(stateOf(new Layer(2, { momentum: false as never })).momentum).toBe(1);
    expect(stateOf(new Layer(2, { momentum: 1n as never })).momentum).toBe(0);
    expect(thrown(() => new Layer(2, { momentum: 2n as never })).message).toBe(`For '${checkedName(cls)}', the 'momentum' must be a number in range [0, 1], but got 2.`);
  });

  it('accepts momentum NaN (both comparisons are false, :73) and the ends 0.0 and 1.0', () => {
    expect(stateOf(new Layer(2, { momentum: NaN })).momentum).toBeNaN();
    expect(stateOf(new Layer(2, { momentum: 0.0 })).momentum).toBe(1);
    expect(stateOf(new Layer(2, { momentum: 1.0 })).momentum).toBe(0);
  });

  it('builds the Parameters in order after the argument checks: moving_mean, moving_variance, gamma (then requires_grad=affine), beta', () => {
    const name = checkedName(cls);
    // The argument checks (:69-83) come before any initializer (:90).
    expect(thrown(() => new Layer(2, { use_batch_statistics: 1 as never, moving_mean_init: 'nope' })).message).toBe(
      `For '${name}', the 'use_batch_statistics' must be a boolean value or None, but got 1.`,
    );
    // initializer's errors (common/initializer.py@v2.6.0:866-893), in the Parameters' order.
    expect(thrown(() => new Layer(2, { moving_mean_init: 'a', moving_var_init: 'b', gamma_init: 'c', beta_init: 'd' })).message).toBe(
      "For 'initializer', the class corresponding to 'a' was not found.",
    );
    expect(thrown(() => new Layer(2, { moving_var_init: 'b', gamma_init: 'c', beta_init: 'd' })).message).toContain("'b'");
    expect(thrown(() => new Layer(2, { gamma_init: 'c', beta_init: 'd', affine: 1 as never })).message).toContain("'c'");
    // `Parameter(..., requires_grad=affine)` checks affine once gamma's data exists (common/parameter.py@v2.6.0:789-792).
    const affine = thrown(() => new Layer(2, { affine: 1 as never, beta_init: 'd' }));
    expect(affine).toBeInstanceOf(PyTypeError);
    expect(affine.message).toBe('The argument `requires_grad` must be bool type');
    expect(thrown(() => new Layer(2, { beta_init: [0, 0] as never })).message).toBe(
      "For 'initializer', the type of the 'init' argument should be 'Tensor', 'number', 'string' or 'initializer', but got <class 'list'>.",
    );
    expect(thrown(() => new Layer(2, { moving_var_init: Tensor.from([1, 2, 3]) })).message).toBe(
      "For 'initializer', the shape of the 'init' argument should be same as the argument 'shape', but got the 'init' shape [3] and the 'shape' [2].",
    );
  });

  it('takes a Tensor init of any dtype as it is (initializer.py@v2.6.0:870-877), copying it', () => {
    const g = Tensor.from([0.5, 2], { dtype: 'float64' });
    const m = stateOf(new Layer(2, { gamma_init: g, dtype: 'float16' }));
    g.data[0] = 9;
    expect(m.gamma.dtype).toBe('float64');
    expect([...m.gamma.data.data]).toEqual([0.5, 2]);
    expect(m.beta.dtype).toBe('float16');
  });

  it('hands dtype to initializer unchecked: any MindSpore dtype builds; None and non-dtypes fail at moving_mean (:90-91)', () => {
    expect(stateOf(new Layer(2, { dtype: 'int32' })).get_parameters().map((p) => p.dtype)).toEqual(['int32', 'int32', 'int32', 'int32']);
    // common/tensor.py@v2.6.0:3955-3956 via `Tensor(dtype=None, shape=..., init=...)` (initializer.py@v2.6.0:898).
    expect(() => new Layer(2, { dtype: null as never })).toThrow(new ValueError('init, dtype and shape must have values at the same time.'));
    // A Tensor moving_mean_init is returned before dtype is used; moving_var_init's 'ones' then meets it.
    expect(() => new Layer(2, { dtype: null as never, moving_mean_init: Tensor.from([0, 0]) })).toThrow(new ValueError('init, dtype and shape must have values at the same time.'));
    expect(thrown(() => new Layer(2, { dtype: 5 as never })).message).toMatch(/^For 'Tensor', the 'dtype' should be one of .* but got '<class 'int'>'\.$/);
    expect(thrown(() => new Layer(0, { dtype: 5 as never })).message).toBe(`For '${checkedName(cls)}', the 'num_features' must be at least 1, but got 0.`);
  });

  it('reports a num_features no memory can hold as an error naming it, not a bare RangeError', () => {
    const err = thrown(() => new Layer(2 ** 40));
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toContain(`'num_features' is ${2 ** 40}`);
  });
});

describe.each(CLASSES)('%s binding', (_cls, Layer) => {
  // `@cell_attr_register` binds with `inspect.signature(fn).bind(self, *args, **kwargs)`
  // (_extends/utils.py@v2.6.0:42) before __init__ runs; CPython's words from the fixture.
  it.each(python.batchNorm.bind.map((c) => [c.message, c] as const))('as inspect.signature().bind: %s', (message, c) => {
    const args = [...c.args, ...(Object.keys(c.kwargs).length > 0 ? [c.kwargs] : [])];
    const err = thrown(() => new Layer(...(args as [number])));
    expect(err).toBeInstanceOf(PyTypeError);
    expect(err.message).toBe(message);
  });

  // The facade answers device_target 'CPU' (decision mindspore-batchnorm-cpu).
  it("takes data_format 'NCHW' and refuses 'NHWC' on CPU (normalization.py@v2.6.0:76-79)", () => {
    expect(new Layer(2, { data_format: 'NCHW' }).format).toBe('NCHW');
    expect(() => new Layer(2, { data_format: 'NHWC' })).toThrow(new ValueError(`For '${_cls}', the 'NHWC' format only support in GPU target, but got device target CPU.`));
  });
});

describe('BatchNorm3d', () => {
  // BatchNorm3d.__init__ is not decorated (normalization.py@v2.6.0:443-453): a plain Python call's errors.
  it.each(python.batchNorm.call3d.map((c) => [c.message, c] as const))('binds as a Python call: %s', (message, c) => {
    const args = [...c.args, ...(Object.keys(c.kwargs).length > 0 ? [c.kwargs] : [])];
    const err = thrown(() => new nn.BatchNorm3d(...(args as [number])));
    expect(err).toBeInstanceOf(PyTypeError);
    expect(err.message).toBe(message);
  });

  it('holds a BatchNorm2d child `bn2d` built with data_format="NCHW" (:456-466), whose Parameters are named bn2d.*', () => {
    const m = new nn.BatchNorm3d(3, { momentum: 0.5, eps: 1e-3, use_batch_statistics: true, affine: false });
    expect(m.bn2d).toBeInstanceOf(nn.BatchNorm2d);
    expect([m.bn2d.format, m.bn2d.momentum, m.bn2d.eps, m.bn2d.use_batch_statistics, m.bn2d.gamma.requires_grad]).toEqual(['NCHW', 0.5, 1e-3, true, false]);
    // Assigning a cell renames its Parameters by attribute path (nn/cell.py@v2.6.0:1410-1416, 2018-2031).
    expect([...m.parameters_dict().keys()]).toEqual(['bn2d.moving_mean', 'bn2d.moving_variance', 'bn2d.gamma', 'bn2d.beta']);
    expect('num_features' in m).toBe(false);
    expect('gamma' in m).toBe(false);
  });
});

describe('Parameter names in a network', () => {
  class Block extends nn.Cell {
    bn1 = new nn.BatchNorm2d(2);
    bn3 = new nn.BatchNorm3d(2);
    construct(x: Tensor): Tensor {
      return this.bn1.construct(x);
    }
  }

  it('top level: mean/variance/gamma/beta; nested: the attribute paths, bn3d one level deeper (cell.py@v2.6.0:1410-1416, 2018-2031)', () => {
    expect([...new nn.BatchNorm2d(2).parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    expect([...new nn.BatchNorm1d(2).parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    expect([...new Block().parameters_dict().keys()]).toEqual([
      'bn1.moving_mean',
      'bn1.moving_variance',
      'bn1.gamma',
      'bn1.beta',
      'bn3.bn2d.moving_mean',
      'bn3.bn2d.moving_variance',
      'bn3.bn2d.gamma',
      'bn3.bn2d.beta',
    ]);
  });
});
