/**
 * MindSpore `.ckpt` files: the protobuf message `Checkpoint` of mindspore/ccsrc/utils/checkpoint.proto
 * (proto2), written by `mindspore.save_checkpoint` as one single-Value `Checkpoint` per parameter
 * (or per slice of a parameter over 512 MiB), concatenated; protobuf parses the concatenation as one
 * message with the Values in order. Optional trailer `b"crc_num" + crc32.to_bytes(10, "big")`
 * (`crc_check=True`), the CRC-32 of all the protobuf bytes. Keys are `Parameter.name`; dtypes are
 * MindSpore's names (`str(Tensor.dtype)`: "Float32", "Int64", ...). See
 * mindspore/python/mindspore/train/serialization.py `_write_parameter_data` and `load_checkpoint`.
 */
import * as protobuf from 'protobufjs';
import { DTYPES, type DType } from '../../core/dtype';
import { FormatError, checkedNumel, concatChunks, tensorBytes, tensorFromBytes, type StateDict, type StateDictLike, toStateDict, checkWritable } from './types';
import { crc32 } from './zip';

/** checkpoint.proto, as JSON for protobufjs (no .proto file is read at run time). */
const SCHEMA = {
  nested: {
    Checkpoint: {
      fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
      nested: {
        Value: {
          oneofs: { value: { oneof: ['tensor', 'maptensor'] } },
          fields: {
            tag: { rule: 'required', type: 'string', id: 1 },
            tensor: { type: 'TensorProto', id: 2 },
            maptensor: { type: 'MapTensorProto', id: 3 },
          },
        },
      },
    },
    TensorProto: {
      fields: {
        // proto2 leaves repeated scalars unpacked; MindSpore's Python protobuf writes one varint per dim
        dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: false } },
        tensor_type: { rule: 'required', type: 'string', id: 2 },
        tensor_content: { rule: 'required', type: 'bytes', id: 3 },
      },
    },
    MapTensorProto: { fields: { tensor: { rule: 'repeated', type: 'TensorProto', id: 1 } } },
  },
};
const CHECKPOINT = protobuf.Root.fromJSON(SCHEMA).lookupType('Checkpoint');

/** MindSpore dtype names (older releases spelled the unsigned ones `Uint8`). */
const MS_TO_DTYPE: Record<string, DType> = {
  Float16: 'float16',
  BFloat16: 'bfloat16',
  Float32: 'float32',
  Float64: 'float64',
  Int8: 'int8',
  UInt8: 'uint8',
  Uint8: 'uint8',
  Int16: 'int16',
  Int32: 'int32',
  Int64: 'int64',
  Bool: 'bool',
};
const DTYPE_TO_MS: Record<DType, string> = {
  float16: 'Float16',
  bfloat16: 'BFloat16',
  float32: 'Float32',
  float64: 'Float64',
  int8: 'Int8',
  uint8: 'UInt8',
  int16: 'Int16',
  int32: 'Int32',
  int64: 'Int64',
  bool: 'Bool',
};

const CRC_MARK = new TextEncoder().encode('crc_num');

export interface MindSporeCheckpoint {
  tensors: StateDict;
  /** `append_dict` strings (tensor_type "str"), which are not tensors. */
  strings: Map<string, string>;
  /** Whether the file carried a CRC trailer (then it was checked). */
  crc: boolean;
}

interface RawTensor {
  dims: unknown[];
  tensor_type: string;
  tensor_content: Uint8Array;
}

export function readMindSporeCheckpoint(bytes: Uint8Array, file = '<ckpt>'): MindSporeCheckpoint {
  const { content, crc } = stripCrc(bytes, file);
  checkTopLevel(content, file);
  let message: { value?: { tag: string; tensor?: RawTensor; maptensor?: unknown }[] };
  try {
    message = CHECKPOINT.decode(content) as never;
  } catch (err) {
    throw new FormatError(file, `ckpt: the file cannot be parsed as a MindSpore Checkpoint (corrupt, truncated or encrypted): ${(err as Error).message}`);
  }
  const values = message.value ?? [];
  if (!values.length) throw new FormatError(file, 'ckpt: the checkpoint holds no parameters (empty, or not a MindSpore checkpoint)');
  const tensors: StateDict = new Map();
  const strings = new Map<string, string>();
  for (let i = 0; i < values.length; ) {
    const { tag } = values[i];
    // consecutive Values with one tag are slices of one parameter, concatenated along axis 0
    let j = i;
    while (j < values.length && values[j].tag === tag) j++;
    const slices = values.slice(i, j);
    i = j;
    if (slices.some((v) => v.maptensor)) throw new FormatError(file, `ckpt: '${tag}' is a MapParameter (maptensor), which is not read`);
    const first = slices[0].tensor;
    if (!first) throw new FormatError(file, `ckpt: '${tag}' has no tensor`);
    if (first.tensor_type === 'str') {
      strings.set(tag, decodeUtf32(first.tensor_content));
      continue;
    }
    tensors.set(tag, toTensor(tag, first, slices.map((v) => v.tensor!.tensor_content), file));
  }
  return { tensors, strings, crc };
}

/**
 * A checkpoint is nothing but `Checkpoint.value` entries (field 1, length-delimited) back to back.
 * protobuf would skip unknown fields silently, so a file of other bytes could parse as an empty or
 * odd checkpoint; walking the top level first rejects it with a clear message.
 */
function checkTopLevel(content: Uint8Array, file: string): void {
  let p = 0;
  while (p < content.length) {
    if (content[p] !== 0x0a) throw new FormatError(file, `ckpt: byte ${p} starts a field other than Checkpoint.value (0x${content[p].toString(16).padStart(2, '0')}); not a MindSpore checkpoint, or corrupt`);
    p++;
    let length = 0;
    let shift = 0;
    for (;;) {
      if (p >= content.length || shift > 35) throw new FormatError(file, `ckpt: a length at byte ${p} is cut off or too long (truncated or corrupt)`);
      const b = content[p++];
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (p + length > content.length) throw new FormatError(file, `ckpt: a parameter at byte ${p} claims ${length} bytes, but only ${content.length - p} remain (truncated)`);
    p += length;
  }
}

function stripCrc(bytes: Uint8Array, file: string): { content: Uint8Array; crc: boolean } {
  const at = bytes.length - 17;
  if (at < 0 || !CRC_MARK.every((b, k) => bytes[at + k] === b)) return { content: bytes, crc: false };
  const content = bytes.subarray(0, at);
  let expected = 0n;
  for (const b of bytes.subarray(at + 7)) expected = (expected << 8n) | BigInt(b);
  const actual = BigInt(crc32(content));
  if (expected !== actual) throw new FormatError(file, `ckpt: the CRC check failed (stored ${expected}, computed ${actual}); the checkpoint file is damaged`);
  return { content, crc: true };
}

function dimValue(d: unknown): number {
  if (typeof d === 'number') return d;
  if (d && typeof d === 'object' && 'low' in d && 'high' in d) {
    const { low, high } = d as { low: number; high: number };
    return high * 2 ** 32 + (low >>> 0);
  }
  return NaN;
}

function toTensor(tag: string, first: RawTensor, contents: Uint8Array[], file: string) {
  const dtype = MS_TO_DTYPE[first.tensor_type];
  if (!dtype) throw new FormatError(file, `ckpt: '${tag}' has tensor_type ${JSON.stringify(first.tensor_type)}; supported: ${Object.keys(MS_TO_DTYPE).join(', ')}`);
  const dims = first.dims.map(dimValue);
  const length = contents.reduce((s, c) => s + c.length, 0);
  const itemsize = DTYPES[dtype].bytes;
  // load_checkpoint turns dims [0] holding one element into a Python scalar
  const shape = dims.length === 1 && dims[0] === 0 && length === itemsize ? [] : dims;
  const count = checkedNumel(file, `ckpt: '${tag}'`, shape);
  if (count * itemsize !== length) {
    throw new FormatError(file, `ckpt: '${tag}' has dims [${dims.join(', ')}] of ${first.tensor_type}, which need ${count * itemsize} bytes, but tensor_content has ${length}`);
  }
  const joined = contents.length === 1 ? contents[0] : concat(contents, length);
  return tensorFromBytes(dtype, shape, joined);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** numpy `U` strings are UTF-32LE code points, NUL-padded. */
function decodeUtf32(bytes: Uint8Array): string {
  let text = '';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const cp = view.getUint32(i, true);
    if (cp === 0 || cp > 0x10ffff) break;
    text += String.fromCodePoint(cp);
  }
  return text;
}

/** One Value per tensor in the map's order, as save_checkpoint writes parameters under 512 MiB. */
export function writeMindSporeCheckpoint(sd: StateDictLike): Uint8Array {
  return concatChunks(mindSporeCheckpointChunks(sd));
}

/**
 * writeMindSporeCheckpoint's bytes as pieces: per parameter, its protobuf framing, then the
 * tensor's own memory (not copied). The framing is written here, field by field in number order
 * as MindSpore's Python protobuf serializes `Checkpoint.Value`, with every proto2 `required` field
 * present (an empty tensor_content included, which proto3-style encoding would leave out).
 */
export function mindSporeCheckpointChunks(sd: StateDictLike): Uint8Array[] {
  const tensors = toStateDict(sd);
  checkWritable(tensors, 'ckpt');
  const chunks: Uint8Array[] = [];
  for (const [tag, t] of tensors) {
    const content = tensorBytes(t);
    const tensor = [...t.shape.flatMap((d) => [0x08, ...varint(d)]), ...bytesField(0x12, utf8(DTYPE_TO_MS[t.dtype])), 0x1a, ...varint(content.length)];
    const tensorLength = tensor.length + content.length;
    const value = [...bytesField(0x0a, utf8(tag)), 0x12, ...varint(tensorLength)];
    chunks.push(Uint8Array.from([0x0a, ...varint(value.length + tensorLength), ...value, ...tensor]), content);
  }
  return chunks;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A length-delimited field: its key byte, the length, the bytes. */
function bytesField(key: number, bytes: Uint8Array): number[] {
  return [key, ...varint(bytes.length), ...bytes];
}

/** A protobuf base-128 varint of a non-negative safe integer. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
