/**
 * Everything `instancenorm-shim site` writes, as site path -> content: the files `docs` generates
 * (each Markdown page rendered to HTML, a pair's pages with the playground), mapping.json, the
 * index of pairs per language, and the browser bundle built by `npm run build`. The site mirrors
 * the docs folder, so the generated pages' relative links keep working once `.md` becomes `.html`.
 */
import { posix } from 'node:path';
import type { Mapping, MappingEntry } from '../mapping';
import { generateDocs, LANGS, pagePath, type Lang } from '../mapping/render';
import { renderMarkdown } from './markdown';
import { ASSETS, MAPPING_GLOBAL, SITE_INDEX } from './layout';
import { pairIndex, pairLinks, playground, shell } from './pages';
import { SITE_LABELS } from './labels';

export type SiteFiles = Map<string, string>;

/** What `npm run build` bundles (scripts/build-site.js): the page script and the stylesheet. */
export interface SiteAssets {
  script: string;
  css: string;
}

/** Where a file of the package (path from its root, as the docs link to it) is in the site. */
function sitePathOf(rootPath: string): string | undefined {
  if (rootPath === 'mapping.json') return rootPath;
  if (!rootPath.startsWith('docs/')) return undefined;
  const inDocs = rootPath.slice('docs/'.length);
  return inDocs.endsWith('.md') ? inDocs.replace(/(^|\/)README\.md$/, '$1index.md').replace(/\.md$/, '.html') : inDocs;
}

const docsRoot = (docsPath: string) => `docs/${docsPath}`;

/** An href from the page at `from` to the site file `to`. */
function relative(from: string, to: string): string {
  return posix.relative(posix.dirname(from), to) || posix.basename(to);
}

export interface SiteSource {
  mapping: Mapping;
  /** mapping.json's text, copied into the site as it is (the pages link to it). */
  mappingText: string;
  assets: SiteAssets;
}

export function generateSite({ mapping, mappingText, assets }: SiteSource): SiteFiles {
  const docs = generateDocs(mapping);
  const files: SiteFiles = new Map();
  const served = new Set([...docs.keys()].map((p) => sitePathOf(docsRoot(p))!).concat('mapping.json'));
  const pairs = new Map<string, { entry: MappingEntry; lang: Lang }>();
  for (const entry of mapping.entries) for (const lang of LANGS) pairs.set(pagePath(lang, entry.api), { entry, lang });

  /** A relative link of the page at `docsPath`, resolved as in the docs folder, as the site's href; throws for a file the site lacks. */
  const linkFrom = (docsPath: string) => (href: string) => {
    const [path, hash] = href.split('#');
    const page = docsRoot(docsPath);
    // `../en/` (the other language) means this page in that folder: the site links to files, not folders.
    const target = posix.join(posix.dirname(page), path) + (path.endsWith('/') ? posix.basename(page) : '');
    const site = path === '' ? sitePathOf(page) : sitePathOf(posix.normalize(target));
    if (site === undefined || !served.has(site)) throw new Error(`site: ${docsPath} links to ${href}, which the site does not have`);
    return relative(sitePathOf(page)!, site) + (hash === undefined ? '' : `#${hash}`);
  };

  for (const [docsPath, content] of docs) {
    const sitePath = sitePathOf(docsRoot(docsPath))!;
    if (!docsPath.endsWith('.md')) {
      files.set(sitePath, content);
      continue;
    }
    const html = renderMarkdown(content, { link: linkFrom(docsPath) });
    const href = (to: string) => relative(sitePath, to);
    const pair = pairs.get(docsPath);
    if (pair) {
      const { entry, lang } = pair;
      const other = LANGS.find((l) => l !== lang)!;
      files.set(
        sitePath,
        shell({
          lang,
          title: `${entry.api} · ${SITE_LABELS[lang].siteTitle}`,
          href,
          otherLang: { lang: other, sitePath: sitePathOf(docsRoot(pagePath(other, entry.api)))! },
          links: pairLinks(entry, lang),
          body: `<article class="doc">\n${html}</article>\n${playground(entry, lang)}`,
          data: { api: entry.api, lang },
        }),
      );
    } else {
      files.set(sitePath, shell({ lang: 'en', title: `${firstHeading(content)} · instancenorm-shim`, href, body: `<article class="doc">\n${html}</article>` }));
    }
  }
  files.set('mapping.json', mappingText);

  const generatedIndex = sitePathOf(docsRoot('api_mapping/README.md'))!;
  for (const lang of LANGS) {
    const sitePath = SITE_INDEX[lang];
    const href = (to: string) => relative(sitePath, to);
    const other = LANGS.find((l) => l !== lang)!;
    const body = pairIndex(mapping.entries, lang, href, (entry) => sitePathOf(docsRoot(pagePath(lang, entry.api)))!, generatedIndex);
    files.set(sitePath, shell({ lang, title: SITE_LABELS[lang].siteTitle, href, otherLang: { lang: other, sitePath: SITE_INDEX[other] }, body, data: { lang } }));
  }

  files.set(ASSETS.css, assets.css);
  files.set(ASSETS.script, assets.script);
  // A classic script, not JSON fetched at run time: pages opened from file:// may not fetch().
  files.set(ASSETS.mapping, `var ${MAPPING_GLOBAL} = ${JSON.stringify(mapping)};\n`);
  return files;
}

function firstHeading(markdown: string): string {
  return /^# (.+)$/m.exec(markdown)?.[1] ?? 'instancenorm-shim';
}
