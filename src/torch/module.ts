/**
 * The part of `torch.nn.Module` the normalization layers need: parameters and buffers registered
 * by name (None allowed), child modules, train/eval, state_dict / load_state_dict with PyTorch's
 * ordering, prefixes and messages, and repr.
 */
import type { DType } from '../core/dtype';
import { RuntimeError } from '../core/errors';
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
export type StateDict = Record<string, Tensor>;
export type StateDictMetadata = Record<string, { version: number }>;

export interface IncompatibleKeys {
  missing_keys: string[];
  unexpected_keys: string[];
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

  train(mode = true): this {
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

  named_parameters(prefix = ''): [string, Parameter][] {
    return this.namedMembers(prefix, (m) => m._parameters);
  }

  parameters(): Parameter[] {
    return this.named_parameters().map(([, p]) => p);
  }

  named_buffers(prefix = ''): [string, Tensor][] {
    return this.namedMembers(prefix, (m) => m._buffers);
  }

  buffers(): Tensor[] {
    return this.named_buffers().map(([, b]) => b);
  }

  private namedMembers<T>(prefix: string, members: (m: Module) => Map<string, T | null>): [string, T][] {
    const out: [string, T][] = [];
    for (const [path, module] of this.named_modules(prefix)) {
      for (const [name, value] of members(module)) if (value !== null) out.push([path ? `${path}.${name}` : name, value]);
    }
    return out;
  }

  /** Parameters first, then buffers, each module's before its children's; entries are the live tensors. */
  state_dict(prefix = ''): StateDict {
    const dict: StateDict = {};
    const metadata: StateDictMetadata = {};
    for (const [path, module] of this.named_modules(prefix.replace(/\.$/, ''))) {
      metadata[path] = { version: (module.constructor as typeof Module)._version };
      const at = (name: string): string => (path ? `${path}.${name}` : name);
      for (const [name, p] of module._parameters) if (p) dict[at(name)] = p;
      for (const [name, b] of module._buffers) if (b) dict[at(name)] = b;
    }
    Object.defineProperty(dict, '_metadata', { value: metadata, enumerable: false });
    return dict;
  }

  /**
   * Copies tensors from `stateDict` into this module's parameters and buffers. Unlike PyTorch,
   * which copies each valid tensor before it raises, nothing changes unless everything loads.
   */
  load_state_dict(stateDict: StateDict, options: { strict?: boolean } = {}): IncompatibleKeys {
    const strict = options.strict ?? true;
    const metadata = (stateDict as { _metadata?: StateDictMetadata })._metadata;
    const incoming: Record<string, unknown> = { ...stateDict };
    const errors: string[] = [];
    const missing: string[] = [];
    const copies: [Tensor, Tensor][] = [];
    for (const [path, module] of this.named_modules()) {
      const prefix = path ? `${path}.` : '';
      module._prepareStateDict(incoming, prefix, metadata?.[path]?.version, errors);
      for (const [name, target] of module.localState()) {
        const key = prefix + name;
        if (!(key in incoming)) {
          if (strict) missing.push(key);
          continue;
        }
        const source = incoming[key];
        if (!(source instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${describeType(source)}`);
          continue;
        }
        const shaped = target.ndim === 0 && source.ndim === 1 ? source.reshape([]) : source;
        if (!sameShape(shaped.shape, target.shape)) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${torchSize(source.shape)} from checkpoint, the shape in current model is ${torchSize(target.shape)}.`);
          continue;
        }
        copies.push([target, shaped]);
      }
    }
    const unexpected = strict ? this.unexpectedKeys(incoming) : [];
    if (strict && unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
    if (strict && missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
    if (errors.length) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._get_name()}:\n\t${errors.join('\n\t')}`);
    }
    for (const [target, source] of copies) copyInto(target, source);
    return { missing_keys: missing, unexpected_keys: unexpected };
  }

  /**
   * A module's chance to rewrite or reject entries before loading (PyTorch's
   * `_load_from_state_dict` overrides); `version` is undefined for a hand-built dict.
   */
  protected _prepareStateDict(_incoming: Record<string, unknown>, _prefix: string, _version: number | undefined, _errors: string[]): void {}

  private localState(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this._parameters) if (p) out.push([name, p]);
    for (const [name, b] of this._buffers) if (b) out.push([name, b]);
    return out;
  }

  private unexpectedKeys(incoming: Record<string, unknown>): string[] {
    const known = new Set<string>();
    for (const [path, module] of this.named_modules()) {
      for (const [name] of module.localState()) known.add(path ? `${path}.${name}` : name);
    }
    return Object.keys(incoming).filter((k) => !known.has(k));
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

/** `str(torch.Size([...]))`. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "<class 'NoneType'>";
  if (Array.isArray(value)) return "<class 'list'>";
  return `<class '${typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value}'>`;
}

/** `param.copy_(source)`: values converted to the target's dtype. */
function copyInto(target: Tensor, source: Tensor): void {
  if (target.dtype === source.dtype) {
    target.data.set(source.data as never);
    return;
  }
  const converted = source.astype(target.dtype);
  target.data.set(converted.data as never);
}
