/**
 * The published seed page (MindSpore docs r2.4.10, InstanceNorm1d, zh; stored flattened on one
 * line) against mapping.json: every row of its table maps to a mapping row, and every place where
 * the generated page says something else is recorded in `errata`, quoting the seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMapping } from '../../src/mapping';
import { renderPage } from '../../src/mapping/render';
import type { Erratum, MappingRow } from '../../src/mapping/schema';

/** A copy of /work/shared/seed/InstanceNorm1d.zh.md (byte for byte), so the test runs anywhere. */
const SEED = join(__dirname, '..', 'fixtures', 'seed', 'InstanceNorm1d.zh.md');

function readSeed(): string {
  return readFileSync(SEED, 'utf8');
}

/** Full-width punctuation as ASCII, whitespace collapsed: the seed was flattened and lost its full-width commas. */
export function normalize(text: string): string {
  return text
    .replace(/，/g, ',')
    .replace(/；/g, ';')
    .replace(/：/g, ':')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .replace(/\s+/g, ' ')
    .trim();
}

interface TableRow {
  category: string;
  subcategory: string;
  torch: string | null;
  mindspore: string | null;
  difference: string;
}

/**
 * A 5-column Markdown table, newlines or not: cells split on `|`, each row is five cells and the
 * (blank) gap before the next row's opening `|`. An empty category repeats the one above.
 */
export function parseTable(page: string): TableRow[] {
  const flat = page.replace(/\n/g, ' ');
  const start = flat.indexOf('| 分类');
  if (start < 0) throw new Error('no table with a 分类 column');
  const tokens = flat.slice(start).split('|').slice(1);
  const rows: TableRow[] = [];
  let category = '';
  for (let i = 0; i + 5 <= tokens.length; i += 6) {
    const cells = tokens.slice(i, i + 5).map((c) => c.trim());
    if (i === 0) {
      expect(cells).toEqual(['分类', '子类', 'PyTorch', 'MindSpore', '差异']);
      continue;
    }
    if (cells.every((c) => /^-+$/.test(c))) continue;
    if (!/^(参数\d+|单输入)$/.test(cells[1])) break;
    category = cells[0] || category;
    rows.push({ category, subcategory: cells[1], torch: cells[2] === '-' ? null : cells[2], mindspore: cells[3] === '-' ? null : cells[3], difference: cells[4] });
    if (tokens[i + 5] !== undefined && tokens[i + 5].trim() !== '') break; // the text after the table
  }
  return rows;
}

/** `class torch.nn.InstanceNorm1d( a, b=1 )(input) -> Tensor` and the link after it. */
function parseSignature(page: string, name: string): { args: string[]; link: string } {
  const flat = page.replace(/\n/g, ' ');
  const match = new RegExp(`class ${name.replace(/\./g, '\\.')}\\(([^)]*)\\)\\((\\w+)\\) -> Tensor`).exec(flat);
  if (!match) throw new Error(`no signature for ${name}`);
  const link = new RegExp(`\\[${name.replace(/\./g, '\\.')}\\]\\(([^)]+)\\)`).exec(flat.slice(match.index));
  return { args: match[1].split(',').map((a) => a.trim()).filter(Boolean), link: link ? link[1] : '' };
}

const mapping = loadMapping();
const entry = mapping.entries.find((e) => e.api === 'InstanceNorm1d')!;
const seed = readSeed();
const seedRows = parseTable(seed);
const errataFor = (part: Erratum['part']) => mapping.errata.filter((e) => e.part === part && e.apis.includes('InstanceNorm1d') && e.langs.includes('zh'));
const sameRow = (a: { torch: string | null; mindspore: string | null }, b: { torch: string | null; mindspore: string | null }) => a.torch === b.torch && a.mindspore === b.mindspore;

describe('the seed page InstanceNorm1d.zh.md', () => {
  it('has the table the issue describes (7 parameter rows and the input row)', () => {
    expect(seedRows.map((r) => r.subcategory)).toEqual(['参数1', '参数2', '参数3', '参数4', '参数5', '参数6', '参数7', '单输入']);
  });

  it.each(seedRows.map((r) => [`${r.subcategory} ${r.torch ?? '-'} / ${r.mindspore ?? '-'}`, r] as const))('row %s maps to a mapping row; any departure is an erratum', (_t, seedRow) => {
    const row = entry.rows.find((r) => sameRow(r, seedRow)) as MappingRow;
    expect(row).toBeDefined();
    expect(row.category).toBe(seedRow.category);
    expect(row.subcategory).toBe(seedRow.subcategory);
    if (normalize(row.difference.zh) !== normalize(seedRow.difference)) {
      const erratum = errataFor('row').find((e) => e.row && sameRow(e.row, seedRow));
      expect(erratum).toBeDefined();
      // The erratum quotes what the seed says.
      expect(normalize(seedRow.difference)).toContain(normalize(erratum!.seed));
    }
  });

  it('every mapping row absent from the seed is an erratum', () => {
    const added = entry.rows.filter((r) => !seedRows.some((s) => sameRow(s, r)));
    expect(added.map((r) => r.torch ?? r.mindspore)).toEqual(['device', 'dtype']);
    for (const r of added) expect(errataFor('row').some((e) => e.row && sameRow(e.row, r) && e.seed === '')).toBe(true);
  });

  it.each(['torch', 'mindspore'] as const)('the %s signature and link, or an erratum quoting them', (fw) => {
    const seedSig = parseSignature(seed, entry[fw].name);
    const ours = entry[fw].args.map((a) => (a.default === undefined ? a.name : `${a.name}=${a.default}`));
    const link = typeof entry[fw].docs === 'string' ? entry[fw].docs : (entry[fw].docs as { zh: string }).zh;
    if (JSON.stringify(seedSig.args) !== JSON.stringify(ours) || seedSig.link !== link) {
      const erratum = errataFor(`${fw} signature`)[0];
      expect(erratum).toBeDefined();
      expect(normalize(erratum.seed)).toContain(seedSig.args.join(', '));
      expect(erratum.seed).toContain(seedSig.link);
    }
    // The generated arguments extend the seed's: nothing of 1.8.1 / r2.0 was lost.
    expect(ours.slice(0, seedSig.args.length)).toEqual(seedSig.args);
  });

  it('the 差异对比 paragraphs, or an erratum quoting them', () => {
    for (const fw of ['torch', 'mindspore'] as const) {
      const label = fw === 'torch' ? 'PyTorch:' : 'MindSpore:';
      const flat = normalize(seed);
      const start = flat.indexOf(label, flat.indexOf('## 差异对比'));
      const paragraph = flat.slice(start, flat.indexOf(fw === 'torch' ? ' MindSpore:' : ' | 分类', start));
      if (normalize(`${label}${entry.description.zh[fw]}`) !== paragraph) {
        const erratum = errataFor('description').find((e) => e.seed.startsWith(label));
        expect(erratum).toBeDefined();
        expect(paragraph).toContain(normalize(erratum!.seed));
      }
    }
  });

  it('the title matches; the dropped source badge is an erratum', () => {
    const page = renderPage(mapping, entry, 'zh').markdown;
    expect(page.split('\n')[0]).toBe(seed.slice(0, seed.indexOf(' [![')));
    expect(seed).toContain('logo_source.svg');
    expect(page).not.toContain('logo_source.svg');
    expect(errataFor('title').length).toBeGreaterThan(0);
  });

  it('the published outputs in the mapping are the numbers printed on the seed page', () => {
    const printed = [...seed.matchAll(/# \[\[\[([^\]]*)\] # \[([^\]]*)\]\]\]/g)].map((m) => `${m[1]} ${m[2]}`.trim().split(/\s+/).map(Number));
    expect(printed).toHaveLength(2);
    expect((entry.example!.torch.published as number[][][]).flat(2)).toEqual(printed[0]);
    expect((entry.example!.mindspore.published as number[][][]).flat(2)).toEqual(printed[1]);
    expect(errataFor('example').length).toBeGreaterThan(0);
  });

  it('the generated page has the seed rows, fixed, in the same order, then the added ones', () => {
    const generated = parseTable(renderPage(mapping, entry, 'zh').markdown);
    expect(generated.map((r) => [r.torch, r.mindspore])).toEqual(entry.rows.map((r) => [r.torch, r.mindspore]));
    const inputRow = generated.find((r) => r.category === '输入')!;
    expect(inputRow.difference).toContain('MindSpore里的输入只能是三维的');
    expect(seedRows.find((r) => r.category === '输入')!.difference).toContain('MindSpore里的输入只能是二维的');
  });
});
