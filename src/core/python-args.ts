/**
 * Python call shapes for JS constructors: `new X(2, 1e-3)`, `new X(2, { affine: true })`,
 * `new X({ num_features: 2 })`, or a mix. A trailing plain object is the keyword arguments (class
 * instances such as Tensors are positional values). Binding errors are Python's TypeErrors, word
 * for word, so a ported call fails the same way it did in Python.
 */
import { PyTypeError } from './errors';

export interface PySignature<P extends string> {
  /** The function's `__qualname__` as Python prints it in these errors, e.g. `_InstanceNorm.__init__`. */
  qualname: string;
  /** Parameter names in positional order, `self` excluded. */
  params: readonly P[];
  /** How many leading parameters have no default. */
  required: number;
}

export type Bound<P extends string> = Partial<Record<P, unknown>>;

export function isKeywordObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A Python dict argument as JS spells it (a Map or a plain object), copied into a Map; null for anything else. */
export function asDict(value: unknown): Map<unknown, unknown> | null {
  if (value instanceof Map) return new Map(value);
  return isKeywordObject(value) ? new Map(Object.entries(value)) : null;
}

/** A JS call split into Python's positional and keyword arguments (trailing `undefined`s are "not given"). */
function splitCall(args: readonly unknown[]): { positional: readonly unknown[]; keywords: Record<string, unknown> } {
  const hasKeywords = args.length > 0 && isKeywordObject(args[args.length - 1]);
  const positional = hasKeywords ? args.slice(0, -1) : args;
  const keywords = hasKeywords ? (args[args.length - 1] as Record<string, unknown>) : {};
  // Trailing undefineds are "not given" (a JS caller skipping optional arguments), not extra arguments.
  let count = positional.length;
  while (count > 0 && positional[count - 1] === undefined) count--;
  return { positional: positional.slice(0, count), keywords };
}

/**
 * Binds positional and keyword arguments to parameter names as a Python call does, with CPython
 * 3.10+'s call errors (`f() missing 1 required positional argument: 'a'`); `undefined` means "not given".
 */
export function bindArguments<P extends string>(signature: PySignature<P>, args: readonly unknown[]): Bound<P> {
  const { qualname, params, required } = signature;
  const { positional, keywords } = splitCall(args);
  const count = positional.length;
  if (count > params.length) {
    const exact = required === params.length;
    const range = exact ? `${params.length + 1}` : `from ${required + 1} to ${params.length + 1}`;
    const noun = exact && params.length === 0 ? 'argument' : 'arguments';
    throw new PyTypeError(`${qualname}() takes ${range} positional ${noun} but ${count + 1} were given`);
  }
  const bound: Bound<P> = {};
  for (let i = 0; i < count; i++) if (positional[i] !== undefined) bound[params[i]] = positional[i];
  for (const [name, value] of Object.entries(keywords)) {
    if (!(params as readonly string[]).includes(name)) {
      throw new PyTypeError(`${qualname}() got an unexpected keyword argument '${name}'`);
    }
    if (value === undefined) continue;
    if (params.indexOf(name as P) < count) throw new PyTypeError(`${qualname}() got multiple values for argument '${name}'`);
    bound[name as P] = value;
  }
  const missing = params.slice(0, required).filter((p) => !(p in bound));
  if (missing.length > 0) {
    const names = missing.map((m) => `'${m}'`);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    throw new PyTypeError(`${qualname}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`);
  }
  return bound;
}

/**
 * Binds as `inspect.signature(fn).bind(*args, **kwargs)` does, in its order and words (CPython's
 * `Signature._bind`): too many positional arguments, then a positional one given again by keyword,
 * then the first missing required argument, then the first unknown keyword. MindSpore's
 * `@cell_attr_register` binds a layer's `__init__` arguments this way before `__init__` runs, so
 * its layers raise these messages, with no function name in them. `qualname` is not used.
 */
export function bindArgumentsLikeInspect<P extends string>(signature: PySignature<P>, args: readonly unknown[]): Bound<P> {
  const { params, required } = signature;
  const { positional, keywords } = splitCall(args);
  const given = Object.entries(keywords).filter(([, value]) => value !== undefined);
  const bound: Bound<P> = {};
  positional.forEach((value, i) => {
    if (i >= params.length) throw new PyTypeError('too many positional arguments');
    if (given.some(([name]) => name === params[i])) throw new PyTypeError(`multiple values for argument '${params[i]}'`);
    if (value !== undefined) bound[params[i]] = value;
  });
  params.forEach((name, i) => {
    const keyword = given.find(([k]) => k === name);
    if (keyword) bound[name] = keyword[1];
    else if (i < required && !(name in bound)) throw new PyTypeError(`missing a required argument: '${name}'`);
  });
  const unknown = given.find(([name]) => !(params as readonly string[]).includes(name));
  if (unknown) throw new PyTypeError(`got an unexpected keyword argument '${unknown[0]}'`);
  return bound;
}

/**
 * The argument list a Python call shape allows: every prefix of the positional parameters,
 * optionally followed by a keyword object.
 */
export type PyArgs<Positional extends readonly unknown[], Keywords> = PrefixesWithKeywords<Positional, Keywords, []>;

type PrefixesWithKeywords<Rest extends readonly unknown[], K, Acc extends readonly unknown[]> =
  | Acc
  | [...Acc, K]
  | (Rest extends readonly [infer Head, ...infer Tail] ? PrefixesWithKeywords<Tail, K, [...Acc, Head?]> : never);
