/**
 * What the tools (docs examples, conformance checks, porting, ONNX, the site) need of a layer
 * family, whatever it normalizes over: its classes in both facades, by the name both frameworks
 * give them. A family is one registry entry (src/families/index.ts) plus its classes and its
 * mapping.json rows; nothing outside the registry names a family.
 */
import type { Tensor } from '../core/tensor';
import type { Cell } from '../mindspore/cell';
import type { Module } from '../torch/module';

/** A torch facade layer of any family. */
export interface TorchLayer extends Module {
  readonly num_features: number;
  readonly eps: number;
  forward(input: Tensor, options?: { out?: Tensor | null }): Tensor;
}

/** A MindSpore facade layer of any family. */
export interface MindSporeLayer extends Cell {
  readonly num_features: number;
  readonly eps: number;
  construct(x: Tensor, options?: { out?: Tensor }): Tensor;
}

export type FacadeLayer = TorchLayer | MindSporeLayer;

/**
 * A facade class with Python's call shapes (`(3, 1e-5)`, `(3, { affine: true })`, `({ num_features: 3 })`);
 * each constructor checks its arguments as its framework does, so the type only says "arguments".
 */
export type LayerConstructor<L> = new (...args: any[]) => L;

/** One pair of classes, `torch.nn.<api>` and `mindspore.nn.<api>`. */
export interface LayerClass {
  readonly api: string;
  /** The family's name, as mapping.json's `family`. */
  readonly family: string;
  /** How many dims after (N, C) a batched input has: 1 for the 1d classes, 3 for the 3d ones. */
  readonly spatialDims: number;
  readonly torch: LayerConstructor<TorchLayer>;
  readonly mindspore: LayerConstructor<MindSporeLayer>;
}

/**
 * The Python module each framework defines a family's classes in (`cls.__module__`:
 * `torch.nn.modules.instancenorm`, `mindspore.nn.layer.normalization`). Both frameworks re-export
 * their layer classes at every package between that module and the framework's `nn`
 * (torch/nn/modules/__init__.py, torch/nn/__init__.py; mindspore/nn/layer/__init__.py,
 * mindspore/nn/__init__.py), so these are the paths model code imports a class from.
 */
export interface DefiningModules {
  readonly torch: string;
  readonly mindspore: string;
}

export interface LayerFamily {
  /** mapping.json's `family` (`InstanceNorm`). */
  readonly name: string;
  readonly classes: readonly LayerClass[];
  readonly modules: DefiningModules;
}

/** The classes of a family whose torch and MindSpore classes are spelled `<family><n>d`, for n = 1, 2, 3. */
export function familyOf(
  name: string,
  torchClasses: readonly LayerConstructor<TorchLayer>[],
  mindsporeClasses: readonly LayerConstructor<MindSporeLayer>[],
  modules: DefiningModules,
): LayerFamily {
  const classes = torchClasses.map((torch, i): LayerClass => {
    const mindspore = mindsporeClasses[i];
    if (torch.name !== mindspore.name) throw new Error(`family ${name}: torch ${torch.name} is paired with mindspore ${mindspore.name}`);
    // the MindSpore facade prints its classes' module (pyClassOf), so it must be the one given here
    const declared = (mindspore as { __module__?: string }).__module__;
    if (declared !== undefined && declared !== modules.mindspore) throw new Error(`family ${name}: mindspore ${mindspore.name} declares module ${declared}, not ${modules.mindspore}`);
    return { api: torch.name, family: name, spatialDims: i + 1, torch, mindspore };
  });
  return { name, classes, modules };
}
