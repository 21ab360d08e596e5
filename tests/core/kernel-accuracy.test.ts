/**
 * Every registered kernel against the float64 reference on inputs chosen to break fast
 * arithmetic: a large mean with a tiny spread, values near the float32 extremes, long rows,
 * constant rows, an outlier where a shifted sum would cancel. float32 outputs must be within
 * 2e-6 + 2e-6 * |y| of the reference (issue 9), float64 ones within (1 + |y|) * 1e-12 * max(1, |mean| / std):
 * in float64 the reference itself rounds by about that much (the problem's conditioning), so the
 * float64 inputs are the same float32-representable values, for which its sums are mostly exact.
 */
import { instanceNorm } from '../../src/core/instance-norm';
import { currentKernel, kernels } from '../../src/core/normalize';
import { kernelsUnderTest, perCase } from '../helpers/kernels';
import type { NormalizeArgs, NormalizeKernel } from '../../src/core/kernels/types';
import { instanceNormReference, runningStatsReference } from '../../src/core/reference';
import { Tensor } from '../../src/core/tensor';
import { mulberry32, normals } from '../helpers/random';

type Case = {
  name: string;
  shape: [number, number, number];
  /** Value of element i of row r. */
  value: (r: number, i: number, rand: () => number) => number;
  eps?: number;
  affine?: boolean;
  /** Fixed per-channel statistics instead of each row's own. */
  running?: { mean: number[]; var: number[] };
};

/** The reference walks 2^20 elements slowly on purpose; a shared 2-core machine needs the margin. */
const SLOW = 120_000;

const normal = (rand: () => number) => normals(rand, 1)[0];

const CASES: Case[] = [
  { name: 'mean offset 1e4 with spread 1e-3', shape: [2, 3, 4096], value: (_r, _i, g) => 1e4 + 1e-3 * normal(g) },
  { name: 'mean offset 1e4 with spread 1e-3, eps 0, affine', shape: [2, 3, 4099], value: (_r, _i, g) => -1e4 + 1e-3 * normal(g), eps: 0, affine: true },
  { name: 'values near 1e-30, eps 0', shape: [2, 2, 4096], value: (r, _i, g) => 1e-30 * (1 + r + 0.1 * normal(g)), eps: 0 },
  { name: 'values near 1e-30, eps 1e-5', shape: [2, 2, 4096], value: (_r, _i, g) => 1e-30 * (1 + 0.1 * normal(g)) },
  { name: 'values near 3e38 of both signs', shape: [2, 2, 4096], value: (_r, _i, g) => 3e38 * (2 * g() - 1) },
  { name: 'values near 3e38, one sign, tiny relative spread', shape: [1, 2, 4096], value: (_r, _i, g) => 3e38 * (1 + 1e-6 * normal(g)) },
  { name: 'one row of 2^20 with offset 100', shape: [1, 1, 1 << 20], value: (_r, _i, g) => 100 + normal(g) },
  { name: 'constant rows, eps 0 (PyTorch gives 0, or the bias)', shape: [2, 2, 3000], value: (r) => 7.25 * (r + 1), eps: 0, affine: true },
  { name: 'constant rows, eps 1e-5', shape: [2, 2, 3000], value: (r) => -3.5 * r },
  { name: 'an outlier first (a shift at x[0] would cancel)', shape: [1, 2, 1 << 16], value: (_r, i, g) => (i < 32 ? 1e4 : 0.01 * normal(g)) },
  { name: 'short rows with tails (7 values)', shape: [64, 48, 7], value: (r, _i, g) => r + normal(g), affine: true },
  { name: 'mixed magnitudes per row', shape: [1, 6, 5000], value: (r, _i, g) => 10 ** (6 * r - 15) * (3 + normal(g)) },
  {
    name: 'NaN and Infinity in some rows (those rows become NaN, the others are unaffected)',
    shape: [1, 4, 4096],
    value: (r, i, g) => (r === 1 && i === 77 ? NaN : r === 2 && i === 4000 ? -Infinity : normal(g)),
  },
  {
    name: 'fixed statistics (running mean 1e4, running var 1e-6)',
    shape: [2, 2, 4096],
    value: (_r, _i, g) => 1e4 + 1e-3 * normal(g),
    affine: true,
    running: { mean: [1e4, 1e4 + 1e-3], var: [1e-6, 4e-6] },
  },
  {
    name: 'fixed statistics on slices of one value ((N, C): passes down the columns)',
    shape: [500, 6, 1],
    value: (r, _i, g) => (r % 6) * 10 + normal(g),
    affine: true,
    running: { mean: [0, 10, 20, 30, 40, 50], var: [1, 2, 0.5, 1e-4, 100, 3] },
  },
  {
    name: 'fixed statistics where x - mean overflows float32',
    shape: [1, 2, 4096],
    value: (_r, _i, g) => 3e38 * g(),
    running: { mean: [-3e38, -1e38], var: [1e76, 1e70] },
  },
];

/** The input and its reference, once per case and dtype (the reference is slow on purpose). */
const build = perCase(buildUncached);

function buildUncached(c: Case, dtype: 'float32' | 'float64') {
  const [N, C, L] = c.shape;
  const rand = mulberry32(0x9e37 + L);
  const data = dtype === 'float32' ? new Float32Array(N * C * L) : new Float64Array(N * C * L);
  for (let r = 0; r < N * C; r++) for (let i = 0; i < L; i++) data[r * L + i] = Math.fround(c.value(r, i, rand));
  const x = new Tensor(dtype, data, c.shape);
  const weight = c.affine ? Array.from({ length: C }, (_, k) => (k % 2 ? -1.5 : 0.75) + k) : undefined;
  const bias = c.affine ? Array.from({ length: C }, (_, k) => 0.25 - k) : undefined;
  const eps = c.eps ?? 1e-5;
  // The kernel gets the bias as float32 values, so the reference does too.
  const ref = instanceNormReference(x, { eps, weight, bias: bias && Array.from(Float32Array.from(bias)), running: c.running });
  let condition = 1;
  for (let r = 0; r < N * C; r++) {
    const std = Math.sqrt(ref.biasedVar[r]);
    if (std > 0) condition = Math.max(condition, Math.abs(ref.mean[r]) / std);
  }
  return { x, weight, bias, eps, ref, condition };
}

function run(kernel: NormalizeKernel, c: Case, dtype: 'float32' | 'float64') {
  const { x, weight, bias, eps, ref, condition } = build(c, dtype);
  const [N, C, L] = c.shape;
  const y = dtype === 'float32' ? new Float32Array(x.size) : new Float64Array(x.size);
  const rowMean = new Float64Array(N * C);
  const rowM2 = new Float64Array(N * C);
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x.data as Float32Array,
    y: y as Float32Array,
    rows: N * C,
    channels: C,
    length: L,
    eps,
    arithmetic: 'accurate',
    weight: weight ? Float64Array.from(weight) : null,
    bias: bias ? Float32Array.from(bias) : null,
    stats: c.running
      ? { from: 'given', mean: Float64Array.from(c.running.mean), var: Float64Array.from(c.running.var) }
      : { from: 'rows', record: { mean: rowMean, m2: rowM2 } },
  };
  if (dtype === 'float32') kernel.normalize32(args as NormalizeArgs<Float32Array>);
  else kernel.normalize64(args as NormalizeArgs<Float64Array>);
  const rowVar = rowM2.map((m2) => m2 / L);
  return { y, ref, rowMean, rowVar, condition };
}

/** Worst errors seen, printed when ACCURACY_REPORT is set (for the README and issue notes). */
const report: string[] = [];
afterAll(() => {
  if (process.env.ACCURACY_REPORT) console.log(report.join('\n'));
});

/** Largest |y - ref| / (abs + rel * |ref|); <= 1 passes. Non-finite values must match exactly. */
function worstError(y: Float32Array | Float64Array, ref: Tensor<'float64'>, abs: number, rel: number, dtype: 'float32' | 'float64') {
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const want = dtype === 'float32' ? Math.fround(ref.data[i]) : ref.data[i];
    if (!Number.isFinite(want) || !Number.isFinite(y[i])) {
      if (!Object.is(want, y[i])) return { worst: Infinity, at: i, got: y[i], want };
      continue;
    }
    const e = Math.abs(y[i] - ref.data[i]) / (abs + rel * Math.abs(ref.data[i]));
    if (e > worst) worst = e;
  }
  return { worst };
}

/** A row the reference gives no finite statistics for must get none from the kernel either. */
function nonFiniteRow(rowMean: Float64Array, rowVar: Float64Array, ref: { mean: number[]; biasedVar: number[] }, r: number): boolean {
  if (Number.isFinite(ref.mean[r]) && Number.isFinite(ref.biasedVar[r])) return false;
  expect(Number.isFinite(rowMean[r]) && Number.isFinite(rowVar[r])).toBe(false);
  return true;
}

function maxAbs(y: Float32Array | Float64Array, ref: Tensor<'float64'>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(ref.data[i])) m = Math.max(m, Math.abs(y[i] - ref.data[i]));
  return m;
}

describe.each(kernelsUnderTest('blocks').map((k) => [k.name, k] as const))('kernel %s against the float64 reference', (_name, kernel) => {
  it.each(CASES.map((c) => [c.name, c] as const))('float32: %s', (_n, c) => {
    const { y, ref, rowMean, rowVar } = run(kernel, c, 'float32');
    const error = worstError(y, ref.y, 2e-6, 2e-6, 'float32');
    report.push(`${kernel.name} float32 ${c.name}: max |y - ref| ${maxAbs(y, ref.y).toExponential(2)}, worst share of the tolerance ${error.worst.toFixed(3)}`);
    expect(error).toEqual({ worst: expect.any(Number) });
    expect(error.worst).toBeLessThanOrEqual(1);
    if (!c.running) {
      for (let r = 0; r < rowMean.length; r++) {
        if (nonFiniteRow(rowMean, rowVar, ref, r)) continue;
        const std = Math.sqrt(ref.biasedVar[r]);
        expect(Math.abs(rowMean[r] - ref.mean[r])).toBeLessThanOrEqual(1e-6 * std + 1e-15 * Math.abs(ref.mean[r]));
        expect(Math.abs(rowVar[r] - ref.biasedVar[r])).toBeLessThanOrEqual(4e-6 * ref.biasedVar[r]);
      }
    }
  }, SLOW);

  it.each(CASES.map((c) => [c.name, c] as const))('float64: %s', (_n, c) => {
    const { y, ref, rowMean, rowVar, condition } = run(kernel, c, 'float64');
    const tol = 1e-12 * condition;
    report.push(`${kernel.name} float64 ${c.name}: max |y - ref| ${maxAbs(y, ref.y).toExponential(2)}, tolerance ${tol.toExponential(1)}`);
    const error = worstError(y, ref.y, tol, tol, 'float64');
    expect(error).toEqual({ worst: expect.any(Number) });
    expect(error.worst).toBeLessThanOrEqual(1);
    if (!c.running) {
      for (let r = 0; r < rowMean.length; r++) {
        if (nonFiniteRow(rowMean, rowVar, ref, r)) continue;
        expect(Math.abs(rowMean[r] - ref.mean[r])).toBeLessThanOrEqual(tol * Math.sqrt(ref.biasedVar[r]) + 1e-15 * Math.abs(ref.mean[r]));
        expect(Math.abs(rowVar[r] - ref.biasedVar[r])).toBeLessThanOrEqual(tol * ref.biasedVar[r]);
      }
    }
  }, SLOW);
});

describe('the fast kernel in the core', () => {
  it('is built by npm install (prepare) and is the one the core runs', () => {
    // Fails when `npm run build:wasm` has not run: the core then falls back to the JS kernel.
    // wasm-simd-fma where the runtime has relaxed SIMD with a fused multiply-add (Node 22+).
    expect(currentKernel()).toMatch(/^wasm-simd(-fma)?$/);
    expect(kernels.map((k) => k.name)).toEqual([currentKernel(), 'js']);
  });

  it('updates running statistics like the reference on an input large enough for the wasm path', () => {
    const rand = mulberry32(11);
    const [N, C, L] = [3, 4, 3000];
    const x = Tensor.from(Float32Array.from(normals(rand, N * C * L, 2, 5)), { shape: [N, C, L] });
    const runningMean = Tensor.from([0.5, -1, 2, 0]);
    const runningVar = Tensor.from([1, 2, 0.5, 3]);
    const before = { mean: Array.from(runningMean.data), var: Array.from(runningVar.data) };
    instanceNorm(x, { arithmetic: 'accurate', eps: 1e-5, useInputStats: true, track: { runningMean, runningVar, momentum: 0.1 } });
    const want = runningStatsReference(x, before, 0.1);
    for (let c = 0; c < C; c++) {
      expect(runningMean.data[c]).toBeCloseTo(want.mean[c], 6);
      expect(runningVar.data[c]).toBeCloseTo(want.var[c], 5);
    }
  });
});
