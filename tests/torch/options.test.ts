/**
 * Constructor of torch.nn.InstanceNorm{1,2,3}d: Python's call shapes and TypeErrors (Python 3.10+
 * wording with the __qualname__), PyTorch's defaults and repr, and the facade's stricter checks.
 */
import { torch, ValueError, TypeError as PyTypeError } from '../../src';
import { STRICTER_THAN_PYTORCH } from '../../src/torch/options';

const { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } = torch.nn;

describe('call shapes', () => {
  it('takes all seven arguments positionally, by keyword, or mixed', () => {
    const expected = 'InstanceNorm3d(3, eps=0.001, momentum=0.3, affine=False, track_running_stats=True)';
    const all = new InstanceNorm3d(3, 1e-3, 0.3, false, true, 'cpu', 'float64');
    expect(String(all)).toBe(expected);
    expect(all.running_mean?.dtype).toBe('float64');
    expect(String(new InstanceNorm3d({ num_features: 3, eps: 1e-3, momentum: 0.3, track_running_stats: true }))).toBe(expected);
    expect(String(new InstanceNorm3d(3, 1e-3, { momentum: 0.3, track_running_stats: true, device: 'cpu' }))).toBe(expected);
    expect(String(new InstanceNorm3d(3, undefined, 0.3, undefined, true))).toBe(expected.replace('0.001', '1e-05'));
  });

  it("raises Python's TypeErrors for bad bindings", () => {
    expect(() => new InstanceNorm1d(3, 1e-3, { eps: 1e-3 })).toThrow(new PyTypeError("_InstanceNorm.__init__() got multiple values for argument 'eps'"));
    expect(() => new InstanceNorm1d(3, { foo: 1 } as never)).toThrow(new PyTypeError("_InstanceNorm.__init__() got an unexpected keyword argument 'foo'"));
    expect(() => new (InstanceNorm1d as unknown as new () => unknown)()).toThrow(new PyTypeError("_InstanceNorm.__init__() missing 1 required positional argument: 'num_features'"));
    expect(() => new InstanceNorm1d({ eps: 1 } as never)).toThrow("missing 1 required positional argument: 'num_features'");
    expect(() => new (InstanceNorm1d as unknown as new (...a: unknown[]) => unknown)(3, 1e-5, 0.1, false, false, 'cpu', 'float32', 1)).toThrow(
      new PyTypeError('_InstanceNorm.__init__() takes from 2 to 8 positional arguments but 9 were given'),
    );
  });
});

describe('repr with Python float formatting', () => {
  it.each([
    [{}, 'InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)'],
    [{ eps: 0.001, affine: true }, 'InstanceNorm2d(4, eps=0.001, momentum=0.1, affine=True, track_running_stats=False)'],
    [{ eps: 0, momentum: 1 }, 'InstanceNorm2d(4, eps=0.0, momentum=1.0, affine=False, track_running_stats=False)'],
    [{ eps: 1e-7, momentum: null }, 'InstanceNorm2d(4, eps=1e-07, momentum=None, affine=False, track_running_stats=False)'],
    [{ eps: 2.5e-10, momentum: 0.01 }, 'InstanceNorm2d(4, eps=2.5e-10, momentum=0.01, affine=False, track_running_stats=False)'],
  ])('%p', (kwargs, expected) => {
    expect(String(new InstanceNorm2d(4, kwargs))).toBe(expected);
  });
});

describe('validation (stricter than PyTorch, each case documented)', () => {
  it.each([
    [[0], ValueError, "InstanceNorm1d(): argument 'num_features' must be a positive int, but got 0 (int)"],
    [[-2], ValueError, "argument 'num_features' must be a positive int, but got -2 (int)"],
    [[2.5], PyTypeError, "argument 'num_features' must be a positive int, but got 2.5 (float)"],
    [['3'], PyTypeError, "argument 'num_features' must be a positive int, but got '3' (str)"],
    [[3, -1e-5], ValueError, "argument 'eps' must be a finite, non-negative float, but got -1e-05 (float)"],
    [[3, NaN], ValueError, "argument 'eps' must be a finite, non-negative float, but got nan (float)"],
    [[3, null], PyTypeError, "argument 'eps' must be a finite, non-negative float, but got None (NoneType)"],
    [[3, true], PyTypeError, "argument 'eps' must be a finite, non-negative float, but got True (bool)"],
    [[3, 1e-5, Infinity], ValueError, "argument 'momentum' must be a finite float or None, but got inf (float)"],
    [[3, 1e-5, '0.1'], PyTypeError, "argument 'momentum' must be a finite float or None, but got '0.1' (str)"],
    [[3, { affine: 1 }], PyTypeError, "argument 'affine' must be a bool, but got 1 (int)"],
    [[3, { track_running_stats: 'yes' }], PyTypeError, "argument 'track_running_stats' must be a bool, but got 'yes' (str)"],
    [[3, { device: 'cuda' }], ValueError, "argument 'device' must be 'cpu' or None (the facade computes on the CPU), but got 'cuda' (str)"],
    [[3, { device: 0 }], PyTypeError, "argument 'device' must be 'cpu' or None, but got 0 (int)"],
    [[3, { dtype: 'float16' }], ValueError, "argument 'dtype' must be 'float32', 'float64' or None, but got 'float16' (str)"],
    [[3, { eps: 1n }], PyTypeError, "argument 'eps' must be a finite, non-negative float, but got 1 (BigInt)"],
  ] as [unknown[], new (m: string) => Error, string][])('%p', (args, cls, message) => {
    const make = (): unknown => new (InstanceNorm1d as unknown as new (...a: unknown[]) => unknown)(...args);
    expect(make).toThrow(cls);
    expect(make).toThrow(message);
  });

  it('accepts what PyTorch accepts otherwise: momentum outside [0, 1], eps 0, device and dtype null', () => {
    expect(String(new InstanceNorm1d(2, { momentum: -0.5, eps: 0, device: null, dtype: null }))).toBe('InstanceNorm1d(2, eps=0.0, momentum=-0.5, affine=False, track_running_stats=False)');
  });

  it('lists every stricter-than-PyTorch decision with its reason', () => {
    for (const entry of STRICTER_THAN_PYTORCH) {
      expect(entry.argument).not.toBe('');
      expect(entry.pytorch.length).toBeGreaterThan(10);
      expect(entry.facade.length).toBeGreaterThan(5);
      expect(entry.why.length).toBeGreaterThan(10);
    }
    expect(STRICTER_THAN_PYTORCH.map((e) => e.argument)).toEqual(expect.arrayContaining(['num_features', 'eps', 'momentum', 'device', 'dtype']));
  });
});
