/** mapping.json validates, and a bad mapping fails with an error naming the entry and the field. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMapping, parseMapping } from '../../src/mapping';
import { jsonSchemaText } from '../../src/mapping/render';
import { classIn, mappingFile } from '../helpers/mapping-file';

const mapping = loadMapping();

describe('mapping.json', () => {
  it('has the InstanceNorm and BatchNorm pairs, each with every argument of both signatures in a row', () => {
    expect(mapping.families.map((f) => f.family)).toEqual(['InstanceNorm', 'BatchNorm']);
    expect(mapping.entries.map((e) => [e.family, e.api])).toEqual([
      ['InstanceNorm', 'InstanceNorm1d'],
      ['InstanceNorm', 'InstanceNorm2d'],
      ['InstanceNorm', 'InstanceNorm3d'],
      ['BatchNorm', 'BatchNorm1d'],
      ['BatchNorm', 'BatchNorm2d'],
      ['BatchNorm', 'BatchNorm3d'],
    ]);
    for (const e of mapping.entries.filter((x) => x.family === 'InstanceNorm')) {
      expect(e.torch.args.map((a) => a.name)).toEqual(['num_features', 'eps', 'momentum', 'affine', 'track_running_stats', 'device', 'dtype']);
      expect(e.mindspore.args.map((a) => a.name)).toEqual(['num_features', 'eps', 'momentum', 'affine', 'gamma_init', 'beta_init', 'dtype']);
    }
    const [bn1d, , bn3d] = mapping.entries.filter((x) => x.family === 'BatchNorm');
    const msBatchNorm = ['num_features', 'eps', 'momentum', 'affine', 'gamma_init', 'beta_init', 'moving_mean_init', 'moving_var_init', 'use_batch_statistics', 'data_format', 'dtype'];
    expect(bn1d.mindspore.args.map((a) => a.name)).toEqual(msBatchNorm);
    // normalization.py@v2.6.0:443-453: BatchNorm3d takes no data_format, and its Parameters live in bn2d.
    expect(bn3d.mindspore.args.map((a) => a.name)).toEqual(msBatchNorm.filter((n) => n !== 'data_format'));
    expect(bn3d.rows.map((r) => r.mindspore)).not.toContain('data_format');
    expect(bn3d.mindsporeChild).toBe('bn2d');
  });

  it("expands a family: each class gets the family's rows with its own overrides and variables, numbered", () => {
    const [in1d, in2d] = mapping.entries;
    expect(in2d.torch.name).toBe('torch.nn.InstanceNorm2d');
    expect(in2d.mindspore.docs.en).toBe('https://www.mindspore.cn/docs/en/r2.6.0/api_python/nn/mindspore.nn.InstanceNorm2d.html');
    expect(in1d.description.en.torch).toContain('3D input (N, C, L) or an unbatched 2D input (C, L)');
    expect(in2d.description.en.torch).toContain('4D input (N, C, H, W) or an unbatched 3D input (C, H, W)');
    const input = (e: typeof in1d) => e.rows.find((r) => r.category === '输入')!;
    expect(input(in1d).claims).toEqual([{ kind: 'inputRanks', torch: [2, 3], mindspore: [3] }]);
    expect(input(in2d).claims).toEqual([{ kind: 'inputRanks', torch: [3, 4], mindspore: [4] }]);
    expect(in2d.rows.map((r) => r.subcategory)).toEqual(['参数1', '参数2', '参数3', '参数4', '参数5', '参数6', '参数7', '参数8', '参数9', '单输入']);
  });

  it('drops a row a class overrides with null, and renumbers the rest', () => {
    const json = mappingFile();
    const { family, cls } = classIn(json, 'InstanceNorm2d');
    cls.rows.device = null;
    family.classes.forEach((c: any) => c.api === 'InstanceNorm2d' || (c.rows.device = null)); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const c of family.classes) c.torch = { args: family.torch.args.filter((a: { name: string }) => a.name !== 'device') };
    const parsed = parseMapping(json);
    const rows = parsed.entries[1].rows;
    expect(rows.map((r) => r.torch)).not.toContain('device');
    expect(rows.map((r) => r.subcategory)).toEqual(['参数1', '参数2', '参数3', '参数4', '参数5', '参数6', '参数7', '参数8', '单输入']);
  });

  it.each([
    ['a wrong kind', (j: any) => (j.families[0].rows[3].kind = 'similar'), /families\[0 InstanceNorm\]\.rows\[3 affine\]\.kind/],
    ['a one-sided row marked same', (j: any) => (j.families[0].rows[4].kind = 'same'), /families\[0 InstanceNorm\]\.rows\[4 track_running_stats\]\.kind: .*torch only/],
    ['a missing zh text', (j: any) => delete j.families[0].rows[0].difference.zh, /families\[0 InstanceNorm\]\.rows\[0 num_features\]\.difference\.zh/],
    ['an unknown claim', (j: any) => (j.families[0].rows[0].claims = [{ kind: 'vibes' }]), /rows\[0 num_features\]\.claims\[0\]\.kind/],
    ['no claim', (j: any) => (j.families[0].rows[0].claims = []), /rows\[0 num_features\]\.claims/],
    ['a class override with no claim', (j: any) => (j.families[0].classes[1].rows.input.claims = []), /families\[0 InstanceNorm\]\.classes\[1 InstanceNorm2d\]\.rows\.input\.claims/],
    ['an override of a row the family lacks', (j: any) => (j.families[0].classes[2].rows.epsilon = { kind: 'same' }), /classes\[2 InstanceNorm3d\]\.rows\.epsilon: the family has no row 'epsilon'/],
    ['a class variable that has no value', (j: any) => delete j.families[0].classes[2].vars.spatial, /families\[0 InstanceNorm\]\.description\.zh\.torch: '\{\{spatial\}\}' has no value in class InstanceNorm3d/],
    ['a row for an argument that does not exist', (j: any) => (j.families[0].rows[1].torch = 'epsilon'), /'epsilon' is not an argument of torch\.nn\.InstanceNorm1d/],
    ['a signature argument without a row', (j: any) => j.families[0].torch.args.push({ name: 'foo', default: '1' }), /classes\[0 InstanceNorm1d\]\.torch\.args: no row for torch argument 'foo'/],
    ['a class signature argument without a row', (j: any) => (j.families[0].classes[1].mindspore = { args: [...j.families[0].mindspore.args, { name: 'bar' }] }), /classes\[1 InstanceNorm2d\]\.mindspore\.args: no row for mindspore argument 'bar'/],
    ['a porting rule without a fallback case', (j: any) => (j.families[0].rows[1].porting.toTorch.given[0].when = { is: [1] }), /rows\[1 eps\]\.porting\.toTorch\.given: needs a last case/],
    ['a rule writing an argument the target lacks', (j: any) => (j.families[0].rows[4].porting.toMindspore.given[0].write = 'keep'), /writes an argument the target framework does not have/],
    ['a state tensor made by an option torch lacks', (j: any) => (j.families[0].state.tensors[0].torchWhen = 'elementwise_affine'), /state\.tensors\[0 weight\]\.torchWhen: 'elementwise_affine' is not an argument of the family's torch signature/],
    ['a class listed twice', (j: any) => j.families[0].classes.push(structuredClone(j.families[0].classes[0])), /class 'InstanceNorm1d' is listed twice/],
    ['a MindSpore signature of another release', (j: any) => (j.families[0].mindspore.version = 'r2.5.0'), /families\[0 InstanceNorm\]\.mindspore\.version: expected 'r2\.6\.0' \(mindsporeRelease\)/],
    ['a MindSpore link to another release', (j: any) => (j.families[0].mindspore.docs.en = j.families[0].mindspore.docs.en.replace('r2.6.0', 'master')), /families\[0 InstanceNorm\]\.mindspore\.docs\.en: the link must name r2\.6\.0/],
    ['a version note without its Chinese text', (j: any) => delete j.versionNotes[0].older.zh, /versionNotes\[0 cell-repr\]\.older\.zh/],
    ['a version note citing no tagged line', (j: any) => (j.versionNotes[1].sources = ['parameter.py', 'cell.py']), /versionNotes\[1 set-data-shape\]\.sources\[0\]/],
    ['an erratum reusing a decision id', (j: any) => (j.errata[2].id = j.decisions[0].id), /errata\[2[^\]]*\]\.id: duplicate id '[\w-]+' \(also decisions\[0\]\)/],
    ['an erratum about a class no family has', (j: any) => (j.errata[0].apis = ['InstanceNorm4d']), /errata\[0 [\w.-]+\]\.apis\[0\]: no family has a class 'InstanceNorm4d'/],
    ['a family the registry lacks', (j: any) => (j.families[0].family = 'GroupNorm'), /no family 'InstanceNorm' \(src\/families registers it\)/],
    ['a class the registry lacks', (j: any) => dropClass(j, 'InstanceNorm3d'), /family 'InstanceNorm' lists the classes InstanceNorm1d, InstanceNorm2d; src\/families registers InstanceNorm1d, InstanceNorm2d, InstanceNorm3d/],
  ])('rejects %s, naming family, class and field', (_name, mutate, message) => {
    const json = mappingFile();
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
    const family = resolve(schema, schema.properties.families.items);
    expect(family.required).toEqual(expect.arrayContaining(['family', 'state', 'torch', 'mindspore', 'description', 'rows', 'classes']));
    const row = resolve(schema, family.properties.rows.items);
    expect(row.properties.kind.enum).toEqual(['same', 'default differs', 'torch only', 'MindSpore only', 'input differs']);
    const claim = resolve(schema, row.properties.claims.items);
    expect(claim.oneOf ?? claim.anyOf).toHaveLength(9);
  });
});

/** Follows a `$ref` into the schema's `$defs`. */
function resolve(schema: any, node: any): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return node.$ref ? schema.$defs[node.$ref.replace('#/$defs/', '')] : node;
}

/** The file without one class, and without that class in the errata. */
function dropClass(json: any, api: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { family } = classIn(json, api);
  family.classes = family.classes.filter((c: { api: string }) => c.api !== api);
  for (const e of json.errata) e.apis = e.apis.filter((a: string) => a !== api);
  json.errata = json.errata.filter((e: { apis: string[] }) => e.apis.length > 0);
}
