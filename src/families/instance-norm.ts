/** InstanceNorm1d/2d/3d: each (n, c) slice normalized with its own statistics. */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { instanceNormReference } from '../core/reference';
import { numel } from '../core/tensor';
import * as ms from '../mindspore/nn';
import * as th from '../torch/nn';
import { torchAffine, torchRunningPlan } from './torch-plan';
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
  const running = torchRunningPlan(module, dtype, 'PyTorch eval with track_running_stats=True: normalized with the running statistics.');
  if (running) return running;
  if (numel(shape, 2) === 1) {
    throw new ValueError(`argument 'inputShape' ${pyRepr([...given])} has one spatial element; the module normalizes with input statistics and needs more than 1 (PyTorch raises here too)`);
  }
  const notes = ['PyTorch with input statistics (training, or track_running_stats=False).'];
  if (module.running_mean) notes.push('The running-statistics update PyTorch performs in training is not part of the graph.');
  return { ...torchAffine(module, dtype), statistics: 'instance', notes };
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
