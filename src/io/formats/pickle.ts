/**
 * A pickle reader that never runs code, for the pickles torch.save writes (protocol 2; the
 * protocol 3-5 opcodes are read too). Like PyTorch's `weights_only=True` unpickler
 * (torch/_weights_only_unpickler.py), a GLOBAL is only accepted when it is on the caller's
 * allowlist, and calling it (REDUCE) runs the caller's TypeScript stand-in, never anything named by
 * the file. Anything else is an UnpicklingError naming the global or the opcode.
 *
 * Every length is checked against the bytes that remain before a string or buffer is made, and each
 * opcode consumes at least one byte, so time and memory are bounded by the pickle's size.
 */
import { pyTypeName } from '../../core/python';
import { FormatError } from './types';

/** Python's `pickle.UnpicklingError`, which `torch.load(weights_only=True)` raises for a forbidden global. */
export class UnpicklingError extends FormatError {}
Object.defineProperty(UnpicklingError.prototype, 'name', { value: 'UnpicklingError', writable: true, configurable: true });

export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

export type PyKey = string | number | bigint | boolean | null;

/** A dict (or OrderedDict); `attributes` holds what BUILD set on it (a torch state_dict's `_metadata`). */
export class PyDict {
  readonly map = new Map<PyKey, unknown>();
  attributes: Map<PyKey, unknown> | undefined;
  constructor(readonly type: 'dict' | 'OrderedDict') {}
}

/** A global the allowlist accepted; it stays inert until REDUCE calls its stand-in. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A stand-in for an allowed callable; `null` marks a global that may appear but not be called (a storage type). */
export type GlobalHandler = ((args: readonly unknown[], file: string) => unknown) | null;

export interface UnpickleOptions {
  file: string;
  globals: Readonly<Record<string, GlobalHandler>>;
  persistentLoad?: (pid: unknown) => unknown;
}

const MARK = Symbol('mark');

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  return new Unpickler(bytes, options).load();
}

class Unpickler {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  private readonly file: string;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.file = options.file;
  }

  private fail(message: string): never {
    throw new UnpicklingError(this.file, `pickle: ${message}`);
  }

  private take(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`needs ${n} bytes at offset ${this.pos}, but only ${this.bytes.length - this.pos} remain (truncated)`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private u8(): number {
    return this.take(1)[0];
  }
  private u16(): number {
    this.take(2);
    return this.view.getUint16(this.pos - 2, true);
  }
  private u32(): number {
    this.take(4);
    return this.view.getUint32(this.pos - 4, true);
  }
  private i32(): number {
    this.take(4);
    return this.view.getInt32(this.pos - 4, true);
  }
  private u64(): number {
    this.take(8);
    const v = this.view.getBigUint64(this.pos - 8, true);
    if (v > BigInt(this.bytes.length)) this.fail(`length ${v} at offset ${this.pos - 8} exceeds the pickle's size`);
    return Number(v);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail(`unterminated text line at offset ${this.pos}`);
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private utf8(n: number): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.take(n));
    } catch (err) {
      if (err instanceof FormatError) throw err;
      this.fail(`string at offset ${this.pos - n} is not valid UTF-8`);
    }
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail(`stack underflow at offset ${this.pos - 1}`);
    const v = this.stack.pop();
    if (v === MARK) this.fail(`unexpected MARK on the stack at offset ${this.pos - 1}`);
    return v;
  }

  private top(): unknown {
    const v = this.stack[this.stack.length - 1];
    if (this.stack.length === 0 || v === MARK) this.fail(`stack underflow at offset ${this.pos - 1}`);
    return v;
  }

  /** The items pushed since the last MARK, removing them and the mark. */
  private popMark(): unknown[] {
    const at = this.stack.lastIndexOf(MARK);
    if (at < 0) this.fail(`no MARK on the stack at offset ${this.pos - 1}`);
    const items = this.stack.slice(at + 1);
    this.stack.length = at;
    return items;
  }

  private memoGet(index: number): void {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} read before it was written (offset ${this.pos})`);
    this.stack.push(this.memo.get(index));
  }

  private key(k: unknown): PyKey {
    if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k)) return k as PyKey;
    this.fail(`unsupported dict key of type ${describe(k)}`);
  }

  private setItems(target: unknown, items: unknown[]): void {
    if (!(target instanceof PyDict)) this.fail(`SETITEM(S) on ${describe(target)}, not a dict`);
    if (items.length % 2) this.fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.map.set(this.key(items[i]), items[i + 1]);
  }

  private appendItems(target: unknown, items: unknown[]): void {
    if (!Array.isArray(target)) this.fail(`APPEND(S) on ${describe(target)}, not a list`);
    for (const item of items) target.push(item);
  }

  private global(module: string, name: string): PyGlobal {
    const qualname = `${module}.${name}`;
    if (!Object.prototype.hasOwnProperty.call(this.options.globals, qualname)) {
      this.fail(`unsupported global: GLOBAL ${qualname} is not an allowed global; like torch.load(weights_only=True), only the globals a state_dict needs are read (OrderedDict, torch._utils._rebuild_tensor_v2, torch.*Storage, ...), and no code in the file is run`);
    }
    return new PyGlobal(module, name);
  }

  private reduce(callable: unknown, args: unknown): unknown {
    if (!(callable instanceof PyGlobal)) this.fail(`REDUCE on ${describe(callable)}, not an allowed global`);
    if (!(args instanceof PyTuple)) this.fail(`REDUCE of ${callable.qualname} with ${describe(args)} arguments, not a tuple`);
    const handler = this.options.globals[callable.qualname];
    if (!handler) this.fail(`${callable.qualname} may not be called`);
    return handler(args.items, this.file);
  }

  private build(target: unknown, state: unknown): void {
    // BUILD on an OrderedDict sets attributes (a state_dict's `_metadata`); nothing else is built.
    if (target instanceof PyDict && state instanceof PyDict) {
      target.attributes = new Map(state.map);
      return;
    }
    if (state === null) return;
    this.fail(`BUILD on ${describe(target)} is not supported`);
  }

  load(): unknown {
    const b = this.bytes;
    while (this.pos < b.length) {
      const at = this.pos;
      const op = b[this.pos++];
      switch (op) {
        case 0x80: {
          const protocol = this.u8();
          if (protocol > 5) this.fail(`unsupported pickle protocol ${protocol}`);
          break;
        }
        case 0x95: // FRAME: a length hint only
          this.take(8);
          break;
        case 0x2e: // STOP
          if (this.stack.length !== 1) this.fail(`STOP at offset ${at} with ${this.stack.length} items on the stack`);
          return this.pop();
        case 0x28: // MARK
          this.stack.push(MARK);
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.stack.push(this.top());
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88:
          this.stack.push(true);
          break;
        case 0x89:
          this.stack.push(false);
          break;
        case 0x4a: // BININT
          this.stack.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.stack.push(littleEndianInt(this.take(this.u8())));
          break;
        case 0x8b: {
          const n = this.i32();
          if (n < 0) this.fail(`LONG4 with negative length at offset ${at}`);
          this.stack.push(littleEndianInt(this.take(n)));
          break;
        }
        case 0x49: {
          // INT (text): also spells True/False as 01/00
          const text = this.line();
          if (text === '01' || text === '00') this.stack.push(text === '01');
          else if (/^[-+]?\d+$/.test(text)) this.stack.push(intValue(BigInt(text)));
          else this.fail(`bad INT ${JSON.stringify(text)} at offset ${at}`);
          break;
        }
        case 0x47: // BINFLOAT (big-endian double)
          this.take(8);
          this.stack.push(this.view.getFloat64(this.pos - 8, false));
          break;
        case 0x58: // BINUNICODE
          this.stack.push(this.utf8(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.utf8(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(this.utf8(this.u64()));
          break;
        case 0x54: {
          // BINSTRING (Python 2 str), read as latin-1 like torch.load's encoding default
          const n = this.i32();
          if (n < 0) this.fail(`BINSTRING with negative length at offset ${at}`);
          this.stack.push(new TextDecoder('latin1').decode(this.take(n)));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.stack.push(new TextDecoder('latin1').decode(this.take(this.u8())));
          break;
        case 0x42: // BINBYTES
          this.stack.push(this.take(this.u32()).slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.stack.push(this.take(this.u8()).slice());
          break;
        case 0x8e: // BINBYTES8
          this.stack.push(this.take(this.u64()).slice());
          break;
        case 0x29:
          this.stack.push(new PyTuple([]));
          break;
        case 0x74:
          this.stack.push(new PyTuple(this.popMark()));
          break;
        case 0x85:
          this.stack.push(new PyTuple([this.pop()]));
          break;
        case 0x86: {
          const second = this.pop();
          this.stack.push(new PyTuple([this.pop(), second]));
          break;
        }
        case 0x87: {
          const third = this.pop();
          const second = this.pop();
          this.stack.push(new PyTuple([this.pop(), second, third]));
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x6c: // LIST
          this.stack.push(this.popMark());
          break;
        case 0x61: {
          const item = this.pop();
          this.appendItems(this.top(), [item]);
          break;
        }
        case 0x65: {
          const items = this.popMark();
          this.appendItems(this.top(), items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new PyDict('dict'));
          break;
        case 0x64: {
          // DICT
          const dict = new PyDict('dict');
          this.setItems(dict, this.popMark());
          this.stack.push(dict);
          break;
        }
        case 0x73: {
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: {
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x63: {
          // GLOBAL module\nname\n
          const module = this.line();
          this.stack.push(this.global(module, this.line()));
          break;
        }
        case 0x93: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail(`STACK_GLOBAL with non-string names at offset ${at}`);
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: {
          const args = this.pop();
          const callable = this.pop();
          this.stack.push(this.reduce(callable, args));
          break;
        }
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args) - only an allowed global with a stand-in
          const args = this.pop();
          const cls = this.pop();
          this.stack.push(this.reduce(cls, args));
          break;
        }
        case 0x62: {
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = this.pop();
          if (!this.options.persistentLoad) this.fail('a persistent id without a persistent_load');
          this.stack.push(this.options.persistentLoad(pid));
          break;
        }
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.memoGet(this.u8());
          break;
        case 0x6a: // LONG_BINGET
          this.memoGet(this.u32());
          break;
        default:
          this.fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
    }
    this.fail('the pickle ends without STOP (truncated)');
  }
}

function littleEndianInt(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return intValue(v);
}

/** Python ints become JS numbers when exact, bigints otherwise. */
function intValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A short Python-style type name for messages (never walks into the value); plain values as pyTypeName names them. */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.type;
  if (v instanceof PyGlobal) return v.qualname;
  if (v instanceof Uint8Array) return 'bytes';
  return pyTypeName(v);
}
