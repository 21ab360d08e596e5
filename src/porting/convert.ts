/**
 * Converts InstanceNorm state between a PyTorch `state_dict` and MindSpore parameters, by the
 * correspondence in mapping.json's `state.tensors` (weight<->gamma, bias<->beta,
 * running_mean<->moving_mean, running_var<->moving_variance, num_batches_tracked dropped; a
 * top-level MindSpore cell names its statistics `mean`/`variance`).
 *
 * Which keys belong to InstanceNorm layers is never guessed: the caller names the layers (prefixes,
 * from `--layer` or from a model's source). Every other key passes through unchanged and is listed.
 * What one side has and the other lacks is filled with the value that changes nothing (the mapping's
 * `identity`), and each fill, drop and behavioural difference is reported.
 */
import type { DType } from '../core/dtype';
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { Tensor } from '../core/tensor';
import type { StateDict, StateDictLike } from '../io/formats/types';
import { toStateDict } from '../io/formats/types';
import { loadMapping, type Framework, type StateTensor } from '../mapping';

export type { Framework };

/** One InstanceNorm layer: its key prefix ('' for a model that is the layer itself) and, where known, its options. */
export interface LayerSpec {
  prefix: string;
  /** The layer's `affine` in the target framework's model (torch) or the source's (MindSpore). */
  affine?: boolean;
  /** PyTorch's `track_running_stats` of the torch-side layer. */
  track_running_stats?: boolean;
  /** Needed only when the source has no tensors for the layer (a PyTorch layer without affine or statistics). */
  num_features?: number;
}

export interface ConvertOptions {
  to: Framework;
  layers: readonly LayerSpec[];
}

export interface LayerReport {
  prefix: string;
  renamed: { from: string; to: string }[];
  filled: { name: string; value: number; shape: number[]; reason: string }[];
  dropped: { name: string; reason: string }[];
  warnings: string[];
  /** The options the target layer needs for the converted tensors to load and to behave as the source. */
  target: { affine: boolean; track_running_stats?: boolean };
}

export interface ConversionReport {
  from: Framework;
  to: Framework;
  layers: LayerReport[];
  /** Keys that belong to no named layer, copied unchanged. */
  passedThrough: string[];
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** The MindSpore Parameter name of a state tensor in a layer at `prefix` (Parameter(name="mean") when top-level). */
/** 'gamma/beta' and '1/0': the MindSpore names and identity values of the tensors PyTorch has only with affine. */
function affineWords(tensors: readonly StateTensor[]): { names: string; identities: string } {
  const affine = tensors.filter((t) => t.torchWhen === 'affine');
  return { names: affine.map((t) => t.mindspore).join('/'), identities: affine.map((t) => t.identity).join('/') };
}

function msName(t: StateTensor, prefix: string): string | null {
  const name = prefix ? t.mindspore : t.mindsporeTopLevel;
  return name === null ? null : join(prefix, name);
}

function sourceName(t: StateTensor, prefix: string, from: Framework): string | null {
  return from === 'torch' ? join(prefix, t.torch) : msName(t, prefix);
}

export function convertStateDict(sd: StateDictLike, options: ConvertOptions): { stateDict: StateDict; report: ConversionReport } {
  const { to, layers } = options;
  if (to !== 'torch' && to !== 'mindspore') throw new ValueError(`convertStateDict: 'to' must be 'torch' or 'mindspore', got ${JSON.stringify(to)}`);
  const from: Framework = to === 'torch' ? 'mindspore' : 'torch';
  const source = toStateDict(sd);
  const tensors = loadMapping().families[0].state.tensors;
  checkLayers(layers);
  const owner = new Map<string, LayerSpec>();
  for (const layer of layers) {
    for (const key of layerKeys(source, layer.prefix, tensors, from)) owner.set(key, layer);
  }
  const out: StateDict = new Map();
  const reports = new Map<string, LayerReport>();
  const passedThrough: string[] = [];
  const emit = (layer: LayerSpec) => {
    if (reports.has(layer.prefix)) return;
    const { state, report } = from === 'torch' ? torchToMindSpore(source, layer, tensors) : mindSporeToTorch(source, layer, tensors);
    for (const [k, t] of state) {
      if (out.has(k) || (source.has(k) && !owner.has(k))) throw new ValueError(`convertStateDict: layer '${layer.prefix}' produces '${k}', which another key already uses`);
      out.set(k, t);
    }
    reports.set(layer.prefix, report);
  };
  for (const [key, t] of source) {
    const layer = owner.get(key);
    if (layer) emit(layer); // a layer's converted tensors go where its first tensor was
    else {
      out.set(key, t);
      passedThrough.push(key);
    }
  }
  for (const layer of layers) emit(layer); // layers with no tensors in the source
  return { stateDict: out, report: { from, to, layers: layers.map((l) => reports.get(l.prefix)!), passedThrough } };
}

function checkLayers(layers: readonly LayerSpec[]): void {
  if (!Array.isArray(layers)) throw new ValueError('convertStateDict: layers must be a list of {prefix} objects');
  const seen = new Set<string>();
  for (const layer of layers) {
    if (typeof layer?.prefix !== 'string' || layer.prefix.endsWith('.') || layer.prefix.startsWith('.')) {
      throw new ValueError(`convertStateDict: a layer prefix must be a string like 'enc.norm1' (no leading or trailing dot), got ${JSON.stringify(layer?.prefix)}`);
    }
    if (seen.has(layer.prefix)) throw new ValueError(`convertStateDict: layer '${layer.prefix}' is listed twice`);
    seen.add(layer.prefix);
  }
}

/**
 * The source keys that belong to the layer at `prefix`. Under a prefix, any key `prefix.<name>` with
 * no further dot is the layer's and must be an InstanceNorm state name; a top-level layer claims only
 * the InstanceNorm names themselves.
 */
function layerKeys(source: StateDict, prefix: string, tensors: readonly StateTensor[], from: Framework): string[] {
  const known = new Set(tensors.map((t) => sourceName(t, prefix, from)).filter((n): n is string => n !== null));
  const keys: string[] = [];
  for (const key of source.keys()) {
    if (known.has(key)) keys.push(key);
    else if (prefix && key.startsWith(`${prefix}.`) && !key.slice(prefix.length + 1).includes('.')) {
      throw new ValueError(`convertStateDict: '${key}' is under the InstanceNorm layer '${prefix}' but is not a ${from === 'torch' ? 'PyTorch' : 'MindSpore'} InstanceNorm tensor (expected ${[...known].join(', ')})`);
    }
  }
  return keys;
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
    throw new ValueError(`convertStateDict: layer '${layer.prefix}' has no tensors in the state dict (a PyTorch InstanceNorm without affine and running stats, or a prefix that is not in the file), so give its num_features`);
  }
  return { C, dtype: dtype ?? 'float32' };
}

function isIdentity(t: Tensor, value: number): boolean {
  for (let i = 0; i < t.size; i++) if (t.item(i) !== value) return false;
  return true;
}

function torchToMindSpore(source: StateDict, layer: LayerSpec, tensors: readonly StateTensor[]) {
  const { prefix } = layer;
  const report: LayerReport = { prefix, renamed: [], filled: [], dropped: [], warnings: [], target: { affine: false } };
  const found = tensors.map((t) => [join(prefix, t.torch), source.get(join(prefix, t.torch))] as const);
  const { C, dtype } = channels(found.filter((f): f is readonly [string, Tensor] => f[1] !== undefined), layer);
  const has = (option: StateTensor['torchWhen']) => tensors.some((t, i) => t.torchWhen === option && t.mindspore !== null && found[i][1] !== undefined);
  const affine = has('affine');
  const tracking = has('track_running_stats');
  for (const [option, present] of [['affine', affine], ['track_running_stats', tracking]] as const) {
    if (layer[option] !== undefined && layer[option] !== present) {
      report.warnings.push(`the layer is declared ${option}=${pyRepr(layer[option])}, but its tensors say ${pyRepr(present)}; the tensors were followed`);
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

function mindSporeToTorch(source: StateDict, layer: LayerSpec, tensors: readonly StateTensor[]) {
  const { prefix } = layer;
  const report: LayerReport = { prefix, renamed: [], filled: [], dropped: [], warnings: [], target: { affine: true, track_running_stats: layer.track_running_stats ?? false } };
  const named = tensors.map((t) => ({ t, from: msName(t, prefix), value: undefined as Tensor | undefined }));
  for (const n of named) if (n.from !== null) n.value = source.get(n.from);
  if (!named.some((n) => n.value)) {
    const expected = named.filter((n) => n.from !== null).map((n) => n.from);
    throw new ValueError(`convertStateDict: none of ${expected.join(', ')} is in the MindSpore checkpoint; is '${prefix}' the layer's prefix${prefix ? '' : " (a top-level cell's names)"}?`);
  }
  const { C, dtype } = channels(named.filter((n) => n.value).map((n) => [n.from!, n.value!]), layer);
  const missing = named.filter((n) => n.from !== null && !n.value).map((n) => n.from);
  if (missing.length) report.warnings.push(`MindSpore always saves all four parameters, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing; filled with the value that changes nothing`);
  const affineValues = named.filter((n) => n.t.torchWhen === 'affine' && n.value);
  const identityAffine = affineValues.every((n) => isIdentity(n.value!, n.t.identity));
  // MindSpore applies gamma/beta even with affine=False, so PyTorch can only drop them when they change nothing.
  const affine = layer.affine === false && identityAffine ? false : true;
  report.target.affine = affine;
  if (layer.affine === false && !identityAffine) {
    const { names, identities } = affineWords(tensors);
    report.warnings.push(`the MindSpore layer has affine=False, but its ${names} are not ${identities} and MindSpore applies them anyway: the PyTorch layer needs affine=True with these values`);
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

/** The report as lines for people. */
export function formatReport(report: ConversionReport): string {
  const lines: string[] = [];
  for (const layer of report.layers) {
    const options = `affine=${pyRepr(layer.target.affine)}${layer.target.track_running_stats !== undefined ? `, track_running_stats=${pyRepr(layer.target.track_running_stats)}` : ''}`;
    lines.push(`layer '${layer.prefix || '(top level)'}' -> ${report.to === 'torch' ? 'PyTorch' : 'MindSpore'} InstanceNorm with ${options}`);
    for (const r of layer.renamed) lines.push(`  renamed  ${r.from} -> ${r.to}`);
    for (const f of layer.filled) lines.push(`  filled   ${f.name} = ${f.value} (${f.reason})`);
    for (const d of layer.dropped) lines.push(`  dropped  ${d.name} (${d.reason})`);
    for (const w of layer.warnings) lines.push(`  warning: ${w}`);
  }
  if (report.passedThrough.length) lines.push(`passed through unchanged (${report.passedThrough.length}): ${report.passedThrough.join(', ')}`);
  return lines.join('\n');
}
