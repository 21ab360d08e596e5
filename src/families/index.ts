/**
 * The registry of layer families. Everything that lists layers (the mapping's classes, the port's
 * class names, the converter's layer kinds, the ONNX exporter, the conformance tests, the site)
 * derives from FAMILIES; adding a family is one entry here.
 */
import { PyTypeError, ValueError } from '../core/errors';
import type { Tensor } from '../core/tensor';
import { batchNorm } from './batch-norm';
import { instanceNorm } from './instance-norm';
import type { FacadeLayer, Framework, LayerClass, LayerFamily, MindSporeLayer, TorchLayer } from './types';

export { FRAMEWORKS } from './types';
export type { ChannelTensor, FacadeLayer, Framework, LayerClass, LayerConstructor, LayerFamily, MindSporeLayer, NormalizationPlan, PlanInput, TorchLayer } from './types';

export const FAMILIES: readonly LayerFamily[] = [instanceNorm, batchNorm];

export const LAYER_CLASSES: readonly LayerClass[] = FAMILIES.flatMap((f) => f.classes);

/** Every layer class name both facades have (`InstanceNorm1d`, ...), in registry order. */
export const LAYER_NAMES: readonly string[] = LAYER_CLASSES.map((c) => c.api);

export function isLayerName(name: unknown): name is string {
  return typeof name === 'string' && LAYER_NAMES.includes(name);
}

export function layerClass(api: string): LayerClass {
  const found = LAYER_CLASSES.find((c) => c.api === api);
  if (!found) throw new ValueError(`unknown layer class ${JSON.stringify(api)}; known: ${LAYER_NAMES.join(', ')}`);
  return found;
}

export function layerFamily(name: string): LayerFamily {
  const found = FAMILIES.find((f) => f.name === name);
  if (!found) throw new ValueError(`unknown layer family ${JSON.stringify(name)}; known: ${FAMILIES.map((f) => f.name).join(', ')}`);
  return found;
}

/** A new layer of class `api` in one facade; the arguments are checked by its constructor. */
export function construct(framework: 'torch', api: string, ...args: unknown[]): TorchLayer;
export function construct(framework: 'mindspore', api: string, ...args: unknown[]): MindSporeLayer;
export function construct(framework: Framework, api: string, ...args: unknown[]): FacadeLayer;
export function construct(framework: Framework, api: string, ...args: unknown[]): FacadeLayer {
  const cls = layerClass(api);
  return framework === 'torch' ? new cls.torch(...args) : new cls.mindspore(...args);
}

/** The class and facade of a facade layer (a subclass counts as its registered class), or null. */
export function describeLayer(value: unknown): { layer: LayerClass; framework: Framework } | null {
  for (const layer of LAYER_CLASSES) {
    if (value instanceof layer.torch) return { layer, framework: 'torch' };
    if (value instanceof layer.mindspore) return { layer, framework: 'mindspore' };
  }
  return null;
}

/** Like describeLayer, but a TypeError naming `what` and the known classes when the value is not a layer. */
export function requireLayer(value: unknown, what: string): { layer: LayerClass; framework: Framework } {
  const found = describeLayer(value);
  if (!found) {
    const name = value !== null && typeof value === 'object' ? value.constructor.name : typeof value;
    throw new PyTypeError(`${what} must be a layer of the torch or mindspore facade (${LAYER_NAMES.join(', ')}), got ${name}`);
  }
  return found;
}

/** Runs a facade layer once: forward (torch) or construct (MindSpore). */
export function runLayer(layer: FacadeLayer, x: Tensor): Tensor {
  return 'forward' in layer ? layer.forward(x) : layer.construct(x);
}

/** train(mode) (torch) or set_train(mode) (MindSpore). */
export function setTraining(layer: FacadeLayer, mode: boolean): void {
  if ('forward' in layer) layer.train(mode);
  else layer.set_train(mode);
}
