/**
 * JSON for small state dicts, written and read by people: `{name: {"dtype", "shape", "data"}}`
 * with `data` flat or nested, or simply `{name: nested list}` (float32). Non-finite values are the
 * strings "NaN", "Infinity", "-Infinity"; int64 values beyond 2^53 are decimal strings.
 */
import { isDType, type DType } from '../../core/dtype';
import { Tensor, readElement, type NestedNumbers } from '../../core/tensor';
import { FormatError, type StateDict, type StateDictLike, toStateDict, checkWritable } from './types';

export function readJsonStateDict(bytes: Uint8Array, file = '<json>'): StateDict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new FormatError(file, `json: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FormatError(file, 'json: expected an object of tensors by name');
  const sd: StateDict = new Map();
  for (const [name, value] of Object.entries(parsed)) sd.set(name, jsonTensor(name, value, file));
  return sd;
}

function jsonTensor(name: string, value: unknown, file: string): Tensor {
  const described = typeof value === 'object' && value !== null && !Array.isArray(value);
  const spec = (described ? value : { data: value }) as { dtype?: unknown; shape?: unknown; data?: unknown };
  const dtype = (spec.dtype ?? 'float32') as DType;
  if (!isDType(dtype)) throw new FormatError(file, `json: '${name}' has dtype ${JSON.stringify(spec.dtype)}`);
  if (spec.shape !== undefined && (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0))) {
    throw new FormatError(file, `json: '${name}' has shape ${JSON.stringify(spec.shape)}; expected a list of non-negative integers`);
  }
  try {
    const data = revive(spec.data, dtype) as NestedNumbers;
    const shape = spec.shape as number[] | undefined;
    // a scalar with shape [] is written as a bare number
    if (!Array.isArray(data)) return Tensor.from([data], { dtype, shape: [1] }).reshape(shape ?? []);
    return Tensor.from(data, { dtype, shape });
  } catch (err) {
    throw new FormatError(file, `json: '${name}': ${(err as Error).message}`);
  }
}

function revive(v: unknown, dtype: DType): unknown {
  if (Array.isArray(v)) return v.map((x) => revive(x, dtype));
  if (typeof v === 'string') {
    if (dtype === 'int64' && /^-?\d+$/.test(v)) return BigInt(v);
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  }
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  throw new Error(`unexpected value ${JSON.stringify(v)} in the data`);
}

export function writeJsonStateDict(sd: StateDictLike): Uint8Array {
  const tensors = toStateDict(sd);
  checkWritable(tensors, 'json');
  const out: Record<string, unknown> = {};
  for (const [name, t] of tensors) {
    const data: unknown[] = [];
    for (let i = 0; i < t.size; i++) data.push(jsonElement(t, i));
    out[name] = { dtype: t.dtype, shape: [...t.shape], data };
  }
  return new TextEncoder().encode(`${JSON.stringify(out, null, 1)}\n`);
}

function jsonElement(t: Tensor, i: number): unknown {
  if (t.dtype === 'int64') {
    const v = (t.data as BigInt64Array)[i];
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (t.dtype === 'bool') return t.data[i] !== 0;
  const x = readElement(t.dtype, t.data, i);
  return Number.isFinite(x) ? x : String(x);
}
