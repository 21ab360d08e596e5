/** The page script and stylesheet `npm run build` bundles (scripts/build-site.js), read for `site`. */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readText } from '../io/with-path';
import type { SiteAssets } from './generate';

const ROOT = join(__dirname, '..', '..');

/** Where scripts/build-site.js writes (the same folder seen from src/site and from dist/site). */
export const SITE_ASSETS_DIR = join(ROOT, 'dist', 'site', 'assets');

export function readSiteAssets(dir = SITE_ASSETS_DIR): SiteAssets {
  const script = join(dir, 'site.js');
  const css = join(dir, 'site.css');
  for (const path of [script, css]) {
    if (!existsSync(path)) throw new Error(`the site's bundle is not built (${relative(ROOT, path)} is missing): run 'npm run build'`);
  }
  return { script: readText(script), css: readText(css) };
}
