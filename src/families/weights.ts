/**
 * Loading a name -> tensor dict (one layer's weights, read from a checkpoint) into a facade layer,
 * through the facade's own loader: torch's `load_state_dict`, MindSpore's `load_param_into_net`.
 * On top of those it refuses what would load silently wrong for a tool: a key the layer does not
 * have (MindSpore would return it in ckpt_not_load), a shape that differs (MindSpore 2.6.0's
 * set_data would take it). Nothing changes unless everything fits.
 */
import type { DType } from '../core/dtype';
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { sameShape, Tensor, type NestedNumbers } from '../core/tensor';
import { catchWarnings } from '../core/warnings';
import { Parameter } from '../mindspore/cell';
import { load_param_into_net } from '../mindspore/serialization';
import type { FacadeLayer, MindSporeLayer, TorchLayer } from './types';

/** Weights as read: tensors, or nested lists of numbers (JSON) to be made in the layer's dtype. */
export type LayerWeights = Record<string, Tensor | NestedNumbers>;

/** The keys of a layer's own state, to name in messages. */
export function stateKeys(layer: FacadeLayer): string[] {
  if ('forward' in layer) return Object.keys(layer.state_dict());
  return [...layer.parameters_and_names()].flatMap(([attribute, p]) => (attribute === p.name ? [p.name] : [p.name, attribute]));
}

/**
 * Loads `weights` into `layer`; returns the keys loaded. torch keys are state_dict keys; MindSpore
 * keys are Parameter names (`mean`) or attribute paths (`moving_mean`). An error says which key
 * does not fit and why, and names what the layer has.
 */
export function loadLayerWeights(layer: FacadeLayer, weights: LayerWeights): string[] {
  return 'forward' in layer ? loadTorch(layer, weights) : loadMindSpore(layer, weights);
}

function asTensor<D extends DType>(value: Tensor | NestedNumbers, dtype: D, key: string): Tensor<D> {
  try {
    return value instanceof Tensor ? value.astype(dtype) : Tensor.from(value, { dtype });
  } catch (err) {
    (err as Error).message = `${pyRepr(key)}: ${(err as Error).message}`;
    throw err;
  }
}

function loadTorch(module: TorchLayer, weights: LayerWeights): string[] {
  const current = module.state_dict();
  const unknown = Object.keys(weights).filter((k) => !(k in current));
  if (unknown.length) throw new ValueError(`${unknown.map((k) => pyRepr(k)).join(', ')} not in the module's state_dict (${Object.keys(current).join(', ') || 'empty'})`);
  const dict = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, asTensor(v, current[k].dtype, k)]));
  // load_state_dict checks the shapes and changes nothing when one does not fit.
  module.load_state_dict(dict, { strict: false });
  return Object.keys(dict);
}

function loadMindSpore(cell: MindSporeLayer, weights: LayerWeights): string[] {
  const byKey = new Map<string, Parameter>();
  for (const [attribute, param] of cell.parameters_and_names()) {
    byKey.set(param.name, param);
    byKey.set(attribute, param);
  }
  const dict = new Map<string, Parameter>();
  for (const [key, value] of Object.entries(weights)) {
    const param = byKey.get(key);
    if (!param) throw new ValueError(`${pyRepr(key)} is not a parameter of the cell (${[...byKey.keys()].join(', ')})`);
    const tensor = asTensor(value, param.dtype, key);
    if (!sameShape(tensor.shape, param.shape)) {
      throw new ValueError(`${pyRepr(key)} has shape [${tensor.shape.join(', ')}], the parameter has [${param.shape.join(', ')}]`);
    }
    dict.set(param.name, new Parameter(tensor, param.name));
  }
  // Only the given parameters: load_param_into_net's warning about the others is expected here.
  catchWarnings(() => load_param_into_net(cell, dict));
  return Object.keys(weights);
}
