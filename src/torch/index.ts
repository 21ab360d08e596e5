/** `torch`: the slice of PyTorch's API this package mirrors. */
import { Tensor, type NestedNumbers } from '../core/tensor';
import type { TypedArray } from '../core/dtype';

export * as nn from './nn';
export { Tensor };
export * as warnings from '../core/warnings';
export { PYTORCH_RELEASE } from './release';

/** `torch.tensor(data, dtype=...)`: float32 unless a dtype is given (JS cannot tell 1 from 1.0). */
export function tensor(data: NestedNumbers | TypedArray, options: { dtype?: 'float32' | 'float64' | 'float16' | 'int64' } = {}): Tensor {
  return Tensor.from(data, { dtype: options.dtype ?? 'float32' });
}
