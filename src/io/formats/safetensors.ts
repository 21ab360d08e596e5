/**
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`,
 * then the tensor bytes; offsets are relative to the end of the header. Every length is checked
 * before anything is allocated, with the rules of the reference implementation: the header fits in
 * the file, offsets are in range, tensors cover the data contiguously without overlap, and each
 * tensor's byte length is its shape's element count times its item size.
 */
import { DTYPES, type DType } from '../../core/dtype';
import { FormatError, checkedNumel, concatChunks, tensorBytes, tensorFromBytes, type StateDict, type StateDictLike, toStateDict, checkWritable } from './types';

/** safetensors dtype codes <-> ours (the ones a state_dict has; U16/U32/U64 have no tensor type here). */
const CODE_TO_DTYPE: Record<string, DType> = {
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
  I8: 'int8',
  U8: 'uint8',
  I16: 'int16',
  I32: 'int32',
  I64: 'int64',
  BOOL: 'bool',
};
const DTYPE_TO_CODE = Object.fromEntries(Object.entries(CODE_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

/** The reference implementation refuses headers over 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  tensors: StateDict;
  metadata: Record<string, string>;
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export function readSafetensors(bytes: Uint8Array, file = '<safetensors>'): SafetensorsFile {
  if (bytes.length < 8) throw new FormatError(file, `safetensors: the file has ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new FormatError(file, `safetensors: header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length field (truncated or not a safetensors file)`);
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_BYTES) throw new FormatError(file, `safetensors: header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  const header = parseHeader(bytes.subarray(8, 8 + n), file);
  const data = bytes.subarray(8 + n);
  const { entries, metadata } = headerEntries(header, file);
  checkCoverage(entries, data.length, file);
  const tensors: StateDict = new Map();
  for (const e of entries) tensors.set(e.name, tensorFromBytes(e.dtype, e.shape, data.subarray(e.begin, e.end)));
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new FormatError(file, 'safetensors: the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new FormatError(file, "safetensors: the header does not start with '{' (not a safetensors file)");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, `safetensors: the header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FormatError(file, 'safetensors: the header is not a JSON object');
  return header as Record<string, unknown>;
}

function headerEntries(header: Record<string, unknown>, file: string): { entries: Entry[]; metadata: Record<string, string> } {
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(info, file);
      continue;
    }
    const where = `safetensors: tensor '${name}'`;
    if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new FormatError(file, `${where} is not an object`);
    const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof code !== 'string' || !(code in CODE_TO_DTYPE)) {
      throw new FormatError(file, `${where} has dtype ${JSON.stringify(code)}; supported: ${Object.keys(CODE_TO_DTYPE).join(', ')}`);
    }
    if (!Array.isArray(shape)) throw new FormatError(file, `${where} has no shape list`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new FormatError(file, `${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] of non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (end < begin) throw new FormatError(file, `${where} has data_offsets [${begin}, ${end}] with end before begin`);
    const dtype = CODE_TO_DTYPE[code];
    const count = checkedNumel(file, where, shape);
    if (count * DTYPES[dtype].bytes !== end - begin) {
      throw new FormatError(file, `${where}: shape [${shape.join(', ')}] of ${code} needs ${count * DTYPES[dtype].bytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  return { entries, metadata };
}

function checkMetadata(info: unknown, file: string): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new FormatError(file, 'safetensors: __metadata__ is not an object');
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string') throw new FormatError(file, `safetensors: __metadata__['${k}'] is not a string`);
  }
  return { ...(info as Record<string, string>) };
}

/** Tensors must tile the data section exactly: no gap, no overlap, nothing past the end. */
function checkCoverage(entries: Entry[], dataLength: number, file: string): void {
  let position = 0;
  for (const e of entries) {
    if (e.begin !== position) {
      const problem = e.begin < position ? 'overlaps the previous tensor' : `leaves a gap of ${e.begin - position} bytes before it`;
      throw new FormatError(file, `safetensors: tensor '${e.name}' at data_offsets [${e.begin}, ${e.end}] ${problem}`);
    }
    if (e.end > dataLength) {
      throw new FormatError(file, `safetensors: tensor '${e.name}' ends at byte ${e.end} of the data, but the file has only ${dataLength} data bytes (truncated)`);
    }
    position = e.end;
  }
  if (position !== dataLength) throw new FormatError(file, `safetensors: ${dataLength - position} bytes after the last tensor are not described by the header`);
}

/**
 * Writes tensors in the map's order; the header is padded with spaces to a multiple of 8 bytes, as
 * the reference writer does, so the data starts aligned.
 */
export function writeSafetensors(sd: StateDictLike, metadata?: Record<string, string>): Uint8Array {
  return concatChunks(safetensorsChunks(sd, metadata));
}

/** writeSafetensors's bytes as pieces: the header, then each tensor's own memory (not copied). */
export function safetensorsChunks(sd: StateDictLike, metadata?: Record<string, string>): Uint8Array[] {
  const tensors = toStateDict(sd);
  checkWritable(tensors, 'safetensors');
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const length = t.data.byteLength;
    header[name] = { dtype: DTYPE_TO_CODE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padding = (8 - (json.length % 8)) % 8;
  if (padding) json = Buffer.concat([json, Buffer.alloc(padding, 0x20)]);
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  return [head, ...[...tensors.values()].map(tensorBytes)];
}
