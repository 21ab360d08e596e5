/**
 * The site's HTML: a shell (header, language switch, the shared stylesheet and scripts) around
 * the generated page, the playground form of a pair, and the filterable index of pairs. Every
 * label comes from labels.ts, every name and argument from the mapping entry.
 */
import { pyRepr } from '../core/python';
import type { Framework, MappingEntry } from '../mapping';
import { docsUrl } from '../mapping/render/page';
import type { Lang } from '../mapping/render/labels';
import { attrs, escapeHtml } from './html';
import { kindLabel, SITE_LABELS } from './labels';
import { ASSETS, SITE_INDEX } from './layout';
import { tensorText } from './python-text';


export interface Shell {
  /** The page's language (the generated index is both: its chrome is English). */
  lang: Lang;
  title: string;
  /** Site-relative href maker for this page's folder. */
  href: (sitePath: string) => string;
  /** The other language's version of this page, if there is one. */
  otherLang?: { lang: Lang; sitePath: string };
  /** Links in the header beside the site title (upstream docs, the playground). */
  links?: { href: string; text: string; external?: boolean }[];
  body: string;
  /** Attributes of <body> the script reads (`data-api`, `data-lang`). */
  data?: Record<string, string>;
}

export function shell(page: Shell): string {
  const L = SITE_LABELS[page.lang];
  const links = (page.links ?? [])
    .map((l) => `<a${attrs({ href: l.href, class: l.external ? 'external' : undefined, rel: l.external ? 'noopener' : undefined })}>${escapeHtml(l.text)}</a>`)
    .join('');
  const switcher = page.otherLang
    ? `<a class="lang-switch"${attrs({ href: page.href(page.otherLang.sitePath), hreflang: SITE_LABELS[page.otherLang.lang].lang, 'data-testid': 'lang-switch' })}>${escapeHtml(SITE_LABELS[page.otherLang.lang].langName)}</a>`
    : '';
  const data = Object.entries(page.data ?? {}).map(([k, v]) => attrs({ [`data-${k}`]: v })).join('');
  return `<!doctype html>
<html lang="${L.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="${escapeHtml(page.href(ASSETS.css))}">
</head>
<body${data}>
<header class="bar">
<a class="brand" href="${escapeHtml(page.href(SITE_INDEX[page.lang]))}">instancenorm-shim</a>
<nav>${links}${switcher}</nav>
</header>
<main>
${page.body}
</main>
<script src="${escapeHtml(page.href(ASSETS.mapping))}"></script>
<script src="${escapeHtml(page.href(ASSETS.script))}"></script>
</body>
</html>
`;
}

/** The header links of a pair's page: the playground and both frameworks' API pages. */
export function pairLinks(entry: MappingEntry, lang: Lang): NonNullable<Shell['links']> {
  const L = SITE_LABELS[lang];
  return [
    { href: '#playground', text: L.playground },
    { href: docsUrl(entry.torch, lang), text: L.docsLink('PyTorch'), external: true },
    { href: docsUrl(entry.mindspore, lang), text: L.docsLink('MindSpore'), external: true },
  ];
}

// ---------------------------------------------------------------- playground

/** The argument fields' text to start from: the example's keywords, as Python literals. */
export function exampleCall(entry: MappingEntry, framework: Framework): Record<string, string> {
  const kwargs = entry.example?.[framework].kwargs ?? {};
  return Object.fromEntries(Object.entries(kwargs).map(([name, value]) => [name, pyRepr(value)]));
}

function argumentCell(entry: MappingEntry, framework: Framework, name: string | null, lang: Lang): string {
  if (name === null) return '<td class="arg absent">—</td>';
  const L = SITE_LABELS[lang];
  const arg = entry[framework].args.find((a) => a.name === name);
  const id = `${framework}-arg-${name}`;
  const input = attrs({
    id,
    type: 'text',
    value: exampleCall(entry, framework)[name] ?? '',
    placeholder: arg?.default ?? L.required,
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'off',
    'data-testid': id,
    'data-framework': framework,
    'data-arg': name,
  });
  // The framework's name shows where the table stacks into one column (phones), the header gives it elsewhere.
  return `<td class="arg"><label for="${id}"><span class="framework">${escapeHtml(L.frameworkName[framework])}</span> <code>${escapeHtml(name)}</code></label><input${input}></td>`;
}

export function playground(entry: MappingEntry, lang: Lang): string {
  const L = SITE_LABELS[lang];
  const rows = entry.rows
    .filter((row) => row.category === '参数')
    .map(
      (row) =>
        `<tr${attrs({ class: `kind-${row.kind.replace(/ /g, '-')}` })}>${argumentCell(entry, 'torch', row.torch, lang)}<td class="kind">${escapeHtml(kindLabel(L, row.kind))}</td>${argumentCell(entry, 'mindspore', row.mindspore, lang)}</tr>`,
    )
    .join('\n');
  const example = entry.example;
  // One switch for both layers, as the page's code runs both in one mode: training unless the example evaluates either.
  const train = example ? example.torch.train && example.mindspore.train : true;
  const output = (framework: Framework) =>
    `<figure class="output-box"><figcaption>${escapeHtml(L.output(L.frameworkName[framework]))}</figcaption><pre class="output"${attrs({ 'data-testid': `${framework}-output` })}>…</pre><div class="warnings"${attrs({ 'data-testid': `${framework}-warnings` })}></div></figure>`;
  return `<section class="playground" id="playground">
<h2>${escapeHtml(L.playground)}</h2>
<p class="intro">${escapeHtml(L.playgroundIntro)}</p>
<noscript><p class="intro">${escapeHtml(L.noScript)}</p></noscript>
<div class="table-scroll"><table class="args">
<thead><tr><th><code>${escapeHtml(entry.torch.name)}</code></th><th></th><th><code>${escapeHtml(entry.mindspore.name)}</code></th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<div class="input-row">
<label class="input-tensor" for="input-tensor">${escapeHtml(L.inputTensor)} <small>${escapeHtml(L.inputHelp)}</small>
<textarea id="input-tensor" rows="3" spellcheck="false" data-testid="input-tensor">${escapeHtml(example ? tensorText(example.input) : '')}</textarea></label>
<div class="controls">
<label for="mode">${escapeHtml(L.mode)} <select id="mode" data-testid="mode"><option value="train"${train ? ' selected' : ''}>${escapeHtml(L.train)}</option><option value="eval"${train ? '' : ' selected'}>${escapeHtml(L.eval)}</option></select></label>
<button type="button" data-testid="reset">${escapeHtml(L.reset)}</button>
<span class="kernel" data-testid="kernel"></span>
</div>
</div>
<div class="outputs">
${output('torch')}
${output('mindspore')}
</div>
<p class="difference" data-testid="difference"></p>
<p class="legend">${escapeHtml(L.outputHelp)} <span class="differs">${escapeHtml(L.difference.legend[0])}</span> <span class="rounding">${escapeHtml(L.difference.legend[1])}</span></p>
<div class="verdict" data-testid="verdict"></div>
</section>`;
}

// ---------------------------------------------------------------- the index of pairs

export function pairIndex(entries: readonly MappingEntry[], lang: Lang, href: (sitePath: string) => string, pagePathOf: (entry: MappingEntry) => string, generatedIndex: string): string {
  const L = SITE_LABELS[lang];
  const items = entries.map((entry) => {
    const differing = entry.rows.filter((r) => r.kind !== 'same');
    const chips = differing.map((r) => `<li><code>${escapeHtml(r.torch ?? r.mindspore ?? '')}</code> ${escapeHtml(kindLabel(L, r.kind))}</li>`).join('');
    const search = [entry.api, entry.torch.name, entry.mindspore.name, entry.description[lang].torch, ...entry.rows.flatMap((r) => [r.torch ?? '', r.mindspore ?? '', kindLabel(L, r.kind)])].join(' ').toLowerCase();
    return `<li class="pair"${attrs({ 'data-testid': 'pair', 'data-api': entry.api, 'data-search': search })}>
<a class="pair-name" href="${escapeHtml(href(pagePathOf(entry)))}">${escapeHtml(entry.api)}</a>
<p class="pair-classes"><code>${escapeHtml(entry.torch.name)}</code> ↔ <code>${escapeHtml(entry.mindspore.name)}</code></p>
<p class="pair-description">${escapeHtml(entry.description[lang].torch)}</p>
<ul class="chips">${chips}</ul>
</li>`;
  });
  return `<h1>${escapeHtml(L.siteTitle)}</h1>
<p class="intro">${escapeHtml(L.indexIntro)}</p>
<div class="filter-row"><input type="search" class="filter"${attrs({ placeholder: L.filter, 'aria-label': L.filter, 'data-testid': 'pair-filter', autocomplete: 'off' })}>
<span class="pair-count" data-testid="pair-count">${escapeHtml(L.shown(entries.length, entries.length))}</span></div>
<ul class="pairs">
${items.join('\n')}
</ul>
<p class="no-match" data-testid="no-match" hidden>${escapeHtml(L.noMatch)}</p>
<p><a href="${escapeHtml(href(generatedIndex))}">${escapeHtml(L.generatedIndex)}</a></p>`;
}
