/**
 * The generated checks can fail: change one claim in a copy of mapping.json and the checks of
 * that row must fail (and only the mutated claim is to blame: the same row passes unmutated).
 */
import { loadMapping, parseMapping } from '../../src/mapping';
import type { Mapping, MappingRow } from '../../src/mapping/schema';
import { mappingFile, rowIn } from '../helpers/mapping-file';
import { checkClaim } from './checks';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function rowFailures(mapping: Mapping, api: string, torchName: string | null, mindsporeName: string | null): string[] {
  const entry = mapping.entries.find((e) => e.api === api)!;
  const row = entry.rows.find((r) => r.torch === torchName && r.mindspore === mindsporeName) as MappingRow;
  const failures: string[] = [];
  for (const claim of row.claims) {
    try {
      checkClaim(entry, row, claim);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  return failures;
}

function mutated(api: string, torchName: string | null, mindsporeName: string | null, mutate: (claims: Json[]) => void): Mapping {
  const json = mappingFile();
  mutate(rowIn(json, api, torchName, mindsporeName).claims);
  return parseMapping(json);
}

const cases: [string, string, string | null, string | null, (claims: Json[]) => void, RegExp][] = [
  ['the torch default of affine', 'InstanceNorm1d', 'affine', 'affine', (c) => (c[0].torch = true), /torch.*affine|default/],
  ['the MindSpore default of affine', 'InstanceNorm3d', 'affine', 'affine', (c) => (c[0].mindspore = false), /mindspore/],
  ['the default of eps', 'InstanceNorm2d', 'eps', 'eps', (c) => (c[0].torch = 1e-3), /eps/],
  ['the input ranks MindSpore accepts (the seed page says 2-D)', 'InstanceNorm1d', 'input', 'x', (c) => (c[0].mindspore = [2]), /mindspore accepted input ranks/],
  ['the input ranks PyTorch accepts', 'InstanceNorm2d', 'input', 'x', (c) => (c[0].torch = [4]), /torch accepted input ranks/],
  ['which framework has track_running_stats', 'InstanceNorm1d', 'track_running_stats', null, (c) => (c[0].framework = 'mindspore'), /./],
  ['the eval behaviour of track_running_stats', 'InstanceNorm1d', 'track_running_stats', null, (c) => (c[2].cases[0].uses = 'input'), /eval mode normalizes with statistics of: expected "input", got "running"/],
  ['MindSpore using moving statistics in eval', 'InstanceNorm3d', 'track_running_stats', null, (c) => (c[2].cases[3].uses = 'running'), /mindspore \{\} in eval mode normalizes with statistics of/],
  ['gamma_init not applied with affine=False', 'InstanceNorm1d', null, 'gamma_init', (c) => (c[2].appliedWhenAffineFalse = false), /gamma_init/],
  ['beta_init as a scale', 'InstanceNorm2d', null, 'beta_init', (c) => (c[2].role = 'scale'), /beta_init/],
  ['MindSpore accepting eps=0', 'InstanceNorm1d', 'eps', 'eps', (c) => (c[1].cases[0].mindspore = true), /accepts eps=0/],
  ['PyTorch rejecting momentum=None', 'InstanceNorm1d', 'momentum', 'momentum', (c) => (c[1].cases[0].torch = false), /accepts momentum=null/],
  ['MindSpore gamma/beta training with affine=False', 'InstanceNorm1d', 'affine', 'affine', (c) => (c[2].mindspore = ['gamma', 'beta']), /mindspore trainable/],
  ['eps being required', 'InstanceNorm1d', 'eps', 'eps', (c) => c.push({ kind: 'required' }), /TypeError/],
  ['the default dtype of PyTorch', 'InstanceNorm1d', 'dtype', 'dtype', (c) => (c[0].torch = 'float64'), /dtype/],
  ['the momentum convention (MindSpore 0.1 for PyTorch 0.1)', 'BatchNorm2d', 'momentum', 'momentum', (c) => (c[2].mindspore = { momentum: 0.1 }), /running means differ/],
  ['the BatchNorm momentum defaults', 'BatchNorm1d', 'momentum', 'momentum', (c) => (c[0].mindspore = 0.1), /momentum/],
  ['PyTorch BatchNorm in eval using batch statistics', 'BatchNorm2d', 'track_running_stats', 'use_batch_statistics', (c) => (c[1].cases[1].uses = 'input'), /torch \{\} in eval mode normalizes with statistics of: expected "input", got "running"/],
  ['use_batch_statistics=False using batch statistics in training', 'BatchNorm3d', 'track_running_stats', 'use_batch_statistics', (c) => (c[1].cases[6].uses = 'input'), /use_batch_statistics":false\} in train mode/],
  ['MindSpore BatchNorm accepting eps=0 at the first call', 'BatchNorm1d', 'eps', 'eps', (c) => (c[2].cases[0].mindspore = true), /accepts eps=0 \(constructed and called\)/],
  ['moving_var_init not used in inference', 'BatchNorm2d', null, 'moving_var_init', (c) => (c[2].role = 'runningMean'), /moving_var_init=3: the inference output is not normalized with it/],
  ['BatchNorm3d gamma/beta named without bn2d', 'BatchNorm3d', 'affine', 'affine', (c) => (c[1].mindspore = ['bn2d.gamma', 'bn2d.beta']), /mindspore trainable parameters/],
];

describe('a changed claim makes its generated checks fail', () => {
  it.each(cases)('%s', (_what, api, torchName, mindsporeName, mutate, message) => {
    expect(rowFailures(loadMapping(), api, torchName, mindsporeName)).toEqual([]);
    const failures = rowFailures(mutated(api, torchName, mindsporeName, mutate), api, torchName, mindsporeName);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join('\n')).toMatch(message);
  });
});

describe('the facade check itself, not only the signature cross-check', () => {
  it('catches a wrong torch default of affine even when the signature says the same', () => {
    const json = mappingFile();
    const family = json.families[0];
    family.torch.args.find((a: Json) => a.name === 'affine').default = 'True';
    family.rows.find((r: Json) => r.torch === 'affine').claims[0].torch = true;
    const failures = rowFailures(parseMapping(json), 'InstanceNorm1d', 'affine', 'affine');
    expect(failures.join('\n')).toMatch(/torch: affine=true given explicitly differs from leaving it out/);
  });
});
