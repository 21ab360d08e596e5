/**
 * gamma_init / beta_init through `mindspore.common.initializer`: the alias registry (read from
 * initializer.py's `@_register` decorators), MindSpore's errors for shapes an initializer cannot
 * fill, Initializer objects with MindSpore's constructor arguments, and the random initializers'
 * distributions. Random values are checked by distribution properties (moments, bounds) computed
 * here from the draws, never against the facade's own numbers: the facade's stream is not
 * MindSpore's, only reproducible under `set_seed`.
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError } from '../../src';
import { normalCdf, normalQuantile } from '../../src/mindspore/random';

const { nn, initializer: init } = mindspore;

function stats(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  const xs = Array.from(values);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance), min: Math.min(...xs), max: Math.max(...xs) };
}

const N = 20000;
const gammaOf = (gamma_init: unknown, C = N) => new nn.InstanceNorm1d(C, { gamma_init: gamma_init as never }).gamma.data.data as Float32Array;

describe('initializer names', () => {
  it.each(['zeros', 'Zeros', 'ZERO', 'zero'])('%s fills zeros', (name) => {
    expect([...gammaOf(name, 3)]).toEqual([0, 0, 0]);
  });

  it.each(['ones', 'ONES', 'One', 'one'])('%s fills ones', (name) => {
    expect([...gammaOf(name, 3)]).toEqual([1, 1, 1]);
  });

  it.each(['normal', 'Normal', 'uniform', 'UNIFORM', 'truncatednormal', 'truncatedNormal', 'TruncatedNormal'])('%s draws random values', (name) => {
    const values = gammaOf(name, 50);
    expect(new Set(values).size).toBeGreaterThan(40);
  });

  it.each(['xavier_uniform', 'XavierUniform', 'xavier_normal', 'xaviernormal', 'he_uniform', 'HeUniform', 'he_normal', 'henormal', 'varianceScaling'])(
    '%s needs fans, which a (C,) parameter does not have: ValueError at construction',
    (name) => {
      expect(() => gammaOf(name, 3)).toThrow(new ValueError("'fan_in' and 'fan_out' can not be computed for tensor with fewer than 2 dimensions, but got dimensions 1."));
    },
  );

  it('the shape-bound initializers raise their own errors for a (C,) parameter', () => {
    expect(() => gammaOf('identity', 3)).toThrow(new ValueError('For Identity initializer, the dimension of the initialized tensor should be 2, but got 1.'));
    expect(() => gammaOf('Dirac', 3)).toThrow(new ValueError('For Dirac initializer, only support to initialize tensor with dimension of 3, 4 or 5, but got 1.'));
    expect(() => gammaOf('orthogonal', 3)).toThrow(new ValueError('For Orthogonal initializer, the dimension of the initialized tensor should be no less than 2, but got 1.'));
    // `Sparse` has a required argument, so its registered name cannot be instantiated bare.
    expect(() => gammaOf('sparse', 3)).toThrow(new PyTypeError("Sparse.__init__() missing 1 required positional argument: 'sparsity'"));
  });

  it('an unknown name, or Constant (not registered), is a ValueError (the docstring says KeyError; the code raises ValueError)', () => {
    expect(() => gammaOf('glorot', 3)).toThrow(new ValueError("For 'initializer', the class corresponding to 'glorot' was not found."));
    expect(() => gammaOf('constant', 3)).toThrow(new ValueError("For 'initializer', the class corresponding to 'constant' was not found."));
    expect(() => gammaOf('toString', 3)).toThrow(ValueError);
  });

  it('lists every registered name', () => {
    expect([...init.INITIALIZER_NAMES].sort()).toEqual(
      [
        'dirac', 'he_normal', 'he_uniform', 'henormal', 'heuniform', 'identity', 'normal', 'one', 'ones', 'orthogonal', 'sparse',
        'truncatednormal', 'uniform', 'variancescaling', 'xavier_normal', 'xavier_uniform', 'xaviernormal', 'xavieruniform', 'zero', 'zeros',
      ].sort(),
    );
  });
});

describe('numbers and Initializer objects', () => {
  it('a number is a Constant (a bool and a BigInt are numbers too)', () => {
    expect([...gammaOf(2.5, 2)]).toEqual([2.5, 2.5]);
    expect([...gammaOf(true, 2)]).toEqual([1, 1]);
    expect([...gammaOf(3n, 2)]).toEqual([3, 3]);
  });

  it('takes Initializer objects with MindSpore constructor arguments, positional or keyword', () => {
    expect([...gammaOf(new init.Constant(0.25), 2)]).toEqual([0.25, 0.25]);
    expect([...gammaOf(new init.Constant({ value: -1 }), 2)]).toEqual([-1, -1]);
    expect([...gammaOf(new init.Zero(), 2)]).toEqual([0, 0]);
    expect(new init.Normal(0.5, 1).sigma).toBe(0.5);
    expect(new init.Normal({ mean: 3 }).mean).toBe(3);
    expect(new init.Normal().sigma).toBe(0.01);
    expect(new init.Uniform().scale).toBe(0.07);
    expect([new init.TruncatedNormal().sigma, new init.TruncatedNormal().a, new init.TruncatedNormal().b]).toEqual([0.01, -2, 2]);
    expect(() => new init.Normal({ std: 1 } as never)).toThrow(new PyTypeError("Normal.__init__() got an unexpected keyword argument 'std'"));
    expect(() => new init.Sparse()).toThrow(new PyTypeError("Sparse.__init__() missing 1 required positional argument: 'sparsity'"));
    expect(() => new init.VarianceScaling(0)).toThrow(new ValueError("For VarianceScaling initializer, the argument 'scale' must be greater than 0, but got 0."));
    expect(() => new init.VarianceScaling(1.0, 'fan_mid')).toThrow(
      new ValueError("For VarianceScaling initializer, the argument 'mode' must be fan_in, fan_out or fan_avg, but got fan_mid."),
    );
    expect(() => new init.Normal('wide' as never)).toThrow(PyTypeError);
  });

  it('a negative sigma is ValueError("sigma < 0") when drawing', () => {
    expect(() => gammaOf(new init.Normal(-1), 2)).toThrow(new ValueError('sigma < 0'));
    expect(() => gammaOf(new init.TruncatedNormal(-1), 2)).toThrow(new ValueError('sigma < 0'));
  });

  it('initializer() itself: shapes, dtype, and its type and shape errors', () => {
    expect(init.initializer('ones', [2, 3]).shape).toEqual([2, 3]);
    expect(init.initializer(0.5, 2, 'float16').dtype).toBe('float16');
    expect(() => init.initializer([1] as never, 2)).toThrow(
      new PyTypeError("For 'initializer', the type of the 'init' argument should be 'Tensor', 'number', 'string' or 'initializer', but got <class 'list'>."),
    );
    expect(() => init.initializer('ones', [2, 0])).toThrow(
      new ValueError("For 'initializer', the argument 'shape' is invalid, the value of 'shape' must be positive integer, but got (2, 0)"),
    );
    const t = Tensor.from([1, 2]);
    expect(init.initializer(t, [2])).toBe(t);
  });
});

describe('fan-based and structured initializers on shapes they accept', () => {
  it('XavierUniform stays within gain * sqrt(6 / (fan_in + fan_out))', () => {
    const bound = Math.sqrt(6 / (300 + 200));
    const s = stats(init.initializer('xavier_uniform', [200, 300]).data as Float32Array);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 2);
  });

  it('HeNormal (leaky_relu, slope 0, fan_in) has std sqrt(2 / fan_in)', () => {
    const s = stats(init.initializer('he_normal', [100, 50, 4]).data as Float32Array);
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 200), 2);
  });

  it('Identity, Dirac and Orthogonal fill their structures', () => {
    expect([...init.initializer('identity', [2, 3]).data]).toEqual([1, 0, 0, 0, 1, 0]);
    expect([...init.initializer('dirac', [2, 2, 3]).data]).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    const q = init.initializer(new init.Orthogonal(2), [3, 5]).data as Float32Array;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 5; k++) dot += q[i * 5 + k] * q[j * 5 + k];
        expect(dot).toBeCloseTo(i === j ? 4 : 0, 4);
      }
    }
  });
});

describe('random initializers: distributions', () => {
  beforeAll(() => mindspore.set_seed(20240501));

  it("'normal' is N(0, 0.01^2); Normal(sigma, mean) shifts and scales it", () => {
    const s = stats(gammaOf('normal'));
    expect(Math.abs(s.mean)).toBeLessThan(4 * (0.01 / Math.sqrt(N)));
    expect(s.std).toBeCloseTo(0.01, 3);
    const t = stats(gammaOf(new init.Normal(0.5, 1.0)));
    expect(Math.abs(t.mean - 1)).toBeLessThan(4 * (0.5 / Math.sqrt(N)));
    expect(Math.abs(t.std - 0.5)).toBeLessThan(0.02);
  });

  it("'uniform' stays in [-0.07, 0.07] with the uniform variance; Uniform(scale) in [-scale, scale]", () => {
    const s = stats(gammaOf('uniform'));
    expect(s.min).toBeGreaterThanOrEqual(-0.07);
    expect(s.max).toBeLessThanOrEqual(0.07);
    expect(s.max).toBeGreaterThan(0.069);
    expect(Math.abs(s.std - 0.07 / Math.sqrt(3))).toBeLessThan(0.001);
    const t = stats(gammaOf(new init.Uniform(3)));
    expect(t.min).toBeGreaterThanOrEqual(-3);
    expect(t.max).toBeLessThanOrEqual(3);
  });

  it('TruncatedNormal keeps within [a, b] (absolute bounds) with the truncated variance', () => {
    const s = stats(gammaOf('truncatedNormal'));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    expect(s.std).toBeCloseTo(0.01, 3);
    // N(0, 1) truncated to [-1, 1]: variance 1 - 2 phi(1) / (Phi(1) - Phi(-1)) = 0.29112.
    const t = stats(gammaOf(new init.TruncatedNormal({ sigma: 1, a: -1, b: 1 })));
    expect(t.min).toBeGreaterThanOrEqual(-1);
    expect(t.max).toBeLessThanOrEqual(1);
    const phi1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    expect(Math.abs(t.std ** 2 - (1 - (2 * phi1) / 0.6826894921370859))).toBeLessThan(0.01);
    expect(normalCdf(1) - normalCdf(-1)).toBeCloseTo(0.6826894921370859, 6);
  });
});

describe('the normal CDF and quantile behind TruncatedNormal', () => {
  it('match tabulated values and invert each other', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    for (const x of [-4, -1.5, -0.3, 0, 0.7, 2.2, 3.9]) expect(normalQuantile(normalCdf(x))).toBeCloseTo(x, 4);
  });
});

describe('set_seed', () => {
  it('makes random initial values reproducible, and different seeds give different values', () => {
    mindspore.set_seed(1234);
    expect(mindspore.get_seed()).toBe(1234);
    const a = [...gammaOf('normal', 8)];
    const b = [...gammaOf('normal', 8)];
    mindspore.set_seed(1234);
    expect([...gammaOf('normal', 8)]).toEqual(a);
    expect([...gammaOf('normal', 8)]).toEqual(b);
    expect(b).not.toEqual(a);
    mindspore.set_seed(1235);
    expect([...gammaOf('normal', 8)]).not.toEqual(a);
  });

  it("checks its argument as MindSpore's set_seed does", () => {
    expect(() => mindspore.set_seed(-1)).toThrow(new ValueError("For 'global_seed', the 'seed' must be int and must >= 0, but got '-1' with type 'int'."));
    expect(() => mindspore.set_seed(1.5)).toThrow(new PyTypeError("The argument 'seed' must be type of int, but got <class 'float'>."));
    expect(() => mindspore.set_seed('1' as never)).toThrow(new PyTypeError("The argument 'seed' must be type of int, but got <class 'str'>."));
    mindspore.set_seed(5n);
    expect(mindspore.get_seed()).toBe(5);
  });
});
