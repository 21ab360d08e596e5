/**
 * Layers from the layouts real model code uses: comprehensions, lists grown in loops and spread into
 * Sequential, add_module/setattr with computed names, norm factories. Each layout's keys are the
 * ones PyTorch's state_dict (or MindSpore's parameter names) give it; where the source cannot pin a
 * key, the prefix is a pattern with `*`.
 */
import { discoverLayers } from '../../src/porting/python/layers';

const torchHead = 'import functools\nimport torch.nn as nn\n';
/** The model class `Net`'s layers: [prefix, num_features, affine] (affine as the source shows it). */
function layers(body: string, head = torchHead) {
  const found = discoverLayers(`${head}${body}`, { model: 'Net' });
  return {
    layers: found.layers.map((l) => [l.prefix, l.config.num_features ?? null, l.config.affine ?? null]),
    maybe: found.maybe.map((l) => l.prefix),
    unplaced: found.unplaced.map((u) => u.line),
  };
}

const block = `
class Block(nn.Module):
    def __init__(self, c=8):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3)
        self.norm = nn.InstanceNorm2d(c, affine=True)
`;

describe('comprehensions in containers', () => {
  test.each([
    ['nn.ModuleList([Block() for _ in range(3)])'],
    ['nn.Sequential(*[Block() for _ in range(3)])'],
    ['nn.ModuleList(Block() for _ in range(3))'],
    ['nn.Sequential(*(Block() for i in range(3)))'],
    ['nn.ModuleList([Block(c) for c in [8, 8, 8]])'],
  ])('self.blocks = %s: blocks.0.norm to blocks.2.norm (the count is in the source)', (container) => {
    const source = `${block}\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.blocks = ${container}\n`;
    expect(layers(source).layers).toEqual([
      ['blocks.0.norm', 8, true],
      ['blocks.1.norm', 8, true],
      ['blocks.2.norm', 8, true],
    ]);
  });

  test('a count the source does not show gives a pattern: blocks.*.norm', () => {
    const source = `${block}\nclass Net(nn.Module):\n    def __init__(self, n_blocks):\n        super().__init__()\n        self.blocks = nn.ModuleList([Block(16) for _ in range(n_blocks)])\n`;
    expect(layers(source).layers).toEqual([['blocks.*.norm', 16, true]]);
  });

  test("MindSpore's SequentialCell and CellList", () => {
    const source = [
      'import mindspore.nn as nn',
      'class Net(nn.Cell):',
      '    def __init__(self, depth):',
      '        super().__init__()',
      '        self.stem = nn.SequentialCell([nn.Conv2d(3, 8, 3), nn.InstanceNorm2d(8)])',
      '        self.cells = nn.CellList([nn.InstanceNorm2d(8) for _ in range(depth)])',
      '',
    ].join('\n');
    expect(layers(source, '').layers).toEqual([
      ['stem.1', 8, true],
      ['cells.*', 8, true],
    ]);
  });
});

describe('lists built with append and += and spread into Sequential', () => {
  const resnet = (loop: string) => `
class Net(nn.Module):
    def __init__(self, n_blocks=6, ngf=64):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
        for i in ${loop}:
            mult = 2 ** i
            layers += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2), nn.InstanceNorm2d(ngf * mult * 2), nn.ReLU(True)]
        layers.append(nn.Conv2d(ngf * 4, 3, 7))
        layers.append(nn.InstanceNorm2d(3, affine=True))
        self.model = nn.Sequential(*layers)
`;

  test('a loop over range(2): every index as PyTorch numbers them, num_features computed', () => {
    expect(layers(resnet('range(2)')).layers).toEqual([
      ['model.2', 64, false],
      ['model.5', 128, false],
      ['model.8', 256, false],
      ['model.11', 3, true],
    ]);
  });

  test('a loop over an unknown count: the indices from the loop on are patterns', () => {
    expect(layers(resnet('range(self.n_down)')).layers).toEqual([
      ['model.2', 64, false],
      ['model.*', null, false],
      ['model.*', 3, true],
    ]);
  });

  test('extend, insert, a list kept on self and returned by a helper method (torchvision _make_layer)', () => {
    const source = `${block}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = self._make_layer(2)
        self.head = nn.Sequential()
        self.head.add_module('norm', nn.InstanceNorm2d(4))

    def _make_layer(self, blocks):
        layers = []
        layers.extend([Block(4), nn.ReLU()])
        for _ in range(1, blocks):
            layers.append(Block(4))
        return nn.Sequential(*layers)
`;
    expect(layers(source).layers).toEqual([
      ['layer1.0.norm', 4, true],
      ['layer1.2.norm', 4, true],
      ['head.norm', 4, false],
    ]);
  });

  test('a plain list on self is not registered by PyTorch: its layers are listed as unplaced', () => {
    const source = 'class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.norms = [nn.InstanceNorm2d(4)]\n';
    expect(layers(source)).toEqual({ layers: [], maybe: [], unplaced: [6] });
  });
});

describe('add_module and setattr with computed names', () => {
  test.each([
    ["self.add_module(f'norm{i}', nn.InstanceNorm1d(4))"],
    ["setattr(self, 'norm%d' % i, nn.InstanceNorm1d(4))"],
    ["setattr(self, 'norm{}'.format(i), nn.InstanceNorm1d(4))"],
    ["self.add_module('norm' + str(i), nn.InstanceNorm1d(4))"],
  ])('for i in range(1, 3): %s gives norm1, norm2; over an unknown count norm*', (register) => {
    const known = `class Net(nn.Module):\n    def __init__(self, n):\n        super().__init__()\n        for i in range(1, 3):\n            ${register}\n`;
    expect(layers(known).layers.map(([p]) => p)).toEqual(['norm1', 'norm2']);
    expect(layers(known.replace('range(1, 3)', 'range(n)')).layers.map(([p]) => p)).toEqual(['norm*']);
  });

  test('a loop over a list of names and enumerate', () => {
    const source = `class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        for i, (name, c) in enumerate([('a', 4), ('b', 8)]):\n            self.add_module(f'{name}_norm{i}', nn.InstanceNorm1d(c))\n`;
    expect(layers(source).layers).toEqual([
      ['a_norm0', 4, false],
      ['b_norm1', 8, false],
    ]);
  });
});

describe('norm factories', () => {
  test('functools.partial as a default argument, passed down to a block', () => {
    const source = `
class Block(nn.Module):
    def __init__(self, c, norm_layer=nn.BatchNorm2d):
        super().__init__()
        self.bn = norm_layer(c)

class Net(nn.Module):
    def __init__(self, norm_layer=functools.partial(nn.InstanceNorm2d, affine=True, track_running_stats=False)):
        super().__init__()
        self.norm = norm_layer(32)
        self.block = Block(16, norm_layer=norm_layer)
`;
    expect(layers(source).layers).toEqual([
      ['norm', 32, true],
      ['block.bn', 16, true],
    ]);
  });

  test('a get_norm_layer helper returning a partial or a class, chosen by a string', () => {
    const source = `
def get_norm_layer(norm_type='instance'):
    if norm_type == 'batch':
        norm_layer = functools.partial(nn.BatchNorm2d, affine=True)
    elif norm_type == 'instance':
        norm_layer = functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)
    elif norm_type == 'plain':
        norm_layer = nn.InstanceNorm2d
    else:
        raise NotImplementedError(norm_type)
    return norm_layer

class Net(nn.Module):
    def __init__(self, ngf=64):
        super().__init__()
        norm_layer = get_norm_layer('instance')
        self.model = nn.Sequential(nn.Conv2d(3, ngf, 7), norm_layer(ngf), nn.ReLU(True))
        self.extra = get_norm_layer(norm_type='plain')(ngf * 2, affine=True)
`;
    const found = layers(source);
    expect(found.layers).toEqual([
      ['model.1', 64, false],
      ['extra', 128, true],
    ]);
    // the partial that made model.1 and the class that made extra are both placed; BatchNorm is a
    // registered family, and the 'batch' branch's partial (line 6) is never taken: unplaced
    expect(found.unplaced).toEqual([6]);
  });

  test('torchvision style: norm_layer=None replaced by a class; a class kept on self', () => {
    const source = `
class Net(nn.Module):
    def __init__(self, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.InstanceNorm2d
        self._norm_layer = norm_layer
        self.bn1 = norm_layer(64)
        self.bn2 = self._norm_layer(64, affine=True)
`;
    expect(layers(source).layers).toEqual([
      ['bn1', 64, false],
      ['bn2', 64, true],
    ]);
  });

  test('a choice the source does not decide makes the layer a maybe, never a guess', () => {
    const source = `
class Net(nn.Module):
    def __init__(self, use_instance):
        super().__init__()
        norm = nn.InstanceNorm2d if use_instance else nn.BatchNorm2d
        self.norm = norm(8)
        if use_instance:
            self.extra = nn.InstanceNorm2d(8)
`;
    expect(layers(source)).toEqual({ layers: [], maybe: ['norm', 'extra'], unplaced: [] });
  });
});

describe('the issue: a model of blocks in a ModuleList', () => {
  const source = `import torch.nn as nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3)
        self.norm = nn.InstanceNorm2d(4, affine=True)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block() for _ in range(3)])
`;
  test('Net is the model (Block is used by it), with its three layers', () => {
    const found = discoverLayers(source);
    expect(found.model).toBe('Net');
    expect(found.layers.map((l) => l.prefix)).toEqual(['blocks.0.norm', 'blocks.1.norm', 'blocks.2.norm']);
    expect(found.unplaced).toEqual([]);
  });
});

describe('control flow', () => {
  test('a branch that returns does not flow on; raise ends a path; an undecided early return makes the result a union', () => {
    const source = `
def pick(kind):
    if kind == 'batch':
        return nn.BatchNorm2d
    norm = nn.InstanceNorm2d
    if kind == 'plain':
        norm = functools.partial(nn.InstanceNorm2d, affine=True)
    elif kind == 'bad':
        raise ValueError(kind)
    return norm

class Net(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.a = pick('instance')(4)
        self.b = pick('plain')(4)
        self.c = pick(kind)(4)
`;
    const found = layers(source);
    expect(found.layers).toEqual([
      ['a', 4, false],
      ['b', 4, true],
    ]);
    expect(found.maybe).toEqual(['c']);
  });
});

test('the model is the class nothing else uses, or failing that the class no other class uses (a build function may use it)', () => {
  const source = `${torchHead}${block}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block() for _ in range(2)])

def build_model():
    return Net()
`;
  const found = discoverLayers(source);
  expect([found.model, found.layers.map((l) => l.prefix)]).toEqual(['Net', ['blocks.0.norm', 'blocks.1.norm']]);
});
