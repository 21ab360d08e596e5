/**
 * The constructor of mindspore.nn.InstanceNorm{1,2,3}d (MindSpore 2.6.0): call shapes, and
 * MindSpore's checks in its order with its error classes and messages. Each expected message is
 * MindSpore's format string (nn/layer/normalization.py@v2.6.0:882-916 `_InstanceNorm.__init__`,
 * _checkparam.py@v2.6.0:723-746 `check_value_type`, common/initializer.py, common/tensor.py)
 * filled in by hand, or CPython's own words from tests/fixtures/mindspore_python.json.
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError, RuntimeError } from '../../src';
import { thrown } from '../helpers/errors';
import python from '../fixtures/mindspore_python.json';

const { nn } = mindspore;
const CLASSES = [
  ['InstanceNorm1d', nn.InstanceNorm1d],
  ['InstanceNorm2d', nn.InstanceNorm2d],
  ['InstanceNorm3d', nn.InstanceNorm3d],
] as const;

describe.each(CLASSES)('%s constructor', (cls, Layer) => {
  it('takes positional, keyword and mixed call shapes with the defaults of the current signature', () => {
    for (const m of [new Layer(4), new Layer({ num_features: 4 }), new Layer(4, 1e-5, 0.1, true, 'ones', 'zeros', 'float32'), new Layer(4, 1e-5, { affine: true })]) {
      expect([m.num_features, m.eps, m.momentum, m.affine]).toEqual([4, 1e-5, 0.1, true]);
      expect([...m.gamma.data.data]).toEqual([1, 1, 1, 1]);
      expect([...m.beta.data.data]).toEqual([0, 0, 0, 0]);
      expect(m.gamma.dtype).toBe('float32');
    }
    const m = new Layer(2, 1e-3, { momentum: 0.5, affine: false, gamma_init: 0.5, beta_init: -1 });
    expect([m.eps, m.momentum, m.affine]).toEqual([1e-3, 0.5, false]);
    expect([...m.gamma.data.data, ...m.beta.data.data]).toEqual([0.5, 0.5, -1, -1]);
  });

  // `@cell_attr_register` binds the arguments with `inspect.signature(fn).bind(self, *args, **kwargs)`
  // before `__init__` runs (_extends/utils.py@v2.6.0:42), so the messages are inspect's, which
  // gen_mindspore_python.py records by binding normalization.py@v2.6.0:882-889's signature.
  it.each(python.bind.map((c) => [c.message, c] as const))("binding the call as inspect.signature().bind does: %s", (message, c) => {
    const args = [...c.args, ...(Object.keys(c.kwargs).length > 0 ? [c.kwargs] : [])];
    const err = thrown(() => new Layer(...(args as [number])));
    expect(err).toBeInstanceOf(PyTypeError);
    expect(err.message).toBe(message);
  });

  it.each([
    [[2.5], `For '${cls}', the type of 'num_features' should be 'int', but got type 'float'.`],
    [[true], `For '${cls}', the type of 'num_features' should be 'int', but got type 'bool'.`],
    [['3'], `For '${cls}', the type of 'num_features' should be 'int', but got type 'str'.`],
    [[null], `For '${cls}', the type of 'num_features' should be 'int', but got type 'NoneType'.`],
    [[2, { eps: 'a' }], `For '${cls}', the type of 'eps' should be 'float', but got type 'str'.`],
    [[2, { eps: 1n }], `For '${cls}', the type of 'eps' should be 'float', but got type 'int'.`],
    [[2, { eps: true }], `For '${cls}', the type of 'eps' should be 'float', but got type 'bool'.`],
    [[2, { momentum: 0n }], `For '${cls}', the type of 'momentum' should be 'float', but got type 'int'.`],
    [[2, { momentum: null }], `For '${cls}', the type of 'momentum' should be 'float', but got type 'NoneType'.`],
    [[2, { affine: 1 }], `For '${cls}', the type of 'affine' should be 'bool', but got type 'int'.`],
    [[2, { affine: 'True' }], `For '${cls}', the type of 'affine' should be 'bool', but got type 'str'.`],
    [[2, { gamma_init: [1, 1] }], `For '${cls}', the type of 'gamma_init' must be in [Tensor, numbers.Number, str, Initializer], but got type list.`],
    [[2, { beta_init: null }], `For '${cls}', the type of 'beta_init' must be in [Tensor, numbers.Number, str, Initializer], but got type NoneType.`],
    [[2, { gamma_init: Tensor.from([1, 1], { dtype: 'float16' }) }], `For '${cls}', the type of 'gamma_init' must be float32, but got Float16.`],
    [[2, { beta_init: Tensor.from([1, 1], { dtype: 'float64' }) }], `For '${cls}', the type of 'beta_init' must be float32, but got Float64.`],
  ])('type check %j: TypeError', (args, message) => {
    const err = thrown(() => new Layer(...(args as [number])));
    expect(err).toBeInstanceOf(PyTypeError);
    expect(err.message).toBe(message);
  });

  it.each([
    [[0], `For '${cls}', the 'num_features' must be at least 1, but got 0.`],
    [[-3n], `For '${cls}', the 'num_features' must be at least 1, but got -3.`],
    [[2, { momentum: 1.5 }], `For '${cls}', the 'momentum' must be a number in range [0, 1], but got 1.5.`],
    [[2, { momentum: -0.1 }], `For '${cls}', the 'momentum' must be a number in range [0, 1], but got -0.1.`],
    [[2, { momentum: Infinity }], `For '${cls}', the 'momentum' must be a number in range [0, 1], but got inf.`],
    [[2, { eps: 0 }], "For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got 0.0 with type 'float'."],
    [[2, { eps: -1e-5 }], "For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got -1e-05 with type 'float'."],
    [[2, { eps: 1.5 }], "For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got 1.5 with type 'float'."],
    [[2, { eps: -Infinity }], "For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got -inf with type 'float'."],
  ])('range check %j: ValueError', (args, message) => {
    const err = thrown(() => new Layer(...(args as [number])));
    expect(err).toBeInstanceOf(ValueError);
    expect(err.message).toBe(message);
  });

  it('accepts the ends of the ranges: eps 1.0, momentum 0.0 and 1.0, and NaN (MindSpore compares, and NaN compares false)', () => {
    expect(new Layer(1, { eps: 1.0 }).eps).toBe(1);
    expect(new Layer(1, { momentum: 0.0 }).momentum).toBe(0);
    expect(new Layer(1, { momentum: 1.0 }).momentum).toBe(1);
    expect(new Layer(1, { eps: NaN }).eps).toBeNaN();
    expect(new Layer(1, { momentum: NaN }).momentum).toBeNaN();
  });

  it('takes a BigInt num_features as the Python int it is', () => {
    expect(new Layer(3n).num_features).toBe(3);
  });

  it('checks in MindSpore order: all types, then num_features, then momentum, then the initializers (gamma first), then eps', () => {
    expect(thrown(() => new Layer(2.5, { eps: 'x' } as never)).message).toContain("'num_features'");
    expect(thrown(() => new Layer(2, { eps: 'x', momentum: 'y' } as never)).message).toContain("'eps'");
    expect(thrown(() => new Layer(2, { momentum: 'y', affine: 0 } as never)).message).toContain("'momentum'");
    expect(thrown(() => new Layer(2, { affine: 0, gamma_init: [] } as never)).message).toContain("'affine'");
    expect(thrown(() => new Layer(2, { gamma_init: [], beta_init: {} } as never)).message).toContain("'gamma_init'");
    // Every type check precedes every range check.
    expect(thrown(() => new Layer(0, { beta_init: [] } as never)).message).toContain("'beta_init'");
    expect(thrown(() => new Layer(0, { momentum: 2.0 })).message).toContain("'num_features'");
    expect(thrown(() => new Layer(2, { momentum: 2.0, gamma_init: 'nope' })).message).toContain("'momentum'");
    expect(thrown(() => new Layer(2, { eps: 0.0, gamma_init: 'nope' })).message).toBe("For 'initializer', the class corresponding to 'nope' was not found.");
    expect(thrown(() => new Layer(2, { gamma_init: 'nope', beta_init: 'neither' })).message).toContain("'nope'");
    expect(thrown(() => new Layer(2, { beta_init: Tensor.from([1, 2, 3]) })).message).toBe(
      "For 'initializer', the shape of the 'init' argument should be same as the argument 'shape', but got the 'init' shape [3] and the 'shape' [2].",
    );
  });

  it('takes a float32 Tensor of shape [num_features] as gamma/beta, copying it', () => {
    const g = Tensor.from([0.5, 2]);
    const m = new Layer(2, { gamma_init: g });
    g.data[0] = 9;
    expect([...m.gamma.data.data]).toEqual([0.5, 2]);
  });

  it('gives the parameters the dtype asked for, any MindSpore dtype, unchecked until the first call', () => {
    // normalization.py@v2.6.0:906-912 hands `dtype` to `initializer` unchecked; the primitive's
    // infer then wants float32 parameters, and names the first of its sorted map, beta
    // (ops/infer/instance_norm.cc@v2.6.0:125-131, utils/check_convert_utils.cc@v2.6.0:789-790, 1015).
    const x = Tensor.zeros([1, 2, 3, 3, 3].slice(0, cls === 'InstanceNorm1d' ? 3 : cls === 'InstanceNorm2d' ? 4 : 5), 'float32');
    for (const [dtype, name] of [['float16', 'Float16'], ['int32', 'Int32'], ['bool', 'Bool'], ['bfloat16', 'BFloat16'], ['uint8', 'UInt8']] as const) {
      const m = new Layer(2, { dtype });
      expect(m.get_parameters().map((p) => p.dtype)).toEqual([dtype, dtype, dtype, dtype]);
      expect(() => m.construct(x)).toThrow(
        new PyTypeError(`For primitive[InstanceNorm], the input argument[beta] must be a type of {Tensor[Float32]}, but got Tensor[${name}].`),
      );
    }
    // 'ones'/'zeros' and numbers fill an int layer as numpy fills an int array (truncating).
    const ints = new Layer(2, { dtype: 'int32', gamma_init: 2.75, beta_init: -1.5 });
    expect([...ints.gamma.data.data, ...ints.beta.data.data, ...ints.moving_variance.data.data]).toEqual([2, 2, -1, -1, 1, 1]);
    // A Tensor init is returned as it is (initializer.py@v2.6.0:870-877): a float32 gamma stays float32.
    expect(new Layer(2, { dtype: 'float16', gamma_init: Tensor.from([1, 2]) }).gamma.dtype).toBe('float32');
  });

  it('checks dtype where MindSpore first uses it: after num_features and momentum, before gamma_init', () => {
    // `initializer('zeros', num_features, dtype=dtype)` for moving_mean (normalization.py@v2.6.0:906)
    // builds `Tensor(dtype=dtype, shape=shape, init=init)` (initializer.py@v2.6.0:898):
    // None is tensor.py@v2.6.0:3955-3956's ValueError, a non-dtype the C++ constructor's TypeError
    // (frontend/ir/tensor_py.cc@v2.6.0:930-936).
    expect(thrown(() => new Layer(0, { dtype: 'abc' as never })).message).toBe(`For '${cls}', the 'num_features' must be at least 1, but got 0.`);
    expect(thrown(() => new Layer(2, { momentum: 2.0, dtype: 5 as never })).message).toContain("'momentum'");
    expect(() => new Layer(2, { dtype: null as never })).toThrow(new ValueError('init, dtype and shape must have values at the same time.'));
    const err = thrown(() => new Layer(2, { dtype: 5 as never, gamma_init: 'nope' }));
    expect(err).toBeInstanceOf(PyTypeError);
    expect(err.message).toBe(
      "For 'Tensor', the 'dtype' should be one of [mindspore.int8, mindspore.int16, mindspore.int32, mindspore.int64, mindspore.uint8, mindspore.uint16, mindspore.uint32, mindspore.uint64, mindspore.float16, mindspore.float32, mindspore.float64, mindspore.bfloat16, mindspore.complex64, mindspore.complex128, mindspore.int4, mindspore.bool_, mindspore.string_], but got '<class 'int'>'.",
    );
    // A JS string that is no dtype is a Python str there: MindSpore prints its class.
    expect(thrown(() => new Layer(2, { dtype: 'flaot32' as never })).message).toMatch(/but got '<class 'str'>'\.$/);
    // MindSpore dtypes this package cannot hold are refused (mapping.json decision mindspore-dtype-unsupported).
    expect(thrown(() => new Layer(2, { dtype: 'complex64' as never })).message).toMatch(/mindspore\.complex64 is a MindSpore dtype this package cannot hold/);
  });

  it('reports a num_features no memory can hold as an error naming it, not a bare RangeError', () => {
    const err = thrown(() => new Layer(2 ** 40));
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toContain(`'num_features' is ${2 ** 40}`);
  });
});
