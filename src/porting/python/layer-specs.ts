/**
 * The bridge from a model's Python source to `convert`: each discovered layer becomes a LayerSpec
 * (its prefix or pattern, its class, where it is built, and the options the source shows). An
 * option is passed only where the source shows it for sure: a value it shows, or the framework's
 * default in a call without `*args`/`**kwargs` it cannot see into. The options are those that make
 * the class's tensors exist (src/porting/kinds.ts); from MindSpore source, those MindSpore's
 * constructor has under the same name.
 */
import { readText } from '../../io/with-path';
import type { LayerSpec } from '../convert';
import { classKind } from '../kinds';
import { discoverLayers, type LayerDiscovery, type ModelLayer } from './layers';

export function layerSpec(layer: ModelLayer, path?: string): LayerSpec {
  const starred = layer.unknown.some((u) => u.startsWith('*'));
  const sure = (option: string) => option in layer.config && (layer.written.includes(option) || !starred);
  const spec: LayerSpec = { prefix: layer.prefix };
  const options: Record<string, boolean> = {};
  for (const option of classKind(layer.api).options) {
    if (layer.framework === 'mindspore' && !option.sameInMindspore) continue;
    const value = layer.config[option.name];
    if (sure(option.name) && typeof value === 'boolean') options[option.name] = value;
  }
  if (Object.keys(options).length > 0) spec.options = options;
  if (typeof layer.config.num_features === 'number') spec.num_features = layer.config.num_features;
  spec.api = layer.api;
  if (path !== undefined) spec.origin = `${path}:${layer.line}`;
  return spec;
}

/** What two layers under one pattern both are: the options, class and size they agree on. */
function agreed(a: LayerSpec, b: LayerSpec): LayerSpec {
  const out: LayerSpec = { prefix: a.prefix };
  const options = Object.fromEntries(Object.entries(a.options ?? {}).filter(([name, value]) => b.options?.[name] === value));
  if (Object.keys(options).length > 0) out.options = options;
  if (a.num_features === b.num_features) out.num_features = a.num_features;
  if (a.api === b.api) out.api = a.api;
  else if (a.api !== undefined && b.api !== undefined && classKind(a.api).family === classKind(b.api).family) out.family = classKind(a.api).family;
  for (const key of Object.keys(out) as (keyof LayerSpec)[]) if (out[key] === undefined) delete out[key];
  out.origin = a.origin === b.origin ? a.origin : [a.origin, b.origin].filter(Boolean).join(', ');
  return out;
}

export interface SourceLayers extends LayerDiscovery {
  path: string;
  specs: LayerSpec[];
  /** The layers the model may have: checked against the checkpoint, never converted. */
  maybeSpecs: LayerSpec[];
}

/** Reads `path` and returns its model's layers as convert's LayerSpecs. */
export function layersFromSource(path: string, model?: string): SourceLayers {
  const discovery = discoverLayers(readText(path), { model }, path);
  // one spec per prefix or pattern; layers that share a pattern keep only the options they agree on
  const specs = new Map<string, LayerSpec>();
  for (const layer of discovery.layers) {
    const spec = layerSpec(layer, path);
    const seen = specs.get(spec.prefix);
    specs.set(spec.prefix, seen ? agreed(seen, spec) : spec);
  }
  return { path, ...discovery, specs: [...specs.values()], maybeSpecs: discovery.maybe.map((l) => layerSpec(l, path)) };
}
