/**
 * Conformance tests generated from mapping.json: every claim of every row of every entry, checked
 * against both facades (see checks.ts for what each kind of claim means).
 */
import { loadMapping } from '../../src/mapping';
import { claimSchema } from '../../src/mapping/schema';
import { CHECKS, checkClaim, claimTitle } from './checks';

const mapping = loadMapping();

describe('every row has a check', () => {
  it('each row of each entry carries at least one claim', () => {
    const bare = mapping.entries.flatMap((e) => e.rows.filter((r) => r.claims.length === 0).map((r) => `${e.api} ${r.subcategory}`));
    expect(bare).toEqual([]);
  });
  it('each kind of claim the schema allows has a check', () => {
    const kinds = claimSchema.options.map((o) => o.shape.kind.value);
    expect(kinds.filter((k) => !(k in CHECKS))).toEqual([]);
    expect(Object.keys(CHECKS).sort()).toEqual([...kinds].sort());
  });
});

for (const entry of mapping.entries) {
  describe(entry.api, () => {
    for (const row of entry.rows) {
      row.claims.forEach((claim, i) => {
        it(claimTitle(row, claim, i), () => checkClaim(entry, row, claim));
      });
    }
  });
}
