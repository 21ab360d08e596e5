/**
 * Reading tests/fixtures/torch/*.json (written by tests/fixtures/gen_torch.py from real PyTorch):
 * tensors stored as base64 of their bytes, inputs rebuilt from a mulberry32 recipe, and the bit
 * comparisons the fixture tests report.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { mulberry32 } from '../../src/core/random';
import { mulberry32Fast } from './random';
import { Tensor } from '../../src/core/tensor';
import type { ModuleStateDict } from '../../src/torch/module';

export interface TensorJson {
  dtype: 'float32' | 'float64' | 'int64';
  shape: number[];
  data: string;
}

export interface DigestJson {
  dtype: 'float32' | 'float64';
  shape: number[];
  sha256: string;
  head: string;
}

export interface Recipe {
  seed: number;
  shape: number[];
  dtype: 'float32' | 'float64';
  offset?: number;
  scale?: number;
  rows?: [number, number][];
}

export interface VersionDependent {
  pytorch_1_13: unknown;
  source: string;
  expected_from?: string;
}

export interface FixtureMeta {
  torch: string;
  cpu_capability: string;
  threads: number;
}

export type FixtureName = 'numbers' | 'behaviour' | 'batchnorm-numbers' | 'batchnorm-behaviour';

export function readFixture<T>(name: FixtureName): { meta: FixtureMeta } & T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'torch', `${name}.json`), 'utf8'));
}

const ARRAYS = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array } as const;

/** A fixture tensor as a Tensor of its dtype (bytes copied, so the typed array is aligned). */
export function tensorOf(t: TensorJson): Tensor {
  const bytes = Buffer.from(t.data, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const data = new ARRAYS[t.dtype](copy.buffer);
  return new Tensor(t.dtype, data as never, t.shape);
}

/** gen_torch.py's recipe_input: offset + scale * (u - 0.5) in float64, stored in the dtype. */
export function recipeInput(r: Recipe): Tensor {
  const rand = mulberry32Fast(r.seed);
  const check = mulberry32(r.seed);
  const count = r.shape.reduce((a, b) => a * b, 1);
  const length = r.shape.length > 2 ? r.shape.slice(2).reduce((a, b) => a * b, 1) : count;
  const rows = r.rows ?? [[r.offset ?? 0, r.scale ?? 1]];
  const data = r.dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const [offset, scale] = rows[Math.floor(i / length) % rows.length];
    const u = rand();
    if (i < 16 && u !== check()) throw new Error('mulberry32Fast left the stream of mulberry32');
    data[i] = offset + scale * (u - 0.5);
  }
  return new Tensor(r.dtype, data, r.shape);
}

export function sha256(t: Tensor): string {
  const data = t.data as Float32Array;
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** Element comparison of float arrays: bit-identical count (NaN equals NaN), and for float64 the largest ulp distance. */
export function compareBits(got: Float32Array | Float64Array, want: Float32Array | Float64Array): { identical: number; total: number; maxUlp: number; first: number } {
  let identical = 0;
  let maxUlp = 0;
  let first = -1;
  const wide = got instanceof Float64Array;
  const g = wide ? new BigInt64Array(got.buffer, got.byteOffset, got.length) : new Int32Array(got.buffer, got.byteOffset, got.length);
  const w = wide ? new BigInt64Array(want.buffer, want.byteOffset, want.length) : new Int32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < got.length; i++) {
    if (g[i] === w[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      identical++;
      continue;
    }
    if (first < 0) first = i;
    maxUlp = Math.max(maxUlp, ulpDistance(got[i], want[i], wide));
  }
  return { identical, total: got.length, maxUlp, first };
}

const scratch64 = new Float64Array(1);
const bits64 = new BigInt64Array(scratch64.buffer);
const scratch32 = new Float32Array(1);
const bits32 = new Int32Array(scratch32.buffer);

/** Representable values between a and b (same sign; Infinity where signs or finiteness differ). */
export function ulpDistance(a: number, b: number, wide: boolean): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.sign(a) * Math.sign(b) < 0) return a === b ? 0 : Infinity;
  if (wide) {
    scratch64[0] = Math.abs(a);
    const x = bits64[0];
    scratch64[0] = Math.abs(b);
    return Math.abs(Number(x - bits64[0]));
  }
  scratch32[0] = Math.abs(a);
  const x = bits32[0];
  scratch32[0] = Math.abs(b);
  return Math.abs(x - bits32[0]);
}

/** The tensor has the fixture's dtype, shape and bits (int64 by value). */
export function expectTensor(got: Tensor, want: TensorJson): void {
  expect({ dtype: got.dtype, shape: [...got.shape] }).toEqual({ dtype: want.dtype, shape: want.shape });
  const expected = tensorOf(want);
  if (want.dtype === 'int64') expect(Array.from(got.data as BigInt64Array)).toEqual(Array.from(expected.data as BigInt64Array));
  else expect(compareBits(got.data as Float32Array, expected.data as Float32Array).identical).toBe(got.size);
}

/** The same keys in the same order, each tensor as expectTensor checks it. */
export function expectStateDict(sd: ModuleStateDict, want: Record<string, TensorJson>): void {
  expect(Object.keys(sd)).toEqual(Object.keys(want));
  for (const [k, t] of Object.entries(want)) expectTensor(sd[k], t);
}

/** The error `fn` throws as the fixtures record it (Python's class name and message), or null. */
export function caught(fn: () => unknown): { type: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    return { type: (err as Error).name, message: (err as Error).message };
  }
}

/** A normalization layer of a model as real PyTorch registers it (`named_modules()`). */
export interface ModelLayer {
  prefix: string;
  api: string;
  num_features: number;
  affine: boolean;
  track_running_stats: boolean;
}

/** A model of tests/fixtures/models built by its source, as gen_torch_models.py recorded it: its layers and its state_dict keys. */
export interface ModelCase {
  file: string;
  model: string;
  layers: ModelLayer[];
  keys: string[];
}

/** tests/fixtures/models/expected.json. */
export function modelCases(): ModelCase[] {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'models', 'expected.json'), 'utf8')) as { cases: ModelCase[] }).cases;
}
