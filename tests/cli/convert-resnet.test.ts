/**
 * The two-family checkpoints saved by real PyTorch 1.13 (tests/fixtures/gen_torch_models.py:
 * seeded random weights and running statistics), end to end through the CLI as a porting user
 * runs it: `convert resnet.pt resnet.ckpt --source resnet.py`, the MindSpore layers load the result
 * and compute what the PyTorch layers compute with the original weights (within 1e-6 relative), and converting back gives
 * a state_dict every PyTorch layer loads strictly.
 *
 * The MindSpore layers are built as `port resnet.py --to mindspore` writes them (tests/porting/
 * cli.test.ts): `nn.BatchNorm2d(C)` with MindSpore's defaults, whose momentum 0.9 is PyTorch's 0.1
 * (the moving average keeps `momentum` of the old value: nn/layer/normalization.py@v2.6.0:110
 * passes `1.0 - momentum` to ops.BatchNorm as the weight of the batch's statistics). So training one
 * step must also move the running statistics alike.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor';
import { construct, runLayer, setTraining, type FacadeLayer, type TorchLayer } from '../../src/families';
import { loadLayerWeights } from '../../src/families/weights';
import { readStateDict } from '../../src/io/formats';
import type { StateDict } from '../../src/io/formats/types';
import { maxAbsDiff } from '../helpers/close';
import { runCli } from '../helpers/io';
import { modelCases, type ModelLayer } from '../helpers/torch-fixtures';
import { mulberry32, normals } from '../helpers/random';

const FIXTURES = join(__dirname, '..', 'fixtures');
const TORCH = join(FIXTURES, 'torch');
const MODELS = join(FIXTURES, 'models');

const layersOf = (file: string) => modelCases().find((c) => c.file === file)!.layers;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'convert-resnet-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const convert = (...argv: string[]) => runCli(['convert', ...argv]);

/** The layer's own tensors, named as the layer itself names them (`weight`, `bn2d.gamma`). */
function own(sd: StateDict, prefix: string): Record<string, Tensor> {
  return Object.fromEntries([...sd].filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, t]) => [k.slice(prefix.length + 1), t]));
}

function torchLayer(l: ModelLayer): TorchLayer {
  return construct('torch', l.api, l.num_features, { affine: l.affine, track_running_stats: l.track_running_stats });
}

/** As `port` writes a PyTorch layer: the class and its options, MindSpore's defaults otherwise. */
function mindsporeLayer(l: ModelLayer): FacadeLayer {
  return construct('mindspore', l.api, l.num_features, { affine: l.affine });
}

function input(l: ModelLayer, seed: number): Tensor {
  const spatial = l.api.endsWith('1d') ? [5] : l.api.endsWith('2d') ? [5, 5] : [3, 4, 4];
  const shape = [2, l.num_features, ...spatial];
  return Tensor.from(normals(mulberry32(seed), shape.reduce((a, b) => a * b), 2, 0.5), { dtype: 'float32' }).reshape(shape);
}

/**
 * The largest |a - b| / max(1, |b|): outputs near 10 are 1 float32 ulp (9.5e-7) apart where
 * MindSpore's facade rounds once (float64) and ATen's float steps round on the way.
 */
function relativeDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < b.size; i++) worst = Math.max(worst, Math.abs(Number(a.data[i]) - Number(b.data[i])) / Math.max(1, Math.abs(Number(b.data[i]))));
  return worst;
}

const statistics = (layer: FacadeLayer) =>
  'forward' in layer
    ? [layer.state_dict().running_mean, layer.state_dict().running_var]
    : [...layer.parameters_and_names()].filter(([name]) => /moving_(mean|variance)$/.test(name)).map(([, p]) => p.data);

describe.each([
  ['resnet.pt', 'resnet.py', 'ResNet'],
  ['video.pt', 'video.py', 'VideoStem'],
])('%s -> MindSpore with --source %s', (checkpoint, source, model) => {
  const layers = layersOf(source);
  const torchSd = readStateDict(join(TORCH, checkpoint));

  test('every layer gets its MindSpore names (BatchNorm3d in bn2d), the values unchanged, the batch count dropped', async () => {
    const out = join(dir, 'm.ckpt');
    const r = await convert(join(TORCH, checkpoint), out, '--source', join(MODELS, source), '--model', model);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const ms = readStateDict(out);
    for (const l of layers) {
      const at = l.api === 'BatchNorm3d' ? `${l.prefix}.bn2d` : l.prefix;
      const pairs: [string, string][] = [
        ['running_mean', 'moving_mean'],
        ['running_var', 'moving_variance'],
        ...(l.affine ? ([['weight', 'gamma'], ['bias', 'beta']] as [string, string][]) : []),
      ].filter(([t]) => torchSd.has(`${l.prefix}.${t}`)) as [string, string][];
      for (const [t, m] of pairs) expect([`${at}.${m}`, [...ms.get(`${at}.${m}`)!.data]]).toEqual([`${at}.${m}`, [...torchSd.get(`${l.prefix}.${t}`)!.data]]);
      expect(ms.has(`${l.prefix}.num_batches_tracked`)).toBe(false);
      expect(ms.has(`${l.prefix}.running_mean`)).toBe(false);
    }
  });

  test('the MindSpore layers compute what the PyTorch layers compute (within 1e-6 relative), in eval and for a training step', async () => {
    const out = join(dir, 'm.ckpt');
    expect((await convert(join(TORCH, checkpoint), out, '--source', join(MODELS, source), '--model', model)).code).toBe(0);
    const ms = readStateDict(out);
    for (const [i, l] of layers.entries()) {
      if (l.api.startsWith('InstanceNorm') && l.track_running_stats) continue; // MindSpore's InstanceNorm never uses statistics in eval: the report warns (tests/porting/convert.test.ts)
      const t = torchLayer(l);
      t.load_state_dict(own(torchSd, l.prefix) as never);
      const m = mindsporeLayer(l);
      loadLayerWeights(m, own(ms, l.prefix));
      const x = input(l, i);
      setTraining(t, false);
      setTraining(m, false);
      const evalOut = runLayer(t, x);
      expect([l.prefix, relativeDiff(runLayer(m, x), evalOut) <= 1e-6]).toEqual([l.prefix, true]);
      // the converted weights did something: a fresh MindSpore layer computes otherwise
      expect(maxAbsDiff(runLayer(mindsporeLayer(l), x), evalOut)).toBeGreaterThan(1e-3);
      setTraining(t, true);
      setTraining(m, true);
      expect([l.prefix, relativeDiff(runLayer(m, x), runLayer(t, x)) <= 1e-6]).toEqual([l.prefix, true]);
      if (!l.track_running_stats) continue; // PyTorch keeps none to compare
      const [tStats, mStats] = [statistics(t), statistics(m)];
      expect(mStats).toHaveLength(2);
      for (const [k, s] of tStats.entries()) expect([l.prefix, k, maxAbsDiff(mStats[k], s) <= 1e-6]).toEqual([l.prefix, k, true]);
    }
  });

  test('and back: every PyTorch layer loads the result strictly, with the original values but the batch count', async () => {
    const ms = join(dir, 'm.ckpt');
    const back = join(dir, 'back.pt');
    expect((await convert(join(TORCH, checkpoint), ms, '--source', join(MODELS, source), '--model', model)).code).toBe(0);
    const r = await convert(ms, back, '--source', join(MODELS, source), '--model', model);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const sd = readStateDict(back);
    expect([...sd.keys()].sort()).toEqual([...torchSd.keys()].sort());
    for (const l of layers) {
      const t = torchLayer(l);
      // strict: every key the layer has, and no other
      t.load_state_dict(own(sd, l.prefix) as never);
      for (const [name, tensor] of Object.entries(own(torchSd, l.prefix))) {
        expect([l.prefix, name, [...sd.get(`${l.prefix}.${name}`)!.data]]).toEqual([l.prefix, name, name === 'num_batches_tracked' ? [0n] : [...tensor.data]]);
      }
    }
  });
});

describe('--layer on resnet.pt', () => {
  test('from MindSpore too: BatchNorm3d cells left out are named once each, at the layer (bn1), not at its bn2d child', async () => {
    const ms = join(dir, 'v.ckpt');
    expect((await convert(join(TORCH, 'video.pt'), ms, '--source', join(MODELS, 'video.py'))).code).toBe(0);
    const r = await convert(ms, join(dir, 'v.pt'), '--layer', 'norm:track:InstanceNorm3d');
    expect(r.code).toBe(2);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems.map((l) => l.split(' has ')[0])).toEqual(['  - layer bn1', '  - layer bn2']);
    expect(problems[0]).toContain('has the tensors of a MindSpore BatchNorm layer, but no declared layer covers it, so it would pass through with MindSpore names');
    expect(existsSync(join(dir, 'v.pt'))).toBe(false);
  });

  test('a bare prefix exits 2 asking for the class (two families have these tensor names); nothing written', async () => {
    const out = join(dir, 'r.ckpt');
    const r = await convert(join(TORCH, 'resnet.pt'), out, '--layer', 'bn1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the layer's class is needed");
    expect(r.stderr).toContain('name it (--layer bn1:CLASS');
    expect(existsSync(out)).toBe(false);
  });

  test("a pattern that misses the stem and the downsample norms exits 2 naming them; with them all it equals --source", async () => {
    const out = join(dir, 'p.ckpt');
    const missed = await convert(join(TORCH, 'resnet.pt'), out, '--layer', 'layer*.*.bn*:BatchNorm2d');
    expect(missed.code).toBe(2);
    expect(missed.stderr).toContain('layer bn1 has the tensors of a PyTorch InstanceNorm or BatchNorm layer, but no declared layer covers it');
    expect(missed.stderr).toContain('layer layer2.0.downsample.1 has the tensors');
    expect(readdirSync(dir)).toEqual([]);
    const all = ['bn1:BatchNorm2d', 'layer*.*.bn*:BatchNorm2d', 'layer*.*.downsample.1:BatchNorm2d', 'style:affine:InstanceNorm2d'].flatMap((l) => ['--layer', l]);
    const r = await convert(join(TORCH, 'resnet.pt'), out, ...all, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.layers).toHaveLength(layersOf('resnet.py').length);
    const viaSource = join(dir, 's.ckpt');
    expect((await convert(join(TORCH, 'resnet.pt'), viaSource, '--source', join(MODELS, 'resnet.py'))).code).toBe(0);
    const [a, b] = [readStateDict(out), readStateDict(viaSource)];
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, t] of b) expect([k, [...a.get(k)!.data]]).toEqual([k, [...t.data]]);
  });
});
