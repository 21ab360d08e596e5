/** One pair's page in the published pages' structure, generated from its mapping entry. */
import { pyRepr } from '../../core/python';
import { substitute } from '../expression';
import { runExample } from '../example';
import type { Mapping, MappingEntry, PortCase, Text, VersionNote } from '../schema';
import { renderExample } from './example';
import { LABELS, type Lang } from './labels';
import { differenceTable, markdownTable } from './table';

/** `class torch.nn.InstanceNorm1d(\n    num_features,\n    eps=1e-05,\n ...)(input) -> Tensor`, as the pages print it. */
export function signatureText(sig: MappingEntry['torch'] | MappingEntry['mindspore']): string {
  const args = sig.args.map((a) => `    ${a.name}${a.default === undefined ? '' : `=${a.default}`}`).join(',\n');
  return `class ${sig.name}(\n${args}\n)(${sig.input}) -> ${sig.returns}`;
}

export function docsUrl(sig: MappingEntry['torch'] | MappingEntry['mindspore'], lang: Lang): string {
  return typeof sig.docs === 'string' ? sig.docs : sig.docs[lang];
}

function portingSection(entry: MappingEntry, lang: Lang): string {
  const L = LABELS[lang];
  const lines: string[] = [];
  for (const [dir, title, from, to] of [
    ['toMindspore', L.toMindspore, 'torch', 'mindspore'],
    ['toTorch', L.toTorch, 'mindspore', 'torch'],
  ] as const) {
    lines.push(`#### ${title}`, '');
    for (const row of entry.rows) {
      const rules = row.porting[dir];
      const source = row[from];
      const target = row[to];
      const items: string[] = [];
      for (const c of rules.given) items.push(caseLine(`\`${source}\`${whenText(c.when)}`, c, source, target, lang));
      if (rules.unknown) {
        const label = lang === 'zh' ? `\`${source}\` 为无法求值的表达式` : `\`${source}\` an expression the port cannot evaluate`;
        items.push(caseLine(label, rules.unknown, source, target, lang));
      }
      if (rules.absent) {
        const label = lang === 'zh' ? `未给出 \`${source ?? target}\`` : `\`${source ?? target}\` not given`;
        items.push(caseLine(label, rules.absent, source, target, lang));
      }
      if (rules.note) items.push(`\`${source}\`: ${localText(rules.note, lang)}`);
      for (const item of items) lines.push(`- ${item}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

function localText(t: Text | undefined, lang: Lang): string | undefined {
  return t ? (lang === 'zh' ? t.zh ?? t.en : t.en) : undefined;
}

/** ` = None`, ` = …float32`, ` ∉ (0, 1]`: the condition of a case, after the argument's name. */
function whenText(when: PortCase['when']): string {
  if (!when) return '';
  if ('is' in when) return ` = ${when.is.map((v) => pyRepr(v)).join(' / ')}`;
  if ('name' in when) return ` = …${when.name.join(' / …')}`;
  return ` ∉ ${rangeText(when.outside)}`;
}

/** One rule as a list item: what it writes, what else it sets, its verdict, and why. */
function caseLine(label: string, c: PortCase, source: string | null, target: string | null, lang: Lang): string {
  const set = c.set ? `, ${Object.entries(c.set).map(([k, v]) => `\`${k}=${v}\``).join(', ')}` : '';
  const why = [localText(c.reason, lang), localText(c.fix, lang)].filter(Boolean).join(' → ');
  const because = why ? ` — ${why.replace(/\{arg\}/g, source ?? '').replace(/=\{value\}/g, '')}` : '';
  return `${label}: ${writeLabel(c.write, source, target, lang)}${set} (${c.verdict})${because}`;
}

function writeLabel(write: PortCase['write'], source: string | null, target: string | null, lang: Lang): string {
  if (write === 'drop') return lang === 'zh' ? '删除' : 'drop';
  if (write === 'keep') return lang === 'zh' ? '保留' : 'keep';
  if (write === 'keepAsFloat') return lang === 'zh' ? '保留（整数写成浮点数）' : 'keep (ints written as floats)';
  return `\`${target}=${'text' in write ? write.text : substitute(write.expr, source ?? 'value')}\``;
}

function rangeText(r: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): string {
  return `${r.minExclusive ? '(' : '['}${r.min ?? '-∞'}, ${r.max ?? '∞'}${r.maxExclusive ? ')' : ']'}`;
}

/** The version notes, one item each: what the older releases do, then what the mirrored one does. */
function olderReleasesSection(mapping: Mapping, notes: readonly VersionNote[], lang: Lang): string {
  const L = LABELS[lang];
  const [sep, stop, open, close] = lang === 'zh' ? ['：', '。', '（', '）'] : [': ', '. ', ' (', ')'];
  const items = notes.map(
    (n) => `- **${n.topic[lang]}**${open}${n.releases[lang]}${close}${sep}${n.older[lang]}${stop}MindSpore ${mapping.mindsporeRelease}${sep}${n.mirrored[lang]}${stop}\`${n.sources.join('`, `')}\``,
  );
  return [`### ${L.olderReleases}`, L.olderReleasesIntro(mapping.mindsporeRelease), items.join('\n')].join('\n\n');
}

export interface RenderedPage {
  markdown: string;
}

/** One page; `run` is the example as both facades ran it (generateDocs runs it once for both languages). */
export function renderPage(mapping: Mapping, entry: MappingEntry, lang: Lang, run = entry.example && runExample(entry.api, entry.example)): RenderedPage {
  const L = LABELS[lang];
  const table = differenceTable(entry, lang);
  const example = run ? renderExample(entry, run, lang) : undefined;
  const errata = mapping.errata.filter((e) => e.apis.includes(entry.api) && e.langs.includes(lang));
  const notes = mapping.versionNotes.filter((n) => !n.families || n.families.includes(entry.family));
  const sections = [
    `# ${L.title(entry.torch.name)}`,
    `> ${L.generated} ${L.otherLang}`,
    `## ${entry.torch.name}`,
    `\`\`\`text\n${signatureText(entry.torch)}\n\`\`\``,
    L.more(entry.torch.name, docsUrl(entry.torch, lang)),
    `## ${entry.mindspore.name}`,
    `\`\`\`text\n${signatureText(entry.mindspore)}\n\`\`\``,
    L.more(entry.mindspore.name, docsUrl(entry.mindspore, lang)),
    `## ${L.differences}`,
    `PyTorch${lang === 'zh' ? '：' : ': '}${entry.description[lang].torch}`,
    `MindSpore${lang === 'zh' ? '：' : ': '}${entry.description[lang].mindspore}`,
    markdownTable(table.header, table.rows),
    ...(example ? [`### ${L.example}`, example] : []),
    `### ${L.porting}`,
    portingSection(entry, lang),
    ...(notes.length > 0 ? [olderReleasesSection(mapping, notes, lang)] : []),
    ...(errata.length > 0
      ? [`### ${L.departures}`, L.departuresIntro, errata.map((e) => `- **${e.id}**: ${lang === 'zh' ? e.why.zh ?? e.why.en : e.why.en}`).join('\n')]
      : []),
  ];
  return { markdown: `${sections.join('\n\n')}\n` };
}
