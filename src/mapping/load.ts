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
  const path = issue.path
    .map((p, i) => (typeof p === 'number' && issue.path[i - 1] === 'entries' ? `[${describeEntry(json, p)}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
    .replace(/\.\[/g, '[');
  throw new ValueError(`${source}: ${path}: ${issue.message}`);
}

function describeEntry(json: unknown, index: number): string {
  const api = (json as { entries?: { api?: unknown }[] })?.entries?.[index]?.api;
  return typeof api === 'string' ? `${index} ${api}` : String(index);
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
