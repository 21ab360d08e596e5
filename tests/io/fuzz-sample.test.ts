/** A sample of `npm run fuzz` (tests/fuzz/files.ts): every damaged file ends in a clear error or a valid result. */
import { FAILURES, runFuzz, summary } from '../fuzz/files';

describe('file fuzzing (sample)', () => {
  it('300 damaged files through every reader: clear errors or valid results, fast, bounded memory', () => {
    const result = runFuzz({ variants: 300, seed: 7, maxMsPerRead: 1000 });
    console.log(summary(result));
    expect(result.failures).toEqual([]);
    for (const outcome of FAILURES) expect(result.outcomes[outcome]).toBe(0);
    expect(result.reads).toBe(1200);
    // the damage is real: most variants are refused
    expect(result.outcomes.error).toBeGreaterThan(1000);
  });
});
