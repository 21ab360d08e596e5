/**
 * The bridge from a model's Python source to `convert`: each discovered layer becomes
 * a LayerSpec (its prefix or pattern, its class, where it is built, and the options the source
 * shows). An option is passed only where the source shows it for sure: a value it shows, or the
 * framework's default in a call without `*args`/`**kwargs` it cannot see into.
 */
import { readText } from '../../io/with-path';
import type { LayerSpec } from '../convert';
import { discoverLayers, type LayerDiscovery, type ModelLayer } from './layers';

export function layerSpec(layer: ModelLayer, path?: string): LayerSpec {
  const starred = layer.unknown.some((u) => u.startsWith('*'));
  const sure = (option: string) => option in layer.config && (layer.written.includes(option) || !starred);
  const spec: LayerSpec = { prefix: layer.prefix };
  if (sure('affine') && typeof layer.config.affine === 'boolean') spec.affine = layer.config.affine;
  if (layer.framework === 'torch' && sure('track_running_stats') && typeof layer.config.track_running_stats === 'boolean') {
    spec.track_running_stats = layer.config.track_running_stats;
  }
  if (typeof layer.config.num_features === 'number') spec.num_features = layer.config.num_features;
  spec.api = layer.api;
  if (path !== undefined) spec.origin = `${path}:${layer.line}`;
  return spec;
}

function agreed(a: LayerSpec, b: LayerSpec): LayerSpec {
  const out: LayerSpec = { prefix: a.prefix };
  if (a.affine === b.affine) out.affine = a.affine;
  if (a.track_running_stats === b.track_running_stats) out.track_running_stats = a.track_running_stats;
  if (a.num_features === b.num_features) out.num_features = a.num_features;
  if (a.api === b.api) out.api = a.api;
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
