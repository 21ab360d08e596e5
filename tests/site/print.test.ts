/**
 * The playground's output panels and its text fields: the printer against numpy's own print of
 * the same float32 arrays (tests/fixtures/gen_numpy_scientific.py), and the readers of typed
 * arguments and tensors against what Python and numpy would make of the text.
 */
import { Tensor } from '../../src/core/tensor';
import { compareOutputs, piecesText, printTensor } from '../../src/site/print';
import { readArgument, readKeywords, readTensor, tensorText } from '../../src/site/python-text';
import fixtures from '../fixtures/numpy-scientific.json';
import { thrown } from '../helpers/errors';

const fromFixture = (a: (typeof fixtures.arrays)[number]) =>
  Tensor.from(
    a.values.map((v, i) => (v === null ? Number((a.nonfinite as Record<string, string>)[String(i)].replace('inf', 'Infinity')) : v)),
    { dtype: 'float32', shape: a.shape },
  );

describe('printTensor prints like numpy in scientific notation, every element', () => {
  it.each(fixtures.arrays.map((a) => [a.name, a] as const))('%s', (_name, a) => {
    expect(piecesText(printTensor(fromFixture(a)))).toBe(a.str);
  });

  it('marks each element with its flat index, in order', () => {
    const pieces = printTensor(fromFixture(fixtures.arrays[2]));
    const elements = pieces.filter((p) => typeof p !== 'string') as { index: number; text: string }[];
    expect(elements.map((e) => e.index)).toEqual([...Array(24).keys()]);
  });

  it('never prints fewer than 8 significant digits, where numpy would print 0.5', () => {
    expect(piecesText(printTensor(Tensor.from([[0.5, -0.25], [0.01234567, 3]])))).toBe('[[ 5.0000000e-01 -2.5000000e-01]\n [ 1.2345670e-02  3.0000000e+00]]');
  });

  it('prints past 1000 elements without eliding', () => {
    const t = Tensor.from(Array.from({ length: 1200 }, (_, i) => i / 7), { shape: [1, 1200] });
    const elements = printTensor(t).filter((p) => typeof p !== 'string');
    expect(elements).toHaveLength(1200);
    expect(piecesText(printTensor(t))).not.toContain('...');
  });

  it('prints an empty tensor as numpy does', () => {
    expect(piecesText(printTensor(Tensor.zeros([2, 0], 'float32')))).toBe('[]');
  });
});

describe('compareOutputs', () => {
  it('tells equal elements, float32 rounding and real differences apart', () => {
    const a = Tensor.from([1.5064616, -0.90387678, 0.5, NaN]);
    const b = Tensor.from([1.506461, -0.90387678, 1.0, NaN]); // MindSpore's published 1.506461 is rounding away
    const c = compareOutputs(a, b)!;
    expect(c.kinds).toEqual(['rounding', 'equal', 'differs', 'equal']);
    expect(c.maxAbsDiff).toBeCloseTo(0.5, 6);
  });

  it('is null for outputs of different shapes', () => {
    expect(compareOutputs(Tensor.from([[1, 2]]), Tensor.from([1, 2]))).toBeNull();
  });
});

describe('readArgument: the text of an argument field as Python reads it', () => {
  it.each([
    ['2', 2],
    ['1e-5', 1e-5],
    ['-0.5', -0.5],
    ['True', true],
    ['False', false],
    ['None', null],
    ["'ones'", 'ones'],
    ['"zeros"', 'zeros'],
    ['mstype.float32', 'float32'],
    ['torch.float64', 'float64'],
  ])('%s', (text, value) => {
    expect(readArgument(text)).toEqual({ kind: 'value', value });
  });

  it('an empty field is the default', () => {
    expect(readArgument('  ')).toEqual({ kind: 'absent' });
  });

  it("a bare name is Python's NameError, an expression a SyntaxError naming what it reads", () => {
    const name = readArgument('ones');
    expect(name.kind === 'error' && `${name.error.name}: ${name.error.message}`).toBe("NameError: name 'ones' is not defined");
    const expression = readArgument('1 + 1');
    expect(expression.kind === 'error' && expression.error.name).toBe('SyntaxError');
    expect(expression.kind === 'error' && expression.error.message).toMatch(/literals .* not 1 \+ 1$/);
  });
});

describe('readKeywords', () => {
  it('gives the facade its keywords, leaving empty fields out, and throws the first error', () => {
    expect(readKeywords({ num_features: '2', affine: 'False', gamma_init: '', dtype: 'mstype.float32' })).toEqual({ num_features: 2, affine: false, dtype: 'float32' });
    expect(thrown(() => readKeywords({ num_features: '2', gamma_init: 'ones', eps: '1 +' })).name).toBe('NameError');
  });
});

describe('readTensor: a nested list as numpy takes or prints it', () => {
  it('reads the Python list and numpy print of the seed input alike', () => {
    const seed = [[[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]];
    const fromList = readTensor(tensorText(seed));
    const fromPrint = readTensor('[[[0.7 0.5 0.5 0.6]\n  [0.5 0.4 0.6 0.9]]]');
    expect(fromList.shape).toEqual([1, 2, 4]);
    expect(fromList.dtype).toBe('float32');
    expect([...fromPrint.data]).toEqual([...Tensor.from(seed).data]);
    expect([...fromList.data]).toEqual([...fromPrint.data]);
  });

  it('reads nan, inf and -inf as numpy prints them', () => {
    expect([...readTensor('[nan, inf, -inf, 1e-3]').data]).toEqual([NaN, Infinity, -Infinity, Math.fround(1e-3)]);
  });

  it.each([
    ['', /the input tensor is empty/],
    ['[[1, 2], [3, x]]', /could not read the input tensor: 'x' is not a number/],
    ['[[1, 2], [3, 4]', /a '\]' is missing at the end/],
    ['[1, 2]]', /unexpected '\]' after the closing '\]'/],
    ['[[1, 2], [3]]', /expected sequence of length 2 at dim 1/],
  ])('%j is a ValueError', (text, message) => {
    const err = thrown(() => readTensor(text));
    expect(err.name).toBe('ValueError');
    expect(err.message).toMatch(message);
  });
});
