import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverLayers, modelLayers } from '../../src/porting/python/layers';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const prefixes = (source: string, model?: string) => modelLayers(source, { model }).map((l) => l.prefix);

describe('layers of the registered classes (InstanceNorm, BatchNorm) from the model source', () => {
  test('the torch fixture: Sequential index and a nested block; configs from the values the source shows and defaults', () => {
    expect(modelLayers(fixture('model_torch.py'))).toEqual([
      // BatchNorm is a registered family: stem.1 is nn.BatchNorm1d(8), with torch's BatchNorm
      // defaults (affine and track_running_stats True). Real torch 1.13 registers the same three
      // layers: Encoder().named_modules() gives stem.1 BatchNorm1d(8, eps=1e-05, momentum=0.1,
      // affine=True, track_running_stats=True), stem.2 and block.norm1.
      { prefix: 'stem.1', pattern: false, api: 'BatchNorm1d', framework: 'torch', line: 28, column: 54, config: { num_features: 8, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true }, unknown: [], written: ['num_features'] },
      { prefix: 'stem.2', pattern: false, api: 'InstanceNorm1d', framework: 'torch', line: 28, column: 73, config: { num_features: 8, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: false }, unknown: [], written: ['num_features', 'affine'] },
      // Block(8): channels is 8 and **norm_kwargs is empty there
      { prefix: 'block.norm1', pattern: false, api: 'InstanceNorm1d', framework: 'torch', line: 15, column: 21, config: { num_features: 8, eps: 1e-3, momentum: 0.1, affine: false, track_running_stats: false }, unknown: [], written: ['num_features', 'eps'] },
    ]);
  });

  test('the MindSpore fixture: SequentialCell([...]) indices and MindSpore defaults', () => {
    const layers = modelLayers(fixture('model_mindspore.py'));
    expect(layers.map((l) => [l.prefix, l.framework, l.config.affine, l.config.gamma_init])).toEqual([
      // BatchNorm is a registered family: SequentialCell index 1 is nn.BatchNorm1d(8)
      ['stem.1', 'mindspore', true, 'ones'],
      ['stem.2', 'mindspore', true, 'ones'],
      ['block.norm1', 'mindspore', false, 'ones'],
    ]);
    // MindSpore 2.6.0's BatchNorm1d defaults (normalization.py): momentum 0.9 (not the
    // InstanceNorm 0.1), affine True; use_batch_statistics=None and dtype=mstype.float32 are no
    // literals, so they are not in the config.
    expect(layers[0]).toMatchObject({ api: 'BatchNorm1d', line: 21, column: 12, written: ['num_features'] });
    expect(layers[0].config).toEqual({ num_features: 8, eps: 1e-5, momentum: 0.9, affine: true, gamma_init: 'ones', beta_init: 'zeros', moving_mean_init: 'zeros', moving_var_init: 'ones', data_format: 'NCHW' });
  });

  const nested = [
    'import torch.nn as nn',
    'from torch.nn import InstanceNorm2d as IN2',
    'class Norms(nn.Module):',
    '    def __init__(self, c):',
    '        super().__init__()',
    '        self.norm1 = nn.InstanceNorm2d(c, affine=True)',
    '        self.norm2 = IN2(c, track_running_stats=True)',
    'class Residual(Norms):',
    '    def __init__(self, c):',
    '        super().__init__(c)',
    '        self.conv = nn.Conv2d(c, c, 3)',
    '        self.extra = nn.ModuleList([nn.ReLU(), IN2(c)])',
    'class Encoder(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.blocks = nn.Sequential(Residual(4), nn.Sequential(nn.Conv2d(4, 4, 1), Norms(4)))',
    '        self.label = "nn.InstanceNorm2d(4)"',
    'class Net(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.enc = Encoder()',
    '        self.head = nn.InstanceNorm2d(4)',
    '        class Inner:  # a nested class has its own self',
    '            def __init__(self):',
    '                self.ghost = nn.InstanceNorm2d(4)',
    '',
  ].join('\n');

  test('nested modules compose prefixes; base classes contribute their layers; the unused class is the model', () => {
    expect(prefixes(nested)).toEqual([
      'enc.blocks.0.norm1',
      'enc.blocks.0.norm2',
      'enc.blocks.0.extra.1',
      'enc.blocks.1.1.norm1',
      'enc.blocks.1.1.norm2',
      'head',
    ]);
    const [, norm2] = modelLayers(nested);
    expect(norm2.config).toMatchObject({ affine: false, track_running_stats: true });
  });

  test('--model picks another class; an unknown one is a KeyError naming the classes', () => {
    expect(prefixes(nested, 'Residual')).toEqual(['norm1', 'norm2', 'extra.1']);
    expect(() => modelLayers(nested, { model: 'Nope' })).toThrow(/model class 'Nope' is not defined in the source; classes: Norms, Residual, Encoder, Net/);
  });

  test('two unrelated models need --model', () => {
    const two = 'import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self):\n        self.n = nn.InstanceNorm1d(2)\nclass B(nn.Module):\n    def __init__(self):\n        self.n = nn.InstanceNorm1d(2)\n';
    expect(() => modelLayers(two)).toThrow(/2 top-level model classes \(A, B\); name one with --model/);
    expect(prefixes(two, 'B')).toEqual(['n']);
  });

  test('a source without InstanceNorm layers gives none', () => {
    expect(modelLayers('import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self):\n        self.c = nn.Conv1d(1, 1, 1)\n')).toEqual([]);
  });
});

describe('constructions that get no prefix are listed, not dropped silently', () => {
  test('a helper function nothing calls is listed; the comprehension is followed', () => {
    const source = [
      'import torch.nn as nn',
      'def make(c):',
      '    return nn.InstanceNorm1d(c)',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.norms = nn.ModuleList([nn.InstanceNorm1d(c) for c in (2, 4)])',
      '        self.head = nn.InstanceNorm1d(4)',
      '',
    ].join('\n');
    const found = discoverLayers(source);
    expect(found.model).toBe('Net');
    expect(found.layers.map((l) => [l.prefix, l.config.num_features])).toEqual([
      ['norms.0', 2],
      ['norms.1', 4],
      ['head', 4],
    ]);
    expect(found.unplaced.map((u) => [u.line, u.text])).toEqual([[3, 'nn.InstanceNorm1d(c)']]);
  });
});

describe('named children', () => {
  test('Sequential(OrderedDict(...)), ModuleDict / CellDict and add_module / insert_child_to_cell', () => {
    const torchSource = [
      'from collections import OrderedDict',
      'import torch.nn as nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      "        self.body = nn.Sequential(OrderedDict([('conv', nn.Conv2d(3, 8, 3)), ('norm', nn.InstanceNorm2d(8, affine=True))]))",
      "        self.heads = nn.ModuleDict({'a': nn.InstanceNorm2d(8), 'b': nn.Linear(8, 2)})",
      "        self.add_module('extra', nn.InstanceNorm2d(8))",
      '',
    ].join('\n');
    expect(prefixes(torchSource)).toEqual(['body.norm', 'heads.a', 'extra']);
    const msSource = [
      'from mindspore import nn',
      'class Net(nn.Cell):',
      '    def __init__(self):',
      '        super().__init__()',
      "        self.heads = nn.CellDict({'x': nn.InstanceNorm1d(4)})",
      "        self.insert_child_to_cell('tail', nn.InstanceNorm1d(4))",
      '',
    ].join('\n');
    expect(prefixes(msSource)).toEqual(['heads.x', 'tail']);
  });
});
