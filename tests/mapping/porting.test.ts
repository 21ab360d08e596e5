/**
 * portCall against the rules a user of either framework expects (port-contract.md); the expected
 * calls are what the PyTorch and MindSpore signatures and docs require, written out by hand.
 */
import { portCall, pyValue, type PortRequest, type SourceArg } from '../../src/mapping/porting';
import { mappingFile, rowIn } from '../helpers/mapping-file';
import { parseMapping } from '../../src/mapping';

const pos = (text: string): SourceArg => ({ name: null, text });
const kw = (name: string, text: string): SourceArg => ({ name, text });
const call = (from: 'torch' | 'mindspore', args: SourceArg[], extra: Partial<PortRequest> = {}) =>
  portCall({ api: 'InstanceNorm1d', from, to: from === 'torch' ? 'mindspore' : 'torch', args, hasStarArgs: false, ...extra });
const render = (args: SourceArg[]) => args.map((a) => (a.name ? `${a.name}=${a.text}` : a.text)).join(', ');

describe('pyValue reads Python literals', () => {
  it.each([
    ['True', true], ['False', false], ['None', null], ['1', 1], ['1e-5', 1e-5], ['1_000', 1000], ['-0.5', -0.5], ['.5', 0.5], ["'ones'", 'ones'], ['"zeros"', 'zeros'], ['(2)', 2],
  ])('%s', (text, value) => {
    const v = pyValue(text);
    expect(v.kind).toBe('literal');
    expect(v.kind === 'literal' && v.value).toBe(value);
  });
  it('tells ints from floats, names from expressions', () => {
    expect(pyValue('1')).toMatchObject({ isInt: true });
    expect(pyValue('1.')).toMatchObject({ isInt: false });
    expect(pyValue('torch.float32')).toEqual({ kind: 'name', parts: ['torch', 'float32'] });
    expect(pyValue('cfg.eps * 2').kind).toBe('unknown');
    expect(pyValue('f(x)').kind).toBe('unknown');
  });
});

describe('torch -> mindspore', () => {
  it('makes the PyTorch default affine=False explicit (MindSpore defaults to True)', () => {
    const r = call('torch', [pos('2')]);
    expect(render(r.args)).toBe('2, affine=False');
    expect(r.verdict).toBe('exact');
    expect(r.reasons).toEqual([]);
  });
  it('keeps all-positional arguments positional while the positions agree', () => {
    const r = call('torch', [pos('4'), pos('1e-3'), pos('0.2'), pos('True'), pos('False')]);
    expect(render(r.args)).toBe('4, 1e-3, 0.2, True');
    expect(r.verdict).toBe('exact');
  });
  it('writes int literals for eps/momentum as floats (MindSpore rejects int)', () => {
    const r = call('torch', [kw('num_features', '3'), kw('eps', '1'), kw('momentum', '0')]);
    expect(render(r.args)).toBe('num_features=3, eps=1.0, momentum=0.0, affine=False');
    expect(r.verdict).toBe('exact');
  });
  it('track_running_stats=True differs, with a reason and a fix', () => {
    const r = call('torch', [pos('2'), kw('affine', 'True'), kw('track_running_stats', 'True')]);
    expect(render(r.args)).toBe('2, affine=True');
    expect(r.verdict).toBe('differs');
    expect(r.reasons.join('\n')).toMatch(/track_running_stats=True/);
    expect(r.fixes.length).toBeGreaterThan(0);
  });
  it('momentum=None differs and is dropped', () => {
    const r = call('torch', [pos('2'), kw('momentum', 'None')]);
    expect(render(r.args)).toBe('2, affine=False');
    expect(r.verdict).toBe('differs');
    expect(r.reasons[0]).toMatch(/^momentum=None/);
  });
  it('eps outside (0, 1] differs (MindSpore raises)', () => {
    expect(call('torch', [pos('2'), kw('eps', '0')]).verdict).toBe('differs');
    expect(call('torch', [pos('2'), kw('eps', '2.0')]).verdict).toBe('differs');
    expect(call('torch', [pos('2'), kw('eps', '1.0')]).verdict).toBe('exact');
  });
  it('maps dtype and drops device', () => {
    const r = call('torch', [pos('2'), kw('device', 'None'), kw('dtype', 'torch.float32')]);
    expect(render(r.args)).toBe('2, dtype=mindspore.float32, affine=False');
    expect(r.verdict).toBe('exact');
    const half = call('torch', [pos('2'), kw('dtype', 'torch.float16')]);
    expect(render(half.args)).toBe('2, affine=False');
    expect(half.verdict).toBe('differs');
    const cuda = call('torch', [pos('2'), kw('device', "'cuda'")]);
    expect(cuda.verdict).toBe('differs');
    expect(cuda.fixes.join()).toMatch(/set_context/);
  });
  it('carries a variable over and says the verdict depends on it', () => {
    const r = call('torch', [pos('c'), kw('momentum', 'm'), kw('track_running_stats', 'flag')]);
    expect(render(r.args)).toBe('c, momentum=m, affine=False');
    expect(r.verdict).toBe('differs');
    expect(r.reasons.some((x) => x.includes("'momentum'"))).toBe(true);
    expect(r.reasons.some((x) => x.includes("'track_running_stats'"))).toBe(true);
  });
  it('*args/**kwargs caps the verdict at differs', () => {
    const r = call('torch', [pos('2')], { hasStarArgs: true });
    expect(r.verdict).toBe('differs');
  });
  it('reports arguments the signature does not have', () => {
    const r = call('torch', [pos('2'), kw('gamma_init', "'ones'")]);
    expect(r.verdict).toBe('differs');
    expect(r.reasons[0]).toMatch(/no argument 'gamma_init'/);
  });
});

describe('mindspore -> torch', () => {
  it('makes the MindSpore default affine=True explicit', () => {
    const r = call('mindspore', [pos('2')]);
    expect(render(r.args)).toBe('2, affine=True');
    expect(r.verdict).toBe('exact');
  });
  it('affine=False with default initializers is exact', () => {
    const r = call('mindspore', [pos('2'), kw('affine', 'False'), kw('gamma_init', "'ones'"), kw('beta_init', '0')]);
    expect(render(r.args)).toBe('2, affine=False');
    expect(r.verdict).toBe('exact');
  });
  it('initializer names match case-insensitively, as MindSpore looks them up', () => {
    const r = call('mindspore', [pos('2'), kw('gamma_init', "'Ones'"), kw('beta_init', '"ZEROS"')]);
    expect(render(r.args)).toBe('2, affine=True');
    expect(r.verdict).toBe('exact');
  });
  it('non-default initializers need weights, and turn affine on', () => {
    const r = call('mindspore', [pos('2'), kw('affine', 'False'), kw('gamma_init', '0.5')]);
    expect(render(r.args)).toBe('2, affine=True');
    expect(r.verdict).toBe('needs weights');
    expect(r.reasons[0]).toMatch(/^gamma_init=0.5/);
    expect(r.fixes[0]).toMatch(/weight/);
  });
  it('all positional, with dtype', () => {
    const r = call('mindspore', [pos('2'), pos('1e-5'), pos('0.1'), pos('True'), pos("'ones'"), pos("'zeros'"), pos('mstype.float32')]);
    expect(render(r.args)).toBe('2, 1e-5, 0.1, True, dtype=torch.float32');
    expect(r.verdict).toBe('exact');
  });
  it('an initializer it cannot evaluate needs weights and affine=True, like any other non-default one (it kept affine=False before)', () => {
    const r = portCall({ api: 'InstanceNorm2d', from: 'mindspore', to: 'torch', args: [pos('3'), kw('affine', 'False'), kw('gamma_init', 'Normal(0.02, 1.0)')], hasStarArgs: false });
    expect(render(r.args)).toBe('3, affine=True');
    expect(r.verdict).toBe('needs weights');
    expect(r.reasons).toEqual(["gamma_init=Normal(0.02, 1.0): PyTorch has no initializer argument, and the port cannot evaluate this one; whatever it draws, PyTorch's weight starts at 1"]);
    expect(r.fixes[0]).toMatch(/convert the MindSpore checkpoint/);
    const beta = call('mindspore', [pos('2'), kw('beta_init', 'init.Constant(b)')]);
    expect([render(beta.args), beta.verdict]).toEqual(['2, affine=True', 'needs weights']);
  });
});

describe('the rules come from mapping.json', () => {
  it('a changed rule changes the result', () => {
    const json = mappingFile();
    const affine = rowIn(json, 'InstanceNorm1d', 'affine', 'affine', 'porting');
    affine.porting.toMindspore.absent = { write: { text: 'True' }, verdict: 'differs' };
    const r = portCall({ api: 'InstanceNorm1d', from: 'torch', to: 'mindspore', args: [pos('2')], hasStarArgs: false }, parseMapping(json));
    expect(render(r.args)).toBe('2, affine=True');
    expect(r.verdict).toBe('differs');
  });
  it('every entry ports its own signature both ways', () => {
    for (const api of ['InstanceNorm2d', 'InstanceNorm3d'] as const) {
      expect(render(portCall({ api, from: 'torch', to: 'mindspore', args: [pos('3')], hasStarArgs: false }).args)).toBe('3, affine=False');
      expect(render(portCall({ api, from: 'mindspore', to: 'torch', args: [pos('3')], hasStarArgs: false }).args)).toBe('3, affine=True');
    }
  });
});
