/** Reads and validates mapping.json; the only place in the code that does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../core/errors';
import { FAMILIES } from '../families';
import { mappingSchema, type Mapping, type MappingEntry } from './schema';

/** mapping.json ships at the package root, beside src/ and dist/. */
export const MAPPING_PATH = join(__dirname, '..', '..', 'mapping.json');

let cached: Mapping | undefined;

/** Parses, validates and expands a mapping; errors name the family, class and field. */
export function parseMapping(json: unknown, source = 'mapping.json'): Mapping {
  const result = mappingSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ValueError(`${source}: ${describePath(json, issue.path)}: ${issue.message}`);
  }
  checkRegistry(result.data, source);
  return result.data;
}

/** mapping.json and the registry of layer families (src/families) name the same families and classes. */
function checkRegistry(mapping: Mapping, source: string): void {
  const listed = (names: readonly string[]) => names.join(', ') || 'none';
  for (const family of FAMILIES) {
    const rows = mapping.families.find((f) => f.family === family.name);
    if (!rows) throw new ValueError(`${source}: no family '${family.name}' (src/families registers it)`);
    const classes = family.classes.map((c) => c.api);
    if (rows.classes.join() !== classes.join()) {
      throw new ValueError(`${source}: family '${family.name}' lists the classes ${listed(rows.classes)}; src/families registers ${listed(classes)}`);
    }
  }
  for (const family of mapping.families) {
    if (!FAMILIES.some((f) => f.name === family.family)) throw new ValueError(`${source}: family '${family.family}' is not registered in src/families`);
  }
}

/** `families[0 InstanceNorm].rows[4 track_running_stats].kind`: indices with what they index. */
function describePath(json: unknown, path: readonly PropertyKey[]): string {
  let text = '';
  let node: unknown = json;
  for (const key of path) {
    if (typeof key === 'number') {
      const item = (node as unknown[] | undefined)?.[key] as Record<string, unknown> | undefined;
      const label = item?.family ?? item?.api ?? item?.id ?? item?.torch ?? item?.mindspore;
      text += typeof label === 'string' ? `[${key} ${label}]` : `[${key}]`;
    } else {
      text += text === '' ? String(key) : `.${String(key)}`;
    }
    node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
  }
  return text || '(root)';
}

/** The file's JSON as written (families with class overrides), before parsing. */
export function readMappingFile(path = MAPPING_PATH): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValueError(`${path}: cannot read the mapping: ${(err as Error).message}`);
  }
}

export function loadMapping(path = MAPPING_PATH): Mapping {
  if (path === MAPPING_PATH && cached) return cached;
  const mapping = parseMapping(readMappingFile(path), path);
  if (path === MAPPING_PATH) cached = mapping;
  return mapping;
}

export function mappingEntry(api: MappingEntry['api'], mapping = loadMapping()): MappingEntry {
  const entry = mapping.entries.find((e) => e.api === api);
  if (!entry) throw new ValueError(`mapping.json has no entry for ${api}`);
  return entry;
}

/** The input ranks a framework's layer accepts, from the entry's `inputRanks` claim (batched rank last). */
export function inputRanks(api: MappingEntry['api'], framework: 'torch' | 'mindspore', mapping = loadMapping()): number[] {
  for (const row of mappingEntry(api, mapping).rows) {
    for (const claim of row.claims) if (claim.kind === 'inputRanks') return claim[framework];
  }
  throw new ValueError(`mapping.json has no inputRanks claim for ${api}`);
}
