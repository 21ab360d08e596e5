/**
 * What an exported graph must compute for one facade module in its current mode, in
 * framework-neutral terms: which statistics, which per-channel tensors, which dtype, batched or
 * not. Both the exporter and the verifier read the module only through this.
 */
import { PyTypeError, ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { numel, Tensor } from '../core/tensor';
import * as ms from '../mindspore/nn';
import * as th from '../torch/nn';

export type Layer = th._InstanceNorm | ms._InstanceNorm;
export type Framework = 'torch' | 'mindspore';
export type ExportDType = 'float32' | 'float64' | 'float16';

export interface ChannelTensor {
  /** Initializer name: the module's own name for it, or ONNX's (`scale`, `B`) where the module has none. */
  name: string;
  tensor: Tensor;
}

interface PlanBase {
  framework: Framework;
  className: string;
  /** Spatial dims after (N, C): 1, 2 or 3. */
  spatialDims: number;
  eps: number;
  /** The input has no batch dim (PyTorch only); the graph adds and removes one. */
  unbatched: boolean;
}

export type LayerPlan = PlanBase & {
  /** The input's (and output's) dtype. */
  dtype: ExportDType;
  scale: ChannelTensor;
  bias: ChannelTensor;
  /** Why the graph differs from what the module does beyond the output, for the model's doc string. */
  notes: string[];
} & (
    | { /** Each instance's own statistics (InstanceNormalization). */ statistics: 'input' }
    | { /** Fixed running statistics (PyTorch eval). */ statistics: 'running'; runningMean: ChannelTensor; runningVar: ChannelTensor }
  );

export function isLayer(value: unknown): value is Layer {
  return value instanceof th._InstanceNorm || value instanceof ms._InstanceNorm;
}

function spatialDimsOf(module: Layer): number {
  if (module instanceof th.InstanceNorm1d || module instanceof ms.InstanceNorm1d) return 1;
  if (module instanceof th.InstanceNorm2d || module instanceof ms.InstanceNorm2d) return 2;
  if (module instanceof th.InstanceNorm3d || module instanceof ms.InstanceNorm3d) return 3;
  throw new PyTypeError(`toOnnx: argument 'module' must be an InstanceNorm1d/2d/3d of the torch or mindspore facade, got ${module.constructor.name}`);
}

/** Checks `inputShape` against what the module's forward/construct accepts, naming the argument; true when it has no batch dim. */
function isUnbatchedInput(module: Layer, framework: Framework, spatialDims: number, shape: readonly number[]): boolean {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ValueError(`argument 'inputShape' must be a list of positive integers, got ${pyRepr(shape)}`);
  }
  const batchedRank = spatialDims + 2;
  const ranks = framework === 'torch' ? [batchedRank - 1, batchedRank] : [batchedRank];
  if (!ranks.includes(shape.length)) {
    throw new ValueError(
      `argument 'inputShape' ${pyRepr(shape)} has ${shape.length} dims; ${framework} ${module.constructor.name} takes ${ranks.join(' or ')} dims`,
    );
  }
  const unbatched = shape.length === batchedRank - 1;
  const channels = shape[unbatched ? 0 : 1];
  if (channels !== module.num_features) {
    throw new ValueError(
      `argument 'inputShape' ${pyRepr(shape)} has ${channels} channels at dim ${unbatched ? 0 : 1}, but the module has num_features=${module.num_features}`,
    );
  }
  return unbatched;
}

/** The torch facade exports the dtype its tensors hold; float32 for a module without tensors. */
function torchDType(module: th._InstanceNorm, requested: ExportDType | undefined): 'float32' | 'float64' {
  const own = (module.weight ?? module.running_mean)?.dtype as ExportDType | undefined;
  const dtype = requested ?? own ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new PyTypeError(`argument 'dtype' must be 'float32' or 'float64' for the torch facade, got ${pyRepr(dtype)}`);
  }
  if (own && own !== dtype) {
    throw new PyTypeError(`argument 'dtype' is ${pyRepr(dtype)}, but the module's tensors are ${own}; export the dtype the module computes in`);
  }
  return dtype;
}

function mindsporeDType(requested: ExportDType | undefined): 'float32' | 'float16' {
  const dtype = requested ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') {
    // MindSpore's InstanceNorm primitive takes float16 and float32 input only.
    throw new PyTypeError(`argument 'dtype' must be 'float32' or 'float16' for the mindspore facade, got ${pyRepr(dtype)}`);
  }
  return dtype;
}

export function planLayer(module: unknown, inputShape: readonly number[], dtype?: ExportDType): LayerPlan {
  if (!isLayer(module)) {
    throw new PyTypeError(`argument 'module' must be an InstanceNorm1d/2d/3d of the torch or mindspore facade, got ${pyRepr(module)}`);
  }
  const framework: Framework = module instanceof th._InstanceNorm ? 'torch' : 'mindspore';
  const spatialDims = spatialDimsOf(module);
  const unbatched = isUnbatchedInput(module, framework, spatialDims, inputShape);
  const base: PlanBase = { framework, className: module.constructor.name, spatialDims, eps: module.eps, unbatched };
  return module instanceof th._InstanceNorm ? planTorch(module, base, inputShape, dtype) : planMindSpore(module, base, dtype);
}

function planMindSpore(module: ms._InstanceNorm, base: PlanBase, requested: ExportDType | undefined): LayerPlan {
  const dtype = mindsporeDType(requested);
  // Graph arithmetic runs in float32 for float16 input, as the facade (and MindSpore's kernel) does.
  return {
    ...base,
    dtype,
    statistics: 'input',
    scale: { name: 'gamma', tensor: module.gamma.data.astype('float32') },
    bias: { name: 'beta', tensor: module.beta.data.astype('float32') },
    notes: ['MindSpore InstanceNorm: input statistics in training and inference; gamma and beta always applied.'],
  };
}

function planTorch(module: th._InstanceNorm, base: PlanBase, inputShape: readonly number[], requested: ExportDType | undefined): LayerPlan {
  const dtype = torchDType(module, requested);
  const C = module.num_features;
  const { weight, bias, running_mean: runningMean, running_var: runningVar } = module;
  const scaleTensor = weight ? { name: 'weight', tensor: weight.astype(dtype) } : { name: 'scale', tensor: Tensor.ones([C], dtype) };
  const biasTensor = bias ? { name: 'bias', tensor: bias.astype(dtype) } : { name: 'B', tensor: Tensor.zeros([C], dtype) };
  const common = { ...base, dtype, scale: scaleTensor, bias: biasTensor };
  if (!module.training && runningMean && runningVar) {
    return {
      ...common,
      statistics: 'running',
      runningMean: { name: 'running_mean', tensor: runningMean.astype(dtype) },
      runningVar: { name: 'running_var', tensor: runningVar.astype(dtype) },
      notes: ['PyTorch eval with track_running_stats=True: normalized with the running statistics.'],
    };
  }
  if (numel(inputShape, base.unbatched ? 1 : 2) === 1) {
    throw new ValueError(
      `argument 'inputShape' ${pyRepr(inputShape)} has one spatial element; the module normalizes with input statistics and needs more than 1 (PyTorch raises here too)`,
    );
  }
  const notes = ['PyTorch with input statistics (training, or track_running_stats=False).'];
  if (runningMean) notes.push('The running-statistics update PyTorch performs in training is not part of the graph.');
  return { ...common, statistics: 'input', notes };
}
