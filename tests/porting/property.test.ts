/**
 * Drawn Python sources (imports in every style, calls in one or many lines, comments, strings,
 * other layers): porting must keep every byte outside the reported changes, parse again, and turn
 * every ported call into a call of the target framework.
 */
import fc from 'fast-check';
import { portSource } from '../../src/porting/python/rewrite';
import { parsePython } from '../../src/porting/python/syntax';
import { rebuild } from './rebuild';

const IMPORTS = [
  'import torch',
  'import torch.nn as nn',
  'from torch import nn as tnn',
  'from torch.nn import InstanceNorm1d as IN, BatchNorm1d',
  'import mindspore',
  'import mindspore.nn as msnn',
  'from mindspore.nn import InstanceNorm2d',
  'from torch.nn import *',
  'import mindspore as ms',
  'import functools',
];
const CALLEES = ['torch.nn.InstanceNorm1d', 'nn.InstanceNorm2d', 'tnn.InstanceNorm3d', 'IN', 'mindspore.nn.InstanceNorm1d', 'msnn.InstanceNorm2d', 'InstanceNorm2d'];
const ARGS = ['8', 'c', 'eps=1e-3', 'eps=1', 'momentum=0.2', 'affine=True', 'affine=False', 'track_running_stats=True', "gamma_init='zeros'", 'dtype=d', '**kw', '*a'];
const OTHER = [
  'n = functools.partial(nn.InstanceNorm2d, affine=True)',
  'k = isinstance(m, (IN, msnn.InstanceNorm1d))',
  'j = norm.func == tnn.InstanceNorm3d',
'seq = nn.Sequential(IN(2), nn.ReLU(), msnn.InstanceNorm1d(2, affine=False))', 'p, q = IN(1), ms.nn.InstanceNorm3d(1)', 'y = nn.Conv1d(1, 2, 3)', 's = "nn.InstanceNorm1d(3)"', '# IN(4) in a comment', 'z = BatchNorm1d(2)', 'w = torch.relu', 'v = msnn.Dense(1, 1)', 'pass'];

const call = fc.record({
  callee: fc.constantFrom(...CALLEES),
  args: fc.uniqueArray(fc.constantFrom(...ARGS), { maxLength: 4 }),
  vertical: fc.boolean(),
  comment: fc.boolean(),
});

function render(c: { callee: string; args: string[]; vertical: boolean; comment: boolean }): string {
  // Python wants positionals, then keywords/*a, then **kw.
  const args = [...c.args].sort((a, b) => rank(a) - rank(b));
  if (!c.vertical || args.length === 0) return `x = ${c.callee}(${args.join(', ')})${c.comment ? '  # note' : ''}`;
  return `x = ${c.callee}(\n${args.map((a, i) => `    ${a},${c.comment && i === 0 ? '  # first' : ''}`).join('\n')}\n)`;
}
function rank(arg: string): number {
  return arg.startsWith('**') ? 3 : arg.startsWith('*') ? 1 : arg.includes('=') ? 2 : 0;
}

const source = fc
  .record({
    imports: fc.uniqueArray(fc.constantFrom(...IMPORTS), { minLength: 1 }),
    lines: fc.array(fc.oneof(call.map(render), fc.constantFrom(...OTHER)), { minLength: 1, maxLength: 6 }),
    indent: fc.constantFrom('', '    ', '\t'),
  })
  // Optionally inside a class's method, as model code is.
  .map(({ imports, lines, indent }) => {
    // `pass` ends the method: a body of comments only is an IndentationError in Python.
    const body = indent ? `class M:\n${indent}def __init__(self):\n${[...lines, 'pass'].map((l) => l.split('\n').map((x) => `${indent}${indent}${x}`).join('\n')).join('\n')}` : lines.join('\n');
    return `${imports.join('\n')}\n\n${body}\n`;
  });

test.each(['mindspore', 'torch'] as const)('drawn sources ported to %s: only reported bytes change, and every ported call lands', (to) => {
  fc.assert(
    fc.property(source, (text) => {
      const before = parsePython(text);
      const ported = portSource(text, { to });
      const rebuilt = rebuild(text, ported);
      expect(ported.code).toBe(rebuilt);
      const after = parsePython(ported.code);
      expect([before.errors, after.errors]).toEqual([[], []]);
      // At least: a call of an unimported name (a NameError as written) may resolve once the import moves.
      expect(after.calls.filter((c) => c.framework === to).length).toBeGreaterThanOrEqual(before.calls.length);
      expect(after.calls.filter((c) => c.framework !== to)).toEqual([]);
      expect(after.references.filter((r) => r.framework !== to).map((r) => r.text)).toEqual([]);
    }),
    { numRuns: 150, seed: 7 },
  );
});
