/** Reads and validates mapping.json; the only place in the code that does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../core/errors';
import { mappingSchema, type Mapping, type MappingEntry } from './schema';

/** mapping.json ships at the package root, beside src/ and dist/. */
export const MAPPING_PATH = join(__dirname, '..', '..', 'mapping.json');

let cached: Mapping | undefined;

/** Parses and validates a mapping; errors name the entry and the field. */
export function parseMapping(json: unknown, source = 'mapping.json'): Mapping {
  const result = mappingSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ValueError(`${source}: ${describePath(json, issue.path)}: ${issue.message}`);
}

/** `entries[0 InstanceNorm1d].rows[4 track_running_stats].kind`: indices with what they index. */
function describePath(json: unknown, path: readonly PropertyKey[]): string {
  let text = '';
  let node: unknown = json;
  for (const key of path) {
    if (typeof key === 'number') {
      const item = (node as unknown[] | undefined)?.[key] as Record<string, unknown> | undefined;
      const label = item?.api ?? item?.id ?? item?.torch ?? item?.mindspore;
      text += typeof label === 'string' ? `[${key} ${label}]` : `[${key}]`;
    } else {
      text += text === '' ? String(key) : `.${String(key)}`;
    }
    node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
  }
  return text || '(root)';
}

export function loadMapping(path = MAPPING_PATH): Mapping {
  if (path === MAPPING_PATH && cached) return cached;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValueError(`${path}: cannot read the mapping: ${(err as Error).message}`);
  }
  const mapping = parseMapping(json, path);
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
