/**
 * Converts InstanceNorm state between a PyTorch `state_dict` and MindSpore parameters, by the
 * correspondence in mapping.json's `state.tensors` (weight<->gamma, bias<->beta,
 * running_mean<->moving_mean, running_var<->moving_variance, num_batches_tracked dropped; a
 * top-level MindSpore cell names its statistics `mean`/`variance`).
 *
 * Which keys belong to InstanceNorm layers is never guessed: the caller names the layers (prefixes,
 * from `--layer` or from a model's source); a prefix with `*` is a pattern for one key segment
 * (`blocks.*.norm`), matched against the checkpoint's keys. Every other key passes through
 * unchanged and is listed. What one side has and the other lacks is filled with the value that
 * changes nothing (the mapping's `identity`), and each fill, drop and behavioural difference is
 * reported.
 *
 * Exit 0 means right: a layer that matches no key, tensors that disagree with the layer's declared
 * options, and keys that look like a declared layer's tensors but that no layer covers are
 * problems. They stop the conversion (ConversionError, nothing to write) unless `force` is set;
 * then they are reported as warnings.
 */
import type { DType } from '../core/dtype';
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { Tensor } from '../core/tensor';
import type { StateDict, StateDictLike } from '../io/formats/types';
import { toStateDict } from '../io/formats/types';
import { loadMapping, type ApiName, type Framework, type StateTensor } from '../mapping';

export type { Framework };

/** One InstanceNorm layer: its key prefix ('' for a model that is the layer itself) and, where known, its options. */
export interface LayerSpec {
  /** `enc.norm1`; with `*` a pattern for one key segment or part of one (`blocks.*.norm`, `norm*`). */
  prefix: string;
  /** The layer's `affine` in the target framework's model (torch) or the source's (MindSpore). */
  affine?: boolean;
  /** PyTorch's `track_running_stats` of the torch-side layer. */
  track_running_stats?: boolean;
  /** Needed only when the source has no tensors for the layer (a PyTorch layer without affine or statistics). */
  num_features?: number;
  /** The layer class, where the source names it (`InstanceNorm2d`). */
  api?: ApiName;
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
}

export interface LayerReport {
  prefix: string;
  /** The pattern or declaration the layer came from, when it is not the prefix itself. */
  declared?: string;
  api?: ApiName;
  origin?: string;
  renamed: { from: string; to: string }[];
  filled: { name: string; value: number; shape: number[]; reason: string }[];
  dropped: { name: string; reason: string }[];
  warnings: string[];
  /** The options the target layer needs for the converted tensors to load and to behave as the source. */
  target: { affine: boolean; track_running_stats?: boolean };
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

/** 'gamma/beta' and '1/0': the MindSpore names and identity values of the tensors PyTorch has only with affine. */
function affineWords(tensors: readonly StateTensor[]): { names: string; identities: string; torchNames: string } {
  const affine = tensors.filter((t) => t.torchWhen === 'affine');
  return { names: affine.map((t) => t.mindspore).join('/'), identities: affine.map((t) => t.identity).join('/'), torchNames: affine.map((t) => t.torch).join('/') };
}

/** The MindSpore Parameter name of a state tensor in a layer at `prefix` (Parameter(name="mean") when top-level). */
function msName(t: StateTensor, prefix: string): string | null {
  const name = prefix ? t.mindspore : t.mindsporeTopLevel;
  return name === null ? null : join(prefix, name);
}

/** A framework's tensor names for a layer (the last key segment; a top-level MindSpore cell names its statistics mean/variance). */
function tensorNames(tensors: readonly StateTensor[], framework: Framework, topLevel: boolean): string[] {
  return tensors.map((t) => (framework === 'torch' ? t.torch : topLevel ? t.mindsporeTopLevel : t.mindspore)).filter((n): n is string => n !== null);
}

/** The checkpoint's keys by prefix: each prefix's direct children, and the prefixes with keys further below. */
interface KeyIndex {
  children: Map<string, string[]>;
  deeper: Set<string>;
}

function indexKeys(keys: Iterable<string>): KeyIndex {
  const children = new Map<string, string[]>();
  const deeper = new Set<string>();
  for (const key of keys) {
    const segments = key.split('.');
    const prefix = segments.slice(0, -1).join('.');
    children.set(prefix, [...(children.get(prefix) ?? []), segments[segments.length - 1]]);
    for (let k = 0; k < segments.length - 1; k++) deeper.add(segments.slice(0, k).join('.'));
  }
  return { children, deeper };
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

/** A layer of the checkpoint to convert: a declared one, or a prefix a declared pattern matched. */
type Layer = LayerSpec & { pattern?: string };

export function convertStateDict(sd: StateDictLike, options: ConvertOptions): { stateDict: StateDict; report: ConversionReport } {
  const { to, layers: declared } = options;
  if (to !== 'torch' && to !== 'mindspore') throw new ValueError(`convertStateDict: 'to' must be 'torch' or 'mindspore', got ${JSON.stringify(to)}`);
  const from: Framework = to === 'torch' ? 'mindspore' : 'torch';
  const source = toStateDict(sd);
  const tensors = loadMapping().families[0].state.tensors;
  checkLayers(declared);
  const index = indexKeys(source.keys());
  const problems: Problem[] = [];
  const notes: string[] = [];
  const problem = (layer: LayerSpec | string, what: string) =>
    problems.push(typeof layer === 'string' ? { layer, what } : { layer: layerName(layer), ...(layer.origin ? { origin: layer.origin } : {}), what });
  const layers = expandPatterns(declared, source, index, tensors, from, problem, notes);
  const owner = new Map<string, Layer>();
  const live: Layer[] = [];
  for (const layer of layers) {
    const keys = layerKeys(source, index, layer, tensors, from, problem);
    if (keys === null) continue;
    for (const key of keys) owner.set(key, layer);
    live.push(layer);
  }
  const out: StateDict = new Map();
  const reports = new Map<Layer, LayerReport>();
  const passedThrough: string[] = [];
  const emit = (layer: Layer) => {
    if (reports.has(layer)) return;
    const { state, report } = from === 'torch' ? torchToMindSpore(source, layer, tensors, problem) : mindSporeToTorch(source, layer, tensors, problem);
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
  uncovered(passedThrough, source, index, [...declared, ...(options.watch ?? [])], tensors, from, problem);
  if (problems.length && !options.force) throw new ConversionError(problems);
  return { stateDict: out, report: { from, to, layers: live.map((l) => reports.get(l)!), passedThrough, problems, notes } };
}

function checkLayers(layers: readonly LayerSpec[]): void {
  if (!Array.isArray(layers)) throw new ValueError('convertStateDict: layers must be a list of {prefix} objects');
  const seen = new Set<string>();
  for (const layer of layers) {
    if (typeof layer?.prefix !== 'string' || layer.prefix.endsWith('.') || layer.prefix.startsWith('.') || layer.prefix.includes('..')) {
      throw new ValueError(`convertStateDict: a layer prefix must be a string like 'enc.norm1' or 'blocks.*.norm' (no leading, trailing or double dot), got ${JSON.stringify(layer?.prefix)}`);
    }
    if (seen.has(layer.prefix)) throw new ValueError(`convertStateDict: layer '${layer.prefix}' is listed twice`);
    seen.add(layer.prefix);
  }
}

/** A PyTorch layer declared without affine and running stats: it has no tensors, and that is right. */
function tensorless(layer: LayerSpec, from: Framework): boolean {
  return from === 'torch' && layer.affine === false && layer.track_running_stats === false;
}

/**
 * Each pattern becomes the prefixes of the checkpoint it matches whose keys are all the source
 * framework's tensors of one layer (1-D, num_batches_tracked 0-D). A prefix also declared exactly
 * keeps its own declaration.
 */
function expandPatterns(
  layers: readonly LayerSpec[],
  source: StateDict,
  index: KeyIndex,
  tensors: readonly StateTensor[],
  from: Framework,
  problem: (layer: LayerSpec, what: string) => void,
  notes: string[],
): Layer[] {
  const exact = new Set(layers.filter((l) => !l.prefix.includes('*')).map((l) => l.prefix));
  const names = new Set(tensorNames(tensors, from, false));
  const claimed = new Set<string>();
  const out: Layer[] = [];
  for (const layer of layers) {
    if (!layer.prefix.includes('*')) {
      out.push(layer);
      continue;
    }
    const regex = patternRegex(layer.prefix);
    const matches = [...index.children.keys()].filter((p) => p !== '' && regex.test(p) && !exact.has(p) && !claimed.has(p) && looksLikeLayer(p, source, index, names));
    for (const prefix of matches) {
      claimed.add(prefix);
      out.push({ ...layer, prefix, pattern: layer.prefix });
    }
    if (matches.length) continue;
    if (tensorless(layer, from)) {
      notes.push(`pattern '${layer.prefix}'${layer.origin ? ` (${layer.origin})` : ''} matches no key, as a PyTorch InstanceNorm without affine and running stats has no tensors; its MindSpore parameters are not written (MindSpore's initial values, gamma 1, beta 0, moving mean 0, variance 1, are the ones it needs)`);
    } else problem(layer, `matches no layer of the checkpoint; ${nearest(layer.prefix, index, names)}`);
  }
  return out;
}

/** `prefix` holds only the source framework's InstanceNorm tensors, with the shapes a layer has. */
function looksLikeLayer(prefix: string, source: StateDict, index: KeyIndex, names: ReadonlySet<string>): boolean {
  const children = index.children.get(prefix) ?? [];
  if (children.length === 0 || index.deeper.has(prefix) || !children.every((n) => names.has(n))) return false;
  const lengths = new Set<number>();
  for (const n of children) {
    const t = source.get(join(prefix, n))!;
    if (t.ndim > 1) return false;
    if (t.ndim === 1) lengths.add(t.shape[0]);
  }
  return lengths.size <= 1;
}

/**
 * The source keys of the layer at `prefix`, or null when it has none it should have (a problem).
 * Under a prefix, every key `prefix.<name>` must be one of the source framework's InstanceNorm
 * tensors; a top-level layer claims only the InstanceNorm names themselves.
 */
function layerKeys(source: StateDict, index: KeyIndex, layer: LayerSpec, tensors: readonly StateTensor[], from: Framework, problem: (layer: LayerSpec, what: string) => void): string[] | null {
  const { prefix } = layer;
  const own = tensorNames(tensors, from, prefix === '');
  const other = tensorNames(tensors, from === 'torch' ? 'mindspore' : 'torch', prefix === '');
  const children = index.children.get(prefix) ?? [];
  const keys = children.filter((n) => own.includes(n)).map((n) => join(prefix, n));
  const foreign = children.filter((n) => other.includes(n) && !own.includes(n));
  if (keys.length === 0 && foreign.length > 0) {
    const target = from === 'torch' ? 'mindspore' : 'torch';
    throw new ValueError(
      `convertStateDict: the checkpoint already has ${NAMES[target]} names at ${layerName(layer)} (${foreign.map((n) => join(prefix, n)).join(', ')}): it is a ${NAMES[target]} checkpoint, not a ${NAMES[from]} one; to convert it to ${NAMES[from]} names, use --to ${from}`,
    );
  }
  if (prefix !== '') {
    const strays = children.filter((n) => !own.includes(n));
    if (strays.length) problem(layer, `has ${strays.map((n) => `'${join(prefix, n)}'`).join(', ')}, which ${strays.length > 1 ? 'are' : 'is'} no ${NAMES[from]} InstanceNorm tensor (expected ${own.join(', ')})`);
    if (index.deeper.has(prefix)) problem(layer, `has keys further below it (${[...source.keys()].filter((k) => k.startsWith(`${prefix}.`) && k.slice(prefix.length + 1).includes('.')).slice(0, 3).join(', ')}): an InstanceNorm layer has no submodules`);
  }
  if (keys.length === 0 && !tensorless(layer, from)) {
    problem(layer, `matches no key of the checkpoint; ${nearest(prefix, index, new Set(own))}`);
    return null;
  }
  return keys;
}

/**
 * Passed-through keys that look like the tensors of a declared layer (a prefix ending in the
 * declared one's path, holding only its framework's InstanceNorm tensors) were missed: the model
 * source or --layer does not cover that prefix.
 */
function uncovered(
  passed: readonly string[],
  source: StateDict,
  index: KeyIndex,
  declared: readonly LayerSpec[],
  tensors: readonly StateTensor[],
  from: Framework,
  problem: (layer: string, what: string) => void,
): void {
  const names = new Set(tensorNames(tensors, from, false));
  const patterns = declared.filter((l) => l.prefix !== '').map((l) => ({ l, regex: new RegExp(`(^|\\.)${patternRegex(l.prefix).source.slice(1)}`) }));
  const seen = new Set<string>();
  for (const key of passed) {
    const at = key.lastIndexOf('.');
    if (at < 0 || !names.has(key.slice(at + 1))) continue;
    const prefix = key.slice(0, at);
    const match = patterns.find((p) => p.regex.test(prefix));
    if (!match || seen.has(prefix) || !looksLikeLayer(prefix, source, index, names)) continue;
    seen.add(prefix);
    problem(
      prefix,
      `looks like the InstanceNorm layer '${match.l.prefix}'${match.l.origin ? ` (${match.l.origin})` : ''}, but no declared layer covers it, so it would pass through unconverted; name it with --layer (a pattern such as a.*.norm covers many), or give --model the class or call that builds the whole model`,
    );
  }
}

/** The layer's channel count and dtype, from its 1-D tensors (all must agree). */
function channels(found: readonly (readonly [string, Tensor])[], layer: LayerSpec): { C: number; dtype: DType } {
  let C = layer.num_features;
  let dtype: DType | undefined;
  for (const [name, t] of found) {
    if (t.ndim === 0) continue;
    if (t.ndim !== 1) throw new ValueError(`convertStateDict: '${name}' has shape [${t.shape.join(', ')}]; an InstanceNorm tensor is 1-D [num_features]`);
    if (C !== undefined && t.shape[0] !== C) throw new ValueError(`convertStateDict: '${name}' has ${t.shape[0]} features, but layer '${layer.prefix}' has ${C}`);
    C = t.shape[0];
    dtype ??= t.dtype;
  }
  if (C === undefined) {
    throw new ValueError(`convertStateDict: layer '${layer.prefix}' has no tensors in the state dict (a PyTorch InstanceNorm without affine and running stats), so give its num_features`);
  }
  return { C, dtype: dtype ?? 'float32' };
}

function isIdentity(t: Tensor, value: number): boolean {
  for (let i = 0; i < t.size; i++) if (t.item(i) !== value) return false;
  return true;
}

function newReport(layer: Layer, target: LayerReport['target']): LayerReport {
  return {
    prefix: layer.prefix,
    ...(layer.pattern ? { declared: layer.pattern } : {}),
    ...(layer.api ? { api: layer.api } : {}),
    ...(layer.origin ? { origin: layer.origin } : {}),
    renamed: [],
    filled: [],
    dropped: [],
    warnings: [],
    target,
  };
}

function torchToMindSpore(source: StateDict, layer: Layer, tensors: readonly StateTensor[], problem: (layer: LayerSpec, what: string) => void) {
  const { prefix } = layer;
  const report = newReport(layer, { affine: false });
  const found = tensors.map((t) => [join(prefix, t.torch), source.get(join(prefix, t.torch))] as const);
  const { C, dtype } = channels(found.filter((f): f is readonly [string, Tensor] => f[1] !== undefined), layer);
  const has = (option: StateTensor['torchWhen']) => tensors.some((t, i) => t.torchWhen === option && t.mindspore !== null && found[i][1] !== undefined);
  const affine = has('affine');
  const tracking = has('track_running_stats');
  for (const [option, present] of [['affine', affine], ['track_running_stats', tracking]] as const) {
    if (layer[option] !== undefined && layer[option] !== present) {
      const which = tensors.filter((t) => t.torchWhen === option && t.mindspore !== null).map((t) => t.torch).join('/');
      problem(layer, `is declared ${option}=${pyRepr(layer[option])}, but the checkpoint ${present ? 'has' : 'has no'} ${which} for it (with --force the tensors are followed)`);
    }
  }
  report.target.affine = affine;
  const state: StateDict = new Map();
  // MindSpore creates moving_mean, moving_variance, gamma, beta in this order
  const order = [...tensors].sort((a, b) => Number(a.torchWhen === 'affine') - Number(b.torchWhen === 'affine'));
  for (const t of order) {
    const from = join(prefix, t.torch);
    const value = source.get(from);
    const to = msName(t, prefix);
    if (to === null) {
      if (value) report.dropped.push({ name: from, reason: 'MindSpore has no counterpart: it counts no batches' });
      continue;
    }
    if (value) {
      state.set(to, value);
      report.renamed.push({ from, to });
      continue;
    }
    state.set(to, Tensor.full([C], t.identity, dtype));
    const reason =
      t.torchWhen === 'affine'
        ? `the PyTorch layer has affine=False; MindSpore always has and applies ${affineWords(tensors).names}, and this value changes nothing (create the MindSpore layer with affine=False to keep it frozen)`
        : 'the PyTorch layer has track_running_stats=False; MindSpore always has moving statistics (they never affect its output)';
    report.filled.push({ name: to, value: t.identity, shape: [C], reason });
  }
  if (tracking) {
    report.warnings.push('PyTorch with track_running_stats=True normalizes with the running statistics in eval(); MindSpore always uses the statistics of each input, so outputs in eval mode differ');
  }
  return { state, report };
}

function mindSporeToTorch(source: StateDict, layer: Layer, tensors: readonly StateTensor[], problem: (layer: LayerSpec, what: string) => void) {
  const { prefix } = layer;
  const report = newReport(layer, { affine: true, track_running_stats: layer.track_running_stats ?? false });
  const named = tensors.map((t) => ({ t, from: msName(t, prefix), value: undefined as Tensor | undefined }));
  for (const n of named) if (n.from !== null) n.value = source.get(n.from);
  const { C, dtype } = channels(named.filter((n) => n.value).map((n) => [n.from!, n.value!]), layer);
  const missing = named.filter((n) => n.from !== null && !n.value).map((n) => n.from!.slice(prefix ? prefix.length + 1 : 0));
  if (missing.length) problem(layer, `has no ${missing.join(', ')}, though MindSpore always saves all four parameters (with --force ${missing.length > 1 ? 'they are' : 'it is'} filled with the value that changes nothing)`);
  const affineValues = named.filter((n) => n.t.torchWhen === 'affine' && n.value);
  const identityAffine = affineValues.every((n) => isIdentity(n.value!, n.t.identity));
  // MindSpore applies gamma/beta even with affine=False, so PyTorch can only drop them when they change nothing.
  const affine = layer.affine === false && identityAffine ? false : true;
  report.target.affine = affine;
  if (layer.affine === false && !identityAffine) {
    const { names, identities } = affineWords(tensors);
    problem(layer, `is declared affine=False, but its ${names} are not ${identities} and MindSpore applies them anyway: the PyTorch layer needs affine=True with these values (--force writes them for affine=True)`);
  }
  const tracking = report.target.track_running_stats!;
  const state: StateDict = new Map();
  for (const n of named) {
    const to = join(prefix, n.t.torch);
    const keep = n.t.torchWhen === 'affine' ? affine : tracking;
    if (!keep) {
      if (n.value) {
        const reason =
          n.t.torchWhen === 'affine'
            ? 'the PyTorch layer has affine=False and this value is the identity'
            : 'the PyTorch layer has track_running_stats=False (its default); MindSpore never uses its moving statistics for the output';
        report.dropped.push({ name: n.from!, reason });
      }
      continue;
    }
    if (n.value) {
      state.set(to, n.value);
      report.renamed.push({ from: n.from!, to });
    } else {
      // num_batches_tracked (no MindSpore counterpart) or a missing parameter
      const fill = n.from === null ? Tensor.full([], n.t.identity, 'int64') : Tensor.full([C], n.t.identity, dtype);
      state.set(to, fill);
      report.filled.push({ name: to, value: n.t.identity, shape: [...fill.shape], reason: n.from === null ? 'MindSpore counts no batches' : 'missing from the MindSpore checkpoint' });
    }
  }
  if (tracking) {
    report.warnings.push('with track_running_stats=True PyTorch normalizes with these running statistics in eval(); MindSpore never did (its moving statistics stay at their initial values), so eval outputs differ unless the model stays in train()');
  }
  return { state, report };
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
    layer.target,
    layer.renamed.map((r) => [rel(r.from), rel(r.to)]),
    layer.filled.map((f) => [rel(f.name), f.value, f.reason]),
    layer.dropped.map((d) => [rel(d.name), d.reason]),
    layer.warnings,
  ]);
}

function layerLines(layer: LayerReport, to: Framework, name: (n: string) => string, head: string): string[] {
  const options = `affine=${pyRepr(layer.target.affine)}${layer.target.track_running_stats !== undefined ? `, track_running_stats=${pyRepr(layer.target.track_running_stats)}` : ''}`;
  const lines = [`${head} -> ${NAMES[to]} InstanceNorm with ${options}`];
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
