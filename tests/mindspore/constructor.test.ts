/**
 * The constructor of mindspore.nn.InstanceNorm{1,2,3}d: call shapes, and MindSpore's checks in
 * its order with its error classes and r2.x messages. Each expected message is MindSpore's format
 * string (normalization.py `_InstanceNorm.__init__`, _checkparam.py `check_value_type` /
 * `check_number_range`, initializer.py) filled in by hand; see shared/spec/mindspore-instancenorm.md §2.
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError, RuntimeError } from '../../src';
import { thrown } from '../helpers/errors';

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

  it("raises Python's TypeErrors for wrong call shapes", () => {
    expect(() => new Layer(...([2, 1e-5, 0.1, true, 'ones', 'zeros', 'float32', 1] as unknown as [number]))).toThrow(
      new PyTypeError('_InstanceNorm.__init__() takes from 2 to 8 positional arguments but 9 were given'),
    );
    expect(() => new Layer({ num_features: 2, track_running_stats: true } as never)).toThrow(
      new PyTypeError("_InstanceNorm.__init__() got an unexpected keyword argument 'track_running_stats'"),
    );
    expect(() => new Layer(2, { num_features: 3 } as never)).toThrow(new PyTypeError("_InstanceNorm.__init__() got multiple values for argument 'num_features'"));
    expect(() => new Layer({} as never)).toThrow(new PyTypeError("_InstanceNorm.__init__() missing 1 required positional argument: 'num_features'"));
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

  it('gives the parameters the dtype asked for; the primitive then refuses anything but float32', () => {
    const m = new Layer(2, { dtype: 'float16' });
    expect(m.get_parameters().map((p) => p.dtype)).toEqual(['float16', 'float16', 'float16', 'float16']);
    const x = Tensor.zeros([1, 2, 3, 3, 3].slice(0, cls === 'InstanceNorm1d' ? 3 : cls === 'InstanceNorm2d' ? 4 : 5), 'float32');
    expect(() => m.construct(x)).toThrow(
      new PyTypeError('For primitive[InstanceNorm], the input argument[gamma] must be a type of {Tensor[Float32]}, but got Tensor[Float16].'),
    );
    expect(() => new Layer(2, { dtype: 'int32' as never })).toThrow(PyTypeError);
  });

  it('reports a num_features no memory can hold as an error naming it, not a bare RangeError', () => {
    const err = thrown(() => new Layer(2 ** 40));
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toContain(`'num_features' is ${2 ** 40}`);
  });
});
