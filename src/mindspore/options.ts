/**
 * The constructor arguments of mindspore.nn.InstanceNorm{1,2,3}d with MindSpore 2.6.0's checks in
 * MindSpore's order, raising its error classes with its messages:
 *   0. `@cell_attr_register` binds the call with `inspect.signature(...).bind` first, so binding
 *      errors are inspect's (`missing a required argument: 'num_features'`);
 *   1. `_InstanceNorm.__init__`: the types of num_features, eps, momentum, affine, gamma_init,
 *      beta_init (`check_value_type`, `check_types_valid`), then `num_features < 1`, then the
 *      momentum range (this module's `constructorSchema`);
 *   2. the Parameters (`initializer` errors: the dtype, unchecked until then, at the first one;
 *      then gamma's before beta's; instancenorm.ts);
 *   3. `P.InstanceNorm(epsilon=eps, ...)`: the eps range, in the primitive's words (`epsilonSchema`).
 *
 * Python ints and floats: JavaScript has one number type, so the facade cannot see that Python's
 * `eps=1` is an int (which MindSpore rejects). Every JS number is taken as a Python float for eps
 * and momentum, and a JS BigInt as a Python int (`eps: 1n` is rejected as MindSpore rejects `1`).
 * NaN is a float that both of MindSpore's range checks let through (every comparison with it is
 * false), so `eps: NaN` and `momentum: NaN` are accepted, as in MindSpore.
 */
import { z } from 'zod';
import { Tensor } from '../core/tensor';
import type { DType } from '../core/dtype';
import { bindArgumentsLikeInspect, type PyArgs, type PySignature } from '../core/python-args';
import { pyFloat, pyTypeName } from '../core/python';
import { parseOrThrow, raises } from '../core/validate';
import { msDTypeName } from './cell';
import { pyIntArg, typeMessage } from './checkparam';
import { isInitSpec, type InitSpec } from './initializer';

export const PARAMS = ['num_features', 'eps', 'momentum', 'affine', 'gamma_init', 'beta_init', 'dtype'] as const;
const SIGNATURE: PySignature<(typeof PARAMS)[number]> = { qualname: '_InstanceNorm.__init__', params: PARAMS, required: 1 };

const pyFloatArg = (cls: string, arg: string) =>
  z.custom<number>((v) => typeof v === 'number', { error: typeMessage(cls, arg, 'float'), params: raises('TypeError') });

/** `check_types_valid`: Tensor, numbers.Number, str or Initializer; a Tensor must be float32. */
const initSpec = (cls: string, arg: string) =>
  z
    .custom<InitSpec>(isInitSpec, {
      error: (iss) => `For '${cls}', the type of '${arg}' must be in [Tensor, numbers.Number, str, Initializer], but got type ${pyTypeName(iss.input)}.`,
      params: raises('TypeError'),
    })
    .refine((v) => !(v instanceof Tensor) || v.dtype === 'float32', {
      error: (iss) => `For '${cls}', the type of '${arg}' must be float32, but got ${msDTypeName((iss.input as Tensor).dtype)}.`,
      params: raises('TypeError'),
      abort: true,
    });

function constructorSchema(cls: string) {
  const types = z.object({
    num_features: pyIntArg(cls, 'num_features'),
    eps: pyFloatArg(cls, 'eps').default(1e-5),
    momentum: pyFloatArg(cls, 'momentum').default(0.1),
    affine: z.custom<boolean>((v) => typeof v === 'boolean', { error: typeMessage(cls, 'affine', 'bool'), params: raises('TypeError') }).default(true),
    gamma_init: initSpec(cls, 'gamma_init').default('ones'),
    beta_init: initSpec(cls, 'beta_init').default('zeros'),
    // `__init__` hands dtype to `initializer` unchecked (normalization.py@v2.6.0:906-912).
    dtype: z.custom<DType>(() => true).default('float32'),
  });
  // Range checks run only once every type is right, as in MindSpore's __init__.
  return types
    .refine((o) => o.num_features >= 1, {
      error: (iss) => `For '${cls}', the 'num_features' must be at least 1, but got ${(iss.input as { num_features: number }).num_features}.`,
    })
    .refine((o) => !(o.momentum < 0 || o.momentum > 1), {
      error: (iss) => `For '${cls}', the 'momentum' must be a number in range [0, 1], but got ${pyFloat((iss.input as { momentum: number }).momentum)}.`,
    });
}

/** `P.InstanceNorm`'s `check_float_range(epsilon, 0, 1, INC_RIGHT, 'epsilon', 'InstanceNorm')`. */
const epsilonSchema = z.custom<number>((v) => typeof v === 'number').refine((eps) => !(eps <= 0 || eps > 1), {
  error: (iss) => `For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got ${pyFloat(iss.input as number)} with type 'float'.`,
});

const schemas = new Map<string, ReturnType<typeof constructorSchema>>();

/** The constructor's arguments after parsing, defaults filled in (not core's InstanceNormOptions). */
export type InstanceNormConfig = z.output<ReturnType<typeof constructorSchema>>;
export type InstanceNormKeywords = {
  num_features?: number | bigint;
  eps?: number;
  momentum?: number;
  affine?: boolean;
  gamma_init?: InitSpec;
  beta_init?: InitSpec;
  dtype?: DType;
};
export type InstanceNormArgs = PyArgs<
  [num_features: number | bigint, eps: number, momentum: number, affine: boolean, gamma_init: InitSpec, beta_init: InitSpec, dtype: DType],
  InstanceNormKeywords
>;

/** Binds the call shape and runs `_InstanceNorm.__init__`'s own checks. */
export function parseOptions(cls: string, args: readonly unknown[]): InstanceNormConfig {
  const bound = bindArgumentsLikeInspect(SIGNATURE, args);
  let schema = schemas.get(cls);
  if (!schema) schemas.set(cls, (schema = constructorSchema(cls)));
  return parseOrThrow(schema, bound);
}

/** The primitive's eps check, run after the Parameters exist (MindSpore builds `P.InstanceNorm` last). */
export function checkEpsilon(eps: number): void {
  parseOrThrow(epsilonSchema, eps);
}
