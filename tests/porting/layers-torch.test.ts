/**
 * Source discovery against real PyTorch: for each model in tests/fixtures/models, built as
 * `convert --model` would name it, the layers of mapping.json's classes discovered from the source are exactly
 * the ones torch 1.13 registers (prefixes, classes, options), as tests/fixtures/gen_torch_models.py
 * recorded them from `named_modules()`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverLayers } from '../../src/porting/python/layers';
import { modelCases } from '../helpers/torch-fixtures';

const DIR = join(__dirname, '..', 'fixtures', 'models');

test.each(modelCases().map((c) => [c.file, c.model, c] as const))('%s, model %s: the layers torch registers', (file, model, c) => {
  const found = discoverLayers(readFileSync(join(DIR, file), 'utf8'), { model });
  const layers = found.layers.map((l) => ({ prefix: l.prefix, api: l.api, num_features: l.config.num_features, affine: l.config.affine, track_running_stats: l.config.track_running_stats }));
  expect(layers).toEqual(c.layers);
  expect(found.maybe).toEqual([]);
  // every discovered prefix owns keys of the real state_dict
  for (const l of found.layers.filter((x) => x.config.affine || x.config.track_running_stats)) expect(c.keys.some((k) => k.startsWith(`${l.prefix}.`))).toBe(true);
});

test("the generator as its class default builds it (norm_layer=nn.BatchNorm2d): torch's BatchNorm2d layers, and the factory's partials it did not reach", () => {
  // BatchNorm is a registered family, so the class default's layers are found (they used to be
  // none). Real torch 1.13: Generator(3, 3).named_modules() has these BatchNorm2d layers, all
  // with affine=True and track_running_stats=True (the class defaults), and no InstanceNorm.
  const found = discoverLayers(readFileSync(join(DIR, 'generator.py'), 'utf8'), { model: 'Generator' });
  const torchRegisters: [string, number][] = [
    ['model.2', 8],
    ['model.5', 16],
    ['model.8', 32],
    ['model.10.body.2', 32],
    ['model.10.body.6', 32],
    ['model.11.body.2', 32],
    ['model.11.body.6', 32],
    ['model.12.body.2', 32],
    ['model.12.body.6', 32],
    ['model.14', 16],
    ['model.17', 8],
  ];
  expect(found.layers.map((l) => ({ prefix: l.prefix, api: l.api, num_features: l.config.num_features, affine: l.config.affine, track_running_stats: l.config.track_running_stats }))).toEqual(
    torchRegisters.map(([prefix, num_features]) => ({ prefix, api: 'BatchNorm2d', num_features, affine: true, track_running_stats: true })),
  );
  expect(found.maybe).toEqual([]);
  // norm_factory is never called here: neither of its partials (both registered classes) is reached
  expect(found.unplaced.map((u) => u.text)).toEqual(['functools.partial(nn.BatchNorm2d, affine=True)', 'functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=True)']);
});
