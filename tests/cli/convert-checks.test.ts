/**
 * `convert` on the layouts of the issue, with checkpoints saved by real PyTorch 1.13
 * (tests/fixtures/gen_torch_models.py): exit 0 only when the result is right for the declared
 * model; every other case exits 2 naming the layers and the nearest keys, and writes nothing,
 * unless --force (then the problems are warnings). Reports stay short: repeated lines are grouped.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStateDict } from '../../src/io/formats';
import { runCli } from '../helpers/io';

const TORCH = join(__dirname, '..', 'fixtures', 'torch');
const MODELS = join(__dirname, '..', 'fixtures', 'models');
const FORMATS = join(__dirname, '..', 'fixtures', 'formats');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'convert-checks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const convert = (...argv: string[]) => runCli(['convert', ...argv]);

describe('layers from the model source', () => {
  test('blocks in a ModuleList comprehension: every blocks.N.norm and tail.N.norm is converted, nothing left behind', async () => {
    const out = join(dir, 'blocks.ckpt');
    const r = await convert(join(TORCH, 'blocks.pt'), out, '--source', join(MODELS, 'blocks.py'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('InstanceNorm/BatchNorm layers of Net (built with its defaults) in');
    expect(r.stdout).toContain(': blocks.0.norm, blocks.1.norm, blocks.2.norm, tail.0.norm, tail.1.norm\n');
    // five layers converted alike are one block of lines
    expect(r.stdout).toContain("5 layers (blocks.0.norm, blocks.1.norm, blocks.2.norm, tail.0.norm, tail.1.norm) -> MindSpore InstanceNorm with affine=True\n  renamed  <layer>.weight -> <layer>.gamma");
    const keys = [...readStateDict(out).keys()];
    expect(keys.filter((k) => k.includes('norm'))).toEqual(
      ['blocks.0', 'blocks.1', 'blocks.2', 'tail.0', 'tail.1'].flatMap((b) => ['moving_mean', 'moving_variance', 'gamma', 'beta'].map((n) => `${b}.norm.${n}`)),
    );
    expect(keys.some((k) => /norm\.(weight|bias)$/.test(k))).toBe(false);
    // --model Net names the same class
    expect((await convert(join(TORCH, 'blocks.pt'), join(dir, 'b2.ckpt'), '--source', join(MODELS, 'blocks.py'), '--model', 'Net')).code).toBe(0);
  });

  test('the wrong class (--model Block): its layer matches nothing and the real layers would pass through: exit 2, nothing written', async () => {
    const out = join(dir, 'wrong.ckpt');
    const r = await convert(join(TORCH, 'blocks.pt'), out, '--source', join(MODELS, 'blocks.py'), '--model', 'Block');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layer norm (');
    expect(r.stderr).toMatch(/matches no key of the checkpoint; nearest keys: (tail|blocks)\.\d\.norm\.\{weight, bias\}/);
    expect(r.stderr).toMatch(/5 layers \(blocks\.0\.norm, blocks\.1\.norm, blocks\.2\.norm, tail\.0\.norm, tail\.1\.norm\), each, looks like the InstanceNorm layer 'norm'/);
    expect(existsSync(out)).toBe(false);
    // --force writes it, with the problems as warnings
    const forced = await convert(join(TORCH, 'blocks.pt'), out, '--source', join(MODELS, 'blocks.py'), '--model', 'Block', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^warning \(--force\): layer norm .* matches no key/m);
    expect(forced.stdout).toMatch(/^warning \(--force\): 5 layers .*, each, looks like the InstanceNorm layer 'norm'/m);
  });

  test("a generator built by a call: --model \"build_generator(norm='instance')\"; eleven layers, one warning line", async () => {
    const out = join(dir, 'g.ckpt');
    const r = await convert(join(TORCH, 'generator.pt'), out, '--source', join(MODELS, 'generator.py'), '--model', "build_generator(norm='instance')");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("InstanceNorm/BatchNorm layers of build_generator(norm='instance') in");
    const warnings = r.stdout.split('\n').filter((l) => l.includes('warning:'));
    expect(warnings).toEqual(['  warning: PyTorch with track_running_stats=True normalizes with the running statistics in eval(); MindSpore always uses the statistics of each input, so outputs in eval mode differ']);
    expect(r.stdout).toMatch(/^11 layers \(model\.2, model\.5, model\.8, model\.10\.body\.2, model\.10\.body\.6, model\.11\.body\.2 and 5 more \(all with --verbose or --json\)\) -> MindSpore InstanceNorm with affine=False$/m);
    expect(r.stdout).toMatch(/^passed through unchanged \(24\): model\.1\.weight, model\.1\.bias, model\.4\.weight, model\.4\.bias, model\.7\.weight, model\.7\.bias and 18 more \(all with --verbose or --json\)$/m);
    const verbose = await convert(join(TORCH, 'generator.pt'), out, '--source', join(MODELS, 'generator.py'), '--model', "build_generator(norm='instance')", '--verbose');
    expect(verbose.stdout).toContain('model.14, model.17) -> MindSpore');
    expect(verbose.stdout).toContain('model.20.weight, model.20.bias\n');
    const json = await convert(join(TORCH, 'generator.pt'), out, '--source', join(MODELS, 'generator.py'), '--model', "build_generator(norm='instance')", '--json');
    const report = JSON.parse(json.stdout).report;
    expect(report.layers).toHaveLength(11);
    expect(report.passedThrough).toHaveLength(24);
    // the class as its defaults build it has BatchNorm2d(8) at model.2 (ngf=8): not the model this checkpoint was saved from
    // (build_generator's ngf=4, InstanceNorm2d), which is said, and nothing is written
    const plain = await convert(join(TORCH, 'generator.pt'), join(dir, 'p.ckpt'), '--source', join(MODELS, 'generator.py'), '--model', 'Generator');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("'model.2.running_mean' has 4 features, but layer 'model.2' has 8");
    expect(existsSync(join(dir, 'p.ckpt'))).toBe(false);
  });
});

describe('what the source cannot decide or does not parse', () => {
  const maybeSource = [
    'import torch.nn as nn',
    'class Enc(nn.Module):',
    '    def __init__(self, c, with_norm):',
    '        super().__init__()',
    '        if with_norm:',
    '            self.norm1 = nn.InstanceNorm1d(c, affine=True, track_running_stats=True)',
    'class Net(nn.Module):',
    '    def __init__(self, with_norm):',
    '        super().__init__()',
    '        self.conv = nn.Conv1d(2, 4, 3)',
    '        self.enc = Enc(4, with_norm)',
    '        self.head = nn.Linear(4, 3)',
    '',
  ].join('\n');

  test('a layer on a branch the source does not decide is never converted on a guess, and its keys do not pass silently', async () => {
    const source = join(dir, 'maybe.py');
    require('node:fs').writeFileSync(source, maybeSource);
    const r = await convert(join(FORMATS, 'model.pt'), join(dir, 'm.ckpt'), '--source', source);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the model Net in ${source} has no InstanceNorm/BatchNorm layers (it may have enc.norm1 (${source}:6), built on branches the source does not decide)`);
    // beside a layer the source is sure of (a tensorless InstanceNorm1d(4): its MindSpore parameters are filled), the undecided one is
    // still watched: its keys would pass through unconverted
    require('node:fs').writeFileSync(source, maybeSource.replace("        self.head = nn.Linear(4, 3)", "        self.head = nn.Linear(4, 3)\n        self.norm0 = nn.InstanceNorm1d(4)"));
    const named = await convert(join(FORMATS, 'model.pt'), join(dir, 'm.ckpt'), '--source', source);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`layer enc.norm1 looks like the InstanceNorm layer 'enc.norm1' (${source}:6), but no declared layer covers it`);
    expect(named.stdout).toContain(`  maybe: enc.norm1 (${source}:6) is built on a branch the source does not decide: not converted; name it with --layer if the model has it`);
    expect(existsSync(join(dir, 'm.ckpt'))).toBe(false);
    // naming it settles it
    const settled = await convert(join(FORMATS, 'model.pt'), join(dir, 'm.ckpt'), '--source', source, '--layer', 'enc.norm1');
    expect(settled.code).toBe(0);
    expect([...readStateDict(join(dir, 'm.ckpt')).keys()].filter((k) => k.includes('norm'))).toEqual([
      'enc.norm1.moving_mean', 'enc.norm1.moving_variance', 'enc.norm1.gamma', 'enc.norm1.beta',
      'norm0.moving_mean', 'norm0.moving_variance', 'norm0.gamma', 'norm0.beta',
    ]);
  });

  test('a model source that does not parse: exit 2 with file:line:column, nothing written', async () => {
    const source = join(dir, 'broken.py');
    require('node:fs').writeFileSync(source, 'import torch.nn as nn\nclass Net(nn.Module:\n    pass\n');
    const r = await convert(join(FORMATS, 'model.pt'), join(dir, 'b.ckpt'), '--source', source);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`SyntaxError: ${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: invalid syntax`));
    expect(existsSync(join(dir, 'b.ckpt'))).toBe(false);
  });
});

describe('--layer', () => {
  test('a typo matches no key: exit 2 naming the nearest keys, nothing written (it invented enc.norm9.* before)', async () => {
    const out = join(dir, 'typo.ckpt');
    const r = await convert(join(FORMATS, 'model.pt'), out, '--layer', 'enc.norm9:4:InstanceNorm1d');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layer enc.norm9 (--layer) matches no key of the checkpoint; nearest keys: enc.norm1.{weight, bias, running_mean, running_var, num_batches_tracked}');
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a pattern matches every layer of its shape: --layer "blocks.*.norm"', async () => {
    const out = join(dir, 'p.ckpt');
    const r = await convert(join(TORCH, 'blocks.pt'), out, '--layer', 'blocks.*.norm:InstanceNorm2d');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 layers (blocks.0.norm, blocks.1.norm, blocks.2.norm) -> MindSpore');
    const json = JSON.parse((await convert(join(TORCH, 'blocks.pt'), out, '--layer', 'blocks.*.norm:InstanceNorm', '--json')).stdout);
    expect(json.report.layers.map((l: { prefix: string; declared: string }) => [l.prefix, l.declared])).toEqual([
      ['blocks.0.norm', 'blocks.*.norm'],
      ['blocks.1.norm', 'blocks.*.norm'],
      ['blocks.2.norm', 'blocks.*.norm'],
    ]);
    const none = await convert(join(TORCH, 'blocks.pt'), out, '--layer', 'heads.*.norm:InstanceNorm2d');
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('layer heads.*.norm (--layer) matches no layer of the checkpoint; nearest keys:')]);
  });

  test('tensors that disagree with the declared options are an error; --force follows the tensors and warns', async () => {
    const out = join(dir, 'o.ckpt');
    const r = await convert(join(FORMATS, 'model.pt'), out, '--layer', 'enc.norm1:noaffine:InstanceNorm1d');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layer enc.norm1 (--layer) is declared affine=False, but the checkpoint has weight/bias for it');
    expect(existsSync(out)).toBe(false);
    const forced = await convert(join(FORMATS, 'model.pt'), out, '--layer', 'enc.norm1:noaffine:InstanceNorm1d', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('warning (--force): layer enc.norm1 (--layer) is declared affine=False');
    expect([...readStateDict(out).keys()]).toContain('enc.norm1.gamma');
    // declared affine=True with no weight in the file
    const noWeight = await convert(join(TORCH, 'generator.pt'), out, '--layer', 'model.2:affine:InstanceNorm2d');
    expect(noWeight.stderr).toContain('layer model.2 (--layer) is declared affine=True, but the checkpoint has no weight/bias for it');
  });

  test('a part may name the class or the family; the option words are those of the class (data: its tensors\' torchWhen)', async () => {
    const byClass = JSON.parse((await convert(join(FORMATS, 'model.pt'), join(dir, 'b.ckpt'), '--layer', 'enc.norm1:InstanceNorm1d:track', '--json')).stdout).report.layers[0];
    const byFamily = JSON.parse((await convert(join(FORMATS, 'model.pt'), join(dir, 'c.ckpt'), '--layer', 'enc.norm1:track_running_stats:InstanceNorm', '--json')).stdout).report.layers[0];
    const { api, ...rest } = byClass;
    expect([api, byFamily]).toEqual(['InstanceNorm1d', rest]);
    expect(byFamily).toMatchObject({ family: 'InstanceNorm', target: { affine: true }, warnings: [expect.stringContaining('running statistics in eval()')] });
    const unknown = await convert(join(FORMATS, 'model.pt'), join(dir, 'd.ckpt'), '--layer', 'enc.norm1:InstanceNorm1d:GroupNorm');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "--layer enc.norm1:InstanceNorm1d:GroupNorm: unknown part 'GroupNorm'; expected PREFIX[:NUM_FEATURES][:affine|noaffine][:track|notrack], and optionally the layer's class or family (InstanceNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d",
    );
  });

  test('--to torch on a checkpoint that already has PyTorch names says so', async () => {
    const r = await convert(join(FORMATS, 'model.pt'), join(dir, 'x.safetensors'), '--to', 'torch', '--layer', 'enc.norm1:InstanceNorm1d');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the checkpoint already has PyTorch names at enc.norm1 (enc.norm1.weight, enc.norm1.bias, enc.norm1.running_mean, enc.norm1.running_var, enc.norm1.num_batches_tracked): it is a PyTorch checkpoint, not a MindSpore one; to convert it to MindSpore names, use --to mindspore');
    const back = await convert(join(FORMATS, 'model.ckpt'), join(dir, 'y.safetensors'), '--to', 'mindspore', '--layer', 'enc.norm1:InstanceNorm1d');
    expect(back.stderr).toContain('the checkpoint already has MindSpore names at enc.norm1');
  });
});
