/**
 * PyTorch `.pt`/`.pth` files as `torch.save` writes them since 1.6: a zip archive with
 * `<archive>/data.pkl` (the pickled object, protocol 2), `<archive>/data/<key>` (one entry per
 * storage, raw little-endian bytes), `<archive>/byteorder` and `<archive>/version`
 * (torch/serialization.py `_save`). Tensors are pickled as
 * `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks)`
 * where `storage` is the persistent id `('storage', torch.FloatStorage, key, location, numel)`.
 */
import { DTYPES, type DType, type TypedArray } from '../../core/dtype';
import { rowMajorStrides, Tensor } from '../../core/tensor';
import { PyDict, PyGlobal, PyTuple, UnpicklingError, describe, unpickle, type GlobalHandler } from './pickle';
import { FormatError, checkedNumel, concatChunks, elementsOf, tensorBytes, type StateDict, type StateDictLike, toStateDict, checkWritable } from './types';
import { readZip, zipChunks, type ZipEntry } from './zip';

/** torch's typed storage classes (the pickled `storage_type`) and their element types. */
const STORAGE_DTYPES: Record<string, DType> = {
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  ShortStorage: 'int16',
  IntStorage: 'int32',
  LongStorage: 'int64',
  BoolStorage: 'bool',
};
const DTYPE_STORAGES = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

/** A storage as loaded: its element type and all its elements. */
class Storage {
  constructor(
    readonly dtype: DType,
    readonly data: TypedArray,
  ) {}
}

/**
 * Bytes a load may still allocate for copies of non-contiguous views: the file's size, or
 * EXPAND_BUDGET_BYTES when that is more (an `expand()`ed view has more elements than its storage,
 * and torch.load reads it as a view). Contiguous views share their storage's memory (as tied
 * weights do in PyTorch), so a pickle that names one storage many times cannot multiply memory
 * beyond this.
 */
interface CopyBudget {
  /** What is left. */
  bytes: number;
  readonly limit: number;
}

/** What copies of views may take at least, whatever the file's size (a small file may hold an expanded view). */
export const EXPAND_BUDGET_BYTES = 64 * 2 ** 20;

export interface ReadTorchOptions {
  /**
   * Where the state_dict is inside the saved object, for checkpoints like
   * `{'epoch': 3, 'state_dict': {...}}`: a key, or a dotted path of keys (`model.state_dict`).
   */
  entry?: string;
}

export function readTorch(bytes: Uint8Array, file = '<torch>', options: ReadTorchOptions = {}): StateDict {
  const saved = loadTorchObject(bytes, file);
  return stateDictOf(saved, file, options.entry);
}

/** The unpickled object of a torch.save archive, with tensors rebuilt. */
export function loadTorchObject(bytes: Uint8Array, file: string): unknown {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new FormatError(file, 'torch: this is the legacy (PyTorch < 1.6) torch.save format, which is not read; re-save it with a newer PyTorch (torch.save(torch.load(f), f))');
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new FormatError(file, 'torch: not a zip archive, so not a file written by torch.save (PyTorch >= 1.6)');
  const entries = readZip(bytes, file);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) throw new FormatError(file, `torch: expected one '<archive>/data.pkl' in the zip, found ${pickles.length ? pickles.join(', ') : 'none'}`);
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder.read()).trim() !== 'little') {
    throw new FormatError(file, 'torch: the archive was saved big-endian; only little-endian archives are read');
  }
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => loadStorage(pid, entries, prefix, storages, file);
  const limit = Math.max(bytes.length, EXPAND_BUDGET_BYTES);
  const budget: CopyBudget = { bytes: limit, limit };
  return unpickle(entries.get(pickles[0])!.read(), { file, globals: torchGlobals(budget), persistentLoad });
}

function loadStorage(pid: unknown, entries: Map<string, ZipEntry>, prefix: string, cache: Map<string, Storage>, file: string): Storage {
  const items = pid instanceof PyTuple ? pid.items : undefined;
  if (!items || items.length !== 5 || items[0] !== 'storage') throw new UnpicklingError(file, `torch: unsupported persistent id (${describe(pid)}); expected ('storage', type, key, location, numel)`);
  const [, type, key, , numel] = items;
  if (!(type instanceof PyGlobal) || !(type.name in STORAGE_DTYPES) || type.module !== 'torch') {
    throw new UnpicklingError(file, `torch: unsupported storage type ${describe(type)}`);
  }
  if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw new UnpicklingError(file, `torch: bad storage reference (key ${describe(key)}, numel ${String(numel)})`);
  }
  const cached = cache.get(key);
  if (cached) return cached;
  const dtype = STORAGE_DTYPES[type.name];
  const entry = entries.get(`${prefix}data/${key}`);
  if (!entry) throw new FormatError(file, `torch: storage '${key}' has no entry '${prefix}data/${key}' in the archive`);
  const itemsize = DTYPES[dtype].bytes;
  if (entry.size !== numel * itemsize) {
    throw new FormatError(file, `torch: storage '${key}' should hold ${numel} ${dtype} elements (${numel * itemsize} bytes), but its entry has ${entry.size} bytes`);
  }
  // a stored entry is the file's own memory: viewed in place when aligned (torch.save aligns storages to 64 bytes)
  const storage = new Storage(dtype, elementsOf(dtype, entry.read()));
  cache.set(key, storage);
  return storage;
}

function intTuple(v: unknown, what: string, file: string): number[] {
  if (!(v instanceof PyTuple) && !Array.isArray(v)) throw new UnpicklingError(file, `torch: tensor ${what} is ${describe(v)}, not a tuple`);
  const items = v instanceof PyTuple ? v.items : v;
  for (const d of items) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new UnpicklingError(file, `torch: tensor ${what} has an invalid entry ${String(d)}`);
  }
  return items as number[];
}

/**
 * `_rebuild_tensor_v2(storage, storage_offset, size, stride, ...)`: the elements of the view
 * `storage[offset + sum(i_k * stride_k)]`, copied into a contiguous tensor (a transposed or sliced
 * tensor is saved with its whole storage; an `expand()`ed one, with stride 0 along the expanded
 * dims, has more elements than its storage). Every index is checked to lie inside the storage, and
 * the copies together stay within the load's budget.
 */
function rebuildTensor(args: readonly unknown[], file: string, budget: CopyBudget): Tensor {
  const [storage, offset, sizeArg, strideArg] = args;
  if (!(storage instanceof Storage)) throw new UnpicklingError(file, `torch: _rebuild_tensor_v2 got ${describe(storage)} instead of a storage`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new UnpicklingError(file, `torch: bad storage offset ${String(offset)}`);
  const size = intTuple(sizeArg, 'size', file);
  const stride = intTuple(strideArg, 'stride', file);
  if (size.length !== stride.length) throw new UnpicklingError(file, `torch: tensor size (${size.join(', ')}) and stride (${stride.join(', ')}) differ in length`);
  const count = checkedNumel(file, 'torch: tensor', size);
  if (count === 0) return new Tensor(storage.dtype, new DTYPES[storage.dtype].array(0) as never, size);
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d] - 1) * stride[d];
  if (last >= storage.data.length) {
    throw new FormatError(file, `torch: a tensor of size (${size.join(', ')}) with stride (${stride.join(', ')}) at offset ${offset} reads element ${last} of a storage with ${storage.data.length}`);
  }
  if (isContiguous(size, stride)) return new Tensor(storage.dtype, storage.data.subarray(offset, offset + count) as never, size);
  budget.bytes -= count * DTYPES[storage.dtype].bytes;
  if (budget.bytes < 0) {
    throw new FormatError(file, `torch: copying the file's non-contiguous and expanded views would take more than ${budget.limit} bytes (the file's size, or ${EXPAND_BUDGET_BYTES} at least); the tensor of size (${size.join(', ')}) with stride (${stride.join(', ')}) is one of them`);
  }
  const out = new DTYPES[storage.dtype].array(count);
  gather(storage.data, out as never, offset, size, stride);
  return new Tensor(storage.dtype, out as never, size);
}

/** Row-major strides (dims of size 1 may have any stride). */
function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}

function gather(source: ArrayLike<number | bigint>, out: { [i: number]: number | bigint; readonly length: number }, offset: number, size: number[], stride: number[]): void {
  const index = new Array<number>(size.length).fill(0);
  let position = offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = source[position];
    for (let d = size.length - 1; d >= 0; d--) {
      index[d]++;
      position += stride[d];
      if (index[d] < size[d]) break;
      position -= stride[d] * size[d];
      index[d] = 0;
    }
  }
}

function tensorArg(v: unknown, what: string, file: string): Tensor {
  if (!(v instanceof Tensor)) throw new UnpicklingError(file, `torch: ${what} got ${describe(v)} instead of a tensor`);
  return v;
}

/** What the reader lets a pickle name, like `weights_only=True`'s allowlist narrowed to state_dicts. */
function torchGlobals(budget: CopyBudget): Record<string, GlobalHandler> {
  const rebuild: GlobalHandler = (args, file) => rebuildTensor(args, file, budget);
  const globals: Record<string, GlobalHandler> = {
  'collections.OrderedDict': (args, file) => {
    const dict = new PyDict('OrderedDict');
    if (args.length > 0) {
      const pairs = args[0];
      if (!Array.isArray(pairs)) throw new UnpicklingError(file, `torch: OrderedDict(${describe(pairs)}) is not supported`);
      for (const pair of pairs) {
        if (!(pair instanceof PyTuple) && !Array.isArray(pair)) throw new UnpicklingError(file, 'torch: OrderedDict items must be pairs');
        const [k, v] = pair instanceof PyTuple ? pair.items : pair;
        if (typeof k !== 'string' && typeof k !== 'number') throw new UnpicklingError(file, `torch: OrderedDict key of type ${describe(k)}`);
        dict.map.set(k, v);
      }
    }
    return dict;
  },
  'torch._utils._rebuild_tensor_v2': rebuild,
  'torch._utils._rebuild_tensor': rebuild,
  'torch._utils._rebuild_parameter': (args, file) => tensorArg(args[0], '_rebuild_parameter', file),
  'torch._utils._rebuild_parameter_with_state': (args, file) => tensorArg(args[0], '_rebuild_parameter_with_state', file),
  'torch._tensor._rebuild_from_type_v2': (args, file) => {
    const [func, type, inner] = args;
    const allowedTypes = ['torch.Tensor', 'torch.nn.parameter.Parameter'];
    if (!(type instanceof PyGlobal) || !allowedTypes.includes(type.qualname)) throw new UnpicklingError(file, `torch: _rebuild_from_type_v2 to ${describe(type)} is not supported`);
    if (!(func instanceof PyGlobal) || !globals[func.qualname] || !(inner instanceof PyTuple)) throw new UnpicklingError(file, 'torch: bad _rebuild_from_type_v2 call');
    return globals[func.qualname]!(inner.items, file);
  },
  'torch.Tensor': null,
  'torch.nn.parameter.Parameter': null,
  // protocol 2 pickles Python bytes as _codecs.encode(text, 'latin1')
  '_codecs.encode': (args, file) => {
    const [text, encoding] = args;
    if (typeof text !== 'string' || encoding !== 'latin1') throw new UnpicklingError(file, "torch: _codecs.encode is only read as encode(str, 'latin1')");
    return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  },
  ...Object.fromEntries(Object.keys(STORAGE_DTYPES).map((name) => [`torch.${name}`, null])),
  };
  return globals;
}

/** The names the pickle reader accepts, for documentation and tests. */
export const ALLOWED_GLOBALS: readonly string[] = Object.keys(torchGlobals({ bytes: 0, limit: 0 }));

function isTensorDict(v: unknown): v is PyDict {
  return v instanceof PyDict && v.map.size > 0 && [...v.map.values()].every((t) => t instanceof Tensor);
}

function stateDictOf(saved: unknown, file: string, entry: string | undefined): StateDict {
  let value = saved;
  if (entry !== undefined) {
    for (const key of entry.split('.')) {
      if (!(value instanceof PyDict) || !value.map.has(key)) throw new FormatError(file, `torch: the saved object has no entry '${entry}' (at '${key}')`);
      value = value.map.get(key);
    }
  }
  if (value instanceof PyDict && value.map.size === 0) return new Map();
  if (isTensorDict(value)) {
    const sd: StateDict = new Map();
    for (const [k, t] of value.map) {
      if (typeof k !== 'string') throw new FormatError(file, `torch: state_dict key ${String(k)} is not a string`);
      sd.set(k, t as Tensor);
    }
    return sd;
  }
  if (value instanceof PyDict) {
    const nested = [...value.map].filter(([, v]) => isTensorDict(v)).map(([k]) => String(k));
    const hint = nested.length ? `; the tensors are under ${nested.map((k) => `'${k}'`).join(', ')}: choose one with the entry option (--entry ${nested[0]})` : '';
    const keys = [...value.map.keys()].slice(0, 10).map(String).join(', ');
    throw new FormatError(file, `torch: the saved ${value.type} (keys: ${keys}) is not a state_dict of tensors${hint}`);
  }
  throw new FormatError(file, `torch: the saved object is a ${describe(value)}, not a state_dict`);
}

// ---- writer ----

/** Pickle opcodes the writer emits (protocol 2, what torch.save uses). */
class PickleWriter {
  private readonly parts: number[] = [];
  op(...bytes: number[]): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1'));
  }
  str(text: string): this {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    return this.op(0x58, ...length, ...bytes);
  }
  int(value: number): this {
    if (value >= 0 && value < 0x100) return this.op(0x4b, value);
    if (value >= 0 && value < 0x10000) return this.op(0x4d, value & 0xff, value >> 8);
    if (value >= -0x80000000 && value < 0x80000000) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(value);
      return this.op(0x4a, ...b);
    }
    // LONG1: two's complement little-endian, as pickle encodes large ints
    let v = BigInt(value);
    const bytes: number[] = [];
    while (v !== 0n && v !== -1n) {
      bytes.push(Number(v & 0xffn));
      v >>= 8n;
    }
    if (((bytes[bytes.length - 1] ?? 0) & 0x80) !== (value < 0 ? 0x80 : 0)) bytes.push(value < 0 ? 0xff : 0);
    return this.op(0x8a, bytes.length, ...bytes);
  }
  tuple(values: readonly number[]): this {
    if (values.length === 0) return this.op(0x29);
    if (values.length > 3) this.op(0x28);
    for (const v of values) this.int(v);
    return this.op(values.length > 3 ? 0x74 : [0, 0x85, 0x86, 0x87][values.length]);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/**
 * A torch.save archive of an OrderedDict of tensors, one storage per tensor: what
 * `torch.save(model.state_dict(), f)` writes (without the optional `_metadata` attribute).
 */
export function writeTorch(sd: StateDictLike, archive = 'archive'): Uint8Array {
  return concatChunks(torchChunks(sd, archive));
}

/** writeTorch's bytes as the pieces they are made of (the tensors' own memory among them), to write without joining them. */
export function torchChunks(sd: StateDictLike, archive = 'archive'): Uint8Array[] {
  const tensors = toStateDict(sd);
  checkWritable(tensors, 'torch');
  const p = new PickleWriter().op(0x80, 2).global('collections', 'OrderedDict').op(0x29, 0x52);
  const files: [string, Uint8Array][] = [];
  let key = 0;
  if (tensors.size) p.op(0x28); // MARK for SETITEMS
  for (const [name, t] of tensors) {
    const storageKey = String(key++);
    p.str(name).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    p.op(0x28).str('storage').global('torch', DTYPE_STORAGES[t.dtype]).str(storageKey).str('cpu').int(t.size).op(0x74, 0x51);
    p.int(0).tuple(t.shape).tuple(rowMajorStrides(t.shape)).op(0x89);
    p.global('collections', 'OrderedDict').op(0x29, 0x52, 0x74, 0x52);
    files.push([`${archive}/data/${storageKey}`, tensorBytes(t)]);
  }
  if (tensors.size) p.op(0x75);
  p.op(0x2e);
  const text = (s: string) => new TextEncoder().encode(s);
  return zipChunks([[`${archive}/data.pkl`, p.bytes()], [`${archive}/byteorder`, text('little')], ...files, [`${archive}/version`, text('3\n')]]);
}

export { PyDict, PyTuple };
