/**
 * What every checkpoint reader returns and every writer takes: tensors by name, in the order the
 * file stores them (a Map keeps insertion order, which is what a torch `state_dict` and a MindSpore
 * checkpoint both rely on).
 */
import { DTYPES, type DType, type TypedArray } from '../../core/dtype';
import { ValueError } from '../../core/errors';
import { Tensor } from '../../core/tensor';

export type StateDict = Map<string, Tensor>;

/** The checkpoint formats the readers and writers handle. */
export const FORMATS = ['safetensors', 'torch', 'mindspore', 'json'] as const;
export type FormatName = (typeof FORMATS)[number];

/**
 * A file that cannot be read as the format it claims to be: truncated, corrupt, or using a feature
 * this package does not read. A ValueError (as the frameworks raise for a bad checkpoint), with the
 * file named first in the message so a user knows which input is broken.
 */
export class FormatError extends ValueError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.file = file;
  }
}
Object.defineProperty(FormatError.prototype, 'name', { value: 'FormatError', writable: true, configurable: true });

/** The number of elements of `shape`, or an error when a dimension is not a non-negative safe integer. */
export function checkedNumel(file: string, what: string, shape: readonly unknown[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(file, `${what}: shape [${shape.join(', ')}] has an invalid dimension ${String(d)}`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) throw new FormatError(file, `${what}: shape [${shape.join(', ')}] has too many elements`);
  }
  return n;
}

/**
 * A tensor over `bytes` (little-endian, as every format here stores them): a view of the file's
 * own memory where the bytes are aligned for the element type, so a big checkpoint is not held
 * twice; a copy of exactly those bytes where they are not. Either way nothing is allocated beyond
 * what the file itself holds.
 */
export function tensorFromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array): Tensor {
  return new Tensor(dtype, elementsOf(dtype, bytes) as never, shape);
}

/** `bytes` as `dtype`'s typed array: the same memory when aligned, else an aligned copy. */
export function elementsOf(dtype: DType, bytes: Uint8Array): TypedArray {
  const itemsize = DTYPES[dtype].bytes;
  let source = bytes;
  if (bytes.byteOffset % itemsize !== 0) {
    source = new Uint8Array(bytes.length);
    source.set(bytes);
  }
  return new DTYPES[dtype].array(source.buffer as ArrayBuffer, source.byteOffset, bytes.length / itemsize);
}

/** The chunks a writer produced, as one buffer (what the `write*` functions return). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The raw little-endian bytes of a tensor's elements (a view, no copy). */
export function tensorBytes(tensor: Tensor): Uint8Array {
  const data = tensor.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Writers take a Map or a plain object (what `Module.state_dict()` returns). */
export type StateDictLike = StateDict | Record<string, Tensor>;

export function toStateDict(sd: StateDictLike): StateDict {
  if (sd instanceof Map) return sd;
  return new Map(Object.entries(sd));
}

export function checkWritable(sd: StateDict, format: string): void {
  for (const [name, t] of sd) {
    if (!(t instanceof Tensor)) throw new ValueError(`${format}: the value of '${name}' is not a Tensor`);
  }
}
