/** InstanceNorm1d/2d/3d: each (n, c) slice normalized with its own statistics. */
import * as ms from '../mindspore/nn';
import * as th from '../torch/nn';
import { familyOf } from './types';

export const instanceNorm = familyOf('InstanceNorm', [th.InstanceNorm1d, th.InstanceNorm2d, th.InstanceNorm3d], [ms.InstanceNorm1d, ms.InstanceNorm2d, ms.InstanceNorm3d], {
  torch: 'torch.nn.modules.instancenorm',
  mindspore: 'mindspore.nn.layer.normalization',
});
