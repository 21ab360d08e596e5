/**
 * The constructor arguments of mindspore.nn.BatchNorm{1,2,3}d with MindSpore 2.6.0's checks in
 * its order, raising its error classes with its messages:
 *   0. BatchNorm1d/2d: `@cell_attr_register` binds the call with `inspect.signature(...).bind`
 *      (_extends/utils.py@v2.6.0:42), so binding errors are inspect's; BatchNorm3d's `__init__` is
 *      not decorated (normalization.py@v2.6.0:443-453), so its errors are a plain Python call's,
 *      and it then builds a BatchNorm2d child with every argument by keyword (:456-466), whose
 *      checks (and messages, naming 'BatchNorm2d') do the rest;
 *   1. `_BatchNorm.__init__` (normalization.py@v2.6.0:69-83): num_features's type, then `< 1`, then
 *      the momentum range (Python's own TypeError for a momentum that does not compare with an
 *      int), then data_format (called 'format'), then NHWC off GPU, then use_batch_statistics
 *      (`constructorSchema`);
 *   2. the four Parameters, moving_mean first (`initializer` errors, dtype's at the first one;
 *      `requires_grad=affine` checked when gamma is built; batchnorm.ts).
 * eps, affine, the initializers and dtype are stored unchecked at step 1: MindSpore checks eps only
 * in the primitive, at the first forward.
 *
 * JS numbers: as for InstanceNorm, a JS number is a Python float for eps and momentum, a BigInt a
 * Python int, a boolean a Python bool (which compares as 0 or 1, so momentum=True passes).
 */
import { z } from 'zod';
import type { DType } from '../core/dtype';
import { bindArguments, bindArgumentsLikeInspect, type PyArgs, type PySignature } from '../core/python-args';
import { pyFloat, pyStr, pyTypeName } from '../core/python';
import { parseOrThrow, raises } from '../core/validate';
import { pyIntArg, stringIn } from './checkparam';
import type { InitSpec } from './initializer';

export const PARAMS = [
  'num_features',
  'eps',
  'momentum',
  'affine',
  'gamma_init',
  'beta_init',
  'moving_mean_init',
  'moving_var_init',
  'use_batch_statistics',
  'data_format',
  'dtype',
] as const;
/** BatchNorm3d's signature: the same without data_format (normalization.py@v2.6.0:443-453). */
export const PARAMS_3D = PARAMS.filter((p) => p !== 'data_format') as Exclude<(typeof PARAMS)[number], 'data_format'>[];

const SIGNATURE: PySignature<(typeof PARAMS)[number]> = { qualname: '_BatchNorm.__init__', params: PARAMS, required: 1 };
const SIGNATURE_3D: PySignature<(typeof PARAMS_3D)[number]> = { qualname: 'BatchNorm3d.__init__', params: PARAMS_3D, required: 1 };

export const DATA_FORMATS = ['NCHW', 'NHWC'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/**
 * `context.get_context("device_target")` as this facade answers it: it mirrors MindSpore on CPU,
 * whose BatchNorm kernel it computes (ops/kernel/cpu/mkldnn/batch_norm_cpu_kernel.cc@v2.6.0).
 */
export const DEVICE_TARGET: string = 'CPU';

/** Python's `str()` of a number: a JS number is a float here, a BigInt an int. */
const numberText = (v: number | bigint | boolean): string => (typeof v === 'number' ? pyFloat(v) : pyStr(v));

const isPyNumber = (v: unknown): v is number | bigint | boolean => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';

/** `if momentum < 0 or momentum > 1: raise ValueError(...)` (normalization.py@v2.6.0:73-75); NaN compares false and passes. */
const momentumArg = (cls: string) =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      if (!isPyNumber(v)) {
        ctx.addIssue({ code: 'custom', message: `'<' not supported between instances of '${pyTypeName(v)}' and 'int'`, params: raises('TypeError') });
      } else if (Number(v) < 0 || Number(v) > 1) {
        ctx.addIssue({ code: 'custom', message: `For '${cls}', the 'momentum' must be a number in range [0, 1], but got ${numberText(v)}.` });
      }
    })
    .transform((v) => Number(v));

function constructorSchema(cls: string) {
  // Keys in the order __init__ checks them: zod reports the first failing key first.
  return z.object({
    num_features: pyIntArg(cls, 'num_features').refine((n) => n >= 1, {
      error: (iss) => `For '${cls}', the 'num_features' must be at least 1, but got ${iss.input}.`,
    }),
    momentum: momentumArg(cls).default(0.9),
    data_format: stringIn(cls, 'format', DATA_FORMATS)
      .refine((f) => !(DEVICE_TARGET !== 'GPU' && f === 'NHWC'), {
        error: `For '${cls}', the 'NHWC' format only support in GPU target, but got device target ${DEVICE_TARGET}.`,
      })
      .default('NCHW'),
    use_batch_statistics: z
      .custom<boolean | null>((v) => v === null || typeof v === 'boolean', {
        error: (iss) => `For '${cls}', the 'use_batch_statistics' must be a boolean value or None, but got ${pyStr(iss.input)}.`,
      })
      .default(null),
    // Stored or handed on unchecked (normalization.py@v2.6.0:84-97).
    eps: z.custom<number>(() => true).default(1e-5),
    affine: z.custom<boolean>(() => true).default(true),
    gamma_init: z.custom<InitSpec>(() => true).default('ones'),
    beta_init: z.custom<InitSpec>(() => true).default('zeros'),
    moving_mean_init: z.custom<InitSpec>(() => true).default('zeros'),
    moving_var_init: z.custom<InitSpec>(() => true).default('ones'),
    dtype: z.custom<DType>(() => true).default('float32'),
  });
}

const schemas = new Map<string, ReturnType<typeof constructorSchema>>();

/** The constructor's arguments after `_BatchNorm.__init__`'s own checks, defaults filled in. */
export type BatchNormConfig = z.output<ReturnType<typeof constructorSchema>>;

export type BatchNormKeywords = {
  num_features?: number | bigint;
  eps?: number;
  momentum?: number;
  affine?: boolean;
  gamma_init?: InitSpec;
  beta_init?: InitSpec;
  moving_mean_init?: InitSpec;
  moving_var_init?: InitSpec;
  use_batch_statistics?: boolean | null;
  data_format?: DataFormat;
  dtype?: DType;
};
/** The positional parameters both signatures start with. */
type Leading = [
  num_features: number | bigint,
  eps: number,
  momentum: number,
  affine: boolean,
  gamma_init: InitSpec,
  beta_init: InitSpec,
  moving_mean_init: InitSpec,
  moving_var_init: InitSpec,
  use_batch_statistics: boolean | null,
];
export type BatchNormArgs = PyArgs<[...Leading, data_format: DataFormat, dtype: DType], BatchNormKeywords>;
export type BatchNorm3dKeywords = Omit<BatchNormKeywords, 'data_format'>;
export type BatchNorm3dArgs = PyArgs<[...Leading, dtype: DType], BatchNorm3dKeywords>;

/** Binds the call as `@cell_attr_register` does and runs `_BatchNorm.__init__`'s argument checks. */
export function parseOptions(cls: string, args: readonly unknown[]): BatchNormConfig {
  const bound = bindArgumentsLikeInspect(SIGNATURE, args);
  let schema = schemas.get(cls);
  if (!schema) schemas.set(cls, (schema = constructorSchema(cls)));
  return parseOrThrow(schema, bound);
}

/** Binds BatchNorm3d's call as Python binds an undecorated `__init__`: the given arguments by name. */
export function bind3d(args: readonly unknown[]): BatchNorm3dKeywords {
  return bindArguments(SIGNATURE_3D, args) as BatchNorm3dKeywords;
}
