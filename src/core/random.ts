/**
 * mulberry32: a small seedable generator giving the same stream on every platform, for the
 * random inputs of verification runs and tests (so every failure reproduces).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A standard normal draw from two uniform draws in [0, 1) (Box-Muller, cosine branch only, so each
 * call takes exactly two draws and a stream's values do not depend on how calls are batched).
 */
export function standardNormal(uniform: () => number): number {
  const u = 1 - uniform();
  const v = uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
