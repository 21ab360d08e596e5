/**
 * What an exported graph must compute for one facade layer in its current mode: its family's
 * plan (src/families: which statistics, which per-channel tensors) plus what any layer of a
 * facade needs for a graph: the dtype, and whether the input has a batch dim. Both the exporter
 * and the verifier read the layer only through this.
 */
import { PyTypeError, ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { layerFamily, requireLayer, type FacadeLayer, type Framework, type NormalizationPlan, type TorchLayer } from '../families';
import { inputRanks } from '../mapping';

export type { ChannelTensor } from '../families';
export type ExportDType = 'float32' | 'float64' | 'float16';

export type LayerPlan = NormalizationPlan & {
  framework: Framework;
  className: string;
  /** Spatial dims of the batched input, after (N, C). */
  spatialDims: number;
  /** The input has no batch dim (PyTorch InstanceNorm only); the graph adds and removes one. */
  unbatched: boolean;
  /** The input's (and output's) dtype; float16 is computed in float32 (see toOnnx). */
  dtype: ExportDType;
};

/** Checks `inputShape` against the ranks the layer's forward/construct accepts; true when it has no batch dim. */
function isUnbatchedInput(layer: FacadeLayer, api: string, framework: Framework, unbatchedAllowed: boolean, shape: readonly number[]): boolean {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ValueError(`argument 'inputShape' must be a list of positive integers, got ${pyRepr(shape)}`);
  }
  const ranks = inputRanks(api, framework);
  if (!ranks.includes(shape.length)) {
    throw new ValueError(`argument 'inputShape' ${pyRepr(shape)} has ${shape.length} dims; ${framework} ${layer.constructor.name} takes ${ranks.join(' or ')} dims`);
  }
  return unbatchedAllowed && shape.length < Math.max(...ranks);
}

/** The torch facade exports the dtype its tensors hold; float32 for a module without tensors. */
function torchDType(module: TorchLayer, requested: ExportDType | undefined): 'float32' | 'float64' {
  const own = [...module.parameters(), ...module.buffers()].find((t) => t.dtype === 'float32' || t.dtype === 'float64')?.dtype as ExportDType | undefined;
  const dtype = requested ?? own ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new PyTypeError(`argument 'dtype' must be 'float32' or 'float64' for the torch facade, got ${pyRepr(dtype)}`);
  }
  if (own && own !== dtype) {
    throw new PyTypeError(`argument 'dtype' is ${pyRepr(dtype)}, but the module's tensors are ${own}; export the dtype the module computes in`);
  }
  return dtype;
}

/** MindSpore's normalization primitives take float16 and float32 input, and compute float16 in float32. */
function mindsporeDType(requested: ExportDType | undefined): 'float32' | 'float16' {
  const dtype = requested ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') {
    throw new PyTypeError(`argument 'dtype' must be 'float32' or 'float16' for the mindspore facade, got ${pyRepr(dtype)}`);
  }
  return dtype;
}

export function planLayer(module: unknown, inputShape: readonly number[], requested?: ExportDType): LayerPlan {
  const { layer, framework } = requireLayer(module, "argument 'module'");
  const facadeLayer = module as FacadeLayer;
  const family = layerFamily(layer.family);
  const unbatched = isUnbatchedInput(facadeLayer, layer.api, framework, framework === 'torch' && family.torchUnbatchedInput, inputShape);
  const dtype = framework === 'torch' ? torchDType(facadeLayer as TorchLayer, requested) : mindsporeDType(requested);
  const shape = unbatched ? [1, ...inputShape] : [...inputShape];
  const plan = family.plan(facadeLayer, framework, { shape, given: inputShape, dtype: dtype === 'float16' ? 'float32' : dtype });
  const channels = plan.scale.tensor.size;
  if (shape[1] !== channels) {
    throw new ValueError(`argument 'inputShape' ${pyRepr(inputShape)} has ${shape[1]} channels at dim ${unbatched ? 0 : 1}, but the module has num_features=${channels}`);
  }
  return { ...plan, framework, className: facadeLayer.constructor.name, spatialDims: shape.length - 2, unbatched, dtype };
}
