/**
 * The `decisions` of mapping.json (where a facade deliberately differs from its framework): each
 * one's evidence holds in the facade, and every entry of the torch facade's own list of
 * strictness (STRICTER_THAN_PYTORCH) is recorded.
 */
import { loadMapping } from '../../src/mapping';
import { STRICTER_THAN_PYTORCH } from '../../src/torch/options';
import { C, construct } from './checks';

const mapping = loadMapping();

describe('decisions', () => {
  it('record every place the torch facade is stricter than PyTorch', () => {
    const recorded = mapping.decisions.filter((d) => d.facade === 'torch').map((d) => d.argument);
    expect(STRICTER_THAN_PYTORCH.map((s) => s.argument).filter((a) => !recorded.includes(a))).toEqual([]);
  });

  const evidence = mapping.decisions.flatMap((d) => d.evidence.map((e) => [d.id, e] as const));
  it('construction decisions carry evidence', () => {
    for (const d of mapping.decisions.filter((x) => x.topic === 'construction')) expect(d.evidence.length).toBeGreaterThan(0);
  });
  it.each(evidence.map(([id, e]) => [`${id}: ${e.facade} ${JSON.stringify(e.args)} -> ${e.outcome}`, e] as const))('%s', (_t, e) => {
    let outcome = 'ok';
    try {
      construct(e.facade, 'InstanceNorm1d', { num_features: C, ...e.args });
    } catch (err) {
      outcome = (err as Error).name;
    }
    expect(outcome).toBe(e.outcome);
  });
});
