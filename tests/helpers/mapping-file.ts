/**
 * mapping.json as written (families with per-class overrides), for tests that change a copy and
 * parse it again: the parsed Mapping is expanded, so it cannot be fed back to parseMapping.
 */
import { readMappingFile } from '../../src/mapping';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const mappingFile = (): Json => structuredClone(readMappingFile());

/** A class's entry in the file and the family it belongs to. */
export function classIn(json: Json, api: string): { family: Json; cls: Json } {
  for (const family of json.families) {
    const cls = family.classes.find((c: Json) => c.api === api);
    if (cls) return { family, cls };
  }
  throw new Error(`no class ${api} in mapping.json`);
}

/**
 * Where one class's row keeps `field`: the class's override when it writes that field, else the
 * family's row (which every class of the family shares).
 */
export function rowIn(json: Json, api: string, torchName: string | null, mindsporeName: string | null, field = 'claims'): Json {
  const { family, cls } = classIn(json, api);
  const row = family.rows.find((r: Json) => r.torch === torchName && r.mindspore === mindsporeName);
  if (!row) throw new Error(`no row ${torchName} / ${mindsporeName} in family ${family.family}`);
  const override = cls.rows?.[(torchName ?? mindsporeName) as string];
  return override && field in override ? override : row;
}
