import { isPyInt, pyFloat, pyRepr, pyStr, pyTruthy, pyTuple, pyTypeName } from '../../src/core/python';
import { bindArguments, bindArgumentsLikeInspect } from '../../src/core/python-args';
import { PyTypeError } from '../../src/core/errors';
import fixtures from '../fixtures/numpy.json';

describe('pyFloat matches CPython repr(float)', () => {
  it.each(fixtures.float_repr)('$value -> $repr', ({ value, repr }) => {
    expect(pyFloat(value)).toBe(repr);
  });
  it('spells the non-finite values as Python does', () => {
    expect([NaN, Infinity, -Infinity, -0].map(pyFloat)).toEqual(['nan', 'inf', '-inf', '-0.0']);
  });
});

describe('pyRepr and pyTypeName', () => {
  it('spell JS values as their Python counterparts', () => {
    expect([null, true, false, 3, 'a', [1, 'b']].map(pyRepr)).toEqual(['None', 'True', 'False', '3', "'a'", "[1, 'b']"]);
    expect([null, true, 3, 2.5, 'a', [], {}, 1n, () => 1].map(pyTypeName)).toEqual(['NoneType', 'bool', 'int', 'float', 'str', 'list', 'dict', 'int', 'function']);
  });

  it('pyTuple prints as CPython repr(tuple) does: (3,), (2, 3), ()', () => {
    expect([[3], [2, 3], []].map(pyTuple)).toEqual(['(3,)', '(2, 3)', '()']);
  });

  it('pyStr is str(): strings as they are, the rest as repr; pyTruthy is bool() (NaN is true, empty containers false)', () => {
    expect(['a', 1, null, [1]].map(pyStr)).toEqual(['a', '1', 'None', '[1]']);
    expect([NaN, 0, '', [], {}, new Map(), null, [0], 'x', 0n].map(pyTruthy)).toEqual([true, false, false, false, false, false, false, true, true, false]);
  });

  it('isPyInt takes integral numbers and BigInts, not booleans or floats', () => {
    expect([3, -0, 1n, true, 2.5, NaN, '3'].map(isPyInt)).toEqual([true, true, true, false, false, false, false]);
  });
});

describe("bindArguments follows Python's binding rules and messages", () => {
  const sig = { qualname: 'f', params: ['a', 'b', 'c'] as const, required: 1 };
  it('binds positional, keyword and mixed calls', () => {
    expect(bindArguments(sig, [1, 2, 3])).toEqual({ a: 1, b: 2, c: 3 });
    expect(bindArguments(sig, [1, { c: 3 }])).toEqual({ a: 1, c: 3 });
    expect(bindArguments(sig, [{ c: 3, a: 1 }])).toEqual({ a: 1, c: 3 });
    expect(bindArguments(sig, [1, undefined, 3])).toEqual({ a: 1, c: 3 });
  });
  it('raises TypeError with CPython 3.10+ wording', () => {
    expect(() => bindArguments(sig, [1, 2, { b: 3 }])).toThrow(new PyTypeError("f() got multiple values for argument 'b'"));
    expect(() => bindArguments(sig, [1, { d: 3 }])).toThrow("f() got an unexpected keyword argument 'd'");
    expect(() => bindArguments(sig, [])).toThrow("f() missing 1 required positional argument: 'a'");
    expect(() => bindArguments(sig, [1, 2, 3, 4])).toThrow('f() takes from 2 to 4 positional arguments but 5 were given');
    expect(() => bindArguments({ ...sig, required: 2 }, [{ c: 1 }])).toThrow("f() missing 2 required positional arguments: 'a' and 'b'");
    expect(() => bindArguments({ qualname: 'g', params: [], required: 0 }, [1])).toThrow('g() takes 1 positional argument but 2 were given');
  });
});

describe('bindArgumentsLikeInspect follows inspect.Signature.bind (its order and words, no function name)', () => {
  const sig = { qualname: 'ignored', params: ['a', 'b', 'c'] as const, required: 1 };
  it('binds like bindArguments', () => {
    expect(bindArgumentsLikeInspect(sig, [1, 2, 3])).toEqual({ a: 1, b: 2, c: 3 });
    expect(bindArgumentsLikeInspect(sig, [{ c: 3, a: 1 }])).toEqual({ a: 1, c: 3 });
    expect(bindArgumentsLikeInspect(sig, [1, undefined, 3, undefined])).toEqual({ a: 1, c: 3 });
  });
  it('checks positions (too many, then a duplicate), then the missing, then unknown keywords', () => {
    expect(() => bindArgumentsLikeInspect(sig, [1, 2, 3, 4, { d: 1 }])).toThrow(new PyTypeError('too many positional arguments'));
    expect(() => bindArgumentsLikeInspect(sig, [1, 2, 3, 4, { a: 1 }])).toThrow("multiple values for argument 'a'");
    expect(() => bindArgumentsLikeInspect(sig, [{ d: 1 }])).toThrow("missing a required argument: 'a'");
    expect(() => bindArgumentsLikeInspect(sig, [undefined, 2])).toThrow("missing a required argument: 'a'");
    expect(() => bindArgumentsLikeInspect(sig, [1, { e: 1, d: 2 }])).toThrow("got an unexpected keyword argument 'e'");
  });
});
