import { construct as constructLayer } from '../../src/families';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor';
import * as mindspore from '../../src/mindspore';
import * as torch from '../../src/torch';
import { pyValue } from '../../src/mapping/porting';
import { portSource, type PortedSource } from '../../src/porting/python/rewrite';
import { parsePython, PythonSyntaxError, type ApiName, type Framework } from '../../src/porting/python/syntax';
import { maxAbsDiff } from '../helpers/close';
import { rebuild } from './rebuild';
import { mulberry32, normals } from '../helpers/random';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

/**
 * The output must be the input with each reported `before` replaced by its `after` and nothing
 * else: the regions between the rewritten calls and import lines are compared byte for byte.
 */
function expectOnlyReportedChanges(source: string, ported: PortedSource): void {
  expect(ported.code).toBe(rebuild(source, ported));
}

describe('porting the torch model fixture to MindSpore', () => {
  const source = fixture('model_torch.py');
  const ported = portSource(source, { to: 'mindspore' });

  test('the report: line, before, after, verdict and reason per call', () => {
    expect(ported.calls.map((c) => [c.line, c.verdict, c.after])).toEqual([
      [15, 'differs', 'mindspore.nn.InstanceNorm1d(\n            channels,\n            eps=1e-3,  # a looser eps than the default\n            affine=False,\n            **norm_kwargs,\n        )'],
      // BatchNorm is a registered family: its calls are ported too. torch's defaults are
      // MindSpore's by mapping.json's rows (momentum 0.1 is MindSpore's 1 - 0.1 = 0.9;
      // track_running_stats=True is use_batch_statistics=None; affine True in both), so no
      // argument is written; nn stays torch's (Conv1d, Sequential), hence mindspore.nn.
      [28, 'exact', 'mindspore.nn.BatchNorm1d(8)'],
      [28, 'exact', 'IN(8, affine=True)'],
    ]);
    expect(ported.calls[0].reasons.join(' ')).toMatch(/\*\*kwargs/);
    expect(ported.calls[1].reasons).toEqual([]);
    expect(ported.exact).toBe(false);
  });

  test('imports: IN moves to mindspore; nn stays (Conv1d, Module) and `import mindspore` is added', () => {
    expect(ported.imports.map((i) => [i.line, i.before, i.after, i.note.split(':')[0]])).toEqual([
      [6, 'import torch.nn as nn', 'import torch.nn as nn', 'kept'],
      [7, 'from torch.nn import InstanceNorm1d as IN', 'from mindspore.nn import InstanceNorm1d as IN', 'moved `IN` to mindspore'],
      [8, '', 'import mindspore', 'added'],
    ]);
  });

  test('every other byte is unchanged: docstring, comments, the string and the layers of no registered class', () => {
    expectOnlyReportedChanges(source, ported);
    expect(ported.code).toContain('The docstring mentions nn.InstanceNorm1d(64) but is not a call.');
    expect(ported.code).toContain('# nn.InstanceNorm1d(channels) in a comment is not a call either');
    expect(ported.code).toContain('self.label = "InstanceNorm1d"');
    expect(ported.code).toContain('self.conv = nn.Conv1d(channels, channels, 3, padding=1)');
    // the Sequential and its Conv1d stay torch's; the BatchNorm1d between them is ported (above)
    expect(ported.code).toContain('nn.Sequential(nn.Conv1d(1, 8, 5), mindspore.nn.BatchNorm1d(8), IN(8, affine=True))');
  });

  test('the result parses and its InstanceNorms and BatchNorm are all MindSpore', () => {
    const again = parsePython(ported.code);
    expect(again.errors).toEqual([]);
    expect(again.calls.map((c) => `${c.framework}.${c.api}`)).toEqual(['mindspore.InstanceNorm1d', 'mindspore.BatchNorm1d', 'mindspore.InstanceNorm1d']);
  });
});

describe('porting the MindSpore model fixture to torch', () => {
  const source = fixture('model_mindspore.py');
  const ported = portSource(source, { to: 'torch' });

  test('report and only reported changes', () => {
    expect(ported.calls.map((c) => [c.line, c.verdict, c.before, c.after])).toEqual([
      [10, 'exact', 'nn.InstanceNorm1d(channels, eps=1e-3, affine=False)', 'torch.nn.InstanceNorm1d(channels, eps=1e-3, affine=False)'],
      // BatchNorm is a registered family: MindSpore's defaults (momentum 0.9, use_batch_statistics
      // None, affine True) are torch's (0.1, track_running_stats=True, affine True): no argument
      [21, 'exact', 'nn.BatchNorm1d(8)', 'torch.nn.BatchNorm1d(8)'],
      [22, 'exact', "nn.InstanceNorm1d(8, gamma_init='ones', beta_init='zeros')", 'torch.nn.InstanceNorm1d(8, affine=True)'],
    ]);
    expect(ported.imports.map((i) => [i.before, i.after])).toEqual([
      ['from mindspore import nn', 'from mindspore import nn'],
      ['', 'import torch'],
    ]);
    expectOnlyReportedChanges(source, ported);
    expect(ported.exact).toBe(true);
  });
});

describe('imports and aliases', () => {
  test.each([
    ['import torch.nn as nn\nm = nn.InstanceNorm2d(3)\n', 'mindspore', 'import mindspore.nn as nn\nm = nn.InstanceNorm2d(3, affine=False)\n'],
    ['from torch import nn\nm = nn.InstanceNorm2d(3)\n', 'mindspore', 'from mindspore import nn\nm = nn.InstanceNorm2d(3, affine=False)\n'],
    ['import torch\nx = torch.nn.InstanceNorm1d(2)\n', 'mindspore', 'import mindspore\nx = mindspore.nn.InstanceNorm1d(2, affine=False)\n'],
    ['import torch.nn\nx = torch.nn.InstanceNorm1d(2)\n', 'mindspore', 'import mindspore.nn\nx = mindspore.nn.InstanceNorm1d(2, affine=False)\n'],
    ['import mindspore.nn as msnn\nx = msnn.InstanceNorm1d(2)\n', 'torch', 'import torch.nn as nn\nx = nn.InstanceNorm1d(2, affine=True)\n'],
    ['import mindspore as ms\nx = ms.nn.InstanceNorm3d(2)\n', 'torch', 'import torch\nx = torch.nn.InstanceNorm3d(2, affine=True)\n'],
    ['from torch import nn as tnn\nx = tnn.InstanceNorm3d(2)\n', 'mindspore', 'from mindspore import nn\nx = nn.InstanceNorm3d(2, affine=False)\n'],
    ['from torch.nn import InstanceNorm1d as Norm\nx = Norm(2)\n', 'mindspore', 'from mindspore.nn import InstanceNorm1d as Norm\nx = Norm(2, affine=False)\n'],
    // BatchNorm is a registered family: BatchNorm1d(2) is ported as well (torch's defaults are
    // MindSpore's: no argument), so both names move and the import stays one statement
    [
      'from torch.nn import InstanceNorm1d as IN, BatchNorm1d\na = IN(2)\nb = BatchNorm1d(2)\n',
      'mindspore',
      'from mindspore.nn import InstanceNorm1d as IN, BatchNorm1d\na = IN(2, affine=False)\nb = BatchNorm1d(2)\n',
    ],
    // a name of no registered class stays torch's: the import is split
    [
      'from torch.nn import InstanceNorm1d as IN, Conv1d\na = IN(2)\nb = Conv1d(1, 1, 1)\n',
      'mindspore',
      'from torch.nn import Conv1d\nfrom mindspore.nn import InstanceNorm1d as IN\na = IN(2, affine=False)\nb = Conv1d(1, 1, 1)\n',
    ],
    ['from torch.nn import *\na = InstanceNorm1d(2)\n', 'mindspore', 'from torch.nn import *\nimport mindspore\na = mindspore.nn.InstanceNorm1d(2, affine=False)\n'],
    [
      'import torch.nn as nn\nimport mindspore.nn as msnn\na = nn.InstanceNorm1d(2)\nb = msnn.InstanceNorm1d(2)\nc = nn.Conv1d(1, 1, 1)\n',
      'mindspore',
      'import torch.nn as nn\nimport mindspore.nn as msnn\na = msnn.InstanceNorm1d(2, affine=False)\nb = msnn.InstanceNorm1d(2)\nc = nn.Conv1d(1, 1, 1)\n',
    ],
  ] as const)('%s -> %s', (source, to, expected) => {
    const ported = portSource(source, { to });
    expect(ported.code).toBe(expected);
    expectOnlyReportedChanges(source, ported);
  });

  test('calls already in the target framework are counted and left alone', () => {
    const source = 'import mindspore.nn as nn\nx = nn.InstanceNorm1d(2)\n';
    const ported = portSource(source, { to: 'mindspore' });
    expect(ported).toMatchObject({ code: source, calls: [], alreadyTarget: 1, exact: true });
  });

  test('a source Python would refuse is refused (it reported `exact` before), even where no call is broken', () => {
    expect(() => portSource('import torch.nn as nn\nx = nn.InstanceNorm1d(3, eps=\n', { to: 'mindspore' })).toThrow(PythonSyntaxError);
    expect(() => portSource('import torch.nn as nn\ndef f(:\n    return nn.InstanceNorm1d(3, affine=True)\n', { to: 'mindspore' })).toThrow('line 2, column 7: invalid syntax near ":": def f(:');
  });
});

/** A facade built from a call's literal arguments, as Python would construct it. */
function construct(framework: Framework, api: ApiName, args: readonly { name: string | null; text: string }[]) {
  const positional: unknown[] = [];
  const keywords: Record<string, unknown> = {};
  for (const a of args) {
    const v = pyValue(a.text);
    if (v.kind !== 'literal') throw new Error(`not a literal: ${a.text}`);
    if (a.name === null) positional.push(v.value);
    else keywords[a.name] = v.value;
  }
  const make = (fw: Framework) => constructLayer(fw, api, ...positional, keywords);
  if (framework === 'torch') {
    const module = make('torch') as torch.nn._InstanceNorm;
    return { run: (x: Tensor) => module.forward(x), weight: module.weight?.data ?? null, eps: module.eps, trainsAffine: module.affine };
  }
  const cell = make('mindspore') as mindspore.nn._InstanceNorm;
  return { run: (x: Tensor) => cell.construct(x), weight: cell.gamma.data, eps: cell.eps, trainsAffine: cell.affine };
}

const RANK: Record<ApiName, number> = { InstanceNorm1d: 3, InstanceNorm2d: 4, InstanceNorm3d: 5 };

/** A small-variance input, so a changed eps shows in the outputs. */
function input(api: ApiName, seed: number): Tensor {
  const shape = [2, 3, 5, 4, 3].slice(0, RANK[api]);
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(normals(mulberry32(seed), size, 0.02, 0.5), { dtype: 'float32', shape });
}

function callsOf(source: string) {
  return parsePython(source).calls.map((c) => ({ framework: c.framework, api: c.api, args: c.args.map((a) => ({ name: a.name, text: a.text })) }));
}

/**
 * The torch facade rounds PyTorch's float32 steps and the MindSpore facade computes in float64, so
 * across frameworks the outputs differ by float32 rounding scaled by mean / std (about 25 for these
 * inputs); within one framework they are identical.
 */
const ACROSS_FRAMEWORKS = 1e-5;

describe('behaviour is kept: facades built from the original and the ported arguments', () => {
  const original = fixture('literal_calls_torch.py');
  const toMindspore = portSource(original, { to: 'mindspore' });
  const back = portSource(toMindspore.code, { to: 'torch' });
  const [a, b, c] = [callsOf(original), callsOf(toMindspore.code), callsOf(back.code)];

  test('verdicts: all exact but track_running_stats=True', () => {
    expect(toMindspore.calls.map((r) => r.verdict)).toEqual(['exact', 'exact', 'exact', 'exact', 'exact', 'differs']);
    expect(toMindspore.calls[4].after).toBe('mindspore.nn.InstanceNorm3d(3, eps=1.0, affine=False)');
    expect(back.calls.every((r) => r.verdict === 'exact')).toBe(true);
  });

  test.each([0, 1, 2, 3, 4])('call %i: torch -> mindspore -> torch gives equal outputs (1e-5 across frameworks, identical back in torch) and the same affine and eps', (i) => {
    const x = input(a[i].api, 100 + i);
    const t0 = construct('torch', a[i].api, a[i].args);
    const ms = construct('mindspore', b[i].api, b[i].args);
    const t1 = construct('torch', c[i].api, c[i].args);
    expect(b[i].framework).toBe('mindspore');
    const reference = t0.run(x);
    expect(maxAbsDiff(ms.run(x), reference)).toBeLessThanOrEqual(ACROSS_FRAMEWORKS);
    expect(maxAbsDiff(t1.run(x), reference)).toBe(0);
    expect([ms.eps, t1.eps]).toEqual([t0.eps, t0.eps]);
    expect([ms.trainsAffine, t1.trainsAffine]).toEqual([t0.trainsAffine, t0.trainsAffine]);
  });

  test.each([0, 1, 2, 3])('MindSpore call %i: mindspore -> torch -> mindspore gives equal outputs (1e-5 across frameworks, identical back in MindSpore), eps and affine kept', (i) => {
    const msSource = fixture('literal_calls_mindspore.py');
    const toTorch = portSource(msSource, { to: 'torch' });
    const again = portSource(toTorch.code, { to: 'mindspore' });
    expect([toTorch.calls[i].verdict, again.calls[i].verdict]).toEqual(['exact', 'exact']);
    const [m0, t, m1] = [callsOf(msSource)[i], callsOf(toTorch.code)[i], callsOf(again.code)[i]];
    const x = input(m0.api, 200 + i);
    const ms0 = construct('mindspore', m0.api, m0.args);
    const pt = construct('torch', t.api, t.args);
    const ms1 = construct('mindspore', m1.api, m1.args);
    const reference = ms0.run(x);
    expect(maxAbsDiff(pt.run(x), reference)).toBeLessThanOrEqual(ACROSS_FRAMEWORKS);
    expect(maxAbsDiff(ms1.run(x), reference)).toBe(0);
    expect([pt.eps, ms1.eps]).toEqual([ms0.eps, ms0.eps]);
    // MindSpore's affine says whether gamma/beta train; PyTorch's whether they exist (and so train).
    expect([pt.trainsAffine, ms1.trainsAffine]).toEqual([ms0.trainsAffine, ms0.trainsAffine]);
  });

  test('a dropped eps would show: the inputs are sensitive to eps', () => {
    const x = input('InstanceNorm1d', 101);
    const loose = construct('torch', 'InstanceNorm1d', a[1].args).run(x);
    const tight = construct('torch', 'InstanceNorm1d', [{ name: null, text: '3' }]).run(x);
    expect(maxAbsDiff(loose, tight)).toBeGreaterThan(1e-3);
  });

  test("'needs weights' is honest: MindSpore's gamma_init='zeros' ported to torch gives other outputs until weights are converted", () => {
    const source = "from mindspore import nn\nz = nn.InstanceNorm1d(3, gamma_init='zeros')\n";
    const ported = portSource(source, { to: 'torch' });
    expect(ported.calls[0].verdict).toBe('needs weights');
    const [ms] = callsOf(source);
    const [pt] = callsOf(ported.code);
    const x = input('InstanceNorm1d', 7);
    expect(maxAbsDiff(construct('mindspore', 'InstanceNorm1d', ms.args).run(x), construct('torch', 'InstanceNorm1d', pt.args).run(x))).toBeGreaterThan(0.5);
  });
});

describe('moved imports never duplicate', () => {
  test.each([
    ['import mindspore\nimport torch\nx = torch.nn.InstanceNorm1d(2)\ny = mindspore.ops.relu\n', 'import mindspore\nx = mindspore.nn.InstanceNorm1d(2, affine=False)\ny = mindspore.ops.relu\n'],
    ['import mindspore\nimport torch, os\nx = torch.nn.InstanceNorm1d(2)\ny = mindspore.ops.relu(os)\n', 'import mindspore\nimport os\nx = mindspore.nn.InstanceNorm1d(2, affine=False)\ny = mindspore.ops.relu(os)\n'],
  ])('%s', (source, expected) => {
    expect(portSource(source, { to: 'mindspore' }).code).toBe(expected);
  });
});

describe('routes to the target respect what each call sees', () => {
  test('a torch nn shadowed by a later MindSpore nn is not used for the ported call', () => {
    const source = 'import torch.nn as nn\nfrom mindspore import nn\nx = nn.InstanceNorm1d(2)\ny = nn.Dense(2, 2)\n';
    const ported = portSource(source, { to: 'torch' });
    expect(ported.code).toBe('import torch.nn as nn\nfrom mindspore import nn\nimport torch\nx = torch.nn.InstanceNorm1d(2, affine=True)\ny = nn.Dense(2, 2)\n');
  });
  test('the added import goes above the first call that needs it', () => {
    const source = 'import torch.nn as nn\nx = nn.InstanceNorm1d(2)\ny = nn.Conv1d(1, 1, 1)\nimport os\n';
    expect(portSource(source, { to: 'mindspore' }).code).toBe('import torch.nn as nn\nimport mindspore\nx = mindspore.nn.InstanceNorm1d(2, affine=False)\ny = nn.Conv1d(1, 1, 1)\nimport os\n');
  });
});

describe('line endings', () => {
  test('a CRLF file stays CRLF, inserted lines included', () => {
    const source = 'import torch.nn as nn\r\nx = nn.InstanceNorm1d(\r\n    2,\r\n    eps=1e-3,\r\n)\r\ny = nn.Conv1d(1, 1, 1)\r\n';
    const ported = portSource(source, { to: 'mindspore' });
    expect(ported.code).toBe('import torch.nn as nn\r\nimport mindspore\r\nx = mindspore.nn.InstanceNorm1d(\r\n    2,\r\n    eps=1e-3,\r\n    affine=False,\r\n)\r\ny = nn.Conv1d(1, 1, 1)\r\n');
  });
});

describe('the norm-factory pattern: functools.partial, comparisons and isinstance', () => {
  const source = fixture('norm_factory_torch.py');
  const ported = portSource(source, { to: 'mindspore' });

  test('partials are ported like calls, with the caveat that later arguments are unseen; class mentions follow the layers', () => {
    expect(ported.calls.map((c) => [c.kind, c.line, c.verdict, c.after])).toEqual([
      // BatchNorm is a registered family: its partial is ported too. affine=True is kept;
      // track_running_stats=True is MindSpore's default use_batch_statistics=None, so it is
      // dropped; differs only for the partial's unseen later arguments.
      ['partial', 11, 'differs', 'functools.partial(mindspore.nn.BatchNorm2d, affine=True)'],
      ['partial', 13, 'differs', 'functools.partial(mindspore.nn.InstanceNorm2d, affine=False)'],
      ['partial', 14, 'differs', 'partial(mindspore.nn.InstanceNorm2d, affine=False)'],
      ['reference', 21, 'exact', 'mindspore.nn.InstanceNorm2d'],
      ['reference', 25, 'exact', 'mindspore.nn.InstanceNorm2d'],
    ]);
    expect(ported.calls[0].reasons).toEqual(['functools.partial(nn.BatchNorm2d, ...): arguments given where the partial is called are not seen by the port']);
    expect(ported.calls[1].reasons).toContain('functools.partial(nn.InstanceNorm2d, ...): arguments given where the partial is called are not seen by the port');
    // what no registered class is stays torch's
    expect(ported.code).toContain('nn.Sequential(nn.Conv2d(3, ngf, 7, bias=use_bias), norm_layer(ngf), nn.ReLU(True))');
    expect(ported.code).toContain('isinstance(m, (nn.Conv2d, mindspore.nn.InstanceNorm2d))');
    expectOnlyReportedChanges(source, ported);
  });

  test('a class kept as a value (not compared, not type-checked) may be constructed anywhere: differs', () => {
    const r = portSource('import torch.nn as nn\nnorm = nn.InstanceNorm1d\nlayer = norm(4)\n', { to: 'mindspore' });
    // Every use of nn is this mention, so nn itself moves to MindSpore and the text stays.
    expect(r.calls.map((c) => [c.kind, c.verdict, c.after])).toEqual([['reference', 'differs', 'nn.InstanceNorm1d']]);
    expect(r.code).toBe('import mindspore.nn as nn\nnorm = nn.InstanceNorm1d\nlayer = norm(4)\n');
  });
});

describe('the torch fixture there and back', () => {
  test('torch -> MindSpore -> torch gives the original back, but for the explicit affine=False and the fully-qualified classes', () => {
    const source = fixture('model_torch.py');
    const back = portSource(portSource(source, { to: 'mindspore' }).code, { to: 'torch' });
    const expected = source
      .replace(
        'nn.InstanceNorm1d(\n            channels,\n            eps=1e-3,  # a looser eps than the default\n            **norm_kwargs,',
        'torch.nn.InstanceNorm1d(\n            channels,\n            eps=1e-3,  # a looser eps than the default\n            affine=False,\n            **norm_kwargs,',
      )
      // BatchNorm is a registered family: it went to mindspore.nn.BatchNorm1d(8) and comes back
      // fully qualified, with no argument either way (the defaults agree)
      .replace('nn.Sequential(nn.Conv1d(1, 8, 5), nn.BatchNorm1d(8),', 'nn.Sequential(nn.Conv1d(1, 8, 5), torch.nn.BatchNorm1d(8),');
    expect(expected).not.toBe(source);
    expect(back.code).toBe(expected);
    expect(back.imports.map((i) => [i.before, i.after])).toEqual([
      ['from mindspore.nn import InstanceNorm1d as IN', 'from torch.nn import InstanceNorm1d as IN'],
      ['import mindspore', ''],
    ]);
  });
});
