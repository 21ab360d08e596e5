/**
 * Per-channel statistics (batch norm: each channel over N and every position), in every kernel
 * (JS, wasm, wasm with tiny blocks so channels are streamed, with every sum redone in element
 * order, and the relaxed-SIMD build where this machine runs it):
 * - 'stepwise' against the plain emulation of ATen's steps (tests/helpers/aten.ts), bit for bit:
 *   outputs and the per-channel mean and sum of squared deviations;
 * - 'accurate' against the float64 reference (src/core/batch-norm-reference.ts).
 * The inputs break shortcuts across the batch: batch entries far apart (the mean of one entry is
 * no shift for the others), an outlier entry first, squares that overflow or underflow float32,
 * constant channels, odd slices (float64 fuses their last square), slices of one value ((N, C):
 * float32 sums), channels longer than a block, many short channels per block, NaN/Inf.
 */
import { batchNormReference } from '../../src/core/batch-norm-reference';
import type { NormalizeArgs, NormalizeKernel } from '../../src/core/kernels/types';
import { Tensor } from '../../src/core/tensor';
import { atenBatchNorm } from '../helpers/aten';
import { kernelsUnderTest, perCase } from '../helpers/kernels';
import { compareBits } from '../helpers/torch-fixtures';
import { mulberry32, normals } from '../helpers/random';

type Case = {
  name: string;
  /** [N, C, L]: L is the product of the trailing dims. */
  shape: [number, number, number];
  /** Value of element i of batch entry n, channel c. */
  value: (n: number, c: number, i: number, rand: () => number) => number;
  eps?: number;
  affine?: boolean;
};

const normal = (rand: () => number) => normals(rand, 1)[0];

const CASES: Case[] = [
  { name: 'normal channels with offsets', shape: [4, 5, 300], value: (_n, c, _i, g) => c - 2 + normal(g) * (1 + c), affine: true },
  { name: 'batch entries far apart (1e4 and -1e4, spread 1e-3)', shape: [4, 3, 1000], value: (n, _c, _i, g) => (n % 2 ? 1e4 : -1e4) + 1e-3 * normal(g), affine: true },
  { name: 'offset 1e4, spread 1e-3, eps 0', shape: [3, 2, 2049], value: (_n, _c, _i, g) => 1e4 + 1e-3 * normal(g), eps: 0 },
  { name: 'an outlier batch entry first', shape: [6, 2, 512], value: (n, _c, _i, g) => (n === 0 ? 1e4 : 0.01 * normal(g)) },
  { name: 'near 1e30: squares overflow float32', shape: [3, 2, 400], value: (_n, _c, _i, g) => 1e30 * normal(g), affine: true },
  { name: 'near 1e-30, eps 0: squares underflow float32', shape: [3, 2, 400], value: (_n, c, _i, g) => 1e-30 * (1 + c + 0.1 * normal(g)), eps: 0 },
  { name: 'constant channels, eps 0', shape: [3, 3, 101], value: (_n, c) => 7.25 * (c + 1), eps: 0, affine: true },
  { name: 'constant channels, eps 1e-5', shape: [3, 3, 101], value: (_n, c) => -3.5 * c - 0.1, affine: true },
  { name: 'odd slices (3 values)', shape: [40, 7, 3], value: (n, c, _i, g) => n * 0.1 + c + normal(g), affine: true },
  { name: 'slices of 2', shape: [50, 9, 2], value: (_n, _c, _i, g) => normal(g) },
  { name: '(N, C): slices of one value, float32 sums over the batch', shape: [300, 6, 1], value: (n, c, _i, g) => (c % 2 ? 1e3 : 1) * (n % 7) + normal(g), affine: true },
  { name: '(N, C) with an outlier row and eps 0', shape: [64, 3, 1], value: (n, _c, _i, g) => (n === 3 ? 1e7 : normal(g)), eps: 0 },
  { name: '(N, C) streamed in blocks of rows (small blocks)', shape: [700, 5, 1], value: (n, c, _i, g) => c * 100 + (n % 3) + normal(g), affine: true },
  { name: '(N, C), 8 channels of small integers times powers of two (rounding ties)', shape: [256, 8, 1], value: (_n, c, _i, g) => (Math.floor(g() * 9) - 4) * 2 ** (c - 4), affine: true },
  { name: '(N, C) near 1e-35 (multiply-adds near the float32 subnormals)', shape: [200, 4, 1], value: (_n, c, _i, g) => 1e-35 * (c + 1 + 0.5 * normal(g)), eps: 0, affine: true },
  { name: 'many short channels per block', shape: [5, 70, 9], value: (n, c, _i, g) => c * 10 ** ((c % 5) - 2) + n + normal(g), affine: true },
  { name: 'long channels (streamed with small blocks)', shape: [9, 2, 700], value: (n, _c, _i, g) => 100 * n + normal(g), affine: true },
  { name: 'mixed magnitudes per channel', shape: [2, 6, 800], value: (_n, c, _i, g) => 10 ** (5 * c - 12) * (3 + normal(g)), affine: true },
  { name: 'NaN and Infinity in some channels', shape: [3, 4, 150], value: (n, c, i, g) => (c === 1 && n === 2 && i === 7 ? NaN : c === 2 && n === 0 && i === 100 ? -Infinity : normal(g)) },
];

const build = perCase(buildUncached);

function buildUncached(c: Case, dtype: 'float32' | 'float64') {
  const [N, C, L] = c.shape;
  const rand = mulberry32(0xbadc + N * 31 + L);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const x = dtype === 'float32' ? new Float32Array(N * C * L) : new Float64Array(N * C * L);
  for (let n = 0; n < N; n++) for (let ch = 0; ch < C; ch++) for (let i = 0; i < L; i++) x[(n * C + ch) * L + i] = c.value(n, ch, i, rand);
  const weight = c.affine ? Array.from({ length: C }, (_, k) => round((k % 2 ? -1.37 : 0.75) + k / 3)) : undefined;
  const bias = c.affine ? Array.from({ length: C }, (_, k) => round(0.25 - k / 7)) : undefined;
  const eps = c.eps ?? 1e-5;
  const expected = atenBatchNorm(x, { N, C, length: L }, { eps, format: dtype, weight, bias });
  const reference = batchNormReference(new Tensor(dtype, x, c.shape), { eps, weight, bias });
  return { x, weight, bias, eps, expected, reference };
}

function run(kernel: NormalizeKernel, c: Case, dtype: 'float32' | 'float64', arithmetic: 'stepwise' | 'accurate') {
  const { x, weight, bias, eps } = build(c, dtype);
  const [N, C, L] = c.shape;
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const y = new Arr(x.length);
  const record = { mean: new Float64Array(C), m2: new Float64Array(C) };
  const args: NormalizeArgs<Float32Array | Float64Array> = {
    x: x as Float32Array,
    y: y as Float32Array,
    rows: N * C,
    channels: C,
    length: L,
    eps,
    arithmetic,
    weight: weight ? Arr.from(weight) : null,
    bias: bias ? Arr.from(bias) : null,
    stats: { from: 'channels', record },
  };
  if (dtype === 'float32') kernel.normalize32(args as NormalizeArgs<Float32Array>);
  else kernel.normalize64(args as NormalizeArgs<Float64Array>);
  return { y, record };
}

describe.each(kernelsUnderTest('all').map((k) => [k.name, k] as const))('kernel %s, per-channel statistics', (_name, kernel) => {
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(CASES.map((c) => [c.name, c] as const))(`${dtype} stepwise, against the emulation of ATen's steps: %s`, (_n, c) => {
      const { expected } = build(c, dtype);
      const { y, record } = run(kernel, c, dtype, 'stepwise');
      const want = dtype === 'float32' ? Float32Array.from(expected.y) : Float64Array.from(expected.y);
      const outputs = compareBits(y, want);
      expect({ identical: outputs.identical, firstDifferent: outputs.first }).toEqual({ identical: y.length, firstDifferent: -1 });
      expect(compareBits(record.mean, Float64Array.from(expected.stats, (s) => s.mean)).identical).toBe(c.shape[1]);
      expect(compareBits(record.m2, Float64Array.from(expected.stats, (s) => s.varSum)).identical).toBe(c.shape[1]);
    }, 60_000);

    it.each(CASES.map((c) => [c.name, c] as const))(`${dtype} accurate, against the float64 reference: %s`, (_n, c) => {
      // kernel-accuracy.test.ts's tolerances: float32 within 2e-6 + 2e-6 |y|, float64 within
      // (1 + |y|) 1e-12 max(1, |mean| / std) (the reference itself rounds by about that much).
      const { reference, eps, bias } = build(c, dtype);
      const { y, record } = run(kernel, c, dtype, 'accurate');
      const [N, C, L] = c.shape;
      for (let ch = 0; ch < C; ch++) {
        const mean = reference.mean[ch];
        const variance = reference.biasedVar[ch];
        if (!Number.isFinite(mean) || !Number.isFinite(variance)) {
          expect(Number.isFinite(record.mean[ch]) && Number.isFinite(record.m2[ch])).toBe(false);
          continue;
        }
        const std = Math.sqrt(variance);
        const tol = dtype === 'float32' ? 1e-6 : 1e-12 * Math.max(1, std > 0 ? Math.abs(mean) / std : 1);
        expect(Math.abs(record.mean[ch] - mean)).toBeLessThanOrEqual(tol * std + 1e-15 * Math.abs(mean));
        expect(Math.abs(record.m2[ch] / (N * L) - variance)).toBeLessThanOrEqual(4 * tol * variance);
        const constant = variance === 0 && eps === 0;
        let worst = { at: -1, share: 0 };
        for (let n = 0; n < N; n++) {
          for (let i = (n * C + ch) * L; i < (n * C + ch + 1) * L; i++) {
            // A constant channel with eps 0 gives the bias (the InvStd rule), where the plain formula has 0 / 0.
            const want = constant ? (bias ? bias[ch] : 0) : reference.y.data[i];
            const allowed = dtype === 'float32' ? 2e-6 + 2e-6 * Math.abs(want) : (1 + Math.abs(want)) * tol;
            const share = Number.isFinite(want) ? Math.abs(y[i] - want) / allowed : Object.is(y[i], want) || (Number.isNaN(want) && Number.isNaN(y[i])) ? 0 : Infinity;
            if (!(share <= worst.share)) worst = { at: i, share };
          }
        }
        expect({ channel: ch, worstShareOfTolerance: worst.share <= 1 ? 'within' : worst }).toEqual({ channel: ch, worstShareOfTolerance: 'within' });
      }
    }, 60_000);
  }
});
