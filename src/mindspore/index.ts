/** `mindspore`: the slice of MindSpore's API this package mirrors. */
import type { DType, TypedArray } from '../core/dtype';
import { Tensor as CoreTensor, type NestedNumbers } from '../core/tensor';

export * as nn from './nn';
export { Parameter } from './cell';
export * as initializer from './initializer';
export { set_seed, get_seed } from './random';
export { load_param_into_net, type ParameterDict } from './serialization';
export { MINDSPORE_RELEASE as __version__ } from './version';

/** The `mindspore` dtypes this package holds (MindSpore's others, such as uint16 or complex64, it cannot). */
export const bool_ = 'bool';
export const int8 = 'int8';
export const int16 = 'int16';
export const int32 = 'int32';
export const int64 = 'int64';
export const uint8 = 'uint8';
export const float16 = 'float16';
export const float32 = 'float32';
export const float64 = 'float64';
export const bfloat16 = 'bfloat16';

/** A function that `new` may call too: returning an object from it makes `new` yield that object. */
interface TensorFunction {
  (data: NestedNumbers | TypedArray, dtype?: DType): CoreTensor;
  new (data: NestedNumbers | TypedArray, dtype?: DType): CoreTensor;
}

/**
 * `mindspore.Tensor(input_data, dtype=None)`, callable with or without `new`; float32 unless a
 * dtype is given. `x instanceof mindspore.Tensor` holds for every tensor of this package.
 */
export const Tensor = function Tensor(data: NestedNumbers | TypedArray, dtype?: DType): CoreTensor {
  return CoreTensor.from(data, { dtype: dtype ?? 'float32' });
} as TensorFunction;
Object.defineProperty(Tensor, Symbol.hasInstance, { value: (v: unknown) => v instanceof CoreTensor });
