/**
 * The bridge from a model's Python source to `convert`: each discovered InstanceNorm layer becomes
 * a LayerSpec (its prefix, and the options its call shows). An option is passed only where the
 * source shows it for sure: written as a literal, or the framework's default in a call without
 * `*args`/`**kwargs` (which could set it).
 */
import { readText } from '../../io/with-path';
import type { LayerSpec } from '../convert';
import { discoverLayers, type InstanceNormLayer, type LayerDiscovery } from './layers';

export function layerSpec(layer: InstanceNormLayer): LayerSpec {
  const starred = layer.unknown.some((u) => u.startsWith('*'));
  const sure = (option: string) => option in layer.config && (layer.written.includes(option) || !starred);
  const spec: LayerSpec = { prefix: layer.prefix };
  if (sure('affine') && typeof layer.config.affine === 'boolean') spec.affine = layer.config.affine;
  if (layer.framework === 'torch' && sure('track_running_stats') && typeof layer.config.track_running_stats === 'boolean') {
    spec.track_running_stats = layer.config.track_running_stats;
  }
  if (typeof layer.config.num_features === 'number') spec.num_features = layer.config.num_features;
  return spec;
}

export interface SourceLayers extends LayerDiscovery {
  path: string;
  specs: LayerSpec[];
}

/** Reads `path` and returns its model's InstanceNorm layers as convert's LayerSpecs. */
export function layersFromSource(path: string, model?: string): SourceLayers {
  const discovery = discoverLayers(readText(path), { model });
  return { path, ...discovery, specs: discovery.layers.map(layerSpec) };
}
