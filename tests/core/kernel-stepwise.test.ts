/**
 * 'stepwise' arithmetic: every kernel (JS, wasm, wasm with tiny blocks so the streamed long-row
 * path runs) against the plain emulation of ATen's steps in tests/helpers/aten.ts, bit for bit:
 * outputs, and the per-row mean and sum of squared deviations the running statistics are built
 * from. The inputs are the ones that break shortcuts: a mean far from the spread, squares that
 * overflow or underflow float32, constant rows, an outlier first, short rows with tails, mixed
 * magnitudes, NaN/Inf, mostly zeros, subnormals, long zero-mean rows (where an order-free sum is
 * not the element-order sum), and values whose products and sums land on float32 rounding ties.
 */
import type { NormalizeArgs, NormalizeKernel } from '../../src/core/kernels/types';
import { atenInstanceNorm } from '../helpers/aten';
import { kernelsUnderTest, perCase } from '../helpers/kernels';
import { compareBits } from '../helpers/torch-fixtures';
import { mulberry32, normals } from '../helpers/random';

type Case = {
  name: string;
  shape: [number, number, number];
  value: (r: number, i: number, rand: () => number) => number;
  eps?: number;
  affine?: boolean;
  /** Exact weight and bias instead of the affine ones. */
  params?: { weight: number[]; bias: number[] };
  given?: { mean: number[]; var: number[] };
};

const normal = (rand: () => number) => normals(rand, 1)[0];

const CASES: Case[] = [
  { name: 'normal rows with offsets', shape: [3, 4, 300], value: (r, _i, g) => r - 5 + normal(g) * (1 + r), affine: true },
  { name: 'offset 1e4, spread 1e-3', shape: [2, 3, 4096], value: (_r, _i, g) => 1e4 + 1e-3 * normal(g) },
  { name: 'offset -1e4, spread 1e-3, eps 0, affine', shape: [2, 3, 4099], value: (_r, _i, g) => -1e4 + 1e-3 * normal(g), eps: 0, affine: true },
  { name: 'near 1e30: squares overflow float32', shape: [2, 2, 1000], value: (_r, _i, g) => 1e30 * normal(g), affine: true },
  { name: 'near 1e-30, eps 0: squares underflow float32', shape: [2, 2, 1000], value: (r, _i, g) => 1e-30 * (1 + r + 0.1 * normal(g)), eps: 0 },
  { name: 'near 1e-30, eps 1e-5', shape: [2, 2, 1000], value: (_r, _i, g) => 1e-30 * (1 + 0.1 * normal(g)), affine: true },
  { name: 'near 3e38, both signs', shape: [2, 2, 1000], value: (_r, _i, g) => 3e38 * (2 * g() - 1) },
  { name: 'subnormal values', shape: [1, 3, 1000], value: (_r, _i, g) => 1e-41 * normal(g), eps: 0 },
  { name: 'constant rows, eps 0', shape: [2, 2, 777], value: (r) => 7.25 * (r + 1), eps: 0, affine: true },
  { name: 'constant rows, eps 1e-5', shape: [2, 2, 777], value: (r) => -3.5 * r - 0.1, affine: true },
  { name: 'an outlier first', shape: [1, 2, 1 << 14], value: (_r, i, g) => (i < 32 ? 1e4 : 0.01 * normal(g)) },
  { name: 'short rows with tails (7 values)', shape: [64, 48, 7], value: (r, _i, g) => r + normal(g), affine: true },
  { name: 'short rows of 2', shape: [50, 9, 2], value: (_r, _i, g) => normal(g) },
  { name: 'mixed magnitudes per row', shape: [1, 8, 2000], value: (r, _i, g) => 10 ** (4 * r - 15) * (3 + normal(g)), affine: true },
  { name: 'NaN and Infinity in some rows', shape: [1, 4, 600], value: (r, i, g) => (r === 1 && i === 77 ? NaN : r === 2 && i === 400 ? -Infinity : normal(g)) },
  { name: 'mostly zeros', shape: [2, 3, 2048], value: (_r, _i, g) => (g() < 0.8 ? 0 : Math.max(0, normal(g))), affine: true },
  { name: 'long zero-mean rows (order-free sums differ from element-order ones)', shape: [1, 2, 1 << 16], value: (_r, _i, g) => normal(g) },
  { name: 'long rows with offset 100', shape: [1, 1, 1 << 16], value: (_r, _i, g) => 100 + normal(g) },
  { name: 'rows whose mean is exactly a float32 midpoint (undecided from lane sums: summed again in order, ties to even)', shape: [2, 3, 256], value: (r, i) => 2 ** (r - 2) * (i % 2 ? 1 + 2 ** -23 : 1) },
  { name: 'small integers times powers of two (rounding ties)', shape: [4, 4, 512], value: (r, _i, g) => (Math.floor(g() * 9) - 4) * 2 ** (r - 8), affine: true },
  { name: 'given statistics (running mean 1e4, var 1e-6)', shape: [2, 2, 2048], value: (_r, _i, g) => 1e4 + 1e-3 * normal(g), affine: true, given: { mean: [1e4, 1e4 + 1e-3], var: [1e-6, 4e-6] } },
  { name: 'given statistics where x - mean overflows float32', shape: [1, 2, 1000], value: (_r, _i, g) => 3e38 * g(), given: { mean: [-3e38, -1e38], var: [1e76, 1e70] } },
  { name: 'given statistics, eps 0, zero variance', shape: [2, 3, 300], value: (_r, _i, g) => normal(g), eps: 0, given: { mean: [0, 1, -1], var: [0, 1, 2] } },
  {
    // alpha = 1 + 2^-12, beta = 2^-60: x * alpha is a float32 midpoint for odd j, and beta moves the
    // exact sum just above it, where float64 rounds back onto it (only a fused multiply-add rounds up).
    name: 'slices of one value where x * alpha + beta rounds to a float32 midpoint in float64',
    shape: [64, 9, 1],
    value: (r) => 1 + (r % 64) * 2 ** -12,
    eps: 0,
    params: { weight: Array(9).fill(1 + 2 ** -12), bias: Array(9).fill(2 ** -60) },
    given: { mean: Array(9).fill(0), var: Array(9).fill(1) },
  },
  {
    name: 'slices of one value near the float32 subnormals (beta below 2^-100)',
    shape: [64, 9, 1],
    value: (r, _i, g) => (r % 5) * 2 ** -135 * (1 + g()),
    eps: 0,
    params: { weight: Array.from({ length: 9 }, (_, k) => 1 + k * 2 ** -20), bias: Array.from({ length: 9 }, (_, k) => (k - 4) * 2 ** -140) },
    given: { mean: Array(9).fill(0), var: Array(9).fill(1) },
  },
  { name: 'given statistics on slices of one value ((N, C): passes down the columns)', shape: [300, 7, 1], value: (r, _i, g) => (r % 7) - 3 + normal(g), affine: true, given: { mean: [-3, -2, -1, 0, 1, 2, 3], var: [0.5, 1, 2, 4, 0.25, 1e-6, 9] } },
];

const build = perCase(buildUncached);

function buildUncached(c: Case, dtype: 'float32' | 'float64') {
  const [N, C, L] = c.shape;
  const rand = mulberry32(0x5eed + L + N);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const x = dtype === 'float32' ? new Float32Array(N * C * L) : new Float64Array(N * C * L);
  for (let r = 0; r < N * C; r++) for (let i = 0; i < L; i++) x[r * L + i] = c.value(r, i, rand);
  const weight = c.params ? c.params.weight.map(round) : c.affine ? Array.from({ length: C }, (_, k) => round((k % 2 ? -1.37 : 0.75) + k / 3)) : undefined;
  const bias = c.params ? c.params.bias.map(round) : c.affine ? Array.from({ length: C }, (_, k) => round(0.25 - k / 7)) : undefined;
  const given = c.given && { mean: c.given.mean.map(round), var: c.given.var.map(round) };
  const eps = c.eps ?? 1e-5;
  const expected = atenInstanceNorm(x, { rows: N * C, channels: C, length: L }, { eps, format: dtype, weight, bias, given });
  return { x, weight, bias, given, eps, expected };
}

function run(kernel: NormalizeKernel, c: Case, dtype: 'float32' | 'float64') {
  const { x, weight, bias, given, eps, expected } = build(c, dtype);
  const [N, C, L] = c.shape;
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const y = new Arr(x.length);
  const rowMean = new Float64Array(N * C);
  const rowM2 = new Float64Array(N * C);
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x as Float32Array,
    y: y as Float32Array,
    rows: N * C,
    channels: C,
    length: L,
    eps,
    arithmetic: 'stepwise',
    weight: weight ? Arr.from(weight) : null,
    bias: bias ? Arr.from(bias) : null,
    stats: given ? { from: 'given', mean: Arr.from(given.mean), var: Arr.from(given.var) } : { from: 'rows', record: { mean: rowMean, m2: rowM2 } },
  };
  if (dtype === 'float32') kernel.normalize32(args as NormalizeArgs<Float32Array>);
  else kernel.normalize64(args as NormalizeArgs<Float64Array>);
  return { y, rowMean, rowM2, expected };
}

describe.each(kernelsUnderTest('all').map((k) => [k.name, k] as const))("kernel %s against the emulation of ATen's steps", (_name, kernel) => {
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(CASES.map((c) => [c.name, c] as const))(`${dtype}: %s`, (_n, c) => {
      const { y, rowMean, rowM2, expected } = run(kernel, c, dtype);
      const want = dtype === 'float32' ? Float32Array.from(expected.y) : Float64Array.from(expected.y);
      const outputs = compareBits(y, want);
      expect({ identical: outputs.identical, firstDifferent: outputs.first }).toEqual({ identical: y.length, firstDifferent: -1 });
      if (!c.given) {
        expect(compareBits(rowMean, Float64Array.from(expected.stats, (s) => s.mean)).identical).toBe(rowMean.length);
        expect(compareBits(rowM2, Float64Array.from(expected.stats, (s) => s.varSum)).identical).toBe(rowM2.length);
      }
    }, 60_000);
  }
});
