/**
 * The FMA emulation against exact BigInt arithmetic: random operands, operands built so that the
 * float64 sum lands exactly on a float32 rounding midpoint (where a plain float64 multiply-add
 * rounds twice and is wrong), and the edges (zeros, subnormal results, overflow, non-finite).
 */
import { fma32, fma64 } from '../../src/core/fma';
import { exactFma } from '../helpers/exact';
import { mulberry32 } from '../helpers/random';

const f = Math.fround;

/** A float32 with a random 24-bit significand and an exponent in [lo, hi]. */
function randomFloat32(rand: () => number, lo: number, hi: number): number {
  const sign = rand() < 0.5 ? -1 : 1;
  const exp = lo + Math.floor(rand() * (hi - lo + 1));
  return f(sign * (1 + Math.floor(rand() * 2 ** 23) / 2 ** 23) * 2 ** exp);
}

function randomFloat64(rand: () => number, lo: number, hi: number): number {
  const sign = rand() < 0.5 ? -1 : 1;
  const exp = lo + Math.floor(rand() * (hi - lo + 1));
  const mant = 1 + (Math.floor(rand() * 2 ** 26) * 2 ** 26 + Math.floor(rand() * 2 ** 26)) / 2 ** 52;
  return sign * mant * 2 ** exp;
}

describe('fma32: a * b + c rounded once to float32', () => {
  it('matches exact arithmetic on 50,000 random float32 triples over a wide exponent range', () => {
    const rand = mulberry32(1);
    let bad = 0;
    for (let i = 0; i < 50_000; i++) {
      const a = randomFloat32(rand, -60, 60);
      const b = randomFloat32(rand, -60, 60);
      const c = randomFloat32(rand, -80, 80);
      if (!Object.is(fma32(a, b, c), exactFma(a, b, c, 'float32'))) bad++;
    }
    expect(bad).toBe(0);
  });

  it('is right where a float64 multiply-add rounds twice: the sum sits within a float64 ulp of a float32 midpoint', () => {
    const rand = mulberry32(2);
    let doubleRoundingCases = 0;
    for (let i = 0; i < 5_000; i++) {
      // c a float32 and a * b = half its ulp times (1 -/+ 2^-32 or 2^-33): a float64 sum rounds
      // onto the float32 midpoint, and ties to even may then go the wrong way.
      const c = randomFloat32(rand, -10, 10);
      const halfUlp = 2 ** (Math.floor(Math.log2(Math.abs(c))) - 24) * Math.sign(c);
      const below = rand() < 0.5;
      const a = f(halfUlp * (below ? 1 + 2 ** -16 : 1 + 2 ** -11));
      const b = f(below ? 1 - 2 ** -16 : 1 - 2 ** -11 + 2 ** -22);
      const plain = f(a * b + c);
      const exact = exactFma(a, b, c, 'float32');
      if (!Object.is(plain, exact)) doubleRoundingCases++;
      expect(fma32(a, b, c)).toBe(exact);
    }
    expect(doubleRoundingCases).toBeGreaterThan(500);
  });

  it('handles zeros, subnormal results, overflow and non-finite operands like IEEE fma', () => {
    const cases: [number, number, number][] = [
      [0, 5, -0],
      [-0, 5, -0],
      [f(1e-30), f(1e-20), 0],
      [f(1e-30), f(1e-20), f(-1e-45)],
      [f(3e38), f(2), 0],
      [f(3.4028234663852886e38), f(1), f(1e31)],
      [f(3.4028234663852886e38), f(1), f(2e31)],
      [Infinity, 0, 1],
      [Infinity, 1, -Infinity],
      [NaN, 1, 1],
      [f(1.5), f(-2), 3],
    ];
    for (const [a, b, c] of cases) expect(fma32(a, b, c)).toBe(exactFma(a, b, c, 'float32'));
  });
});

describe('fma64: a * b + c rounded once in float64', () => {
  it('matches exact arithmetic on 30,000 random double triples', () => {
    const rand = mulberry32(3);
    let bad = 0;
    for (let i = 0; i < 30_000; i++) {
      const a = randomFloat64(rand, -100, 100);
      const b = randomFloat64(rand, -100, 100);
      const c = rand() < 0.5 ? -a * b * (1 + randomFloat64(rand, -60, -1)) : randomFloat64(rand, -200, 200);
      if (!Object.is(fma64(a, b, c), exactFma(a, b, c, 'float64'))) bad++;
    }
    expect(bad).toBe(0);
  });

  it('is right on cancellations and on sums that are ties after the product is rounded', () => {
    const rand = mulberry32(4);
    for (let i = 0; i < 5_000; i++) {
      const a = randomFloat64(rand, -5, 5);
      const b = randomFloat64(rand, -5, 5);
      const c = -(a * b) + (rand() < 0.5 ? 0 : randomFloat64(rand, -120, -60));
      expect(fma64(a, b, c)).toBe(exactFma(a, b, c, 'float64'));
    }
  });

  it('handles zeros and non-finite operands', () => {
    for (const [a, b, c] of [
      [0, 5, -0],
      [-0, 5, -0],
      [Infinity, 0, 1],
      [Infinity, 2, 1],
      [NaN, 1, 1],
      [1e300, 1e10, -Infinity],
    ] as [number, number, number][]) {
      expect(fma64(a, b, c)).toBe(a * b + c);
    }
  });
});
