/**
 * What porting and conversion need to know of a layer's class, read from the registry
 * (src/families) and mapping.json, so that nothing here names a family: its state tensors and
 * their names in both frameworks (mapping.json's `state` per family), the MindSpore child cell
 * that holds its Parameters (`mindsporeChild`), and for each PyTorch option that makes tensors
 * exist (the tensors' `torchWhen`: `affine`, `track_running_stats`) what it means, from the claims
 * the conformance tests prove against both facades:
 *
 * - an option whose tensors are all trained (`trainableParameters` claims) governs learned
 *   parameters, and whether MindSpore applies them when the option is off comes from the
 *   `initializer` claims of those parameters;
 * - any other option governs running statistics, and whether MindSpore's eval() normalizes with its
 *   moving statistics comes from the `usesStatistics` claim (MindSpore's defaults in eval mode);
 * - PyTorch's default for it comes from the class's torch signature.
 */
import { ValueError } from '../core/errors';
import { FAMILIES } from '../families';
import { loadMapping, pyValue, type Mapping, type MappingEntry, type StateTensor } from '../mapping';

interface OptionBase {
  /** The PyTorch constructor option (a state tensor's `torchWhen`). */
  readonly name: string;
  /** Its default in the class's PyTorch signature. */
  readonly torchDefault: boolean;
  /** MindSpore's constructor has an argument of the same name on the option's row (`affine`). */
  readonly sameInMindspore: boolean;
  /** The state tensors the option makes exist in PyTorch. */
  readonly tensors: readonly StateTensor[];
}

export type StateOption =
  /** Learned tensors (weight/bias <-> gamma/beta). */
  | (OptionBase & { readonly role: 'parameters'; readonly mindsporeAppliesWhenOff: boolean })
  /** Running statistics (running_mean/running_var <-> moving_mean/moving_variance, and PyTorch's batch counter). */
  | (OptionBase & { readonly role: 'statistics'; readonly mindsporeEvalUsesThem: boolean });

export interface LayerKind {
  /** mapping.json's family (`InstanceNorm`). */
  readonly family: string;
  /** The class, when the kind is one class's (`InstanceNorm2d`); absent when every class of the family converts alike. */
  readonly api?: string;
  readonly tensors: readonly StateTensor[];
  readonly options: readonly StateOption[];
  /** The child cell holding the MindSpore Parameters (`bn2d`): their names are `<prefix>.<child>.<name>`. */
  readonly mindsporeChild?: string;
}

/** What a layer says of its class: the class, its family, or neither (then the mapping must have only one family). */
export interface KindOf {
  api?: string;
  family?: string;
}

const cache = new WeakMap<Mapping, Map<string, LayerKind>>();

function optionOf(entry: MappingEntry, name: string, tensors: readonly StateTensor[]): StateOption {
  const where = `mapping.json: ${entry.api}`;
  // the schema gives every torch argument of the class one row
  const row = entry.rows.find((r) => r.category === '参数' && r.torch === name);
  const written = entry.torch.args.find((a) => a.name === name)?.default;
  const value = written === undefined ? undefined : pyValue(written);
  if (value?.kind !== 'literal' || typeof value.value !== 'boolean') throw new ValueError(`${where}: the torch default of '${name}' is not True or False (${written ?? 'none'})`);
  const base = { name, torchDefault: value.value, sameInMindspore: row?.mindspore === name, tensors };
  const claims = entry.rows.flatMap((r) => r.claims);
  const trained = new Set(claims.flatMap((c) => (c.kind === 'trainableParameters' ? c.torch : [])));
  if (!tensors.every((t) => trained.has(t.torch))) {
    // What a MindSpore layer built with its defaults normalizes with in eval mode.
    const evalCase = claims.flatMap((c) => (c.kind === 'usesStatistics' ? c.cases : [])).find((c) => c.framework === 'mindspore' && c.mode === 'eval' && Object.keys(c.args).length === 0);
    if (!evalCase) throw new ValueError(`${where}: no usesStatistics claim says whether MindSpore's eval mode uses the statistics '${name}' keeps (${tensors.map((t) => t.torch).join(', ')})`);
    return { ...base, role: 'statistics', mindsporeEvalUsesThem: evalCase.uses === 'running' };
  }
  // A parameter no initializer claim speaks for is taken as applied: then an affine=False layer
  // needs identity values to lose it, which is the safe side.
  const initializers = claims.filter((c) => c.kind === 'initializer');
  const applied = tensors.some((t) => t.mindspore !== null && (initializers.find((c) => c.torchParameter === t.torch)?.appliedWhenAffineFalse ?? true));
  return { ...base, role: 'parameters', mindsporeAppliesWhenOff: applied };
}

/** One class's kind, from its mapping entry and its family's state tensors. */
export function classKind(api: string, mapping: Mapping = loadMapping()): LayerKind {
  let kinds = cache.get(mapping);
  if (!kinds) cache.set(mapping, (kinds = new Map()));
  const known = kinds.get(api);
  if (known) return known;
  const entry = mapping.entries.find((e) => e.api === api);
  if (!entry) throw new ValueError(`unknown layer class ${JSON.stringify(api)}; known: ${mapping.entries.map((e) => e.api).join(', ')}`);
  const tensors = mapping.families.find((f) => f.family === entry.family)!.state.tensors;
  const names = [...new Set(tensors.map((t) => t.torchWhen))];
  const kind: LayerKind = {
    family: entry.family,
    api,
    tensors,
    options: names.map((n) => optionOf(entry, n, tensors.filter((t) => t.torchWhen === n))),
    ...(entry.mindsporeChild ? { mindsporeChild: entry.mindsporeChild } : {}),
  };
  kinds.set(api, kind);
  return kind;
}

/** Two kinds convert alike (the same tensors, options and MindSpore naming), whatever their class. */
function alike(a: LayerKind, b: LayerKind): boolean {
  const key = (k: LayerKind) => JSON.stringify([k.tensors, k.options, k.mindsporeChild ?? null]);
  return key(a) === key(b);
}

/**
 * The kind of a layer from what it says of its class. A family without a class is enough where
 * all its classes convert alike; with neither, the mapping must have one family only. Anything
 * else is a ValueError that says what to name: the conversion never guesses a class.
 */
export function layerKind(of: KindOf, mapping: Mapping = loadMapping()): LayerKind {
  if (of.api !== undefined) {
    const kind = classKind(of.api, mapping);
    if (of.family !== undefined && of.family !== kind.family) throw new ValueError(`class ${of.api} is of family ${kind.family}, not ${of.family}`);
    return kind;
  }
  const known = mapping.families.map((f) => f.family);
  if (of.family === undefined && mapping.families.length > 1) {
    throw new ValueError(`the layer's class is needed: the families (${known.join(', ')}) have tensors of the same names but convert differently (classes: ${mapping.entries.map((e) => e.api).join(', ')})`);
  }
  const family = of.family === undefined ? mapping.families[0] : mapping.families.find((f) => f.family === of.family);
  if (!family) throw new ValueError(`unknown layer family ${JSON.stringify(of.family)}; known: ${known.join(', ')}`);
  const kinds = family.classes.map((api) => classKind(api, mapping));
  if (kinds.every((k) => alike(k, kinds[0]))) {
    const { api: _, ...kind } = kinds[0];
    return kind;
  }
  const children = kinds.filter((k) => k.mindsporeChild).map((k) => `${k.api} keeps its MindSpore parameters in '${k.mindsporeChild}'`);
  throw new ValueError(`the layer's class is needed: the classes of ${family.family} (${family.classes.join(', ')}) convert differently${children.length ? ` (${children.join('; ')})` : ''}`);
}

/** `InstanceNorm`, or `InstanceNorm/BatchNorm`: the registered families, for messages about layers of any of them. */
export function familyWords(): string {
  return FAMILIES.map((f) => f.name).join('/');
}

/** `InstanceNorm1d/2d/3d`: each family's classes, the family's name written once where they all start with it. */
export function classWords(): string {
  return FAMILIES.map((f) => {
    const apis = f.classes.map((c) => c.api);
    return apis.every((a) => a.startsWith(f.name) && a.length > f.name.length) ? `${f.name}${apis.map((a) => a.slice(f.name.length)).join('/')}` : apis.join('/');
  }).join(', ');
}

/** `an InstanceNorm`, `a BatchNorm`: a name with its indefinite article. */
export function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** How an option reads in prose: statistics options as `running stats`, others by name (`affine`). */
export function optionPhrase(option: StateOption): string {
  return option.role === 'statistics' ? 'running stats' : option.name;
}
