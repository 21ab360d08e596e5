/**
 * Value expressions in porting writes (`{ "expr": "1 - value" }`). Expected results are Python's:
 * `repr(1 - 0.7)` is `0.30000000000000004` in CPython, and the port writes what Python would compute.
 */
import { parseMapping } from '../../src/mapping';
import { evaluate, parseExpression, substitute } from '../../src/mapping/expression';
import { portCall } from '../../src/mapping/porting';
import { mappingFile, rowIn } from '../helpers/mapping-file';

describe('parseExpression / evaluate', () => {
  it.each([
    ['1 - value', 0.1, 0.9],
    ['1 - value', 0.7, 0.30000000000000004],
    ['1-value', 0.01, 0.99],
    ['2 * (1 - value) / 4', 0.25, 0.375],
    ['-value + 1', 0.5, 0.5],
    ['1 - value', 1e-3, 0.999],
  ])('%s at %p is %p (as CPython computes it)', (text, value, expected) => {
    expect(evaluate(parseExpression(text), value)).toBe(expected);
  });

  it.each([['1 - valeu'], ['1 -'], ['(1 - value'], ['1 - value)'], ['value ** 2'], ['abs(value)'], ['']])('refuses %p', (text) => {
    expect(() => parseExpression(text)).toThrow(/in "/);
  });

  it('writes the formula around an expression it cannot evaluate', () => {
    expect(substitute('1 - value', 'm')).toBe('1 - m');
    expect(substitute('1 - value', 'cfg.momentum')).toBe('1 - cfg.momentum');
    expect(substitute('1 - value', 'a + b')).toBe('1 - (a + b)');
  });
});

describe('a porting rule with a value expression', () => {
  const withExpr = () => {
    const json = mappingFile();
    const row = rowIn(json, 'InstanceNorm1d', 'momentum', 'momentum', 'porting');
    row.porting.toMindspore.given = [{ write: { expr: '1 - value' }, verdict: 'exact' }];
    return parseMapping(json);
  };
  const port = (text: string) => portCall({ api: 'InstanceNorm1d', from: 'torch', to: 'mindspore', args: [{ name: null, text: '3' }, { name: 'momentum', text }], hasStarArgs: false }, withExpr());

  it('writes the computed number for a literal', () => {
    expect(port('0.1').args).toContainEqual({ name: 'momentum', text: '0.9' });
    expect(port('0.7').args).toContainEqual({ name: 'momentum', text: '0.30000000000000004' });
  });

  it('writes the formula for a name or an expression', () => {
    expect(port('m').args).toContainEqual({ name: 'momentum', text: '1 - m' });
    expect(port('m / 2').args).toContainEqual({ name: 'momentum', text: '1 - (m / 2)' });
  });

  it('is validated with the mapping: an expression that does not parse is refused', () => {
    const json = mappingFile();
    rowIn(json, 'InstanceNorm1d', 'momentum', 'momentum', 'porting').porting.toMindspore.given = [{ write: { expr: '1 - momentum' }, verdict: 'exact' }];
    expect(() => parseMapping(json)).toThrow(/porting\.toMindspore\.given\[0\]\.write.*cannot read "momentum"/);
  });
});
