import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES } from '../../src/families';
import { classAtPath, publicPath } from '../../src/porting/python/paths';
import { checkSyntax, parsePython, PythonSyntaxError } from '../../src/porting/python/syntax';
import { thrown } from '../helpers/errors';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const summary = (source: string) => parsePython(source).calls.map((c) => `${c.line} ${c.framework}.${c.api} ${c.callee.text}`);

describe('finding constructions of the registered classes (InstanceNorm, BatchNorm)', () => {
  test('every import style of both frameworks resolves; other names do not', () => {
    const source = [
      'import torch', // 1
      'import torch.nn as nn', // 2
      'from torch import nn as tnn, optim', // 3
      'from torch.nn import (InstanceNorm1d as IN,', // 4
      '    BatchNorm2d)  # comment', // 5
      'import mindspore.nn as msnn, os', // 6
      'from mindspore import nn as mnn', // 7
      'import mindspore as ms', // 8
      'from torch.nn.modules.instancenorm import InstanceNorm3d', // 9
      'a = torch.nn.InstanceNorm1d(1)', // 10
      'b = nn.InstanceNorm2d(2)', // 11
      'c = tnn.InstanceNorm3d(3)', // 12
      'd = IN(4)', // 13
      'e = msnn.InstanceNorm1d(5)', // 14
      'f = mnn.InstanceNorm2d(6)', // 15
      'g = ms.nn.InstanceNorm3d(7)', // 16
      'h = InstanceNorm3d(8)', // 17
      'i = InstanceNorm2d(9)  # not imported: not ours', // 18
      'j = nn.BatchNorm2d(10)', // 19
      'k = other.nn.InstanceNorm1d(11)', // 20
      'l = mindspore.nn.InstanceNorm1d(12)  # mindspore itself is not imported', // 21
      'm = nn.Conv2d(13, 13, 1)  # torch.nn, but no registered class', // 22
      '',
    ].join('\n');
    expect(summary(source)).toEqual([
      '10 torch.InstanceNorm1d torch.nn.InstanceNorm1d',
      '11 torch.InstanceNorm2d nn.InstanceNorm2d',
      '12 torch.InstanceNorm3d tnn.InstanceNorm3d',
      '13 torch.InstanceNorm1d IN',
      '14 mindspore.InstanceNorm1d msnn.InstanceNorm1d',
      '15 mindspore.InstanceNorm2d mnn.InstanceNorm2d',
      '16 mindspore.InstanceNorm3d ms.nn.InstanceNorm3d',
      '17 torch.InstanceNorm3d InstanceNorm3d',
      // BatchNorm is a registered family: nn is torch.nn (line 2), so nn.BatchNorm2d is torch's
      // BatchNorm2d; line 22's Conv2d is still no construction of ours.
      '19 torch.BatchNorm2d nn.BatchNorm2d',
    ]);
  });

  test('strings, comments and docstrings that name the class are not calls', () => {
    const source = 'import torch.nn as nn\n"""nn.InstanceNorm1d(3)"""\ns = "nn.InstanceNorm1d(3)"  # nn.InstanceNorm1d(4)\nt = f"{nn}.InstanceNorm1d(5)"\n';
    expect(parsePython(source).calls).toEqual([]);
  });

  test('a star import binds the registered classes, and a later import rebinds a name', () => {
    const source = 'from mindspore.nn import *\na = InstanceNorm1d(1)\nfrom torch.nn import InstanceNorm1d\nb = InstanceNorm1d(2)\nc = Dense(3)\n';
    expect(summary(source)).toEqual(['2 mindspore.InstanceNorm1d InstanceNorm1d', '4 torch.InstanceNorm1d InstanceNorm1d']);
  });

  test('arguments: positional/keyword mixes, *args, **kwargs, multi-line with comments, exact value text', () => {
    const source = 'import torch.nn as nn\nx = nn.InstanceNorm1d(\n    64,  # channels\n    1e-3 ,\n    affine = True,\n    *rest,\n    momentum=(0.1\n              * 2),\n    **extra,\n)\n';
    const [call] = parsePython(source).calls;
    expect(call.args.map((a) => [a.name, a.text, a.star ?? ''])).toEqual([
      [null, '64', ''],
      [null, '1e-3', ''],
      ['affine', 'True', ''],
      [null, 'rest', '*'],
      ['momentum', '(0.1\n              * 2)', ''],
      [null, 'extra', '**'],
    ]);
    expect(call.hasStarArgs).toBe(true);
    expect(call.line).toBe(2);
    expect(call.text).toBe(source.slice(source.indexOf('nn.Instance'), source.lastIndexOf(')') + 1));
  });

  test('a file with a syntax error records where; checkSyntax refuses it with file:line:column and the line', () => {
    const file = parsePython('import torch.nn as nn\ndef f(:\n    return nn.InstanceNorm1d(3)\n');
    expect(file.errors).toEqual([28]);
    const err = thrown(() => checkSyntax(file, 'model.py')) as PythonSyntaxError;
    expect(err).toBeInstanceOf(PythonSyntaxError);
    // Python: File "model.py", line 2 / def f(: / SyntaxError: invalid syntax, at column 7
    expect([err.name, err.line, err.column, err.lineText]).toEqual(['SyntaxError', 2, 7, 'def f(:']);
    expect(err.message).toBe('model.py:2:7: invalid syntax near ":": def f(:');
    // An unclosed call is noticed where the file ends (Python points at the '(' instead).
    expect(thrown(() => checkSyntax(parsePython('x = nn.InstanceNorm1d(3, eps=\n'))).message).toBe('line 2, column 1: invalid syntax near end of file');
  });

  test('what @lezer/python misreads but Python accepts is no syntax error: bare yield, form feeds, floats with a trailing dot', () => {
    // Each of these lines is from CPython 3.11's standard library or PyTorch 1.13's source.
    const valid = [
      'def gen():\n    yield\n',
      'generator = type((lambda: (yield))())\n',
      'a = 1\n\f\nb = 2\n',
      'daysecondsfrac, daysecondswhole = _math.modf(dayfrac * (24.*3600.))\n',
      'sum_v = 1. if v is None else v.sum()\n',
      'unrectified = [0 if rect > 0 else 1. for rect in rect]\n',
      'x = [1.e5, 1.j, 2.E-3, 1_000., obj.attr1.real]\n',
    ];
    for (const source of valid) expect([source, parsePython(source).errors]).toEqual([source, []]);
  });

  test('the fixture models: two InstanceNorms and a BatchNorm each, prose and comments skipped', () => {
    // BatchNorm is a registered family: each stem's nn.BatchNorm1d(8) is found too (in source
    // order: on line 28 of the torch model it comes before IN); the Conv1d layers are not.
    expect(summary(fixture('model_torch.py'))).toEqual(['15 torch.InstanceNorm1d nn.InstanceNorm1d', '28 torch.BatchNorm1d nn.BatchNorm1d', '28 torch.InstanceNorm1d IN']);
    expect(summary(fixture('model_mindspore.py'))).toEqual(['10 mindspore.InstanceNorm1d nn.InstanceNorm1d', '21 mindspore.BatchNorm1d nn.BatchNorm1d', '22 mindspore.InstanceNorm1d nn.InstanceNorm1d']);
  });
});

describe('where a class is found: the registry\'s defining modules and mapping.json\'s public names', () => {
  test('a class imports from its defining module and every package above it up to nn; not from a module that lacks it', () => {
    const source = [
      'from torch.nn.modules.instancenorm import InstanceNorm1d', // 1: where torch defines it
      'from torch.nn.modules import InstanceNorm2d', // 2: re-exported (torch/nn/modules/__init__.py)
      'import torch.nn.modules.batchnorm as bn', // 3
      'import torch.nn.modules.conv as conv', // 4
      'from mindspore.nn.layer.normalization import InstanceNorm3d as MS3', // 5: where MindSpore defines it
      'from mindspore.nn.layer import InstanceNorm1d as MS1', // 6: re-exported (mindspore/nn/layer/__init__.py)
      'import mindspore.nn.layer.conv as msconv', // 7
      'a = InstanceNorm1d(1)', // 8
      'b = InstanceNorm2d(2)', // 9
      'c = bn.InstanceNorm1d(3)  # torch.nn.modules.batchnorm has no InstanceNorm1d', // 10
      'd = conv.InstanceNorm1d(4)', // 11
      'e = MS3(5)', // 12
      'f = MS1(6)', // 13
      'g = msconv.InstanceNorm1d(7)', // 14
      '',
    ].join('\n');
    expect(summary(source)).toEqual(['8 torch.InstanceNorm1d InstanceNorm1d', '9 torch.InstanceNorm2d InstanceNorm2d', '12 mindspore.InstanceNorm3d MS3', '13 mindspore.InstanceNorm1d MS1']);
  });

  test('every registered class is found at its public path and under its module, in both frameworks', () => {
    for (const family of FAMILIES) {
      for (const { api } of family.classes) {
        for (const framework of ['torch', 'mindspore'] as const) {
          const found = { framework, api };
          expect([publicPath(framework, api), classAtPath(publicPath(framework, api))]).toEqual([`${framework}.nn.${api}`, found]);
          expect(classAtPath(`${family.modules[framework]}.${api}`)).toEqual(found);
          expect(classAtPath(`${framework}.${api}`)).toBeNull();
        }
      }
    }
  });
});

describe('partials and mentions', () => {
  test('functools.partial(<class>, ...) is a construction whose arguments follow the class; other mentions are references', () => {
    const source = [
      'import functools',
      'from functools import partial as P',
      'import torch.nn as nn',
      'a = functools.partial(nn.InstanceNorm2d, affine=True)',
      'b = P(nn.InstanceNorm1d)',
      'c = functools.partial(nn.BatchNorm2d, affine=True)',
      'd = isinstance(m, (nn.Conv2d, nn.InstanceNorm3d))',
      'e = f.func is nn.InstanceNorm2d',
      'g = nn.InstanceNorm1d',
      'h = nn.InstanceNorm1d.__name__',
      'i = functools.partial(nn.Conv2d, 3)',
      '',
    ].join('\n');
    const file = parsePython(source);
    expect(file.calls.map((c) => [c.kind, c.line, c.callee.text, c.args.map((a) => a.text)])).toEqual([
      ['partial', 4, 'nn.InstanceNorm2d', ['True']],
      ['partial', 5, 'nn.InstanceNorm1d', []],
      // BatchNorm is a registered family: its partial is a construction too; Conv2d's (line 11) is not.
      ['partial', 6, 'nn.BatchNorm2d', ['True']],
    ]);
    expect(file.references.map((r) => [r.line, r.text, r.typeCheck])).toEqual([
      [7, 'nn.InstanceNorm3d', true],
      [8, 'nn.InstanceNorm2d', true],
      [9, 'nn.InstanceNorm1d', false],
      [10, 'nn.InstanceNorm1d', false],
    ]);
  });
});

test("floats written '1.' and '2.e-3' (which @lezer/python misreads) keep their text and parse", () => {
  const file = parsePython('import torch.nn as nn\nx = nn.InstanceNorm1d(8, eps=1., momentum=2.e-1)\n');
  expect(file.errors).toEqual([]);
  expect(file.calls[0].args.map((a) => a.text)).toEqual(['8', '1.', '2.e-1']);
  expect(parsePython('import torch.nn as nn\nx = nn.InstanceNorm1d(8, eps=)\n').errors).not.toEqual([]);
});
