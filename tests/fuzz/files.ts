/**
 * File fuzzing: truncated, bit-flipped, oversized-length and wrong-dtype variants of safetensors,
 * torch.save and MindSpore .ckpt files, each fed to every reader. Each case must end in a clear
 * error (a Python-like error whose message starts with the file's name) or a valid result, within a
 * time bound, allocating no more than twice the file's size for tensors. `npm run fuzz` runs
 * 10,000 variants; tests/io/fuzz-sample.test.ts runs a sample.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPyError } from '../../src/core/errors';
import { decodeStateDict, readMindSporeCheckpoint, type FormatName, type StateDict } from '../../src/io/formats';
import { zipSync } from 'fflate';
import { readZip, writeZip } from '../../src/io/formats/zip';
import { mulberry32 } from '../helpers/random';

const FIXTURES = join(__dirname, '..', 'fixtures', 'formats');
const READERS: FormatName[] = ['safetensors', 'torch', 'mindspore', 'json'];
const EXTENSION: Record<FormatName, string> = { safetensors: 'safetensors', torch: 'pt', mindspore: 'ckpt', json: 'json' };

interface Seed {
  name: string;
  format: FormatName;
  bytes: Uint8Array;
}

export function seeds(): Seed[] {
  const files: [string, FormatName][] = [
    ['model.safetensors', 'safetensors'],
    ['model.pt', 'torch'],
    ['views.pt', 'torch'],
    ['model.ckpt', 'mindspore'],
    ['model-crc.ckpt', 'mindspore'],
    ['toplevel.ckpt', 'mindspore'],
    ['extras.ckpt', 'mindspore'],
    ['parameters.pt', 'torch'],
    ['model-protocol4.pt', 'torch'],
  ];
  const loaded: Seed[] = files.map(([name, format]) => ({ name, format, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) }));
  // torch.save never compresses, but a re-zipped archive may: a deflated copy exercises the inflate path
  const entries = readZip(loaded[1].bytes, 'model.pt'); // model.pt
  const deflated = zipSync(Object.fromEntries([...entries.values()].map((e) => [e.name, e.read()])), { level: 6 });
  loaded.push({ name: 'model-deflated.pt', format: 'torch', bytes: deflated });
  return loaded;
}

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)];

function truncate(rand: Rand, b: Uint8Array): Uint8Array {
  return b.slice(0, int(rand, b.length));
}

function flipBits(rand: Rand, b: Uint8Array): Uint8Array {
  const out = b.slice();
  const flips = 1 + int(rand, 8);
  for (let i = 0; i < flips; i++) out[int(rand, out.length)] ^= 1 << int(rand, 8);
  return out;
}

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 2 ** 32 - 2];

/** Overwrites 4 bytes at a random place with a huge little-endian length. */
function hugeWord(rand: Rand, b: Uint8Array): Uint8Array {
  const out = b.slice();
  if (out.length < 4) return out;
  new DataView(out.buffer).setUint32(int(rand, out.length - 3), pick(rand, HUGE), true);
  return out;
}

// ---- safetensors: edit the JSON header and rewrite its length ----
function splitSafetensors(b: Uint8Array): { header: Record<string, Record<string, unknown>>; data: Uint8Array } {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(Buffer.from(b.subarray(8, 8 + n)).toString()), data: b.subarray(8 + n) };
}
function joinSafetensors(header: object, data: Uint8Array): Uint8Array {
  const text = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}
function safetensorsVariant(rand: Rand, b: Uint8Array, kind: 'oversized' | 'dtype'): Uint8Array {
  if (kind === 'oversized' && rand() < 0.4) {
    const out = b.slice();
    const values = [2n ** 64n - 1n, 2n ** 63n, BigInt(b.length), BigInt(b.length - 7), BigInt(int(rand, 2 ** 31)), 100_000_001n];
    new DataView(out.buffer).setBigUint64(0, pick(rand, values), true);
    return out;
  }
  const { header, data } = splitSafetensors(b);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const entry = header[pick(rand, names)];
  if (kind === 'dtype') entry.dtype = pick(rand, ['F16', 'BF16', 'F32', 'F64', 'I8', 'U8', 'I16', 'I32', 'I64', 'BOOL', 'F8_E4M3', 'U16', 'X', '', 3]);
  else if (rand() < 0.5) entry.shape = pick(rand, [[2 ** 40], [2 ** 26, 2 ** 26, 2 ** 26], [-1], [1.5], ['4'], [2 ** 53], [0], []]);
  else entry.data_offsets = pick(rand, [[0, 2 ** 40], [2 ** 52, 2 ** 53], [-4, 0], [8, 4], [0, data.length + 8], [0], 'x']);
  return joinSafetensors(header, data);
}

// ---- torch: mutate data.pkl and re-zip with valid CRCs so the pickle reader sees the damage ----
function rezip(b: Uint8Array, mutate: (pkl: Uint8Array) => Uint8Array): Uint8Array {
  const entries = readZip(b, 'seed');
  if ([...entries.keys()].length && b[8] === 8) {
    // keep a deflated seed deflated
    return zipSync(Object.fromEntries([...entries.values()].map((e) => [e.name, e.name.endsWith('data.pkl') ? mutate(e.read()) : e.read()])), { level: 6 });
  }
  return writeZip([...entries.values()].map((e) => [e.name, e.name.endsWith('data.pkl') ? mutate(e.read()) : e.read()]));
}
const STORAGE_NAMES_11 = ['LongStorage', 'HalfStorage', 'ByteStorage', 'CharStorage', 'BoolStorage', 'LongXtorage'];
const STORAGE_NAMES_12 = ['FloatStorage', 'ShortStorage', 'FloatStorage', 'EvilStorage_'];
function swapStorageType(rand: Rand, pkl: Uint8Array): Uint8Array {
  const text = Buffer.from(pkl).toString('latin1');
  const re = /torch\n(\w+Storage)\n/g;
  const found = [...text.matchAll(re)];
  if (!found.length) return pkl;
  const m = pick(rand, found);
  const old = m[1];
  const replacement = pick(rand, old.length === 11 ? STORAGE_NAMES_11 : old.length === 12 ? STORAGE_NAMES_12 : ['DoubleStorage', 'DoubleXtorage']);
  const at = m.index! + 'torch\n'.length;
  return Uint8Array.from(Buffer.from(text.slice(0, at) + replacement + text.slice(at + old.length), 'latin1'));
}
function torchVariant(rand: Rand, b: Uint8Array, kind: string): Uint8Array {
  switch (kind) {
    case 'truncate':
      return rand() < 0.5 ? truncate(rand, b) : rezip(b, (p) => truncate(rand, p));
    case 'bitflip':
      return rand() < 0.5 ? flipBits(rand, b) : rezip(b, (p) => flipBits(rand, p));
    case 'oversized':
      return rand() < 0.5 ? hugeWord(rand, b) : rezip(b, (p) => hugeWord(rand, p));
    default:
      return rezip(b, (p) => swapStorageType(rand, p));
  }
}

// ---- ckpt: edit the decoded message and re-encode, or damage the bytes ----
function ckptVariant(rand: Rand, b: Uint8Array, kind: 'oversized' | 'dtype'): Uint8Array {
  if (kind === 'oversized' && rand() < 0.5) {
    // a length prefix claiming ~4 GiB, inserted or overwriting
    const huge = [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f];
    const at = int(rand, b.length);
    const out = new Uint8Array(b.length + huge.length);
    out.set(b.subarray(0, at));
    out.set(huge, at);
    out.set(b.subarray(at), at + huge.length);
    return out;
  }
  const sd = readMindSporeCheckpoint(b, 'seed').tensors;
  const names = [...sd.keys()];
  const target = pick(rand, names);
  // re-encode with one field changed
  const values = [...sd].map(([tag, t]) => ({
    tag,
    tensor: {
      dims: [...t.shape] as unknown[],
      tensor_type: ({ float16: 'Float16', bfloat16: 'BFloat16', float32: 'Float32', float64: 'Float64', int8: 'Int8', uint8: 'UInt8', int16: 'Int16', int32: 'Int32', int64: 'Int64', bool: 'Bool' } as Record<string, string>)[t.dtype],
      tensor_content: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    },
  }));
  const v = values[names.indexOf(target)];
  if (kind === 'dtype') v.tensor.tensor_type = pick(rand, ['Float16', 'Float32', 'Float64', 'Int8', 'UInt8', 'Int32', 'Int64', 'Bool', 'Int4', 'UInt64', 'str', 'float32', '']);
  else v.tensor.dims = pick(rand, [[2 ** 40], [2 ** 26, 2 ** 26, 2 ** 26], [-1], [2 ** 62], [0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], []]);
  return encodeCheckpoint(values);
}

/** A minimal protobuf encoder for the fuzz's edited messages (so dims like -1 or 2^62 can be written). */
function encodeCheckpoint(values: { tag: string; tensor: { dims: unknown[]; tensor_type: string; tensor_content: Uint8Array } }[]): Uint8Array {
  const varint = (n: bigint): number[] => {
    let v = BigInt.asUintN(64, n);
    const out: number[] = [];
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v ? byte | 0x80 : byte);
    } while (v);
    return out;
  };
  const field = (num: number, payload: Uint8Array | number[]): number[] => [...varint(BigInt((num << 3) | 2)), ...varint(BigInt(payload.length)), ...payload];
  const out: number[] = [];
  for (const { tag, tensor } of values) {
    const t = [
      ...tensor.dims.flatMap((d) => [0x08, ...varint(BigInt(d as number))]),
      ...field(2, [...Buffer.from(tensor.tensor_type)]),
      ...field(3, [...tensor.tensor_content]),
    ];
    out.push(...field(1, [...field(1, [...Buffer.from(tag)]), ...field(2, t)]));
  }
  return Uint8Array.from(out);
}

const KINDS = ['truncate', 'bitflip', 'oversized', 'dtype'] as const;
type Kind = (typeof KINDS)[number];

export function variant(rand: Rand, seed: Seed, kind: Kind): Uint8Array {
  if (kind === 'truncate' && seed.format !== 'torch') return truncate(rand, seed.bytes);
  if (kind === 'bitflip' && seed.format !== 'torch') return flipBits(rand, seed.bytes);
  if (seed.format === 'safetensors') return safetensorsVariant(rand, seed.bytes, kind as 'oversized' | 'dtype');
  if (seed.format === 'mindspore') return ckptVariant(rand, seed.bytes, kind as 'oversized' | 'dtype');
  return torchVariant(rand, seed.bytes, kind);
}

export type Outcome = 'error' | 'same' | 'different' | 'unclear-error' | 'slow' | 'over-allocation';
export const FAILURES: readonly Outcome[] = ['unclear-error', 'slow', 'over-allocation'];

export interface FuzzResult {
  variants: number;
  reads: number;
  outcomes: Record<Outcome, number>;
  byKind: Record<string, Record<Outcome, number>>;
  maxMs: number;
  failures: string[];
}

function sameStateDict(a: StateDict, b: StateDict): boolean {
  if (a.size !== b.size) return false;
  for (const [k, t] of a) {
    const u = b.get(k);
    if (!u || u.dtype !== t.dtype || u.shape.join() !== t.shape.join()) return false;
    const x = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const y = new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength);
    if (!Buffer.from(x).equals(Buffer.from(y))) return false;
  }
  return true;
}

/** Bytes held by the result's tensors, each underlying buffer counted once. */
function resultBytes(sd: StateDict): number {
  const buffers = new Set<ArrayBufferLike>();
  for (const t of sd.values()) buffers.add(t.data.buffer);
  let n = 0;
  for (const b of buffers) n += b.byteLength;
  return n;
}

export function runFuzz(options: { variants: number; seed?: number; maxMsPerRead?: number }): FuzzResult {
  const rand = mulberry32(options.seed ?? 20261128);
  const maxMs = options.maxMsPerRead ?? 2000;
  const all = seeds();
  const reference = new Map(all.map((s) => [s.name, decodeStateDict(s.bytes, s.format, s.name)]));
  const empty = (): Record<Outcome, number> => ({ error: 0, same: 0, different: 0, 'unclear-error': 0, slow: 0, 'over-allocation': 0 });
  const result: FuzzResult = { variants: 0, reads: 0, outcomes: empty(), byKind: {}, maxMs: 0, failures: [] };
  for (let i = 0; i < options.variants; i++) {
    const seed = all[i % all.length];
    const kind = KINDS[Math.floor(i / all.length) % KINDS.length];
    const bytes = variant(rand, seed, kind);
    result.variants++;
    for (const reader of READERS) {
      const file = `fuzz-${i}-${kind}-${seed.name}.${EXTENSION[reader]}`;
      const started = performance.now();
      let outcome: Outcome;
      let detail = '';
      try {
        const sd = decodeStateDict(bytes, reader, file);
        const ref = reference.get(seed.name)!;
        outcome = reader === seed.format && sameStateDict(sd, ref) ? 'same' : 'different';
        if (resultBytes(sd) > 2 * bytes.length + 4096) {
          outcome = 'over-allocation';
          detail = `${resultBytes(sd)} bytes of tensors from a ${bytes.length}-byte file`;
        }
      } catch (err) {
        const clear = isPyError(err) && (err as Error).message.startsWith(`${file}: `);
        outcome = clear ? 'error' : 'unclear-error';
        if (!clear) detail = `${(err as Error)?.name}: ${(err as Error)?.message}`;
      }
      const ms = performance.now() - started;
      result.maxMs = Math.max(result.maxMs, ms);
      if (ms > maxMs && outcome !== 'unclear-error') {
        outcome = 'slow';
        detail = `${ms.toFixed(0)} ms`;
      }
      result.reads++;
      result.outcomes[outcome]++;
      const key = `${seed.format}/${kind}`;
      (result.byKind[key] ??= empty())[outcome]++;
      if (FAILURES.includes(outcome) && result.failures.length < 20) result.failures.push(`${file} (${reader} reader): ${outcome}: ${detail}`);
    }
  }
  return result;
}

export function summary(r: FuzzResult): string {
  const lines = [`${r.variants} variants x ${READERS.length} readers = ${r.reads} reads; slowest read ${r.maxMs.toFixed(1)} ms`];
  lines.push(`outcomes: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const [key, counts] of Object.entries(r.byKind)) {
    lines.push(`  ${key.padEnd(22)} ${Object.entries(counts).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  for (const f of r.failures) lines.push(`FAIL ${f}`);
  return lines.join('\n');
}

if (require.main === module) {
  const variants = Number(process.argv[2] ?? 10000);
  const started = Date.now();
  const result = runFuzz({ variants });
  console.log(summary(result));
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = FAILURES.some((o) => result.outcomes[o] > 0) ? 1 : 0;
}
