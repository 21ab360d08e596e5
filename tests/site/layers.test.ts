/** The playground's runner: classes found by their signatures' names, calls in Python's order, failures as Python prints them. */
import { Tensor } from '../../src/core/tensor';
import { loadMapping } from '../../src/mapping';
import * as mindspore from '../../src/mindspore';
import * as torch from '../../src/torch';
import { facadeClass, runLayer } from '../../src/site/layers';
import { thrown } from '../helpers/errors';

const seedInput = () => Tensor.from([[[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]]);

describe('facadeClass', () => {
  it("finds every signature of mapping.json in the package's namespaces", () => {
    for (const entry of loadMapping().entries) {
      expect(facadeClass('torch', entry.torch.name)).toBe((torch.nn as Record<string, unknown>)[entry.torch.name.split('.').pop()!]);
      expect(facadeClass('mindspore', entry.mindspore.name)).toBe((mindspore.nn as Record<string, unknown>)[entry.mindspore.name.split('.').pop()!]);
    }
  });

  it('refuses a name the package lacks, or a name under the other framework', () => {
    expect(thrown(() => facadeClass('torch', 'torch.nn.LazyBatchNorm1d')).message).toBe('instancenorm-shim has no torch facade named torch.nn.LazyBatchNorm1d');
    expect(() => facadeClass('torch', 'mindspore.nn.InstanceNorm1d')).toThrow(/no torch facade/);
  });
});

describe('runLayer', () => {
  const call = { framework: 'torch' as const, qualifiedName: 'torch.nn.InstanceNorm1d', keywords: () => ({ num_features: 2 }), train: true, input: seedInput };

  it("computes what the facade's forward computes", () => {
    const run = runLayer(call);
    expect(run.ok && [...run.output.data]).toEqual([...new torch.nn.InstanceNorm1d(2).forward(seedInput()).data]);
  });

  it('reports the first failure in the order Python meets them: arguments, constructor, input', () => {
    const nameError = Object.assign(new Error("name 'ones' is not defined"), { name: 'NameError' });
    expect(runLayer({ ...call, keywords: () => { throw nameError; }, input: () => { throw new Error('not reached'); } })).toMatchObject({ ok: false, error: "NameError: name 'ones' is not defined" });
    expect(runLayer({ ...call, keywords: () => ({}), input: () => { throw new Error('not reached'); } })).toMatchObject({ ok: false, error: expect.stringMatching(/^TypeError: .*num_features/) });
    expect(runLayer({ ...call, input: () => Tensor.from([1, 2]) })).toMatchObject({ ok: false, error: 'ValueError: expected 2D or 3D input (got 1D input)' });
  });

  it("collects the facade's warnings instead of printing them", () => {
    const run = runLayer({ ...call, keywords: () => ({ num_features: 3 }) });
    expect(run.ok).toBe(true);
    expect(run.warnings).toEqual([expect.stringMatching(/^UserWarning: input's size at dim=1 does not match num_features/)]);
  });
});
