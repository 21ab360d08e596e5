import type { SourceArg } from '../../src/mapping';
import { argumentEdits } from '../../src/porting/python/args';
import { applyEdits } from '../../src/porting/python/splice';
import { parsePython } from '../../src/porting/python/syntax';

/** The call text after editing its arguments to `targets`, with the rest of the source checked unchanged. */
function edit(callSource: string, targets: SourceArg[]): string {
  const prefix = 'import torch.nn as nn\nx = ';
  const suffix = '\ny = 1\n';
  const source = prefix + callSource + suffix;
  const [call] = parsePython(source).calls;
  const out = applyEdits(source, argumentEdits(source, call, targets));
  expect(out.startsWith(prefix + 'nn.InstanceNorm1d(')).toBe(true);
  expect(out.endsWith(suffix)).toBe(true);
  return out.slice(prefix.length, out.length - suffix.length);
}

const pos = (text: string): SourceArg => ({ name: null, text });
const kw = (name: string, text: string): SourceArg => ({ name, text });

describe('minimal edits of an argument list', () => {
  test('unchanged targets give the same bytes, spacing included', () => {
    expect(edit('nn.InstanceNorm1d( 64 ,eps = 1e-3)', [pos('64'), kw('eps', '1e-3')])).toBe('nn.InstanceNorm1d( 64 ,eps = 1e-3)');
  });
  test('an appended keyword follows the last argument', () => {
    expect(edit('nn.InstanceNorm1d(64)', [pos('64'), kw('affine', 'False')])).toBe('nn.InstanceNorm1d(64, affine=False)');
  });
  test('a changed value is replaced in place', () => {
    expect(edit('nn.InstanceNorm1d(64, eps=1)', [pos('64'), kw('eps', '1.0')])).toBe('nn.InstanceNorm1d(64, eps=1.0)');
  });
  test('dropped arguments take their comma with them, wherever they are', () => {
    expect(edit('nn.InstanceNorm1d(64, track_running_stats=True, affine=True)', [pos('64'), kw('affine', 'True')])).toBe('nn.InstanceNorm1d(64, affine=True)');
    expect(edit('nn.InstanceNorm1d(64, affine=True, dtype=d)', [pos('64'), kw('affine', 'True')])).toBe('nn.InstanceNorm1d(64, affine=True)');
    expect(edit('nn.InstanceNorm1d(64, a=1, b=2)', [pos('64')])).toBe('nn.InstanceNorm1d(64)');
  });
  test('**kwargs stay; new keywords go before them, after the argument they follow', () => {
    expect(edit('nn.InstanceNorm1d(64, eps=1e-3, **kw)', [pos('64'), kw('eps', '1e-3'), kw('affine', 'False')])).toBe('nn.InstanceNorm1d(64, eps=1e-3, affine=False, **kw)');
  });
  test('a vertical call keeps its layout and comments; new lines match its indent', () => {
    const before = 'nn.InstanceNorm1d(\n    64,  # channels\n    eps=1e-3,  # looser\n    track_running_stats=True,  # gone\n)';
    const after = 'nn.InstanceNorm1d(\n    64,  # channels\n    eps=1e-3,  # looser\n    affine=False,\n)';
    expect(edit(before, [pos('64'), kw('eps', '1e-3'), kw('affine', 'False')])).toBe(after);
  });
  test('a vertical call without a trailing comma gets none', () => {
    expect(edit('nn.InstanceNorm1d(\n    64,\n    eps=1e-3  # looser\n)', [pos('64'), kw('eps', '1e-3'), kw('affine', 'False')])).toBe(
      'nn.InstanceNorm1d(\n    64,\n    eps=1e-3,  # looser\n    affine=False\n)',
    );
  });
  test('a call whose kept arguments the rules reorder is written anew', () => {
    expect(edit('nn.InstanceNorm1d(64, affine=True, eps=1e-3)', [pos('64'), kw('eps', '1e-3'), kw('affine', 'True')])).toBe('nn.InstanceNorm1d(64, eps=1e-3, affine=True)');
  });
  test('a positional argument that becomes a keyword is dropped and written as keyword', () => {
    expect(edit('nn.InstanceNorm1d(64, 1e-3, 0.1, True, True)', [pos('64'), pos('1e-3'), pos('0.1'), pos('True')])).toBe('nn.InstanceNorm1d(64, 1e-3, 0.1, True)');
    expect(edit('nn.InstanceNorm1d(64, 1e-3)', [pos('64'), kw('eps', '1e-3')])).toBe('nn.InstanceNorm1d(64, eps=1e-3)');
  });
});
