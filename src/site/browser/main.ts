/**
 * The site's one script (a classic script: pages opened from file:// may not load modules or
 * workers): the index filter, and on a pair's page the playground, which runs both facades, the
 * wasm kernel inlined, on every edit.
 */
import { currentKernel } from '../../core/instance-norm';
import type { Tensor } from '../../core/tensor';
import { mappingEntry, type Framework, type Mapping, type MappingEntry } from '../../mapping';
import { FRAMEWORKS } from '../../mapping/schema';
import type { Lang } from '../../mapping/render/labels';
import { MAPPING_GLOBAL } from '../layout';
import { SITE_LABELS, type SiteLabels } from '../labels';
import { runLayer, type LayerRun } from '../layers';
import { compareOutputs, printTensor, sci, type OutputComparison } from '../print';
import { readKeywords, readTensor } from '../python-text';
import { pairVerdict, type CallText, type Mismatch, type PairVerdict } from '../verdict';

const byTestId = <T extends HTMLElement>(root: ParentNode, id: string): T => {
  const el = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`the page has no [data-testid="${id}"]`);
  return el;
};

function startIndex(lang: Lang): void {
  const filter = document.querySelector<HTMLInputElement>('[data-testid="pair-filter"]');
  if (!filter) return;
  const L = SITE_LABELS[lang];
  const items = [...document.querySelectorAll<HTMLElement>('[data-testid="pair"]')];
  const count = byTestId(document, 'pair-count');
  const none = byTestId(document, 'no-match');
  const apply = () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const text = item.dataset.search ?? '';
      item.hidden = !words.every((w) => text.includes(w));
      if (!item.hidden) shown++;
    }
    count.textContent = L.shown(shown, items.length);
    none.hidden = shown > 0;
  };
  filter.addEventListener('input', apply);
  apply();
}

// ---------------------------------------------------------------- playground

function startPlayground(mapping: Mapping, entry: MappingEntry, lang: Lang): void {
  const root = document.getElementById('playground');
  if (!root) return;
  const L = SITE_LABELS[lang];
  const fields = [...root.querySelectorAll<HTMLInputElement>('input[data-arg]')];
  const input = byTestId<HTMLTextAreaElement>(root, 'input-tensor');
  const mode = byTestId<HTMLSelectElement>(root, 'mode');
  const initial = new Map<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, string>([...fields, input, mode].map((el) => [el, el.value]));

  const update = () => {
    const calls = Object.fromEntries(FRAMEWORKS.map((fw) => [fw, callText(fields, fw)])) as Record<Framework, CallText>;
    const train = mode.value === 'train';
    const runs = Object.fromEntries(
      FRAMEWORKS.map((fw) => [fw, runLayer({ framework: fw, qualifiedName: entry[fw].name, keywords: () => readKeywords(calls[fw]), train, input: () => readTensor(input.value) })]),
    ) as Record<Framework, LayerRun>;
    const comparison = runs.torch.ok && runs.mindspore.ok ? compareOutputs(runs.torch.output, runs.mindspore.output) : null;
    for (const fw of FRAMEWORKS) showRun(byTestId(root, `${fw}-output`), byTestId(root, `${fw}-warnings`), runs[fw], comparison, fw === 'torch' ? runs.mindspore : runs.torch, L);
    showDifference(byTestId(root, 'difference'), runs, comparison, L);
    showVerdict(byTestId(root, 'verdict'), pairVerdict(mapping, entry, calls), L);
    byTestId(root, 'kernel').textContent = L.kernel(currentKernel());
  };
  root.addEventListener('input', update);
  root.addEventListener('change', update);
  byTestId(root, 'reset').addEventListener('click', () => {
    for (const [el, value] of initial) el.value = value;
    update();
  });
  update();
}

function callText(fields: readonly HTMLInputElement[], framework: Framework): CallText {
  const call: CallText = {};
  for (const field of fields) if (field.dataset.framework === framework && field.value.trim() !== '') call[field.dataset.arg!] = field.value.trim();
  return call;
}

function showRun(panel: HTMLElement, warnings: HTMLElement, run: LayerRun, comparison: OutputComparison | null, other: LayerRun, L: SiteLabels): void {
  panel.replaceChildren();
  panel.classList.toggle('error', !run.ok);
  warnings.textContent = run.warnings.join('\n');
  if (!run.ok) {
    panel.textContent = run.error;
    return;
  }
  const mine = run.output;
  const theirs = other.ok ? other.output : null;
  for (const piece of printTensor(mine)) {
    if (typeof piece === 'string') {
      panel.append(piece);
      continue;
    }
    const span = document.createElement('span');
    span.textContent = piece.text;
    const kind = comparison?.kinds[piece.index];
    if (kind === 'differs' || kind === 'rounding') {
      span.className = kind === 'differs' ? 'differs' : 'rounding';
      span.title = differenceTitle(mine, theirs!, piece.index, L);
    }
    panel.append(span);
  }
}

function differenceTitle(mine: Tensor, theirs: Tensor, i: number, L: SiteLabels): string {
  return `|${L.frameworkName.torch} − ${L.frameworkName.mindspore}| = ${sci(Math.abs(mine.item(i) - theirs.item(i)))}`;
}

function showDifference(el: HTMLElement, runs: Record<Framework, LayerRun>, comparison: OutputComparison | null, L: SiteLabels): void {
  el.className = 'difference';
  if (!runs.torch.ok || !runs.mindspore.ok) {
    el.textContent = '';
    return;
  }
  if (!comparison) {
    el.textContent = L.difference.shapes;
    el.classList.add('differs');
    return;
  }
  const total = comparison.kinds.length;
  const differs = comparison.kinds.filter((k) => k === 'differs').length;
  const rounding = comparison.kinds.filter((k) => k === 'rounding').length;
  const max = sci(comparison.maxAbsDiff);
  if (differs > 0) el.textContent = L.difference.differs(differs, total, max);
  else if (rounding > 0) el.textContent = L.difference.rounding(rounding, total, max);
  else el.textContent = L.difference.equal(total);
  el.classList.add(differs > 0 ? 'differs' : 'same');
}

function showVerdict(el: HTMLElement, verdict: PairVerdict, L: SiteLabels): void {
  const V = L.verdict;
  el.replaceChildren();
  el.dataset.verdict = verdict.verdict;
  el.className = `verdict verdict-${verdict.verdict.replace(/ /g, '-')}`;
  const head = element('p', 'verdict-head');
  head.append(element('span', 'verdict-label', `${V.title} `), element('strong', 'verdict-word', V.verdicts[verdict.verdict]), ' ', element('span', 'basis', V.basis[verdict.basis]));
  el.append(head);
  const lines = [...verdict.mismatches.map((m) => mismatchText(m, L)), ...verdict.reasons, ...verdict.fixes.map((f) => `${V.fix}: ${f}`)];
  if (lines.length > 0) el.append(list(lines, 'reasons'));
  const details = element('details', 'ports');
  // With neither call the other's port, what each direction's rules say is the explanation: shown open.
  details.open = verdict.basis === 'neither';
  details.append(element('summary', '', V.ports));
  for (const direction of ['toMindspore', 'toTorch'] as const) {
    const d = verdict.directions[direction];
    const block = element('div', 'port');
    const title = element('p', 'port-title');
    title.append(`${V.direction[direction]}: `, element('strong', '', V.verdicts[d.verdict]), ` — ${V.writes} `, element('code', '', d.call));
    block.append(title);
    const notes = [...d.reasons, ...d.fixes.map((f) => `${V.fix}: ${f}`)];
    if (notes.length > 0) block.append(list(notes, ''));
    details.append(block);
  }
  el.append(details);
}

function mismatchText(m: Mismatch, L: SiteLabels): string {
  const value = (v: Mismatch['have']) => (v.isDefault ? `${v.text} (${L.verdict.defaultValue})` : v.text);
  return L.verdict.mismatch(L.frameworkName[m.framework], m.arg, value(m.have), value(m.port));
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function list(lines: readonly string[], className: string): HTMLUListElement {
  const ul = element('ul', className);
  for (const line of lines) ul.append(element('li', '', line));
  return ul;
}

// ---------------------------------------------------------------- start

function start(): void {
  const lang = (document.body.dataset.lang ?? 'en') as Lang;
  startIndex(lang);
  const api = document.body.dataset.api;
  if (api === undefined) return;
  const mapping = (globalThis as unknown as Record<string, Mapping>)[MAPPING_GLOBAL];
  startPlayground(mapping, mappingEntry(api as MappingEntry['api'], mapping), lang);
}

start();
