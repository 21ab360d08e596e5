/**
 * The site as files, without a browser: every page links only to files the site has (file://
 * opens no folders and fetches nothing), the pairs come from mapping.json alone, and each pair's
 * playground has the hooks of every argument its mapping entry's signatures list.
 */
import { loadMapping, type Mapping } from '../../src/mapping';
import { generateSite, type SiteFiles } from '../../src/site';
import { thrown } from '../helpers/errors';

const mapping = loadMapping();
const assets = { script: '/* page script */', css: '/* stylesheet */' };
const build = (m: Mapping = mapping) => generateSite({ mapping: m, mappingText: JSON.stringify(m), assets });
const files = build();
const pages = [...files.keys()].filter((p) => p.endsWith('.html'));

/** Every href and src of a page, resolved against the page's folder (null for absolute URLs and in-page anchors). */
function references(page: string, html: string): { ref: string; target: string | null }[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map(([, ref]) => {
    if (/^[a-z]+:/.test(ref) || ref.startsWith('#')) return { ref, target: null };
    const url = new URL(ref, `file:///site/${page}`);
    return { ref, target: decodeURIComponent(url.pathname.slice('/site/'.length)) };
  });
}

const pairPath = (lang: string, api: string) => `api_mapping/${lang}/${api}.html`;

describe('generateSite', () => {
  it('writes both languages of every pair, the indexes, the data and the assets', () => {
    const expected = mapping.entries.flatMap((e) => ['zh', 'en'].map((lang) => pairPath(lang, e.api)));
    for (const path of [...expected, 'index.html', 'index.zh.html', 'api_mapping/index.html', 'mapping.json', 'api_mapping.json', 'mapping.schema.json', 'assets/site.js', 'assets/site.css', 'assets/mapping.js']) {
      expect(files.has(path)).toBe(true);
    }
    expect(files.get('assets/site.js')).toBe(assets.script);
    expect(files.get('assets/mapping.js')).toBe(`var INSTANCENORM_SHIM_MAPPING = ${JSON.stringify(mapping)};\n`);
  });

  it.each(pages)('%s links only to files of the site, never to a folder, and loads nothing from the network', (page) => {
    const html = files.get(page)!;
    for (const { ref, target } of references(page, html)) {
      if (target === null) continue;
      expect([ref, files.has(target)]).toEqual([ref, true]);
    }
    // Scripts and stylesheets are the site's own, as classic scripts (file:// refuses modules).
    expect(html).not.toMatch(/<script[^>]*type="module"/);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*src="https?:/);
    expect(html).not.toMatch(/<link[^>]*href="https?:/);
    expect((html.match(/<script src="[^"]*"><\/script>/g) ?? []).length).toBe(2);
  });

  it('the generated pages keep their links: the other language, mapping.json, the index of pairs', () => {
    const zh = files.get(pairPath('zh', 'InstanceNorm1d'))!;
    expect(zh).toContain('<a href="../../mapping.json">mapping.json</a>');
    expect(zh).toContain('<a href="../en/InstanceNorm1d.html">English</a>');
    expect(files.get('api_mapping/index.html')).toContain('<a href="zh/InstanceNorm2d.html">差异对比</a>');
  });

  it("each pair's playground has a field per signature argument, prefilled from the example, and the other hooks", () => {
    for (const entry of mapping.entries) {
      const html = files.get(pairPath('en', entry.api))!;
      for (const framework of ['torch', 'mindspore'] as const) {
        for (const { name } of entry[framework].args) {
          const field = new RegExp(`<input[^>]*value="([^"]*)"[^>]*data-testid="${framework}-arg-${name}"`).exec(html);
          expect(field).not.toBeNull();
          const example = entry.example?.[framework].kwargs[name];
          expect(field![1]).toBe(example === undefined ? '' : example === false ? 'False' : String(example));
        }
      }
      for (const id of ['input-tensor', 'mode', 'torch-output', 'mindspore-output', 'verdict']) expect(html).toContain(`data-testid="${id}"`);
    }
  });

  it('lists the pairs mapping.json has, in its order, and only those', () => {
    const subset = { ...mapping, entries: [mapping.entries[2], mapping.entries[0]] };
    const site = build(subset);
    const listed = (f: SiteFiles, page: string) => [...f.get(page)!.matchAll(/data-testid="pair" data-api="([^"]+)"/g)].map((m) => m[1]);
    expect(listed(site, 'index.html')).toEqual([mapping.entries[2].api, mapping.entries[0].api]);
    expect(listed(site, 'index.zh.html')).toEqual([mapping.entries[2].api, mapping.entries[0].api]);
    expect(site.has(pairPath('en', mapping.entries[1].api))).toBe(false);
  });

  it('escapes HTML in the mapping, and refuses a page that links to a file the site lacks', () => {
    const withHtml = JSON.parse(JSON.stringify(mapping)) as Mapping;
    withHtml.entries[0].description.en.torch = 'Applies <script>alert(1)</script> normalization.';
    expect(build(withHtml).get(pairPath('en', withHtml.entries[0].api))).toContain('Applies &lt;script&gt;alert(1)&lt;/script&gt; normalization.');

    const broken = JSON.parse(JSON.stringify(mapping)) as Mapping;
    broken.entries[0].description.zh.torch = '见[旧页面](../zh/Old.md)。';
    expect(thrown(() => build(broken)).message).toBe(`site: api_mapping/zh/${broken.entries[0].api}.md links to ../zh/Old.md, which the site does not have`);
  });
});
