/**
 * `convert --source model.py`: the InstanceNorm layers come from the model's source, and give the
 * same conversion as naming them with --layer.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { readStateDict } from '../../src/io/formats';
import { layerSpec, layersFromSource } from '../../src/porting/python/layer-specs';
import { modelLayers } from '../../src/porting/python/layers';
import { capture } from '../helpers/io';

const MODEL_PT = join(__dirname, '..', 'fixtures', 'formats', 'model.pt');
const NET = join(__dirname, 'fixtures', 'net_torch.py');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'convert-source-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function same(a: string, b: string): void {
  const x = readStateDict(a);
  const y = readStateDict(b);
  expect([...x.keys()]).toEqual([...y.keys()]);
  for (const [k, t] of x) expect([k, [...y.get(k)!.data]]).toEqual([k, [...t.data]]);
}

describe('convert --source', () => {
  test('layer specs: prefix and the options the call shows for sure', () => {
    expect(layersFromSource(NET).specs).toEqual([expect.objectContaining({ prefix: 'enc.norm1', options: { affine: true, track_running_stats: true }, num_features: 4 })]);
    // the model's own **kwargs could set affine (whoever builds it may pass anything): only what the source shows is passed on.
    const [layer] = modelLayers('import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, **kw):\n        self.n = nn.InstanceNorm1d(8, eps=1e-3, **kw)\n');
    expect(layerSpec(layer)).toEqual({ prefix: 'n', num_features: 8, api: 'InstanceNorm1d' });
  });

  test('torch .pt -> MindSpore .ckpt with --source equals --layer enc.norm1, and says where the layers came from', async () => {
    const viaSource = join(dir, 'a.ckpt');
    const viaLayer = join(dir, 'b.ckpt');
    const io = capture();
    expect(await main(['convert', MODEL_PT, viaSource, '--source', NET], io)).toBe(0);
    expect(io.stdout).toContain(`InstanceNorm/BatchNorm layers of Net (built with its defaults) in ${NET}: enc.norm1`);
    expect(io.stdout).toContain('renamed  enc.norm1.running_mean -> enc.norm1.moving_mean');
    expect(await main(['convert', MODEL_PT, viaLayer, '--layer', 'enc.norm1:InstanceNorm1d'], capture())).toBe(0);
    same(viaSource, viaLayer);
  });

  test('back to torch: the torch model source supplies track_running_stats=True (as --layer enc.norm1:track does)', async () => {
    const ckpt = join(dir, 'm.ckpt');
    expect(await main(['convert', MODEL_PT, ckpt, '--source', NET], capture())).toBe(0);
    const io = capture();
    const back = join(dir, 'back.safetensors');
    expect(await main(['convert', ckpt, back, '--to', 'torch', '--source', NET, '--model', 'Net', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.source).toMatchObject({ path: NET, model: 'Net', layers: [{ prefix: 'enc.norm1', options: { affine: true, track_running_stats: true } }], unplaced: [] });
    expect(report.report.layers[0].filled).toEqual([expect.objectContaining({ name: 'enc.norm1.num_batches_tracked' })]);
    const byLayer = join(dir, 'byLayer.safetensors');
    expect(await main(['convert', ckpt, byLayer, '--to', 'torch', '--layer', 'enc.norm1:track:InstanceNorm1d'], capture())).toBe(0);
    same(back, byLayer);
  });

  test('a --layer for a prefix the source gives overrides its options but keeps the class the source says', async () => {
    const io = capture();
    expect(await main(['convert', MODEL_PT, join(dir, 'o.ckpt'), '--source', NET, '--layer', 'enc.norm1:affine:track', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).report.layers[0]).toMatchObject({ prefix: 'enc.norm1', family: 'InstanceNorm', api: 'InstanceNorm1d', origin: '--layer' });
  });

  test('errors: --model without --source, an unknown class, a source without layers; no output written', async () => {
    const out = join(dir, 'x.ckpt');
    let io = capture();
    expect(await main(['convert', MODEL_PT, out, '--model', 'Net'], io)).toBe(2);
    expect(io.stderr).toMatch(/--model names a class of the --source model file/);
    io = capture();
    expect(await main(['convert', MODEL_PT, out, '--source', NET, '--model', 'Nope'], io)).toBe(2);
    expect(io.stderr).toMatch(/KeyError: model class 'Nope' is not defined in the source; classes: Encoder, Net/);
    io = capture();
    expect(await main(['convert', MODEL_PT, out, '--source', join(__dirname, 'fixtures', 'literal_calls_torch.py')], io)).toBe(2);
    expect(io.stderr).toMatch(/has no InstanceNorm\/BatchNorm layers/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
