/** `mindspore`: the slice of MindSpore's API this package mirrors. */
import type { TypedArray } from '../core/dtype';
import { Tensor as CoreTensor, type NestedNumbers } from '../core/tensor';

export * as nn from './nn';
export { Parameter } from './cell';
export * as initializer from './initializer';
export { set_seed, get_seed } from './random';
export { load_param_into_net, type ParameterDict } from './serialization';

export const float16 = 'float16';
export const float32 = 'float32';
export const float64 = 'float64';

type TensorDType = 'float16' | 'float32' | 'float64';

/** A function that `new` may call too: returning an object from it makes `new` yield that object. */
interface TensorFunction {
  (data: NestedNumbers | TypedArray, dtype?: TensorDType): CoreTensor;
  new (data: NestedNumbers | TypedArray, dtype?: TensorDType): CoreTensor;
}

/**
 * `mindspore.Tensor(input_data, dtype=None)`, callable with or without `new`; float32 unless a
 * dtype is given. `x instanceof mindspore.Tensor` holds for every tensor of this package.
 */
export const Tensor = function Tensor(data: NestedNumbers | TypedArray, dtype?: TensorDType): CoreTensor {
  return CoreTensor.from(data, { dtype: dtype ?? 'float32' });
} as TensorFunction;
Object.defineProperty(Tensor, Symbol.hasInstance, { value: (v: unknown) => v instanceof CoreTensor });
