/**
 * What the tools (docs examples, conformance checks, porting, ONNX, the site) need of a layer
 * family, whatever it normalizes over: its classes in both facades, by the name both frameworks
 * give them. A family is one registry entry (src/families/index.ts) plus its classes and its
 * mapping.json rows; nothing outside the registry names a family.
 */
import type { ReferenceOptions } from '../core/reference';
import type { Tensor } from '../core/tensor';
import type { Cell } from '../mindspore/cell';
import type { Module } from '../torch/module';

/** A torch facade layer of any family. */
export interface TorchLayer extends Module {
  readonly num_features: number;
  readonly eps: number;
  forward(input: Tensor, options?: { out?: Tensor | null }): Tensor;
}

/**
 * A MindSpore facade layer of any family. Unlike torch's, a cell need not have num_features or eps
 * of its own (BatchNorm3d keeps them in its bn2d child, as MindSpore does); its family's plan reads them.
 */
export interface MindSporeLayer extends Cell {
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

/** The two frameworks, in the order pages and tables list them. */
export const FRAMEWORKS = ['torch', 'mindspore'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A per-channel tensor of a plan, under the name the layer gives it (or ONNX's where it has none). */
export interface ChannelTensor {
  name: string;
  tensor: Tensor;
}

/**
 * What a layer computes in its current mode, in framework-neutral terms: which statistics, which
 * per-channel tensors. The ONNX exporter and verifier read a layer only through this.
 */
export type NormalizationPlan = {
  eps: number;
  scale: ChannelTensor;
  bias: ChannelTensor;
  /** What the graph does not do that the layer does (the running-statistics update), for the model's doc string. */
  notes: string[];
} & (
  | { /** Each (n, c) slice's own statistics. */ statistics: 'instance' }
  | { /** Each channel's statistics over the batch and spatial dims. */ statistics: 'batch' }
  | { /** Fixed per-channel statistics. */ statistics: 'running'; runningMean: ChannelTensor; runningVar: ChannelTensor }
);

/** The input a plan is made for: its batched shape (N, C, *spatial), and the dtype the graph computes in. */
export interface PlanInput {
  shape: readonly number[];
  /** The shape as the caller gave it (without the batch dim where the layer allows that), for messages. */
  given: readonly number[];
  dtype: 'float32' | 'float64';
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
  /** Where each framework defines the classes (model code imports them from there and its parent packages). */
  readonly modules: DefiningModules;
  /** Whether a torch input one dim short of the batched rank is one sample without its batch dim. */
  readonly torchUnbatchedInput: boolean;
  /**
   * The float64 reference of the family's own-statistics normalization (src/core, written apart
   * from the kernels): what conformance checks and verifiers hold a layer's output against.
   */
  reference(x: Tensor, options: ReferenceOptions): { y: Tensor<'float64'> };
  /** The layer's computation in its current mode; throws where the layer would refuse that input. */
  plan(layer: FacadeLayer, framework: Framework, input: PlanInput): NormalizationPlan;
}

/** The 1d, 2d and 3d class pairs of a family, torch's and MindSpore's of the same name side by side. */
export function layerClasses(
  family: string,
  torchClasses: readonly LayerConstructor<TorchLayer>[],
  mindsporeClasses: readonly LayerConstructor<MindSporeLayer>[],
  modules: DefiningModules,
): LayerClass[] {
  return torchClasses.map((torch, i): LayerClass => {
    const mindspore = mindsporeClasses[i];
    if (torch.name !== mindspore.name) throw new Error(`family ${family}: torch ${torch.name} is paired with mindspore ${mindspore.name}`);
    // The MindSpore facade prints its classes' module (pyClassOf), so it must be the one given here.
    const declared = (mindspore as { __module__?: string }).__module__;
    if (declared !== undefined && declared !== modules.mindspore) throw new Error(`family ${family}: mindspore ${mindspore.name} declares module ${declared}, not ${modules.mindspore}`);
    return { api: torch.name, family, spatialDims: i + 1, torch, mindspore };
  });
}
