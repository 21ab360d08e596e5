/**
 * The playground's verdict: both directions through mapping.json's porting rules (portCall), and
 * whether the call typed on the other side is the port. Cases from the InstanceNorm1d page.
 */
import { loadMapping, mappingEntry } from '../../src/mapping';
import { pairVerdict, type CallText } from '../../src/site/verdict';

const mapping = loadMapping();
const entry = mappingEntry('InstanceNorm1d');
const verdict = (torch: CallText, mindspore: CallText) => pairVerdict(mapping, entry, { torch, mindspore });
const seed = { torch: { num_features: '2' }, mindspore: { num_features: '2', affine: 'False' } };

describe('pairVerdict', () => {
  it("the seed page's example: each call is the port of the other, exact", () => {
    const v = verdict(seed.torch, seed.mindspore);
    expect(v).toMatchObject({ verdict: 'exact', basis: 'both', reasons: [], mismatches: [] });
    expect(v.directions.toMindspore.call).toBe('mindspore.nn.InstanceNorm1d(num_features=2, affine=False)');
    expect(v.directions.toTorch.call).toBe('torch.nn.InstanceNorm1d(num_features=2, affine=False)');
  });

  it("MindSpore's gamma_init=2: neither call is the other's port; MindSpore -> PyTorch needs weights", () => {
    const v = verdict(seed.torch, { ...seed.mindspore, gamma_init: '2' });
    expect(v.verdict).toBe('differs');
    expect(v.basis).toBe('neither');
    expect(v.mismatches).toEqual([{ framework: 'mindspore', arg: 'gamma_init', have: { text: '2', isDefault: false }, port: { text: "'ones'", isDefault: true } }]);
    expect(v.directions.toTorch.verdict).toBe('needs weights');
    expect(v.directions.toTorch.call).toBe('torch.nn.InstanceNorm1d(num_features=2, affine=True)');
  });

  it('a torch-only argument the port drops: the MindSpore call is still the port, and the verdict is the rule\'s', () => {
    const v = verdict({ ...seed.torch, track_running_stats: 'True' }, seed.mindspore);
    expect(v.basis).toBe('toMindspore');
    expect(v.verdict).toBe('differs');
    expect(v.reasons.join('\n')).toMatch(/track_running_stats=True/);
  });

  it('values compare as Python does: 1e-5 is 0.00001, an int is its float, mstype.float32 is mindspore.float32', () => {
    expect(verdict({ ...seed.torch, eps: '0.00001' }, { ...seed.mindspore, eps: '1e-5' })).toMatchObject({ verdict: 'exact', basis: 'both' });
    expect(verdict({ num_features: '2', momentum: '1' }, { num_features: '2', affine: 'False', momentum: '1.0' }).basis).toBe('both');
    // The port of the PyTorch call leaves MindSpore's dtype at its default, mstype.float32; the way back writes torch.float32 where PyTorch's call has None.
    expect(verdict(seed.torch, { ...seed.mindspore, dtype: 'mindspore.float32' })).toMatchObject({ verdict: 'exact', basis: 'toMindspore' });
  });

  it('two calls that disagree on a shared argument are not ports of each other', () => {
    const v = verdict({ ...seed.torch, eps: '0.1' }, seed.mindspore);
    expect(v.basis).toBe('neither');
    expect(v.mismatches.map((m) => [m.arg, m.have.text, m.port.text])).toEqual([['eps', '1e-5', '0.1']]);
  });
});
