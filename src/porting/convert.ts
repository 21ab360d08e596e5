/**
 * Converts the state of normalization layers between a PyTorch `state_dict` and MindSpore
 * parameters, by the correspondence in mapping.json's `state.tensors` of each layer's family
 * (InstanceNorm, ...: weight<->gamma, bias<->beta, running_mean<->moving_mean,
 * running_var<->moving_variance, num_batches_tracked dropped; a top-level MindSpore cell names its
 * statistics `mean`/`variance`; a class whose MindSpore Parameters live in a child cell has them
 * under `<prefix>.<child>`). What the tensors mean (src/porting/kinds.ts) comes from the rows the
 * conformance tests prove, so no family is named here.
 *
 * Which keys belong to which layers is never guessed: the caller names the layers (prefixes, from
 * `--layer` or from a model's source, each with its class where known); a prefix with `*` is a
 * pattern for one key segment (`blocks.*.norm`), matched against the checkpoint's keys. Every
 * other key passes through unchanged and is listed. What one side has and the other lacks is
 * filled with the value that changes nothing (the mapping's `identity`), and each fill, drop and
 * behavioural difference is reported.
 *
 * Exit 0 means right: a layer that matches no key, tensors that disagree with the layer's declared
 * options, keys that look like a declared layer's tensors but that no layer covers, and a layer
 * with running statistics that nobody declared (it would keep the other framework's names) are
 * problems. They stop the conversion (ConversionError, nothing to write) unless `force` is set;
 * then they are reported as warnings.
 */
import type { DType } from '../core/dtype';
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { Tensor } from '../core/tensor';
import type { Framework } from '../families';
import type { StateDict, StateDictLike } from '../io/formats/types';
import { toStateDict } from '../io/formats/types';
import { loadMapping, type ApiName, type Mapping, type StateTensor } from '../mapping';
import { classKind, layerKind, optionPhrase, withArticle, type LayerKind, type StateOption } from './kinds';

export type { Framework };

/** One layer: its key prefix ('' for a model that is the layer itself), its class where known, and its options where known. */
export interface LayerSpec {
  /** `enc.norm1`; with `*` a pattern for one key segment or part of one (`blocks.*.norm`, `norm*`). */
  prefix: string;
  /**
   * The options that make the layer's tensors exist (its family's `torchWhen`: `affine`,
   * `track_running_stats`), where known: a PyTorch layer's own; for a MindSpore layer, those its
   * constructor has under the same name (`affine`).
   */
  options?: Readonly<Record<string, boolean>>;
  /** Needed only when the source has no tensors for the layer (a PyTorch layer without affine or statistics). */
  num_features?: number;
  /** The layer class (`InstanceNorm2d`); needed where the classes of its family convert differently. */
  api?: ApiName;
  /** The layer's family (`InstanceNorm`) when its class is not given; with neither, the mapping's only family. */
  family?: string;
  /** Where the layer was declared, for messages: `net.py:12`, `--layer`. */
  origin?: string;
}

export interface ConvertOptions {
  to: Framework;
  layers: readonly LayerSpec[];
  /**
   * Layers the model may have (built on a branch its source does not decide): never converted,
   * but keys that look like theirs are a problem like those of a declared layer.
   */
  watch?: readonly LayerSpec[];
  /** Write the result despite problems (layers that match nothing, options the tensors contradict, uncovered layer keys); they become warnings. */
  force?: boolean;
  /** The parsed mapping to convert by (default: mapping.json). */
  mapping?: Mapping;
}

export interface LayerReport {
  prefix: string;
  /** The pattern or declaration the layer came from, when it is not the prefix itself. */
  declared?: string;
  family: string;
  api?: ApiName;
  origin?: string;
  renamed: { from: string; to: string }[];
  filled: { name: string; value: number; shape: number[]; reason: string }[];
  dropped: { name: string; reason: string }[];
  warnings: string[];
  /**
   * The options the target layer needs for the converted tensors to load and to behave as the
   * source (by the PyTorch option's name; toward MindSpore, those MindSpore has under that name).
   */
  target: Record<string, boolean>;
}

/** Something that makes the result wrong for the declared model: `layer` (a prefix, pattern or key) and what. */
export interface Problem {
  layer: string;
  origin?: string;
  what: string;
}

export interface ConversionReport {
  from: Framework;
  to: Framework;
  layers: LayerReport[];
  /** Keys that belong to no named layer, copied unchanged. */
  passedThrough: string[];
  /** With `force`: the problems that would have stopped the conversion. */
  problems: Problem[];
  /** Things worth knowing that do not make the result wrong. */
  notes: string[];
}

/** The conversion would not be right for the declared model; nothing should be written. */
export class ConversionError extends ValueError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(`the conversion would not be right, so nothing was converted (--force converts anyway and reports these as warnings):\n${formatProblems(problems, '  - ').join('\n')}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.problems = problems;
  }
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const NAMES: Record<Framework, string> = { torch: 'PyTorch', mindspore: 'MindSpore' };
const other = (framework: Framework): Framework => (framework === 'torch' ? 'mindspore' : 'torch');
const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

/** A declared layer with the kind its class gives it. */
type KindLayer = LayerSpec & { kind: LayerKind };
/** A layer of the checkpoint to convert: a declared one, or a prefix a declared pattern matched. */
type Layer = KindLayer & { pattern?: string };

// ---------------------------------------------------------------- names in each framework

/** Where a framework keeps a layer's tensors: the prefix, or for MindSpore its child cell under it (BatchNorm3d's `bn2d`). */
function keyPrefix(kind: LayerKind, prefix: string, framework: Framework): string {
  return framework === 'mindspore' && kind.mindsporeChild ? join(prefix, kind.mindsporeChild) : prefix;
}

/** keyPrefix backwards: the prefix of the layer whose tensors sit under `holder`, or null where no such layer's can. */
function layerPrefixOf(kind: LayerKind, holder: string, framework: Framework): string | null {
  const child = framework === 'mindspore' ? kind.mindsporeChild : undefined;
  if (!child) return holder;
  return holder.endsWith(`.${child}`) ? holder.slice(0, -child.length - 1) : null;
}

/**
 * A tensor's last key segment, or null where the framework has none. MindSpore names the tensors
 * of a cell at the top level (no prefix) by their Parameter names (mean/variance), else by their
 * attributes (moving_mean/moving_variance).
 */
function tensorName(t: StateTensor, framework: Framework, topLevel: boolean): string | null {
  return framework === 'torch' ? t.torch : topLevel ? t.mindsporeTopLevel : t.mindspore;
}

function tensorNames(kind: LayerKind, framework: Framework, topLevel: boolean): string[] {
  return kind.tensors.map((t) => tensorName(t, framework, topLevel)).filter((n): n is string => n !== null);
}

/** The full key of a tensor of the layer at `prefix` in one framework, or null where it has none. */
function keyIn(kind: LayerKind, t: StateTensor, prefix: string, framework: Framework): string | null {
  const at = keyPrefix(kind, prefix, framework);
  const name = tensorName(t, framework, at === '');
  return name === null ? null : join(at, name);
}

function optionOf(kind: LayerKind, t: StateTensor): StateOption {
  return kind.options.find((o) => o.name === t.torchWhen)!;
}

/** 'gamma/beta' and '1/0': an option's MindSpore names and identity values. */
function mindsporeWords(option: StateOption): { names: string; identities: string } {
  const kept = option.tensors.filter((t) => t.mindspore !== null);
  return { names: kept.map((t) => t.mindspore).join('/'), identities: kept.map((t) => t.identity).join('/') };
}

/** The statistics options whose moving statistics MindSpore's eval() normalizes with (PyTorch's do only while tracked). */
const usedInEval = (kind: LayerKind) => kind.options.filter((o) => o.role === 'statistics' && o.mindsporeEvalUsesThem);

/** What a PyTorch layer without the option's running statistics means for the MindSpore layer, whose eval() normalizes with its moving statistics. */
function untrackedWarning(option: StateOption, filled: boolean): string {
  const moving = filled ? 'its moving statistics (here their initial values)' : 'its moving statistics';
  return `PyTorch with ${option.name}=False normalizes with the statistics of each input, in eval() too; MindSpore's eval() normalizes with ${moving}, so outputs in eval mode differ unless the MindSpore layer is made to use batch statistics (\`port\` writes the MindSpore arguments for ${option.name}=False)`;
}

// ---------------------------------------------------------------- the checkpoint's keys

/** The checkpoint's keys by prefix: each prefix's direct children, and the next segments of the keys further below it. */
interface KeyIndex {
  children: Map<string, string[]>;
  below: Map<string, Set<string>>;
}

function indexKeys(keys: Iterable<string>): KeyIndex {
  const children = new Map<string, string[]>();
  const below = new Map<string, Set<string>>();
  for (const key of keys) {
    const segments = key.split('.');
    const prefix = segments.slice(0, -1).join('.');
    children.set(prefix, [...(children.get(prefix) ?? []), segments[segments.length - 1]]);
    for (let k = 0; k < segments.length - 1; k++) {
      const at = segments.slice(0, k).join('.');
      if (!below.has(at)) below.set(at, new Set());
      below.get(at)!.add(segments[k]);
    }
  }
  return { children, below };
}

/** `blocks.*.norm` as a regular expression over prefixes: `*` is one segment's text (or part of it), never a dot. */
function patternRegex(pattern: string): RegExp {
  const segment = (s: string) => (s === '*' ? '[^.]+' : s.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*'));
  return new RegExp(`^${pattern.split('.').map(segment).join('\\.')}$`);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The checkpoint's layer-like prefixes nearest to `wanted`, with their keys' last names: `enc.norm1.{weight, bias}`. */
function nearest(wanted: string, index: KeyIndex, names: ReadonlySet<string>): string {
  // the last segments count most: `norm` is nearest to `blocks.0.norm`, `enc.norm9` to `enc.norm1`
  const target = wanted.replace(/\*/g, '');
  const depth = target.split('.').length;
  const tail = (p: string) => p.split('.').slice(-depth).join('.');
  const layers = [...index.children].filter(([p, c]) => p !== wanted && c.some((n) => names.has(n)));
  const pool = layers.length ? layers : [...index.children];
  const ranked = pool.map(([p, c]) => ({ p, c, d: editDistance(target, tail(p)) * 1000 + editDistance(target, p) })).sort((x, y) => x.d - y.d || x.p.localeCompare(y.p));
  if (ranked.length === 0) return 'the checkpoint is empty';
  return `nearest keys: ${ranked
    .slice(0, 3)
    .map(({ p, c }) => `${p ? `${p}.` : ''}{${c.slice(0, 5).join(', ')}${c.length > 5 ? ', ...' : ''}}`)
    .join(', ')}`;
}

/** A layer's name in messages: its prefix or pattern ('(top level)' for a model that is the layer). */
function layerName(layer: LayerSpec): string {
  return layer.prefix === '' ? '(top level)' : layer.prefix;
}

export function convertStateDict(sd: StateDictLike, options: ConvertOptions): { stateDict: StateDict; report: ConversionReport } {
  const { to } = options;
  if (to !== 'torch' && to !== 'mindspore') throw new ValueError(`convertStateDict: 'to' must be 'torch' or 'mindspore', got ${JSON.stringify(to)}`);
  const from: Framework = other(to);
  const source = toStateDict(sd);
  const mapping = options.mapping ?? loadMapping();
  const declared = checkLayers(options.layers, mapping);
  const watched = [...declared, ...(options.watch ?? []).map((l) => withKind(l, mapping))];
  const index = indexKeys(source.keys());
  const problems: Problem[] = [];
  const notes: string[] = [];
  const problem = (layer: LayerSpec | string, what: string) =>
    problems.push(typeof layer === 'string' ? { layer, what } : { layer: layerName(layer), ...(layer.origin ? { origin: layer.origin } : {}), what });
  const layers = expandPatterns(declared, source, index, from, problem, notes);
  const owner = new Map<string, Layer>();
  const live: Layer[] = [];
  for (const layer of layers) {
    const keys = layerKeys(source, index, layer, from, problem);
    if (keys === null) continue;
    for (const key of keys) owner.set(key, layer);
    live.push(layer);
  }
  const out: StateDict = new Map();
  const reports = new Map<Layer, LayerReport>();
  const passedThrough: string[] = [];
  const emit = (layer: Layer) => {
    if (reports.has(layer)) return;
    const { state, report } = from === 'torch' ? torchToMindSpore(source, layer, problem) : mindSporeToTorch(source, layer, problem);
    for (const [k, t] of state) {
      if (out.has(k) || (source.has(k) && !owner.has(k))) throw new ValueError(`convertStateDict: layer '${layer.prefix}' produces '${k}', which another key already uses`);
      out.set(k, t);
    }
    reports.set(layer, report);
  };
  for (const [key, t] of source) {
    const layer = owner.get(key);
    if (layer) emit(layer); // a layer's converted tensors go where its first tensor was
    else {
      out.set(key, t);
      passedThrough.push(key);
    }
  }
  for (const layer of live) emit(layer); // layers with no tensors in the source
  uncovered(passedThrough, source, index, watched, from, mapping, problem);
  if (problems.length && !options.force) throw new ConversionError(problems);
  return { stateDict: out, report: { from, to, layers: live.map((l) => reports.get(l)!), passedThrough, problems, notes } };
}

/** The layer with its kind, and its options checked against the kind's. */
function withKind(layer: LayerSpec, mapping: Mapping): KindLayer {
  const where = `convertStateDict: layer '${layer.prefix}'${layer.origin ? ` (${layer.origin})` : ''}`;
  let kind: LayerKind;
  try {
    kind = layerKind(layer, mapping);
  } catch (err) {
    const hint = layer.api === undefined ? `; name it (--layer ${layer.prefix || '.'}:CLASS, or the model's --source)` : '';
    throw new ValueError(`${where}: ${(err as Error).message}${hint}`);
  }
  for (const [name, value] of Object.entries(layer.options ?? {})) {
    if (!kind.options.some((o) => o.name === name)) throw new ValueError(`${where}: '${name}' is not an option of ${kind.family} layers (${kind.options.map((o) => o.name).join(', ')})`);
    if (typeof value !== 'boolean') throw new ValueError(`${where}: option '${name}' must be true or false, got ${JSON.stringify(value)}`);
  }
  return { ...layer, kind };
}

function checkLayers(layers: readonly LayerSpec[], mapping: Mapping): KindLayer[] {
  if (!Array.isArray(layers)) throw new ValueError('convertStateDict: layers must be a list of {prefix} objects');
  const seen = new Set<string>();
  return layers.map((layer) => {
    if (typeof layer?.prefix !== 'string' || layer.prefix.endsWith('.') || layer.prefix.startsWith('.') || layer.prefix.includes('..')) {
      throw new ValueError(`convertStateDict: a layer prefix must be a string like 'enc.norm1' or 'blocks.*.norm' (no leading, trailing or double dot), got ${JSON.stringify(layer?.prefix)}`);
    }
    if (seen.has(layer.prefix)) throw new ValueError(`convertStateDict: layer '${layer.prefix}' is listed twice`);
    seen.add(layer.prefix);
    return withKind(layer, mapping);
  });
}

/** A PyTorch layer declared with every option off (no affine, no running stats): it has no tensors, and that is right. */
function tensorless(layer: KindLayer, from: Framework): boolean {
  return from === 'torch' && layer.kind.options.every((o) => layer.options?.[o.name] === false);
}

/** The prefixes a layer of this kind could sit at, from the prefixes that hold keys (for MindSpore's child cell, the prefix above it). */
function candidates(index: KeyIndex, kind: LayerKind, framework: Framework): string[] {
  const child = framework === 'mindspore' ? kind.mindsporeChild : undefined;
  const held = [...index.children.keys()];
  if (!child) return held;
  return held.filter((p) => p.endsWith(`.${child}`)).map((p) => p.slice(0, -child.length - 1));
}

/**
 * Each pattern becomes the prefixes of the checkpoint it matches whose keys are all the source
 * framework's tensors of one layer of its kind (1-D, num_batches_tracked 0-D). A prefix also
 * declared exactly keeps its own declaration.
 */
function expandPatterns(layers: readonly KindLayer[], source: StateDict, index: KeyIndex, from: Framework, problem: (layer: LayerSpec, what: string) => void, notes: string[]): Layer[] {
  const exact = new Set(layers.filter((l) => !l.prefix.includes('*')).map((l) => l.prefix));
  const claimed = new Set<string>();
  const out: Layer[] = [];
  for (const layer of layers) {
    if (!layer.prefix.includes('*')) {
      out.push(layer);
      continue;
    }
    const regex = patternRegex(layer.prefix);
    const matches = candidates(index, layer.kind, from).filter((p) => p !== '' && regex.test(p) && !exact.has(p) && !claimed.has(p) && looksLikeLayer(p, layer.kind, from, source, index));
    for (const prefix of matches) {
      claimed.add(prefix);
      out.push({ ...layer, prefix, pattern: layer.prefix });
    }
    if (matches.length) continue;
    if (tensorless(layer, from)) notes.push(tensorlessNote(layer));
    else problem(layer, `matches no layer of the checkpoint; ${nearest(layer.prefix, index, new Set(tensorNames(layer.kind, from, false)))}`);
  }
  return out;
}

/** Why a pattern of tensorless PyTorch layers matching nothing is right, and what MindSpore then has. */
function tensorlessNote(layer: KindLayer): string {
  const { kind } = layer;
  const initial = kind.tensors.filter((t) => t.mindspore !== null).map((t) => `${t.mindspore} ${t.identity}`);
  const without = kind.options.map(optionPhrase).join(' and ');
  const text = `pattern '${layer.prefix}'${layer.origin ? ` (${layer.origin})` : ''} matches no key, as a PyTorch ${kind.family} without ${without} has no tensors; its MindSpore parameters are not written (MindSpore's initial values, ${initial.join(', ')}, are the ones it needs)`;
  const inEval = usedInEval(kind);
  return inEval.length ? `${text}; ${inEval.map((o) => untrackedWarning(o, false)).join('; ')}` : text;
}

/** `prefix` holds only the framework's tensors of one layer of this kind, with the shapes a layer has. */
function looksLikeLayer(prefix: string, kind: LayerKind, framework: Framework, source: StateDict, index: KeyIndex): boolean {
  const at = keyPrefix(kind, prefix, framework);
  const names = new Set(tensorNames(kind, framework, at === ''));
  const children = index.children.get(at) ?? [];
  if (children.length === 0 || index.below.has(at) || !children.every((n) => names.has(n))) return false;
  // a layer whose tensors sit in a child cell holds nothing but that child
  if (at !== prefix && (index.children.has(prefix) || index.below.get(prefix)!.size > 1)) return false;
  const lengths = new Set<number>();
  for (const n of children) {
    const t = source.get(join(at, n))!;
    if (t.ndim > 1) return false;
    if (t.ndim === 1) lengths.add(t.shape[0]);
  }
  return lengths.size <= 1;
}

/**
 * The source keys of the layer at `prefix`, or null when it has none it should have (a problem).
 * Under a prefix, every key must be one of the source framework's tensors of the layer's kind; a
 * top-level layer claims only those names themselves.
 */
function layerKeys(source: StateDict, index: KeyIndex, layer: Layer, from: Framework, problem: (layer: LayerSpec, what: string) => void): string[] | null {
  const { prefix, kind } = layer;
  const at = keyPrefix(kind, prefix, from);
  const own = tensorNames(kind, from, at === '');
  const children = index.children.get(at) ?? [];
  const keys = children.filter((n) => own.includes(n)).map((n) => join(at, n));
  if (keys.length === 0) {
    const target = other(from);
    const theirs = keyPrefix(kind, prefix, target);
    const names = tensorNames(kind, target, theirs === '');
    const foreign = (index.children.get(theirs) ?? []).filter((n) => names.includes(n) && !(theirs === at && own.includes(n)));
    if (foreign.length > 0) {
      throw new ValueError(
        `convertStateDict: the checkpoint already has ${NAMES[target]} names at ${layerName(layer)} (${foreign.map((n) => join(theirs, n)).join(', ')}): it is a ${NAMES[target]} checkpoint, not a ${NAMES[from]} one; to convert it to ${NAMES[from]} names, use --to ${from}`,
      );
    }
  }
  const child = at === prefix ? '' : at.slice(prefix ? prefix.length + 1 : 0);
  const strays = at === '' ? [] : children.filter((n) => !own.includes(n)).map((n) => join(at, n));
  const deeper = at === '' ? [] : [...(index.below.get(at) ?? [])].map((s) => join(at, s));
  if (child && prefix !== '') {
    strays.unshift(...(index.children.get(prefix) ?? []).map((n) => join(prefix, n)));
    deeper.unshift(...[...(index.below.get(prefix) ?? [])].filter((s) => s !== child).map((s) => join(prefix, s)));
  }
  if (strays.length) {
    const expected = own.map((n) => join(child, n)).join(', ');
    problem(layer, `has ${strays.map((k) => `'${k}'`).join(', ')}, which ${strays.length > 1 ? 'are' : 'is'} no ${NAMES[from]} ${kind.family} tensor (expected ${expected})`);
  }
  if (deeper.length) {
    const examples = [...source.keys()].filter((k) => deeper.some((d) => k.startsWith(`${d}.`))).slice(0, 3);
    problem(layer, `has keys further below it (${examples.join(', ')}): ${withArticle(kind.family)} layer has no submodules${child ? ` but its ${NAMES[from]} '${child}'` : ''}`);
  }
  if (keys.length === 0 && !tensorless(layer, from)) {
    problem(layer, `matches no key of the checkpoint; ${nearest(at, index, new Set(own))}`);
    return null;
  }
  return keys;
}

/**
 * Passed-through keys that look like the tensors of a declared layer (a prefix ending in the
 * declared one's path, holding only its framework's tensors of that layer's kind) were missed:
 * the model source or --layer does not cover that prefix.
 */
function uncovered(passed: readonly string[], source: StateDict, index: KeyIndex, declared: readonly KindLayer[], from: Framework, mapping: Mapping, problem: (layer: string, what: string) => void): void {
  const watched = declared
    .filter((l) => l.prefix !== '')
    .map((l) => ({
      l,
      regex: new RegExp(`(^|\\.)${patternRegex(l.prefix).source.slice(1)}`),
      names: new Set(tensorNames(l.kind, from, false)),
    }));
  const seen = new Set<string>();
  for (const key of passed) {
    const at = key.lastIndexOf('.');
    if (at < 0) continue;
    const holder = key.slice(0, at);
    for (const w of watched) {
      if (!w.names.has(key.slice(at + 1))) continue;
      const prefix = layerPrefixOf(w.l.kind, holder, from);
      if (prefix === null || seen.has(prefix) || !w.regex.test(prefix) || !looksLikeLayer(prefix, w.l.kind, from, source, index)) continue;
      seen.add(prefix);
      problem(
        prefix,
        `looks like the ${w.l.kind.family} layer '${w.l.prefix}'${w.l.origin ? ` (${w.l.origin})` : ''}, but no declared layer covers it, so it would pass through unconverted; name it with --layer (a pattern such as a.*.norm covers many), or give --model the class or call that builds the whole model`,
      );
      break;
    }
  }
  undeclared(passed, source, index, from, mapping, seen, problem);
}

/**
 * A passed-through layer with running statistics is a normalization layer nobody named (a pattern
 * that misses `downsample.1`, a stem `bn1` left out): its keys would keep the other framework's
 * names, and the target model would load its defaults there. Statistics, not weight/bias alone,
 * because many layers have a 1-D weight and bias; only a normalization layer has running_mean.
 */
function undeclared(passed: readonly string[], source: StateDict, index: KeyIndex, from: Framework, mapping: Mapping, seen: Set<string>, problem: (layer: string, what: string) => void): void {
  const kinds = mapping.entries.map((e) => {
    const kind = classKind(e.api, mapping);
    const statistics = new Set(kind.options.filter((o) => o.role === 'statistics').flatMap((o) => o.tensors.map((t) => tensorName(t, from, false))));
    return { kind, statistics };
  });
  const found = new Map<string, Set<string>>();
  const children = new Set<string>(); // `bn1.bn2d` of a MindSpore BatchNorm3d at bn1 is that layer, not one of its own
  for (const key of passed) {
    const at = key.lastIndexOf('.');
    if (at < 0) continue;
    const holder = key.slice(0, at);
    for (const { kind, statistics } of kinds) {
      const prefix = layerPrefixOf(kind, holder, from);
      if (prefix === null || seen.has(prefix) || !statistics.has(key.slice(at + 1)) || !looksLikeLayer(prefix, kind, from, source, index)) continue;
      found.set(prefix, (found.get(prefix) ?? new Set()).add(kind.family));
      if (prefix !== holder) children.add(holder);
    }
  }
  for (const [prefix, families] of found) {
    if (children.has(prefix)) continue;
    seen.add(prefix);
    problem(
      prefix,
      `has the tensors of ${withArticle(NAMES[from])} ${[...families].join(' or ')} layer, but no declared layer covers it, so it would pass through with ${NAMES[from]} names; name it with --layer ${prefix}:CLASS (a pattern such as a.*.bn covers many)`,
    );
  }
}

/** The layer's channel count and dtype, from its 1-D tensors (all must agree). */
function channels(found: readonly (readonly [string, Tensor])[], layer: Layer): { C: number; dtype: DType } {
  let C = layer.num_features;
  let dtype: DType | undefined;
  const { family } = layer.kind;
  for (const [name, t] of found) {
    if (t.ndim === 0) continue;
    if (t.ndim !== 1) throw new ValueError(`convertStateDict: '${name}' has shape [${t.shape.join(', ')}]; ${withArticle(family)} tensor is 1-D [num_features]`);
    if (C !== undefined && t.shape[0] !== C) throw new ValueError(`convertStateDict: '${name}' has ${t.shape[0]} features, but layer '${layer.prefix}' has ${C}`);
    C = t.shape[0];
    dtype ??= t.dtype;
  }
  if (C === undefined) {
    const without = layer.kind.options.map(optionPhrase).join(' and ');
    throw new ValueError(`convertStateDict: layer '${layer.prefix}' has no tensors in the state dict (a PyTorch ${family} without ${without}), so give its num_features`);
  }
  return { C, dtype: dtype ?? 'float32' };
}

function isIdentity(t: Tensor, value: number): boolean {
  for (let i = 0; i < t.size; i++) if (t.item(i) !== value) return false;
  return true;
}

function newReport(layer: Layer): LayerReport {
  const api = layer.api ?? layer.kind.api;
  return {
    prefix: layer.prefix,
    ...(layer.pattern ? { declared: layer.pattern } : {}),
    family: layer.kind.family,
    ...(api ? { api } : {}),
    ...(layer.origin ? { origin: layer.origin } : {}),
    renamed: [],
    filled: [],
    dropped: [],
    warnings: [],
    target: {},
  };
}

/** Why a PyTorch tensor without a MindSpore counterpart is dropped; in `_NormBase` the only one is the batch counter of the running statistics. */
function noCounterpart(option: StateOption): string {
  return option.role === 'statistics' ? 'MindSpore has no counterpart: it counts no batches' : 'MindSpore has no counterpart';
}

/** Why a MindSpore Parameter is filled with its identity for a PyTorch layer that has the option off. */
function fillReason(option: StateOption): string {
  const off = `the PyTorch layer has ${option.name}=False`;
  if (option.role === 'statistics') {
    return option.mindsporeEvalUsesThem ? `${off}; MindSpore always has moving statistics, and these are their initial values` : `${off}; MindSpore always has moving statistics (they never affect its output)`;
  }
  const { names } = mindsporeWords(option);
  const keep = option.sameInMindspore ? ` (create the MindSpore layer with ${option.name}=False to keep ${option.mindsporeAppliesWhenOff ? 'it frozen' : 'them unapplied'})` : '';
  return `${off}; MindSpore always has ${option.mindsporeAppliesWhenOff ? 'and applies ' : ''}${names}, and this value changes nothing${keep}`;
}

function torchToMindSpore(source: StateDict, layer: Layer, problem: (layer: LayerSpec, what: string) => void) {
  const { prefix, kind } = layer;
  const report = newReport(layer);
  const found = kind.tensors.map((t) => [join(prefix, t.torch), source.get(join(prefix, t.torch))] as const);
  const { C, dtype } = channels(found.filter((f): f is readonly [string, Tensor] => f[1] !== undefined), layer);
  const present = new Map(kind.options.map((o) => [o, o.tensors.some((t) => t.mindspore !== null && source.has(join(prefix, t.torch)))]));
  for (const [option, has] of present) {
    const said = layer.options?.[option.name];
    if (said !== undefined && said !== has) {
      const which = option.tensors.filter((t) => t.mindspore !== null).map((t) => t.torch).join('/');
      problem(layer, `is declared ${option.name}=${pyRepr(said)}, but the checkpoint ${has ? 'has' : 'has no'} ${which} for it (with --force the tensors are followed)`);
    }
    if (option.role === 'parameters' && option.sameInMindspore) report.target[option.name] = has;
  }
  const state: StateDict = new Map();
  // MindSpore's norm cells create their moving statistics before gamma and beta
  // (normalization.py@v2.6.0:90-97 _BatchNorm, :906-912 _InstanceNorm): the checkpoint's order
  const order = [...kind.tensors].sort((a, b) => Number(optionOf(kind, a).role === 'parameters') - Number(optionOf(kind, b).role === 'parameters'));
  for (const t of order) {
    const option = optionOf(kind, t);
    const from = join(prefix, t.torch);
    const value = source.get(from);
    const to = keyIn(kind, t, prefix, 'mindspore');
    if (to === null) {
      if (value) report.dropped.push({ name: from, reason: noCounterpart(option) });
      continue;
    }
    if (value) {
      state.set(to, value);
      report.renamed.push({ from, to });
      continue;
    }
    state.set(to, Tensor.full([C], t.identity, dtype));
    report.filled.push({ name: to, value: t.identity, shape: [C], reason: fillReason(option) });
  }
  for (const [option, has] of present) {
    if (option.role !== 'statistics') continue;
    if (has && !option.mindsporeEvalUsesThem) {
      report.warnings.push(`PyTorch with ${option.name}=True normalizes with the running statistics in eval(); MindSpore always uses the statistics of each input, so outputs in eval mode differ`);
    }
    if (!has && option.mindsporeEvalUsesThem) report.warnings.push(untrackedWarning(option, true));
  }
  return { state, report };
}

function mindSporeToTorch(source: StateDict, layer: Layer, problem: (layer: LayerSpec, what: string) => void) {
  const { prefix, kind } = layer;
  const report = newReport(layer);
  const named = kind.tensors.map((t) => {
    const from = keyIn(kind, t, prefix, 'mindspore');
    return { t, option: optionOf(kind, t), from, value: from === null ? undefined : source.get(from) };
  });
  const { C, dtype } = channels(named.filter((n) => n.value).map((n) => [n.from!, n.value!]), layer);
  const missing = named.filter((n) => n.from !== null && !n.value).map((n) => n.from!.slice(prefix ? prefix.length + 1 : 0));
  const saved = named.filter((n) => n.from !== null).length;
  if (missing.length) {
    problem(layer, `has no ${missing.join(', ')}, though MindSpore always saves all ${NUMBER_WORDS[saved] ?? saved} parameters (with --force ${missing.length > 1 ? 'they are' : 'it is'} filled with the value that changes nothing)`);
  }
  for (const option of kind.options) {
    const said = layer.options?.[option.name];
    if (option.role === 'statistics') {
      report.target[option.name] = said ?? option.torchDefault;
      continue;
    }
    const values = named.filter((n) => n.option === option && n.value);
    const identity = values.every((n) => isIdentity(n.value!, n.t.identity));
    // MindSpore may apply gamma/beta with affine=False, so PyTorch can only drop them when they change nothing.
    report.target[option.name] = said === false && (identity || !option.mindsporeAppliesWhenOff) ? false : true;
    if (said === false && !identity && option.mindsporeAppliesWhenOff) {
      const { names, identities } = mindsporeWords(option);
      problem(layer, `is declared ${option.name}=False, but its ${names} are not ${identities} and MindSpore applies them anyway: the PyTorch layer needs ${option.name}=True with these values (--force writes them for ${option.name}=True)`);
    }
  }
  const state: StateDict = new Map();
  for (const n of named) {
    const to = join(prefix, n.t.torch);
    const { option } = n;
    if (!report.target[option.name]) {
      if (n.value) report.dropped.push({ name: n.from!, reason: dropReason(option, n.value, n.t.identity) });
      continue;
    }
    if (n.value) {
      state.set(to, n.value);
      report.renamed.push({ from: n.from!, to });
    } else if (n.from === null) {
      // no MindSpore counterpart (PyTorch's batch counter, a 0-D int64): its value is not in the checkpoint, and the report says so
      const counter = option.role === 'statistics';
      const fill = counter ? Tensor.full([], n.t.identity, 'int64') : Tensor.full([C], n.t.identity, dtype);
      state.set(to, fill);
      const reason = counter
        ? `MindSpore counts no batches, so the checkpoint cannot say how many PyTorch would have counted: ${n.t.identity} (a new layer's count) is written`
        : `MindSpore has no counterpart, so the checkpoint cannot say its value: ${n.t.identity} (a new layer's) is written`;
      report.filled.push({ name: to, value: n.t.identity, shape: [...fill.shape], reason });
    } else {
      const fill = Tensor.full([C], n.t.identity, dtype);
      state.set(to, fill);
      report.filled.push({ name: to, value: n.t.identity, shape: [C], reason: 'missing from the MindSpore checkpoint' });
    }
  }
  for (const option of kind.options) {
    if (option.role !== 'statistics') continue;
    const tracking = report.target[option.name];
    if (tracking && !option.mindsporeEvalUsesThem) {
      report.warnings.push(`with ${option.name}=True PyTorch normalizes with these running statistics in eval(); MindSpore never did (its moving statistics stay at their initial values), so eval outputs differ unless the model stays in train()`);
    }
    if (!tracking && option.mindsporeEvalUsesThem) {
      report.warnings.push(`MindSpore's eval() normalizes with the moving statistics dropped here; PyTorch with ${option.name}=False normalizes with the statistics of each input, so eval outputs differ unless the MindSpore layer used batch statistics in eval too`);
    }
  }
  return { state, report };
}

/** Why a MindSpore Parameter has no place in the PyTorch layer. */
function dropReason(option: StateOption, value: Tensor, identity: number): string {
  const off = `the PyTorch layer has ${option.name}=False`;
  if (option.role === 'parameters') return isIdentity(value, identity) ? `${off} and this value is the identity` : `${off}, and MindSpore does not apply it with ${option.name}=False`;
  const byDefault = option.torchDefault ? '' : ' (its default)';
  return option.mindsporeEvalUsesThem ? `${off}${byDefault}: it keeps no running statistics` : `${off}${byDefault}; MindSpore never uses its moving statistics for the output`;
}

// ---------------------------------------------------------------- the report for people

/** How many names a line lists before `and N more`. */
const SHOWN = 6;

/** Names on one line: all of them when few or `verbose`, else a few and how many more. */
export function listed(names: readonly string[], verbose: boolean): string {
  if (verbose || names.length <= SHOWN + 2) return names.join(', ');
  return `${names.slice(0, SHOWN).join(', ')} and ${names.length - SHOWN} more (all with --verbose or --json)`;
}

/** Problems with the same text, one line each: `what (layer a, b and 82 more)`. */
function formatProblems(problems: readonly Problem[], mark: string, verbose = false): string[] {
  const groups = new Map<string, string[]>();
  for (const p of problems) groups.set(p.what, [...(groups.get(p.what) ?? []), `${p.layer}${p.origin ? ` (${p.origin})` : ''}`]);
  return [...groups].map(([what, who]) => `${mark}${who.length === 1 ? `layer ${who[0]}` : `${who.length} layers (${listed(who, verbose)}), each,`} ${what}`);
}

/** What a layer's report says, with the layer's own prefix taken out, so layers that were converted alike compare equal. */
function shape(layer: LayerReport): string {
  const rel = (name: string) => (layer.prefix && name.startsWith(`${layer.prefix}.`) ? name.slice(layer.prefix.length + 1) : name);
  return JSON.stringify([
    layer.family,
    layer.target,
    layer.renamed.map((r) => [rel(r.from), rel(r.to)]),
    layer.filled.map((f) => [rel(f.name), f.value, f.reason]),
    layer.dropped.map((d) => [rel(d.name), d.reason]),
    layer.warnings,
  ]);
}

function layerLines(layer: LayerReport, to: Framework, name: (n: string) => string, head: string): string[] {
  const options = Object.entries(layer.target).map(([name, value]) => `${name}=${pyRepr(value)}`);
  const lines = [`${head} -> ${NAMES[to]} ${layer.family}${options.length ? ` with ${options.join(', ')}` : ''}`];
  for (const r of layer.renamed) lines.push(`  renamed  ${name(r.from)} -> ${name(r.to)}`);
  for (const f of layer.filled) lines.push(`  filled   ${name(f.name)} = ${f.value} (${f.reason})`);
  for (const d of layer.dropped) lines.push(`  dropped  ${name(d.name)} (${d.reason})`);
  for (const w of layer.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/**
 * The report as lines for people. Layers converted alike are one block (their count and prefixes,
 * the tensors by their own names), so 84 layers give one warning, not 84; the keys passed through
 * are counted and a few named. `verbose` lists every layer and key.
 */
export function formatReport(report: ConversionReport, options: { verbose?: boolean } = {}): string {
  const verbose = options.verbose ?? false;
  const lines: string[] = [];
  const groups = new Map<string, LayerReport[]>();
  for (const layer of report.layers) groups.set(shape(layer), [...(groups.get(shape(layer)) ?? []), layer]);
  for (const group of groups.values()) {
    const [first] = group;
    if (group.length === 1) {
      lines.push(...layerLines(first, report.to, (n) => n, `layer '${first.prefix || '(top level)'}'`));
      continue;
    }
    const rel = (n: string) => (first.prefix && n.startsWith(`${first.prefix}.`) ? `<layer>.${n.slice(first.prefix.length + 1)}` : n);
    lines.push(...layerLines(first, report.to, rel, `${group.length} layers (${listed(group.map((l) => l.prefix), verbose)})`));
  }
  lines.push(...formatProblems(report.problems, 'warning (--force): ', verbose));
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.passedThrough.length) lines.push(`passed through unchanged (${report.passedThrough.length}): ${listed(report.passedThrough, verbose)}`);
  return lines.join('\n');
}
