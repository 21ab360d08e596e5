/** InstanceNorm1d/2d/3d: each (n, c) slice normalized with its own statistics. */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { instanceNormReference } from '../core/reference';
import { numel, Tensor } from '../core/tensor';
import * as ms from '../mindspore/nn';
import * as th from '../torch/nn';
import { layerClasses, type FacadeLayer, type Framework, type LayerFamily, type NormalizationPlan, type PlanInput } from './types';

function plan(layer: FacadeLayer, framework: Framework, input: PlanInput): NormalizationPlan {
  return framework === 'torch' ? torchPlan(layer as th._InstanceNorm, input) : mindsporePlan(layer as ms._InstanceNorm);
}

/** Input statistics in training and inference; gamma and beta always applied, in float32 (the primitive's dtype). */
function mindsporePlan(cell: ms._InstanceNorm): NormalizationPlan {
  return {
    statistics: 'instance',
    eps: cell.eps,
    scale: { name: 'gamma', tensor: cell.gamma.data.astype('float32') },
    bias: { name: 'beta', tensor: cell.beta.data.astype('float32') },
    notes: ['MindSpore InstanceNorm: input statistics in training and inference; gamma and beta always applied.'],
  };
}

function torchPlan(module: th._InstanceNorm, { shape, given, dtype }: PlanInput): NormalizationPlan {
  const C = module.num_features;
  const { weight, bias, running_mean: runningMean, running_var: runningVar } = module;
  const affine = {
    eps: module.eps,
    scale: weight ? { name: 'weight', tensor: weight.astype(dtype) } : { name: 'scale', tensor: Tensor.ones([C], dtype) },
    bias: bias ? { name: 'bias', tensor: bias.astype(dtype) } : { name: 'B', tensor: Tensor.zeros([C], dtype) },
  };
  if (!module.training && runningMean && runningVar) {
    return {
      ...affine,
      statistics: 'running',
      runningMean: { name: 'running_mean', tensor: runningMean.astype(dtype) },
      runningVar: { name: 'running_var', tensor: runningVar.astype(dtype) },
      notes: ['PyTorch eval with track_running_stats=True: normalized with the running statistics.'],
    };
  }
  if (numel(shape, 2) === 1) {
    throw new ValueError(`argument 'inputShape' ${pyRepr([...given])} has one spatial element; the module normalizes with input statistics and needs more than 1 (PyTorch raises here too)`);
  }
  const notes = ['PyTorch with input statistics (training, or track_running_stats=False).'];
  if (runningMean) notes.push('The running-statistics update PyTorch performs in training is not part of the graph.');
  return { ...affine, statistics: 'instance', notes };
}

const modules = { torch: 'torch.nn.modules.instancenorm', mindspore: 'mindspore.nn.layer.normalization' };

export const instanceNorm: LayerFamily = {
  name: 'InstanceNorm',
  classes: layerClasses('InstanceNorm', [th.InstanceNorm1d, th.InstanceNorm2d, th.InstanceNorm3d], [ms.InstanceNorm1d, ms.InstanceNorm2d, ms.InstanceNorm3d], modules),
  modules,
  torchUnbatchedInput: true,
  reference: instanceNormReference,
  plan,
};
