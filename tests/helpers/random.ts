/** Seeded randomness for tests, so every failure reproduces. */
export { mulberry32 } from '../../src/core/random';

/** Math.imul written out (the low 32 bits of the product, as a signed int). */
function imul(a: number, b: number): number {
  const low = (a & 0xffff) * b;
  const high = (((a >>> 16) * b) & 0xffff) << 16;
  return (low + high) | 0;
}

/**
 * The stream of src/core/random.ts's mulberry32 for millions of values: in jest's vm contexts
 * Math.imul is not inlined and costs about 250 ns a call, 50 times what the rest of a draw costs.
 */
export function mulberry32Fast(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
