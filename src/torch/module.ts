/**
 * The part of `torch.nn.Module` the normalization layers need: parameters and buffers registered
 * by name (None allowed), child modules, train/eval, state_dict / load_state_dict with PyTorch's
 * ordering, prefixes, versions and messages, and repr.
 *
 * Source of truth: torch/nn/modules/module.py (`state_dict`, `_load_from_state_dict`,
 * `load_state_dict`, `train`, `_named_members`).
 */
import type { DType } from '../core/dtype';
import { PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { asDict, isKeywordObject } from '../core/python-args';
import { pyRepr, pyTypeName } from '../core/python';
import { Tensor, sameShape } from '../core/tensor';

/** A tensor a module learns. Same data layout as Tensor; `requires_grad` as in PyTorch. */
export class Parameter<D extends DType = DType> extends Tensor<D> {
  requires_grad: boolean;
  constructor(tensor: Tensor<D>, requires_grad = true) {
    super(tensor.dtype, tensor.data, tensor.shape);
    this.requires_grad = requires_grad;
  }
}

/**
 * An ordered name -> tensor mapping, like the OrderedDict PyTorch returns. `_metadata` (not
 * enumerable, as in Python it is an attribute rather than an entry) holds each module's version:
 * a dict built by hand has none, which changes how old InstanceNorm checkpoints load.
 */
export type ModuleStateDict = Record<string, Tensor>;
export type StateDictMetadata = Record<string, { version?: number }>;

export interface IncompatibleKeys {
  missing_keys: string[];
  unexpected_keys: string[];
}

export interface LoadStateDictOptions {
  strict?: boolean;
  assign?: boolean;
}

export interface StateDictOptions {
  prefix?: string;
  /** false (PyTorch's default): entries are plain Tensors sharing the parameters' data; true: the Parameters themselves. */
  keep_vars?: boolean;
}

export abstract class Module {
  /** True after construction, as in PyTorch. */
  training = true;
  protected readonly _parameters = new Map<string, Parameter | null>();
  protected readonly _buffers = new Map<string, Tensor | null>();
  protected readonly _modules = new Map<string, Module>();
  /** Bumped when the layout of a module's state changes (PyTorch's `_version`). */
  protected static readonly _version: number = 1;

  /** The class name PyTorch prints (`_get_name()`). */
  protected _get_name(): string {
    return this.constructor.name;
  }

  protected register_parameter(name: string, param: Parameter | null): void {
    this._parameters.set(name, param);
  }

  protected register_buffer(name: string, tensor: Tensor | null): void {
    this._buffers.set(name, tensor);
  }

  /** Adds a child under `name` (what `self.name = child` does in Python). */
  add_module(name: string, module: Module): this {
    this._modules.set(name, module);
    return this;
  }

  /** Sets training mode here and in every child; PyTorch raises the same ValueError for a non-bool. */
  train(mode: boolean = true): this {
    if (typeof mode !== 'boolean') throw new ValueError('training mode is expected to be boolean');
    this.training = mode;
    for (const child of this._modules.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  *named_modules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this._modules) yield* child.named_modules(prefix ? `${prefix}.${name}` : name);
  }

  named_parameters(prefix = '', recurse = true): [string, Parameter][] {
    return this.namedMembers(prefix, recurse, (m) => m._parameters);
  }

  parameters(recurse = true): Parameter[] {
    return this.named_parameters('', recurse).map(([, p]) => p);
  }

  named_buffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedMembers(prefix, recurse, (m) => m._buffers);
  }

  buffers(recurse = true): Tensor[] {
    return this.named_buffers('', recurse).map(([, b]) => b);
  }

  private namedMembers<T>(prefix: string, recurse: boolean, members: (m: Module) => Map<string, T | null>): [string, T][] {
    const out: [string, T][] = [];
    const modules: [string, Module][] = recurse ? [...this.named_modules(prefix)] : [[prefix, this]];
    for (const [path, module] of modules) {
      for (const [name, value] of members(module)) if (value !== null) out.push([path ? `${path}.${name}` : name, value]);
    }
    return out;
  }

  /**
   * Parameters first, then buffers, each module's before its children's. Entries share the
   * module's data (PyTorch's detached aliases), so the dict follows later training steps.
   */
  state_dict(options: StateDictOptions = {}): ModuleStateDict {
    const prefix = options.prefix ?? '';
    const dict: ModuleStateDict = {};
    const metadata: StateDictMetadata = {};
    for (const [path, module] of this.named_modules(prefix.replace(/\.$/, ''))) {
      metadata[path] = { version: (module.constructor as typeof Module)._version };
      const at = (name: string): string => (path ? `${path}.${name}` : name);
      for (const [name, t] of module.localState()) dict[at(name)] = options.keep_vars ? t : new Tensor(t.dtype, t.data, t.shape);
    }
    Object.defineProperty(dict, '_metadata', { value: metadata, enumerable: false });
    return dict;
  }

  /**
   * Copies tensors from `stateDict` into this module's parameters and buffers, following
   * PyTorch's `load_state_dict`: missing and unexpected keys are always reported in the result and
   * are errors only when `strict`; size mismatches and non-tensors are errors either way.
   * Unlike PyTorch, which copies each valid tensor before it raises, nothing changes unless
   * everything loads (a half-loaded module is never useful, and this way a caller can retry).
   */
  load_state_dict(stateDict: ModuleStateDict | Map<string, Tensor>, options: LoadStateDictOptions = {}): IncompatibleKeys {
    const incoming = readMapping(stateDict);
    const { strict, assign } = readLoadOptions(options);
    const metadata = (stateDict as { _metadata?: StateDictMetadata })._metadata;
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const copies: Copy[] = [];
    for (const [path, module] of this.named_modules()) {
      const prefix = path ? `${path}.` : '';
      module._prepareStateDict(incoming, prefix, metadata?.[path]?.version, errors);
      module.collectCopies(incoming, prefix, missing, errors, copies);
      unexpected.push(...module.unexpectedKeys(incoming, prefix));
    }
    if (strict && unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${quoted(unexpected)}. `);
    if (strict && missing.length) errors.unshift(`Missing key(s) in state_dict: ${quoted(missing)}. `);
    if (errors.length) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._get_name()}:\n\t${errors.join('\n\t')}`);
    }
    for (const copy of copies) {
      if (assign) copy.module.assignTensor(copy.name, copy.source);
      else copy.target.data.set(copy.converted.data as never);
    }
    return { missing_keys: missing, unexpected_keys: unexpected };
  }

  /**
   * A module's chance to rewrite or reject entries before loading (PyTorch's
   * `_load_from_state_dict` overrides); `version` is undefined for a hand-built dict.
   */
  protected _prepareStateDict(_incoming: Map<string, unknown>, _prefix: string, _version: number | undefined, _errors: string[]): void {}

  /** The checks of `Module._load_from_state_dict` for this module's own tensors; copies are converted up front. */
  private collectCopies(incoming: Map<string, unknown>, prefix: string, missing: string[], errors: string[], copies: Copy[]): void {
    for (const [name, target] of this.localState()) {
      const key = prefix + name;
      if (!incoming.has(key)) {
        missing.push(key);
        continue;
      }
      const value = incoming.get(key);
      if (!(value instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received <class '${pyTypeName(value)}'>`);
        continue;
      }
      let source: Tensor = value;
      // Backward compatibility: a 0.3-era checkpoint stores scalars as 1-element vectors.
      if (target.ndim === 0 && source.ndim === 1 && source.shape[0] === 1) source = source.reshape([]);
      if (!sameShape(source.shape, target.shape)) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${torchSize(source.shape)} from checkpoint, the shape in current model is ${torchSize(target.shape)}.`);
        continue;
      }
      try {
        const converted = source.dtype === target.dtype ? source : source.astype(target.dtype);
        copies.push({ module: this, name, target, source, converted });
      } catch (err) {
        errors.push(`While copying the parameter named "${key}", whose dimensions in the model are ${torchSize(target.shape)} and whose dimensions in the checkpoint are ${torchSize(source.shape)}, an exception occurred : ('${(err as Error).message}',).`);
      }
    }
  }

  /** PyTorch's rule: a key under this prefix is unexpected unless it names a local tensor or (with a dot) a child. */
  private unexpectedKeys(incoming: Map<string, unknown>, prefix: string): string[] {
    const local = new Set(this.localState().map(([name]) => name));
    const out: string[] = [];
    for (const key of incoming.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf('.');
      const known = dot >= 0 ? this._modules.has(rest.slice(0, dot)) : local.has(rest);
      if (!known) out.push(key);
    }
    return out;
  }

  /** `assign=True`: the module takes the checkpoint's tensor itself (its dtype too); a parameter keeps its requires_grad. */
  private assignTensor(name: string, source: Tensor): void {
    const param = this._parameters.get(name);
    if (param) this._parameters.set(name, new Parameter(source, param.requires_grad));
    else this._buffers.set(name, source);
  }

  private localState(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this._parameters) if (p) out.push([name, p]);
    for (const [name, b] of this._buffers) if (b) out.push([name, b]);
    return out;
  }

  /** The one-line description inside the parentheses of the repr. */
  extra_repr(): string {
    return '';
  }

  toString(): string {
    const children = [...this._modules].map(([name, m]) => `(${name}): ${String(m).replace(/\n/g, '\n  ')}`);
    if (children.length === 0) return `${this._get_name()}(${this.extra_repr()})`;
    const lines = [...(this.extra_repr() ? this.extra_repr().split('\n') : []), ...children];
    return `${this._get_name()}(\n  ${lines.join('\n  ')}\n)`;
  }
}

interface Copy {
  module: Module;
  name: string;
  target: Tensor;
  source: Tensor;
  /** `source` in the target's dtype, made before anything is written. */
  converted: Tensor;
}

/** `strict` (default true) and `assign` (default false), booleans only. */
function readLoadOptions(options: LoadStateDictOptions): Required<LoadStateDictOptions> {
  if (!isKeywordObject(options)) throw new PyTypeError(`load_state_dict(): options must be an object like { strict: false }, got ${pyRepr(options)}`);
  for (const key in options) {
    if (key !== 'strict' && key !== 'assign') throw new PyTypeError(`Module.load_state_dict() got an unexpected keyword argument '${key}'`);
  }
  return { strict: boolOption('strict', options.strict, true), assign: boolOption('assign', options.assign, false) };
}

function boolOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new PyTypeError(`load_state_dict(): argument '${name}' must be bool, not ${pyTypeName(value)} (${pyRepr(value)})`);
  return value;
}

/** `str(torch.Size([...]))`. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

function quoted(keys: string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

/** A plain object or a Map, copied (PyTorch copies too, so a module may drop entries while loading). */
function readMapping(stateDict: unknown): Map<string, unknown> {
  const dict = asDict(stateDict);
  if (dict === null) throw new PyTypeError(`Expected state_dict to be dict-like, got <class '${pyTypeName(stateDict)}'>.`);
  return dict as Map<string, unknown>;
}
