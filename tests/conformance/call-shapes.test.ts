/**
 * Per entry, the four call shapes a Python caller can use, built from each signature in
 * mapping.json: all positional, all keyword, keywords out of order, all defaults. Each shape must
 * build the layer its keywords describe (same repr, tensors, trainability and outputs).
 */
import { loadMapping } from '../../src/mapping';
import { pyValue } from '../../src/mapping/porting';
import type { MappingEntry } from '../../src/mapping/schema';
import { C, fingerprintOf, type Framework } from './checks';

const mapping = loadMapping();

/** A value the facade takes for the arguments whose default is None. */
const NOT_NONE: Record<string, unknown> = { device: 'cpu', dtype: 'float64', use_batch_statistics: true };

function fail(message: string): never {
  throw new Error(message);
}

/** A value for each argument, unlike its default where the facade can take one (read from the signature). */
function sampleValue(fw: Framework, name: string, defaultText: string | undefined): unknown {
  if (defaultText === undefined) return C;
  const v = pyValue(defaultText);
  if (v.kind === 'name') return v.parts[v.parts.length - 1]; // mstype.float32: the only dtype MindSpore runs
  if (v.kind !== 'literal') throw new Error(`cannot read the default ${name}=${defaultText}`);
  if (typeof v.value === 'boolean') return !v.value;
  // Half the default stays in every range these layers check (eps > 0, momentum in [0, 1]).
  if (typeof v.value === 'number') return v.value / 2;
  if (v.value === null) return NOT_NONE[name] ?? fail(`no sample value for ${name}, whose default is None`);
  return { ones: 1.5, zeros: 0.5 }[v.value] ?? v.value;
}

function signatureArgs(entry: MappingEntry, fw: Framework): [string, unknown][] {
  return entry[fw].args.map((a) => [a.name, sampleValue(fw, a.name, a.default)]);
}

for (const entry of mapping.entries) {
  for (const fw of ['torch', 'mindspore'] as const) {
    describe(`${entry.api} (${fw}): the four call shapes`, () => {
      const named = signatureArgs(entry, fw);
      const keywords = Object.fromEntries(named);
      const expected = fingerprintOf(fw, entry.api, [keywords]);

      it('all positional builds what all keyword builds', () => {
        expect(fingerprintOf(fw, entry.api, named.map(([, v]) => v))).toBe(expected);
      });
      it('keywords out of order build the same', () => {
        const reversed = Object.fromEntries([...named].reverse());
        expect(Object.keys(reversed)).not.toEqual(Object.keys(keywords));
        expect(fingerprintOf(fw, entry.api, [reversed])).toBe(expected);
      });
      it('positional and keyword mixed build the same', () => {
        const [first, second, ...rest] = named;
        expect(fingerprintOf(fw, entry.api, [first[1], second[1], Object.fromEntries(rest)])).toBe(expected);
      });
      it('all defaults: only num_features is required, and the defaults are not the sample values', () => {
        expect(entry[fw].args.filter((a) => a.default === undefined).map((a) => a.name)).toEqual(['num_features']);
        const defaults = fingerprintOf(fw, entry.api, [C]);
        expect(fingerprintOf(fw, entry.api, [{ num_features: C }])).toBe(defaults);
        expect(defaults).not.toBe(expected);
      });
    });
  }
}
