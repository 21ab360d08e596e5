/**
 * convertStateDict: names from mapping.json, fills, drops and warnings in the report, and the
 * interop that matters: a facade loaded from converted weights gives the source facade's output.
 * Inputs are the fixtures of gen_formats.py and seeded random tensors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor';
import { decodeStateDict, encodeStateDict, readMindSporeCheckpoint, readTorch, type FormatName, type StateDict } from '../../src/io/formats';
import * as mindspore from '../../src/mindspore';
import { Cell, Parameter } from '../../src/mindspore/cell';
import { ConversionError, convertStateDict, formatReport } from '../../src/porting/convert';
import * as torch from '../../src/torch';
import { Module } from '../../src/torch/module';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32, normals } from '../helpers/random';

const DIR = join(__dirname, '..', 'fixtures', 'formats');
const torchFixture = () => readTorch(readFileSync(join(DIR, 'model.pt')), 'model.pt');

class TorchNet extends Module {
  forward(x: Tensor): Tensor {
    return (this.get('enc.norm1') as torch.nn.InstanceNorm1d).forward(x);
  }
  get(path: string): Module {
    return [...this.named_modules()].find(([p]) => p === path)![1];
  }
}
class TorchEnc extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
/** A torch model with its InstanceNorm at `enc.norm1`, as the fixtures name it. */
function torchNet(norm: torch.nn.InstanceNorm1d): TorchNet {
  return new TorchNet().add_module('enc', new TorchEnc().add_module('norm1', norm));
}

/** `self.enc = Enc(norm)` and `self.norm1 = norm`: MindSpore names the parameters `enc.norm1.gamma` ... */
class MsEnc extends Cell {
  readonly norm1: mindspore.nn.InstanceNorm1d;
  constructor(norm: mindspore.nn.InstanceNorm1d) {
    super();
    this.norm1 = norm;
  }
  construct(x: Tensor): Tensor {
    return this.norm1.construct(x);
  }
}
class MsNet extends Cell {
  readonly enc: MsEnc;
  constructor(norm: mindspore.nn.InstanceNorm1d) {
    super();
    this.enc = new MsEnc(norm);
  }
  construct(x: Tensor): Tensor {
    return this.enc.construct(x);
  }
}

/** mindspore.load_param_into_net with the converted tensors as Parameters; every parameter must load. */
function loadIntoCell(cell: Cell, sd: StateDict): void {
  const dict = new Map([...sd].map(([k, t]) => [k, new Parameter(t, k)]));
  const [notLoaded] = mindspore.load_param_into_net(cell, dict, true);
  expect(notLoaded).toEqual([]);
  for (const [name, p] of cell.parameters_dict()) expect(maxAbsDiff(p.data, sd.get(name)!)).toBe(0);
}

const input = (seed: number, C = 4) => Tensor.from(normals(mulberry32(seed), 2 * C * 7, 3, 1), { shape: [2, C, 7] });
const only = (sd: StateDict, prefix: string) => new Map([...sd].filter(([k]) => k.startsWith(prefix)));

describe('convertStateDict names and report', () => {
  it('torch -> MindSpore: renames by mapping.json, drops num_batches_tracked, keeps other keys in place', () => {
    const { stateDict, report } = convertStateDict(torchFixture(), { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'enc.norm1' }] });
    expect([...stateDict.keys()]).toEqual([
      'conv.weight',
      'conv.bias',
      'enc.norm1.moving_mean',
      'enc.norm1.moving_variance',
      'enc.norm1.gamma',
      'enc.norm1.beta',
      'head.weight',
      'head.half',
      'head.big',
      'head.mask',
      'head.bf16',
    ]);
    // the keys are the fixture's MindSpore names, written by gen_formats.py into the .ckpt
    const ckpt = readMindSporeCheckpoint(readFileSync(join(DIR, 'model.ckpt'))).tensors;
    expect([...stateDict.keys()].sort()).toEqual([...ckpt.keys()].sort());
    for (const [k, t] of ckpt) expect(maxAbsDiff(stateDict.get(k)!, t)).toBe(0);
    expect(report.layers[0].dropped).toEqual([{ name: 'enc.norm1.num_batches_tracked', reason: expect.stringContaining('no counterpart') }]);
    expect(report.layers[0].warnings.join()).toMatch(/running statistics in eval/);
    expect(report.passedThrough).toEqual(['conv.weight', 'conv.bias', 'head.weight', 'head.half', 'head.big', 'head.mask', 'head.bf16']);
    expect(formatReport(report)).toContain('renamed  enc.norm1.weight -> enc.norm1.gamma');
  });

  it('a top-level MindSpore cell names its statistics mean/variance (Parameter(name="mean"))', () => {
    const torchSd = new Map<string, Tensor>([
      ['weight', Tensor.from([1, 2])],
      ['bias', Tensor.from([0, 1])],
      ['running_mean', Tensor.from([0, 0])],
      ['running_var', Tensor.from([1, 1])],
      ['num_batches_tracked', Tensor.zeros([], 'int64')],
    ]);
    const { stateDict } = convertStateDict(torchSd, { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: '' }] });
    expect([...stateDict.keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    expect([...new mindspore.nn.InstanceNorm1d(2).parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    const back = convertStateDict(stateDict, { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: '', options: { track_running_stats: true } }] }).stateDict;
    expect([...back.keys()]).toEqual([...torchSd.keys()]);
  });

  it('torch defaults (no tensors, declared so) -> MindSpore needs num_features and fills identity values', () => {
    const tensorless = { api: 'InstanceNorm1d', prefix: 'norm', options: { affine: false, track_running_stats: false } };
    expect(() => convertStateDict(new Map(), { to: 'mindspore', layers: [tensorless] })).toThrow(/layer 'norm' has no tensors .* num_features/);
    // not declared without tensors: a prefix that matches nothing is an error, never four invented tensors
    expect(() => convertStateDict(new Map(), { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'norm', num_features: 3 }] })).toThrow(/layer norm matches no key of the checkpoint/);
    const { stateDict, report } = convertStateDict(new Map(), { to: 'mindspore', layers: [{ ...tensorless, num_features: 3 }] });
    expect(Object.fromEntries([...stateDict].map(([k, t]) => [k, t.tolist()]))).toEqual({
      'norm.moving_mean': [0, 0, 0],
      'norm.moving_variance': [1, 1, 1],
      'norm.gamma': [1, 1, 1],
      'norm.beta': [0, 0, 0],
    });
    expect(report.layers[0].filled.map((f) => f.name)).toEqual(['norm.moving_mean', 'norm.moving_variance', 'norm.gamma', 'norm.beta']);
    expect(report.layers[0].target.affine).toBe(false);
  });

  it('MindSpore affine=False with non-identity gamma/beta -> torch needs affine=True: an error, or with force a warning', () => {
    const ms = new Map([
      ['n.moving_mean', Tensor.from([0, 0])],
      ['n.moving_variance', Tensor.from([1, 1])],
      ['n.gamma', Tensor.from([2, 1])],
      ['n.beta', Tensor.from([0, 0])],
    ]);
    expect(() => convertStateDict(ms, { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: 'n', options: { affine: false } }] })).toThrow(ConversionError);
    const { stateDict, report } = convertStateDict(ms, { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: 'n', options: { affine: false } }], force: true });
    expect([...stateDict.keys()]).toEqual(['n.weight', 'n.bias']);
    expect(report.layers[0].target).toEqual({ affine: true, track_running_stats: false });
    expect(report.problems).toEqual([{ layer: 'n', what: expect.stringMatching(/needs affine=True/) }]);
    expect(formatReport(report)).toMatch(/^warning \(--force\): layer n is declared affine=False, but its gamma\/beta are not 1\/0/m);
    expect(report.layers[0].dropped.map((d) => d.name)).toEqual(['n.moving_mean', 'n.moving_variance']);
    // identity gamma/beta with affine=False: PyTorch drops them
    ms.set('n.gamma', Tensor.from([1, 1]));
    const identity = convertStateDict(ms, { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: 'n', options: { affine: false } }] });
    expect([...identity.stateDict.keys()]).toEqual([]);
    expect(identity.report.layers[0].target.affine).toBe(false);
  });

  it('refuses keys under a layer that InstanceNorm does not have, a layer listed twice, and a bad prefix', () => {
    const sd = new Map([['n.weight', Tensor.from([1])], ['n.conv', Tensor.from([1])]]);
    expect(() => convertStateDict(sd, { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'n' }] })).toThrow(/layer n has 'n\.conv', which is no PyTorch InstanceNorm tensor/);
    expect(() => convertStateDict(new Map(), { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'a', num_features: 1 }, { api: 'InstanceNorm1d', prefix: 'a', num_features: 1 }] })).toThrow(/listed twice/);
    expect(() => convertStateDict(new Map(), { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'a.' }] })).toThrow(/no leading, trailing or double dot/);
    expect(() => convertStateDict(new Map(), { to: 'tf' as never, layers: [] })).toThrow(/'to' must be 'torch' or 'mindspore'/);
    expect(() => convertStateDict(new Map([['enc.gamma', Tensor.from([1])]]), { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: 'dec' }] })).toThrow('layer dec matches no key of the checkpoint; nearest keys: enc.{gamma}');
    const mixed = new Map([['n.weight', Tensor.from([1, 2])], ['n.bias', Tensor.from([1, 2, 3])]]);
    expect(() => convertStateDict(mixed, { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'n' }] })).toThrow(/'n\.bias' has 3 features, but layer 'n' has 2/);
  });
});

describe('the report for people', () => {
  it('84 layers converted alike: one block, one warning line, and a short passed-through line (it printed the warning 84 times and every key)', () => {
    const sd = new Map<string, Tensor>();
    for (let i = 0; i < 84; i++) {
      sd.set(`blocks.${i}.conv.weight`, Tensor.zeros([2, 2, 3], 'float32'));
      sd.set(`blocks.${i}.norm.weight`, Tensor.ones([2], 'float32'));
      sd.set(`blocks.${i}.norm.bias`, Tensor.zeros([2], 'float32'));
      sd.set(`blocks.${i}.norm.running_mean`, Tensor.zeros([2], 'float32'));
      sd.set(`blocks.${i}.norm.running_var`, Tensor.ones([2], 'float32'));
    }
    const { report } = convertStateDict(sd, { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'blocks.*.norm' }] });
    expect(report.layers).toHaveLength(84);
    const text = formatReport(report);
    const lines = text.split('\n');
    expect(lines.filter((l) => l.includes('warning'))).toHaveLength(1);
    expect(lines[0]).toBe('84 layers (blocks.0.norm, blocks.1.norm, blocks.2.norm, blocks.3.norm, blocks.4.norm, blocks.5.norm and 78 more (all with --verbose or --json)) -> MindSpore InstanceNorm with affine=True');
    expect(lines[lines.length - 1]).toBe('passed through unchanged (84): blocks.0.conv.weight, blocks.1.conv.weight, blocks.2.conv.weight, blocks.3.conv.weight, blocks.4.conv.weight, blocks.5.conv.weight and 78 more (all with --verbose or --json)');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(300);
    const verbose = formatReport(report, { verbose: true });
    expect(verbose).toContain('blocks.83.norm) -> MindSpore');
    expect(verbose).toContain('blocks.83.conv.weight');
    expect(report.passedThrough).toHaveLength(84);
  });
});

describe('converted weights give the same outputs in the other facade (<= 1e-6)', () => {
  const formats: FormatName[] = ['safetensors', 'torch', 'mindspore', 'json'];

  it.each(formats)('torch affine+stats (fixture) -> MindSpore through %s, train mode', (format) => {
    const norm = new torch.nn.InstanceNorm1d(4, { affine: true, track_running_stats: true });
    const tnet = torchNet(norm);
    tnet.load_state_dict(Object.fromEntries(only(torchFixture(), 'enc.norm1.')));
    tnet.train();
    const converted = convertStateDict(tnet.state_dict(), { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: 'enc.norm1' }] }).stateDict;
    const onDisk = decodeStateDict(encodeStateDict(converted, format), format, `x.${format}`);
    const msNorm = new mindspore.nn.InstanceNorm1d(4);
    const msNet = new MsNet(msNorm);
    loadIntoCell(msNet, onDisk);
    const x = input(1);
    const expected = tnet.forward(x);
    expect(maxAbsDiff(msNet.construct(x), expected)).toBeLessThanOrEqual(1e-6);
    // and the weights did something: without them the output differs
    expect(maxAbsDiff(new MsNet(new mindspore.nn.InstanceNorm1d(4)).construct(x), expected)).toBeGreaterThan(1e-3);
  });

  it.each(formats)('MindSpore top-level (toplevel.ckpt) -> torch through %s, eval mode', (format) => {
    const ms = readMindSporeCheckpoint(readFileSync(join(DIR, 'toplevel.ckpt'))).tensors;
    const msNorm = new mindspore.nn.InstanceNorm1d(4);
    loadIntoCell(msNorm, ms);
    const { stateDict, report } = convertStateDict(ms, { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: '' }] });
    const onDisk = decodeStateDict(encodeStateDict(stateDict, format), format, `x.${format}`);
    const t = new torch.nn.InstanceNorm1d(4, { affine: report.layers[0].target.affine });
    t.load_state_dict(Object.fromEntries(onDisk));
    t.eval();
    const x = input(2);
    expect(maxAbsDiff(t.forward(x), msNorm.construct(x))).toBeLessThanOrEqual(1e-6);
  });

  it('MindSpore affine=False with trained-looking gamma/beta -> torch affine=True gives MindSpore output', () => {
    const rand = mulberry32(3);
    const msNorm = new mindspore.nn.InstanceNorm1d(5, { affine: false });
    msNorm.gamma.set_data(Tensor.from(normals(rand, 5, 0.2, 1)) as never);
    msNorm.beta.set_data(Tensor.from(normals(rand, 5, 0.2)) as never);
    const sd = new Map([...msNorm.parameters_dict()].map(([k, p]) => [k, p.data]));
    const { stateDict, report } = convertStateDict(sd, { to: 'torch', layers: [{ api: 'InstanceNorm1d', prefix: '', options: { affine: false } }], force: true });
    expect(report.layers[0].target.affine).toBe(true);
    const t = new torch.nn.InstanceNorm1d(5, { affine: true });
    t.load_state_dict(Object.fromEntries(stateDict));
    const x = input(4, 5);
    expect(maxAbsDiff(t.forward(x), msNorm.construct(x))).toBeLessThanOrEqual(1e-6);
  });

  it('torch defaults -> MindSpore affine=False with filled gamma/beta gives the torch output', () => {
    const t = new torch.nn.InstanceNorm1d(3);
    const { stateDict, report } = convertStateDict(t.state_dict(), { to: 'mindspore', layers: [{ api: 'InstanceNorm1d', prefix: '', num_features: 3, options: { affine: false, track_running_stats: false } }] });
    const msNorm = new mindspore.nn.InstanceNorm1d(3, { affine: report.layers[0].target.affine, gamma_init: 2.0 });
    loadIntoCell(msNorm, stateDict);
    const x = input(5, 3);
    expect(maxAbsDiff(msNorm.construct(x), t.forward(x))).toBeLessThanOrEqual(1e-6);
  });
});
