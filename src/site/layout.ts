/** Where things are in a built site, shared by the generator and the page script. */
import type { Lang } from '../mapping/render/labels';

/** Site-relative paths of the files every page uses. */
export const ASSETS = { css: 'assets/site.css', script: 'assets/site.js', mapping: 'assets/mapping.js' } as const;

/** The index of pairs, per language. */
export const SITE_INDEX: Record<Lang, string> = { en: 'index.html', zh: 'index.zh.html' };

/** The global the page script reads the mapping from (assets/mapping.js sets it). */
export const MAPPING_GLOBAL = 'INSTANCENORM_SHIM_MAPPING';
