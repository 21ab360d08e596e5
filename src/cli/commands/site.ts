/**
 * `site --out DIR`: writes the static docs site from mapping.json: every pair's diff page in zh
 * and en (the Markdown `docs` generates, as HTML) with a playground that runs both facades in the
 * browser, an index of the pairs per language, and the bundle `npm run build` made. It opens from
 * disk (file://) or any static host. Each file is written atomically and only when it changed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { ValueError } from '../../core/errors';
import { writeFileAtomic } from '../../io/atomic-write';
import { readText } from '../../io/with-path';
import { loadMapping, MAPPING_PATH } from '../../mapping';
import { LANGS, pagePath } from '../../mapping/render';
import { generateSite, readSiteAssets, SITE_INDEX, type SiteFiles } from '../../site';
import { json, table, type Io } from '../output';
import type { Command } from './types';

interface FileResult {
  path: string;
  status: 'unchanged' | 'written' | 'extra';
  /** The generated content's size (absent for an extra page). */
  bytes?: number;
}

function writeSite(dir: string): FileResult[] {
  // Everything is generated (and the bundle read) before the first file is written.
  const files = generateSite({ mapping: loadMapping(), mappingText: readText(MAPPING_PATH), assets: readSiteAssets() });
  const results = [...files].map(([path, content]): FileResult => {
    const target = join(dir, path);
    const bytes = Buffer.byteLength(content);
    if (existsSync(target) && readText(target) === content) return { path, status: 'unchanged', bytes };
    writeFileAtomic(target, content, { createDirs: true });
    return { path, status: 'written', bytes };
  });
  for (const path of stalePages(dir, files)) results.push({ path, status: 'extra' });
  return results;
}

/** Pages in the pairs' folders (`api_mapping/<lang>/`, as `docs` has them) that the mapping no longer makes. */
function stalePages(dir: string, files: SiteFiles): string[] {
  return LANGS.flatMap((lang) => {
    const folder = posix.dirname(pagePath(lang, 'any'));
    if (!existsSync(join(dir, folder))) return [];
    return readdirSync(join(dir, folder))
      .filter((name) => name.endsWith('.html'))
      .map((name) => `${folder}/${name}`)
      .filter((path) => !files.has(path));
  });
}

export const site: Command = {
  name: 'site',
  summary: 'write the static docs site: every pair\'s diff page in zh and en with a live playground',
  usage: 'site --out DIR [--json]',
  options: {
    out: { type: 'string', help: 'the folder to write the site to (made if missing; open DIR/index.html, or serve DIR from any static host)' },
    json: { type: 'boolean', default: false, help: 'print the per-file status as JSON' },
  },
  run({ values }, io: Io) {
    if (typeof values.out !== 'string' || values.out === '') throw new ValueError('--out is required: the folder to write the site to');
    const dir = resolve(values.out);
    const results = writeSite(dir);
    const extra = results.filter((r) => r.status === 'extra');
    const index = join(dir, SITE_INDEX.en);
    if (values.json) {
      io.out(json({ dir, index, ok: extra.length === 0, files: results }));
    } else {
      io.out(table(['file', 'status', 'bytes'], results.map((r) => [join(dir, r.path), r.status, r.bytes === undefined ? '' : String(r.bytes)])));
      io.out(`\nsite: ${index} (open it from disk, or copy ${dir} to any static host)`);
      if (extra.length > 0) io.out(`\nFAILED: ${extra.length} page(s) in ${dir} are not generated from mapping.json any more; delete them before publishing.`);
    }
    return extra.length === 0 ? 0 : 1;
  },
};
