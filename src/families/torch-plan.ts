/** What every torch `_NormBase` contributes to its ONNX plan, whichever statistics its family normalizes with. */
import { Tensor } from '../core/tensor';
import type * as th from '../torch/nn';
import type { NormalizationPlan, PlanInput } from './types';

type Affine = Pick<NormalizationPlan, 'eps' | 'scale' | 'bias'>;

/** eps, and weight/bias, or the identity (ones/zeros) that affine=False means. */
export function torchAffine(module: th._NormBase, dtype: PlanInput['dtype']): Affine {
  const C = module.num_features;
  const { weight, bias } = module;
  return {
    eps: module.eps,
    scale: weight ? { name: 'weight', tensor: weight.astype(dtype) } : { name: 'scale', tensor: Tensor.ones([C], dtype) },
    bias: bias ? { name: 'bias', tensor: bias.astype(dtype) } : { name: 'B', tensor: Tensor.zeros([C], dtype) },
  };
}

/** In eval with running statistics, both families normalize with them (`_NormBase` keeps them the same way): that plan, or null. */
export function torchRunningPlan(module: th._NormBase, dtype: PlanInput['dtype'], note: string): NormalizationPlan | null {
  const { running_mean: runningMean, running_var: runningVar } = module;
  if (module.training || !runningMean || !runningVar) return null;
  return {
    ...torchAffine(module, dtype),
    statistics: 'running',
    runningMean: { name: 'running_mean', tensor: runningMean.astype(dtype) },
    runningVar: { name: 'running_var', tensor: runningVar.astype(dtype) },
    notes: [note],
  };
}
