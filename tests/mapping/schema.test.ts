/** mapping.json validates, and a bad mapping fails with an error naming the entry and the field. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMapping, parseMapping } from '../../src/mapping';
import { jsonSchemaText } from '../../src/mapping/render';

const copy = () => JSON.parse(JSON.stringify(loadMapping()));

describe('mapping.json', () => {
  it('has the three pairs, each with every argument of both signatures in a row', () => {
    const m = loadMapping();
    expect(m.entries.map((e) => e.api)).toEqual(['InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d']);
    for (const e of m.entries) {
      expect(e.torch.args.map((a) => a.name)).toEqual(['num_features', 'eps', 'momentum', 'affine', 'track_running_stats', 'device', 'dtype']);
      expect(e.mindspore.args.map((a) => a.name)).toEqual(['num_features', 'eps', 'momentum', 'affine', 'gamma_init', 'beta_init', 'dtype']);
    }
  });

  it.each([
    ['a wrong kind', (j: any) => (j.entries[1].rows[3].kind = 'similar'), /entries\[1 InstanceNorm2d\]\.rows\[3 affine\]\.kind/],
    ['a one-sided row marked same', (j: any) => (j.entries[0].rows[4].kind = 'same'), /entries\[0 InstanceNorm1d\]\.rows\[4 track_running_stats\]\.kind: .*torch only/],
    ['a missing zh text', (j: any) => delete j.entries[2].rows[0].difference.zh, /entries\[2 InstanceNorm3d\]\.rows\[0 num_features\]\.difference\.zh/],
    ['an unknown claim', (j: any) => (j.entries[0].rows[0].claims = [{ kind: 'vibes' }]), /rows\[0 num_features\]\.claims\[0\]\.kind/],
    ['no claim', (j: any) => (j.entries[0].rows[0].claims = []), /rows\[0 num_features\]\.claims/],
    ['a row for an argument that does not exist', (j: any) => (j.entries[0].rows[1].torch = 'epsilon'), /'epsilon' is not an argument of torch\.nn\.InstanceNorm1d/],
    ['a signature argument without a row', (j: any) => j.entries[0].torch.args.push({ name: 'foo', default: '1' }), /no row for torch argument 'foo'/],
    ['a porting rule without a fallback case', (j: any) => (j.entries[0].rows[1].porting.toTorch.given[0].when = { is: [1] }), /rows\[1 eps\]\.porting\.toTorch\.given: needs a last case/],
    ['a rule writing an argument the target lacks', (j: any) => (j.entries[0].rows[4].porting.toMindspore.given[0].write = 'keep'), /writes an argument the target framework does not have/],
    ['misnumbered sub-categories', (j: any) => (j.entries[0].rows[2].subcategory = '参数7'), /expected 参数3, got 参数7/],
    ['a MindSpore signature of another release', (j: any) => (j.entries[1].mindspore.version = 'r2.5.0'), /entries\[1 InstanceNorm2d\]\.mindspore\.version: expected 'r2\.6\.0' \(mindsporeRelease\)/],
    ['a MindSpore link to another release', (j: any) => (j.entries[0].mindspore.docs.en = j.entries[0].mindspore.docs.en.replace('r2.6.0', 'master')), /entries\[0 InstanceNorm1d\]\.mindspore\.docs\.en: the link must name r2\.6\.0/],
    ['a version note without its Chinese text', (j: any) => delete j.versionNotes[0].older.zh, /versionNotes\[0 cell-repr\]\.older\.zh/],
    ['a version note citing no tagged line', (j: any) => (j.versionNotes[1].sources = ['parameter.py', 'cell.py']), /versionNotes\[1 set-data-shape\]\.sources\[0\]/],
    ['an erratum reusing a decision id', (j: any) => (j.errata[2].id = j.decisions[0].id), /errata\[2[^\]]*\]\.id: duplicate id '[\w-]+' \(also decisions\[0\]\)/],
  ])('rejects %s, naming entry and field', (_name, mutate, message) => {
    const json = copy();
    mutate(json);
    expect(() => parseMapping(json)).toThrow(message);
  });
});

describe('docs/mapping.schema.json', () => {
  it('is the JSON Schema of the zod schema, and mapping.json points at it', () => {
    const root = join(__dirname, '..', '..');
    const raw = JSON.parse(readFileSync(join(root, 'mapping.json'), 'utf8'));
    expect(raw.$schema).toBe('./docs/mapping.schema.json');
    const committed = readFileSync(join(root, 'docs', 'mapping.schema.json'), 'utf8');
    expect(committed).toBe(jsonSchemaText());
    const schema = JSON.parse(committed);
    const entry = schema.properties.entries.items;
    expect(entry.required).toEqual(expect.arrayContaining(['api', 'torch', 'mindspore', 'description', 'rows']));
    const row = entry.properties.rows.items;
    expect(row.properties.kind.enum).toEqual(['same', 'default differs', 'torch only', 'MindSpore only', 'input differs']);
    expect(row.properties.claims.items.oneOf ?? row.properties.claims.items.anyOf).toHaveLength(8);
  });
});
