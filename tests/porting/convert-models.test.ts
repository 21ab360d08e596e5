/**
 * Whole checkpoints saved by real PyTorch 1.13 (tests/fixtures/gen_torch_models.py), converted as
 * `convert --source model.py` does, for every layer family the registry has: the layers are the
 * ones torch registers of mapping.json's classes (models/expected.json, written by real torch), the
 * MindSpore names are those the MindSpore facade's own cells give a layer of that class at that
 * prefix (`parameters_and_names`, as `update_parameters_name` names nested Parameters:
 * nn/cell.py@v2.6.0:2018-2031), every other key passes through as it was, and converting back
 * gives the PyTorch checkpoint again (but the batch count, which MindSpore does not keep).
 *
 * Nothing here names a family: the ResNet-style model (BatchNorm2d stages and an InstanceNorm2d
 * head) and the video stem (BatchNorm3d, whose MindSpore Parameters live in `bn2d`, and an
 * InstanceNorm3d) convert their InstanceNorm layers today, and all their layers once BatchNorm is
 * registered and the fixtures are generated again.
 */
import { join } from 'node:path';
import { construct } from '../../src/families';
import { readStateDict } from '../../src/io/formats';
import { convertStateDict } from '../../src/porting/convert';
import { layersFromSource } from '../../src/porting/python/layer-specs';
import { modelCases } from '../helpers/torch-fixtures';

const FIXTURES = join(__dirname, '..', 'fixtures');

const CHECKPOINTS: [string, string, string][] = [
  ['resnet.pt', 'resnet.py', 'ResNet'],
  ['video.pt', 'video.py', 'VideoStem'],
];

/** The state_dict keys of the layer at `prefix`: its own tensors, not those of a deeper module. */
const keysOf = (keys: readonly string[], prefix: string) => keys.filter((k) => k.startsWith(`${prefix}.`) && !k.slice(prefix.length + 1).includes('.'));

describe.each(CHECKPOINTS)('%s with its source %s (model %s)', (checkpoint, source, model) => {
  const torchSd = readStateDict(join(FIXTURES, 'torch', checkpoint));
  const { layers: torchLayers, keys } = modelCases().find((c) => c.file === source && c.model === model)!;
  const specs = layersFromSource(join(FIXTURES, 'models', source), model).specs;

  test('the source names the layers torch registers, with their classes', () => {
    expect([...torchSd.keys()]).toEqual(keys);
    expect(torchLayers.length).toBeGreaterThan(0);
    expect(specs.map((s) => [s.prefix, s.api])).toEqual(torchLayers.map((l) => [l.prefix, l.api]));
  });

  test('to MindSpore: each layer gets the names a MindSpore cell of its class has there; the rest passes through as it was', () => {
    const { stateDict, report } = convertStateDict(torchSd, { to: 'mindspore', layers: specs });
    const layerKeys = new Set(torchLayers.flatMap((l) => keysOf(keys, l.prefix)));
    const others = keys.filter((k) => !layerKeys.has(k));
    expect(report.passedThrough).toEqual(others);
    for (const k of others) expect(stateDict.get(k)).toBe(torchSd.get(k));
    const names = torchLayers.flatMap((l) => [...construct('mindspore', l.api, l.num_features).parameters_and_names(l.prefix)].map(([name]) => name));
    expect([...stateDict.keys()].filter((k) => !others.includes(k)).sort()).toEqual([...names].sort());
    expect(report.layers.map((l) => [l.prefix, l.api])).toEqual(torchLayers.map((l) => [l.prefix, l.api]));
  });

  test('and back: the PyTorch checkpoint again, but the batch count MindSpore does not keep', () => {
    const ms = convertStateDict(torchSd, { to: 'mindspore', layers: specs }).stateDict;
    const { stateDict, report } = convertStateDict(ms, { to: 'torch', layers: specs });
    expect([...stateDict.keys()].sort()).toEqual([...keys].sort());
    const layerKeys = new Set(torchLayers.flatMap((l) => keysOf(keys, l.prefix)));
    for (const [k, t] of torchSd) {
      if (layerKeys.has(k) && k.endsWith('num_batches_tracked')) expect([k, stateDict.get(k)!.item()]).toEqual([k, 0]);
      else expect([k, [...stateDict.get(k)!.data]]).toEqual([k, [...t.data]]);
    }
    const counted = report.layers.flatMap((l) => l.filled).filter((f) => f.name.endsWith('num_batches_tracked'));
    for (const f of counted) expect(f.reason).toMatch(/^MindSpore counts no batches, so the checkpoint cannot say how many PyTorch would have counted/);
  });
});
