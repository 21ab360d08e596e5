import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { Tensor, torch } from '../../src';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32 } from '../helpers/random';
import { decode, dimsOf, initializerValues, ortRun, randomTensor } from './helpers';
import { capture } from '../helpers/io';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'instancenorm-shim-export-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('instancenorm-shim export', () => {
  it('exports and verifies a torch layer in eval with JSON weights; the file runs in onnxruntime like the facade', async () => {
    const weights = join(dir, 'state.json');
    const state = { weight: [1.5, -2], bias: [0.25, 1], running_mean: [0.5, -0.5], running_var: [2, 0.5] };
    writeFileSync(weights, JSON.stringify(state));
    const out = join(dir, 'model.onnx');
    const io = capture();
    const argv = ['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2, "affine": true, "track_running_stats": true}'];
    const code = await main([...argv, '--weights', weights, '--shape', '1,2,4', '--eval', '--out', out, '--verify'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toContain('torch InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True) (eval: running statistics), weights: weight, bias, running_mean, running_var');
    expect(io.stdout).toContain('graph: opset 17, BatchNormalization');
    expect(io.stdout).toMatch(/OK: max \|difference\| \S+ <= tolerance 1\.0e-5/);
    expect(io.stdout).toContain(`wrote ${out}`);

    const bytes = new Uint8Array(readFileSync(out));
    const graph = decode(bytes).graph!;
    expect(Object.fromEntries(graph.initializer.map((t) => [t.name, initializerValues(t)]))).toEqual(state);
    const m = new torch.nn.InstanceNorm1d(2, { affine: true, track_running_stats: true });
    m.load_state_dict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, Tensor.from(v)])), { strict: false });
    m.eval();
    const x = randomTensor(mulberry32(9), [1, 2, 4]);
    expect(maxAbsDiff(await ortRun(bytes, x), m.forward(x))).toBeLessThanOrEqual(1e-5);
    expect(readdirSync(dir).sort()).toEqual(['model.onnx', 'state.json']);
  });

  it('mindspore with --dynamic --json --opset: a machine-readable report', async () => {
    const out = join(dir, 'ms.onnx');
    const io = capture();
    const code = await main(
      ['export', '--framework', 'mindspore', '--layer', 'InstanceNorm2d', '--config', '{"num_features": 3, "gamma_init": 2.0}', '--shape', '2,3,5,5', '--out', out, '--verify', '--dynamic', '--opset', '13', '--json'],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report).toMatchObject({ framework: 'mindspore', layer: 'InstanceNorm2d', written: true, ok: true });
    expect(report.model.opset).toBe(13);
    expect(report.model.input).toEqual({ name: 'input', dtype: 'float32', dims: ['batch', 3, 'height', 'width'] });
    expect(report.model.initializers).toEqual([{ name: 'gamma', dims: [3] }, { name: 'beta', dims: [3] }]);
    expect(report.verify.ok).toBe(true);
    expect(report.verify.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(report.verify.runs[1].shape).not.toEqual([2, 3, 5, 5]);
    expect(dimsOf(decode(new Uint8Array(readFileSync(out))).graph.output[0])).toEqual(['batch', 3, 'height', 'width']);
  });

  it('--layer picks the class; a 3-D torch InstanceNorm2d input is one unbatched sample', async () => {
    const out = join(dir, 'm.onnx');
    const io = capture();
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm2d', '--config', '{"num_features": 2}', '--shape', '2,3,3', '--out', out, '--verify'], io)).toBe(0);
    expect(io.stdout).toContain('InstanceNorm2d(2');
    expect(io.stdout).toContain('Unsqueeze -> InstanceNormalization -> Squeeze');
  });

  it('a failing verify exits 1 and leaves the existing output file untouched', async () => {
    const out = join(dir, 'model.onnx');
    writeFileSync(out, 'previous model');
    const io = capture();
    const code = await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 4}', '--shape', '2,4,64', '--out', out, '--verify', '--tolerance', '1e-12'], io);
    expect(code).toBe(1);
    expect(io.stdout).toMatch(/FAILED: max \|difference\| \S+ > tolerance 1\.0e-12/);
    expect(io.stdout).toContain(`${out} not written`);
    expect(readFileSync(out, 'utf8')).toBe('previous model');
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it.each([
    ['torch', 'InstanceNorm1d', '2,4'],
    ['torch', 'InstanceNorm1d', '1,2,4'],
    ['torch', 'BatchNorm1d', '3,2'],
    ['torch', 'BatchNorm2d', '2,2,4,4'],
    ['mindspore', 'InstanceNorm3d', '1,2,4,4,4'],
    ['mindspore', 'BatchNorm1d', '4,2'],
    ['mindspore', 'BatchNorm3d', '2,2,3,4,4'],
  ])('%s %s with --shape %s is written and verified', async (framework, layer, shape) => {
    const io = capture();
    const argv = ['export', '--framework', framework, '--layer', layer, '--config', '{"num_features": 2}', '--shape', shape, '--out', join(dir, `${layer}.onnx`), '--verify', '--json'];
    expect(await main(argv, io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ framework, layer, written: true, ok: true });
  });

  it('--layer is required (a rank fits classes of several families), and must name a class', async () => {
    const io = capture();
    expect(await main(['export', '--framework', 'torch', '--config', '{"num_features": 2}', '--shape', '1,2,4', '--out', join(dir, 'm.onnx')], io)).toBe(2);
    expect(io.stderr).toContain('--layer is required: the layer class, one of InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, BatchNorm1d, BatchNorm2d, BatchNorm3d');
    expect(await main(['export', '--framework', 'torch', '--layer', 'GroupNorm', '--config', '{"num_features": 2}', '--shape', '1,2,4', '--out', join(dir, 'm.onnx')], io)).toBe(2);
    expect(io.stderr).toContain("--layer must be one of InstanceNorm1d, ");
  });

  it('a 2-D --shape is not a MindSpore InstanceNorm input', async () => {
    const io = capture();
    expect(await main(['export', '--framework', 'mindspore', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2}', '--shape', '2,4', '--out', join(dir, 'ms.onnx')], io)).toBe(2);
    expect(io.stderr).toContain("argument 'inputShape' [2, 4] has 2 dims; mindspore InstanceNorm1d takes 3 dims");
  });

  it.each([
    [['--config', '{"num_features": 3}', '--shape', '1,2,4'], "argument 'inputShape' [1, 2, 4] has 2 channels"],
    [['--config', '{"num_features": 2}', '--shape', '1,2,x'], '--shape must be positive integers'],
    [['--config', '{num_features: 2}', '--shape', '1,2,4'], '--config must be a JSON object'],
    [['--config', '{"num_features": 2, "eps": -1}', '--shape', '1,2,4'], "argument 'eps' must be a finite, non-negative float"],
    [['--config', '{"num_features": 2}', '--shape', '1,2,4', '--opset', '30'], '--opset must be an integer from 9 to 23'],
    [['--config', '{"num_features": 2}', '--shape', '1,2,4', '--weights', 'missing.json'], '--weights missing.json: cannot read it (ENOENT)'],
    [['--config', '{"num_features": 2}', '--shape', '1,2,4', '--dtype', 'int8'], '--dtype must be float32, float64 or float16'],
    [['--config', '{"num_features": 2}', '--shape', '1,2,2,2,2,2'], "argument 'inputShape' [1, 2, 2, 2, 2, 2] has 6 dims; torch InstanceNorm1d takes 2 or 3 dims"],
  ])('a failed export (%j) exits 2, names the problem and leaves the file untouched', async (args, message) => {
    const out = join(dir, 'model.onnx');
    writeFileSync(out, 'previous model');
    const io = capture();
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', ...args, '--out', out], io)).toBe(2);
    expect(io.stderr).toContain(message);
    expect(readFileSync(out, 'utf8')).toBe('previous model');
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  describe('--weights from checkpoint files (fixtures written by tests/fixtures/gen_formats.py with numpy)', () => {
    const FIXTURES = join(__dirname, '..', 'fixtures', 'formats');
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
    const values = (file: string, key: string): number[] => expected[file][key].data.map(Number);

    it.each(['model.pt', 'model.safetensors'])('torch: one layer of %s by --prefix, in eval with its running statistics', async (fixture) => {
      const out = join(dir, 'norm1.onnx');
      const io = capture();
      const config = '{"num_features": 4, "affine": true, "track_running_stats": true}';
      const argv = ['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', config, '--weights', join(FIXTURES, fixture), '--prefix', 'enc.norm1', '--shape', '2,4,6', '--eval', '--out', out, '--verify', '--json'];
      expect(await main(argv, io)).toBe(0);
      expect(JSON.parse(io.stdout).weights).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
      const graph = decode(new Uint8Array(readFileSync(out))).graph;
      const stored = Object.fromEntries(graph.initializer.map((t) => [t.name, initializerValues(t)]));
      for (const name of ['weight', 'bias', 'running_mean', 'running_var']) {
        expect(stored[name]).toEqual(values('model', `enc.norm1.${name}`));
      }
    });

    it('mindspore: a nested layer of model.ckpt by --prefix, and a top-level cell of toplevel.ckpt', async () => {
      const io = capture();
      const base = ['export', '--framework', 'mindspore', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 4}', '--shape', '1,4,5', '--verify'];
      expect(await main([...base, '--weights', join(FIXTURES, 'model.ckpt'), '--prefix', 'enc.norm1', '--out', join(dir, 'a.onnx')], io)).toBe(0);
      const nested = decode(new Uint8Array(readFileSync(join(dir, 'a.onnx')))).graph;
      // model.ckpt holds the torch model's enc.norm1 converted: gamma = weight, beta = bias.
      expect(initializerValues(nested.initializer[0])).toEqual(values('model', 'enc.norm1.weight'));
      expect(initializerValues(nested.initializer[1])).toEqual(values('model', 'enc.norm1.bias'));
      expect(await main([...base, '--weights', join(FIXTURES, 'toplevel.ckpt'), '--out', join(dir, 'b.onnx')], io)).toBe(0);
      const top = decode(new Uint8Array(readFileSync(join(dir, 'b.onnx')))).graph;
      expect(top.initializer.map((t) => [t.name, initializerValues(t)])).toEqual([
        ['gamma', values('toplevel', 'gamma')],
        ['beta', values('toplevel', 'beta')],
      ]);
    });

    it('a whole-model checkpoint without --prefix is an error that suggests it; a corrupt file names the file', async () => {
      const io = capture();
      const config = '{"num_features": 4, "affine": true, "track_running_stats": true}';
      const out = join(dir, 'm.onnx');
      expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', config, '--weights', join(FIXTURES, 'model.pt'), '--shape', '1,4,5', '--out', out], io)).toBe(2);
      expect(io.stderr).toContain("'conv.weight'");
      expect(io.stderr).toContain('give --prefix');
      const broken = join(dir, 'broken.safetensors');
      writeFileSync(broken, readFileSync(join(FIXTURES, 'model.safetensors')).subarray(0, 40));
      expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', config, '--weights', broken, '--shape', '1,4,5', '--out', out], io)).toBe(2);
      expect(io.stderr).toContain(broken);
      expect(readdirSync(dir)).toEqual(['broken.safetensors']);
    });
  });

  it('JSON weights load into a float16 MindSpore cell, converted to the cell\'s dtype as for torch', async () => {
    const weights = join(dir, 'w16.json');
    writeFileSync(weights, JSON.stringify({ gamma: [0.5, 2], beta: [-1, 0.25] }));
    const io = capture();
    const out = join(dir, 'm16.onnx');
    const argv = ['export', '--framework', 'mindspore', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2, "dtype": "float16"}', '--weights', weights, '--shape', '1,2,4', '--out', out];
    expect(await main(argv, io)).toBe(0);
    expect(io.stderr).toBe('');
    expect(io.stdout).toContain('weights: gamma, beta');
  });

  it('weights that do not fit are an error naming the file and the key', async () => {
    const weights = join(dir, 'w.json');
    const io = capture();
    writeFileSync(weights, JSON.stringify({ running_mean: [0, 0] }));
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2}', '--weights', weights, '--shape', '1,2,4', '--out', join(dir, 'm.onnx')], io)).toBe(2);
    expect(io.stderr).toContain(`--weights ${weights}: 'running_mean' not in the module's state_dict (empty)`);
    writeFileSync(weights, JSON.stringify({ gamma: [1, 2, 3] }));
    expect(await main(['export', '--framework', 'mindspore', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2}', '--weights', weights, '--shape', '1,2,4', '--out', join(dir, 'm.onnx')], io)).toBe(2);
    expect(io.stderr).toContain("'gamma' has shape [3], the parameter has [2]");
    writeFileSync(weights, JSON.stringify({ weight: [1, 'x'] }));
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2, "affine": true}', '--weights', weights, '--shape', '1,2,4', '--out', join(dir, 'm.onnx')], io)).toBe(2);
    expect(io.stderr).toContain(`--weights ${weights}: 'weight': `);
    writeFileSync(weights, JSON.stringify({ weight: [1, 2, 3] }));
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2, "affine": true}', '--weights', weights, '--shape', '1,2,4', '--out', join(dir, 'm.onnx')], io)).toBe(2);
    expect(io.stderr).toContain('size mismatch for weight');
    expect(readdirSync(dir)).toEqual(['w.json']);
  });

  it('requires --framework, --shape and --out', async () => {
    const io = capture();
    expect(await main(['export', '--layer', 'InstanceNorm1d', '--shape', '1,2,4', '--out', 'x.onnx'], io)).toBe(2);
    expect(io.stderr).toContain('--framework must be torch or mindspore');
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--shape', '1,2,4'], io)).toBe(2);
    expect(io.stderr).toContain('--out FILE is required');
    expect(await main(['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--out', 'x.onnx'], io)).toBe(2);
    expect(io.stderr).toContain('--shape is required');
  });
});
