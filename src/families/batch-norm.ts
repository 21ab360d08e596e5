/** BatchNorm1d/2d/3d: each channel normalized with statistics over the batch and every position. */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { batchNormReference } from '../core/batch-norm-reference';
import { numel } from '../core/tensor';
import * as ms from '../mindspore/nn';
import * as th from '../torch/nn';
import { torchAffine, torchRunningPlan } from './torch-plan';
import { layerClasses, type FacadeLayer, type Framework, type LayerFamily, type NormalizationPlan, type PlanInput } from './types';

function plan(layer: FacadeLayer, framework: Framework, input: PlanInput): NormalizationPlan {
  return framework === 'torch' ? torchPlan(layer as th._BatchNorm, input) : mindsporePlan(layer as ms._BatchNorm | ms.BatchNorm3d);
}

/** `_BatchNorm.forward`: batch statistics in training or without running stats, the running ones otherwise. */
function torchPlan(module: th._BatchNorm, { shape, given, dtype }: PlanInput): NormalizationPlan {
  const running = torchRunningPlan(module, dtype, 'PyTorch BatchNorm in eval with track_running_stats=True: normalized with the running statistics.');
  if (running) return running;
  if (shape[0] * numel(shape, 2) === 1) {
    throw new ValueError(`argument 'inputShape' ${pyRepr([...given])} has one value per channel; the module normalizes with batch statistics and needs more than 1 (PyTorch raises here too)`);
  }
  const notes = ['PyTorch BatchNorm with batch statistics (training, or track_running_stats=False).'];
  if (module.running_mean) notes.push('The running-statistics update PyTorch performs in training is not part of the graph.');
  return { ...torchAffine(module, dtype), statistics: 'batch', notes };
}

/**
 * `_BatchNorm.construct`: batch statistics when use_batch_statistics is True, or None in training;
 * the moving ones otherwise; gamma and beta always applied; float32 throughout (the CPU kernel).
 * BatchNorm3d runs its bn2d child.
 */
function mindsporePlan(cell: ms._BatchNorm | ms.BatchNorm3d): NormalizationPlan {
  const bn = cell instanceof ms.BatchNorm3d ? cell.bn2d : cell;
  const flag = bn.use_batch_statistics;
  const batch = flag === null ? bn.training : Boolean(flag);
  const common = {
    eps: bn.eps,
    scale: { name: 'gamma', tensor: bn.gamma.data.astype('float32') },
    bias: { name: 'beta', tensor: bn.beta.data.astype('float32') },
  };
  if (batch) {
    return { ...common, statistics: 'batch', notes: ['MindSpore BatchNorm with batch statistics; the moving-statistics update is not part of the graph.'] };
  }
  return {
    ...common,
    statistics: 'running',
    runningMean: { name: 'moving_mean', tensor: bn.moving_mean.data.astype('float32') },
    runningVar: { name: 'moving_variance', tensor: bn.moving_variance.data.astype('float32') },
    notes: ['MindSpore BatchNorm normalizing with its moving statistics (inference, or use_batch_statistics=False).'],
  };
}

const modules = { torch: 'torch.nn.modules.batchnorm', mindspore: 'mindspore.nn.layer.normalization' };

export const batchNorm: LayerFamily = {
  name: 'BatchNorm',
  classes: layerClasses('BatchNorm', [th.BatchNorm1d, th.BatchNorm2d, th.BatchNorm3d], [ms.BatchNorm1d, ms.BatchNorm2d, ms.BatchNorm3d], modules),
  modules,
  torchUnbatchedInput: false,
  reference: batchNormReference,
  plan,
};
