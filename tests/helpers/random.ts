/** Seeded randomness for tests, so every failure reproduces. */
export { mulberry32 } from '../../src/core/random';

/** Standard normal draws (Box-Muller). */
export function normals(rand: () => number, count: number, scale = 1, offset = 0): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const u = 1 - rand();
    const v = rand();
    out.push(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * scale + offset);
  }
  return out;
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
