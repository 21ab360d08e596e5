/**
 * The conversion knows no family: names, fills, drops and warnings follow a layer's class through
 * mapping.json (src/porting/kinds.ts). Proved here on mapping copies (tests/helpers/mapping-file.ts)
 * that give InstanceNorm's classes what another family has, before any other family is registered:
 *
 * - a class whose MindSpore Parameters live in a child cell (`mindsporeChild`, as BatchNorm3d keeps
 *   them in a BatchNorm2d named `bn2d`: mindspore/nn/layer/normalization.py@v2.6.0:456). The expected
 *   names are those of the MindSpore facade's own BatchNorm3d (src/mindspore/batchnorm.ts), whose
 *   cells name Parameters as MindSpore's `update_parameters_name` does (cell.py@v2.6.0:1410-1416):
 *   `bn2d.moving_mean` at the top level (not `mean`), `bn1.bn2d.moving_mean` nested;
 * - a family whose MindSpore eval() normalizes with its moving statistics and whose PyTorch layers
 *   track running statistics by default (BatchNorm's `use_batch_statistics=None` and
 *   `track_running_stats=True`).
 */
import { Tensor } from '../../src/core/tensor';
import { parseMapping, type Mapping } from '../../src/mapping';
import * as mindspore from '../../src/mindspore';
import { Cell, Parameter } from '../../src/mindspore/cell';
import { ConversionError, convertStateDict, formatReport, type LayerSpec } from '../../src/porting/convert';
import { classKind, layerKind } from '../../src/porting/kinds';
import { classIn, mappingFile, rowIn } from '../helpers/mapping-file';
import type { StateDict } from '../../src/io/formats';

/** mapping.json with InstanceNorm3d's MindSpore Parameters in a child cell `bn2d`. */
function childMapping(): Mapping {
  const json = mappingFile();
  classIn(json, 'InstanceNorm3d').cls.mindsporeChild = 'bn2d';
  return parseMapping(json, 'mapping copy');
}

/** mapping.json with InstanceNorm's statistics behaving as BatchNorm's: tracked by default in PyTorch, used by MindSpore's eval(). */
function trackingMapping(): Mapping {
  const json = mappingFile();
  const { family } = classIn(json, 'InstanceNorm1d');
  family.torch.args.find((a: { name: string }) => a.name === 'track_running_stats').default = 'True';
  for (const claim of rowIn(json, 'InstanceNorm1d', 'track_running_stats', null).claims) {
    if (claim.kind !== 'usesStatistics') continue;
    for (const c of claim.cases) if (c.framework === 'mindspore' && c.mode === 'eval') c.uses = 'running';
  }
  return parseMapping(json, 'mapping copy');
}

const torchLayer = (prefix: string, C = 3): [string, Tensor][] => [
  [`${prefix}weight`, Tensor.from(Array.from({ length: C }, (_, i) => 1 + i / 4))],
  [`${prefix}bias`, Tensor.from(Array.from({ length: C }, (_, i) => i / 8))],
  [`${prefix}running_mean`, Tensor.from(Array.from({ length: C }, (_, i) => -i / 2))],
  [`${prefix}running_var`, Tensor.from(Array.from({ length: C }, (_, i) => 1 + i))],
  [`${prefix}num_batches_tracked`, Tensor.full([], 7, 'int64')],
];

/** load_param_into_net with the converted tensors; every Parameter of the cell must load, and nothing else be left. */
function loadsInto(cell: Cell, sd: StateDict): void {
  const dict = new Map([...sd].map(([k, t]) => [k, new Parameter(t, k)]));
  const [notLoaded, unused] = mindspore.load_param_into_net(cell, dict, true);
  expect([notLoaded, unused]).toEqual([[], []]);
}

class Holder extends Cell {
  readonly bn1: mindspore.nn.BatchNorm3d;
  constructor(C: number) {
    super();
    this.bn1 = new mindspore.nn.BatchNorm3d(C);
  }
  construct(x: Tensor): Tensor {
    return this.bn1.construct(x);
  }
}

describe("a class whose MindSpore Parameters live in a child cell (mindsporeChild, BatchNorm3d's bn2d)", () => {
  const mapping = childMapping();
  const convert = (sd: StateDict, to: 'torch' | 'mindspore', layers: LayerSpec[], force = false) => convertStateDict(sd, { to, layers, mapping, force });

  test('nested: bn1.weight -> bn1.bn2d.gamma ..., the names of the facade BatchNorm3d, which loads them; and back', () => {
    const sd = new Map(torchLayer('bn1.'));
    const { stateDict, report } = convert(sd, 'mindspore', [{ prefix: 'bn1', api: 'InstanceNorm3d' }]);
    const holder = new Holder(3);
    expect([...stateDict.keys()]).toEqual([...holder.parameters_dict().keys()]);
    expect([...stateDict.keys()]).toEqual(['bn1.bn2d.moving_mean', 'bn1.bn2d.moving_variance', 'bn1.bn2d.gamma', 'bn1.bn2d.beta']);
    loadsInto(holder, stateDict);
    expect(report.layers[0].dropped).toEqual([{ name: 'bn1.num_batches_tracked', reason: expect.stringContaining('no counterpart') }]);
    expect(formatReport(report)).toContain('renamed  bn1.weight -> bn1.bn2d.gamma');
    const back = convert(stateDict, 'torch', [{ prefix: 'bn1', api: 'InstanceNorm3d', options: { track_running_stats: true } }]).stateDict;
    expect([...back.keys()]).toEqual([...sd.keys()]);
    for (const [k, t] of sd) if (!k.endsWith('num_batches_tracked')) expect([k, back.get(k)!.tolist()]).toEqual([k, t.tolist()]);
  });

  test('top level: the child makes the names nested (bn2d.moving_mean, not mean), as the facade BatchNorm3d has them', () => {
    const { stateDict } = convert(new Map(torchLayer('')), 'mindspore', [{ prefix: '', api: 'InstanceNorm3d' }]);
    const cell = new mindspore.nn.BatchNorm3d(3);
    expect([...stateDict.keys()]).toEqual([...cell.parameters_dict().keys()]);
    expect([...stateDict.keys()]).toEqual(['bn2d.moving_mean', 'bn2d.moving_variance', 'bn2d.gamma', 'bn2d.beta']);
    loadsInto(cell, stateDict);
    // the class without a child keeps the top-level Parameter names
    const plain = convert(new Map(torchLayer('')), 'mindspore', [{ prefix: '', api: 'InstanceNorm2d' }]).stateDict;
    expect([...plain.keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
  });

  test('a MindSpore checkpoint of the facade BatchNorm3d converts to PyTorch names', () => {
    const holder = new Holder(4);
    const sd: StateDict = new Map([...holder.parameters_dict()].map(([k, p]) => [k, p.data]));
    const { stateDict, report } = convert(sd, 'torch', [{ prefix: 'bn1', api: 'InstanceNorm3d' }]);
    expect([...stateDict.keys()]).toEqual(['bn1.weight', 'bn1.bias']);
    expect(report.layers[0].renamed[0]).toEqual({ from: 'bn1.bn2d.gamma', to: 'bn1.weight' });
    // without the class, the family is not enough: its classes name their MindSpore parameters differently
    expect(() => convert(sd, 'torch', [{ prefix: 'bn1', family: 'InstanceNorm' }])).toThrow(
      "convertStateDict: layer 'bn1': the layer's class is needed: the classes of InstanceNorm (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d) convert differently (InstanceNorm3d keeps its MindSpore parameters in 'bn2d'); name it (--layer bn1:CLASS, or the model's --source)",
    );
    expect(() => convert(sd, 'torch', [{ prefix: 'bn1' }])).toThrow(/the layer's class is needed/);
  });

  test('one model mixing classes with and without a child; patterns find the child layers; uncovered ones are a problem', () => {
    const sd = new Map([...torchLayer('a.'), ...torchLayer('blocks.0.b.'), ...torchLayer('blocks.1.b.')]);
    const layers: LayerSpec[] = [
      { prefix: 'a', api: 'InstanceNorm2d' },
      { prefix: 'blocks.*.b', api: 'InstanceNorm3d' },
    ];
    const ms = convert(sd, 'mindspore', layers).stateDict;
    expect([...ms.keys()].filter((k) => k.endsWith('gamma'))).toEqual(['a.gamma', 'blocks.0.b.bn2d.gamma', 'blocks.1.b.bn2d.gamma']);
    const { stateDict, report } = convert(ms, 'torch', layers);
    expect(report.layers.map((l) => [l.prefix, l.api, l.declared])).toEqual([
      ['a', 'InstanceNorm2d', undefined],
      ['blocks.0.b', 'InstanceNorm3d', 'blocks.*.b'],
      ['blocks.1.b', 'InstanceNorm3d', 'blocks.*.b'],
    ]);
    expect([...stateDict.keys()].filter((k) => k.endsWith('weight'))).toEqual(['a.weight', 'blocks.0.b.weight', 'blocks.1.b.weight']);
    // `b` declared (the class, as its source would say): the child keys under blocks.N.b look like it and would pass through
    expect(() => convert(ms, 'torch', [{ prefix: 'b', api: 'InstanceNorm3d' }])).toThrow(/2 layers \(blocks\.0\.b, blocks\.1\.b\), each, looks like the InstanceNorm layer 'b', but no declared layer covers it/);
    // the same keys are no layer of a class without a child
    expect(() => convert(ms, 'torch', [{ prefix: 'b', api: 'InstanceNorm2d' }])).toThrow(/^(?![\s\S]*looks like)[\s\S]*layer b matches no key/);
  });

  test('strays beside the child, the checkpoint of the other framework, and a layer that matches nothing', () => {
    const ms = convert(new Map(torchLayer('n.')), 'mindspore', [{ prefix: 'n', api: 'InstanceNorm3d' }]).stateDict;
    const stray = new Map([...ms, ['n.extra', Tensor.from([1, 2, 3])]]);
    expect(() => convert(stray, 'torch', [{ prefix: 'n', api: 'InstanceNorm3d' }])).toThrow(
      "layer n has 'n.extra', which is no MindSpore InstanceNorm tensor (expected bn2d.gamma, bn2d.beta, bn2d.moving_mean, bn2d.moving_variance)",
    );
    const deeper = new Map([...ms, ['n.other.w', Tensor.from([1])]]);
    expect(() => convert(deeper, 'torch', [{ prefix: 'n', api: 'InstanceNorm3d' }])).toThrow("has keys further below it (n.other.w): an InstanceNorm layer has no submodules but its MindSpore 'bn2d'");
    // PyTorch names under --to torch: said, whichever prefix the child makes the MindSpore names take
    expect(() => convert(new Map(torchLayer('n.')), 'torch', [{ prefix: 'n', api: 'InstanceNorm3d' }])).toThrow(/already has PyTorch names at n \(n\.weight, .*use --to mindspore/);
    expect(() => convert(ms, 'mindspore', [{ prefix: 'n', api: 'InstanceNorm3d' }])).toThrow(/already has MindSpore names at n \(n\.bn2d\.moving_mean, /);
    expect(() => convert(ms, 'torch', [{ prefix: 'm', api: 'InstanceNorm3d' }])).toThrow(/layer m matches no key of the checkpoint; nearest keys: n\.bn2d\.\{moving_mean, moving_variance, gamma, beta\}/);
  });
});

describe("a family whose statistics MindSpore's eval() uses and PyTorch tracks by default (BatchNorm's semantics)", () => {
  const mapping = trackingMapping();

  test('the option meanings come from the rows: torch default, MindSpore eval', () => {
    const [affine, track] = classKind('InstanceNorm1d', mapping).options;
    expect(affine).toMatchObject({ name: 'affine', role: 'parameters', torchDefault: false, mindsporeAppliesWhenOff: true });
    expect(track).toMatchObject({ name: 'track_running_stats', role: 'statistics', torchDefault: true, mindsporeEvalUsesThem: true });
    // the real mapping: InstanceNorm's MindSpore never uses moving statistics (normalization.py@v2.6.0 _InstanceNorm.construct)
    expect(classKind('InstanceNorm1d').options[1]).toMatchObject({ torchDefault: false, mindsporeEvalUsesThem: false });
    // statistics no claim speaks for: the mapping is incomplete, and that is said, not guessed
    const json = mappingFile();
    const row = rowIn(json, 'InstanceNorm1d', 'track_running_stats', null);
    row.claims = row.claims.filter((c: { kind: string }) => c.kind !== 'usesStatistics');
    expect(() => classKind('InstanceNorm1d', parseMapping(json, 'mapping copy'))).toThrow(
      "mapping.json: InstanceNorm1d: no usesStatistics claim says whether MindSpore's eval mode uses the statistics 'track_running_stats' keeps (running_mean, running_var, num_batches_tracked)",
    );
  });

  test('MindSpore -> torch: the running statistics are kept by default, and the batch count is filled saying it is not known', () => {
    const ms = new Map(torchLayer('n.').filter(([k]) => !k.endsWith('num_batches_tracked')).map(([k, t]) => [k.replace('weight', 'gamma').replace('bias', 'beta').replace('running_mean', 'moving_mean').replace('running_var', 'moving_variance'), t]));
    const { stateDict, report } = convertStateDict(ms, { to: 'torch', layers: [{ prefix: 'n', api: 'InstanceNorm1d' }], mapping });
    expect([...stateDict.keys()]).toEqual(['n.weight', 'n.bias', 'n.running_mean', 'n.running_var', 'n.num_batches_tracked']);
    expect(report.layers[0].target).toEqual({ affine: true, track_running_stats: true });
    expect(report.layers[0].filled).toEqual([
      { name: 'n.num_batches_tracked', value: 0, shape: [], reason: "MindSpore counts no batches, so the checkpoint cannot say how many PyTorch would have counted: 0 (a new layer's count) is written" },
    ]);
    expect(report.layers[0].warnings).toEqual([]);
    // the real InstanceNorm: not tracked by default, and tracking warns that MindSpore never used the statistics
    const real = convertStateDict(ms, { to: 'torch', layers: [{ prefix: 'n', api: 'InstanceNorm1d', options: { track_running_stats: true } }] }).report.layers[0];
    expect(real.warnings).toEqual([expect.stringContaining('MindSpore never did (its moving statistics stay at their initial values)')]);
    // declared untracked: dropped, and the eval difference said
    const untracked = convertStateDict(ms, { to: 'torch', layers: [{ prefix: 'n', api: 'InstanceNorm1d', options: { track_running_stats: false } }], mapping }).report.layers[0];
    expect(untracked.dropped.map((d) => d.reason)).toEqual(['the PyTorch layer has track_running_stats=False: it keeps no running statistics', 'the PyTorch layer has track_running_stats=False: it keeps no running statistics']);
    expect(untracked.warnings).toEqual([expect.stringMatching(/^MindSpore's eval\(\) normalizes with the moving statistics dropped here; PyTorch with track_running_stats=False/)]);
  });

  test('torch -> MindSpore: tracked statistics carry over without a warning; untracked ones are filled and the eval difference said', () => {
    const tracked = convertStateDict(new Map(torchLayer('n.')), { to: 'mindspore', layers: [{ prefix: 'n', api: 'InstanceNorm1d' }], mapping }).report.layers[0];
    expect(tracked.warnings).toEqual([]);
    const real = convertStateDict(new Map(torchLayer('n.')), { to: 'mindspore', layers: [{ prefix: 'n', api: 'InstanceNorm1d' }] }).report.layers[0];
    expect(real.warnings).toEqual([expect.stringContaining('MindSpore always uses the statistics of each input')]);
    const affineOnly = new Map(torchLayer('n.').slice(0, 2));
    const { report } = convertStateDict(affineOnly, { to: 'mindspore', layers: [{ prefix: 'n', api: 'InstanceNorm1d' }], mapping });
    expect(report.layers[0].filled.map((f) => [f.name, f.value, f.reason])).toEqual([
      ['n.moving_mean', 0, 'the PyTorch layer has track_running_stats=False; MindSpore always has moving statistics, and these are their initial values'],
      ['n.moving_variance', 1, 'the PyTorch layer has track_running_stats=False; MindSpore always has moving statistics, and these are their initial values'],
    ]);
    expect(report.layers[0].warnings).toEqual([expect.stringMatching(/^PyTorch with track_running_stats=False normalizes with the statistics of each input, in eval\(\) too; MindSpore's eval\(\) normalizes with its moving statistics \(here their initial values\)/)]);
  });
});

describe('layer specs are checked against their kind', () => {
  test('an option the family does not have, a class no family has, a class of another family than said', () => {
    expect(() => convertStateDict(new Map(), { to: 'mindspore', layers: [{ prefix: 'n', family: 'InstanceNorm', options: { elementwise_affine: true } }] })).toThrow(
      "convertStateDict: layer 'n': 'elementwise_affine' is not an option of InstanceNorm layers (affine, track_running_stats)",
    );
    expect(() => convertStateDict(new Map(), { to: 'mindspore', layers: [{ prefix: 'n', api: 'GroupNorm' }] })).toThrow(/layer 'n': unknown layer class "GroupNorm"; known: InstanceNorm1d, InstanceNorm2d, InstanceNorm3d/);
    expect(() => layerKind({ api: 'InstanceNorm1d', family: 'GroupNorm' })).toThrow('class InstanceNorm1d is of family InstanceNorm, not GroupNorm');
    expect(() => layerKind({ family: 'GroupNorm' })).toThrow(/^unknown layer family "GroupNorm"; known: InstanceNorm/);
    // the family alone is enough where its classes convert alike
    expect(layerKind({ family: 'InstanceNorm' })).toMatchObject({ family: 'InstanceNorm' });
    expect(layerKind({ family: 'InstanceNorm' }).api).toBeUndefined();
  });

  test('with force, the problems of a child layer are warnings and the tensors follow the checkpoint', () => {
    const mapping = childMapping();
    const ms = convertStateDict(new Map(torchLayer('n.')), { to: 'mindspore', layers: [{ prefix: 'n', api: 'InstanceNorm3d' }], mapping }).stateDict;
    ms.delete('n.bn2d.beta');
    expect(() => convertStateDict(ms, { to: 'torch', layers: [{ prefix: 'n', api: 'InstanceNorm3d' }], mapping })).toThrow(ConversionError);
    const { stateDict, report } = convertStateDict(ms, { to: 'torch', layers: [{ prefix: 'n', api: 'InstanceNorm3d' }], mapping, force: true });
    expect(report.problems).toEqual([{ layer: 'n', what: 'has no bn2d.beta, though MindSpore always saves all four parameters (with --force it is filled with the value that changes nothing)' }]);
    expect(stateDict.get('n.bias')!.tolist()).toEqual([0, 0, 0]);
  });
});
