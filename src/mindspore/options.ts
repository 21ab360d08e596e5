/**
 * The constructor arguments of mindspore.nn.InstanceNorm{1,2,3}d with MindSpore's checks in
 * MindSpore's order (all type checks, then ranges, then the primitive's eps range), raising its
 * error classes with its r2.x messages.
 *
 * JavaScript has one number type, so the facade cannot see that Python's `eps=1` is an int (which
 * MindSpore rejects): every JS number is taken as a Python float here. mapping.json records this,
 * and `port` rewrites integer literals for eps/momentum when porting Python code to MindSpore.
 */
import { z } from 'zod';
import { Tensor } from '../core/tensor';
import { bindArguments, type PyArgs, type PySignature } from '../core/python-args';
import { pyFloat, pyTypeName } from '../core/python';
import { parseOrThrow, raises } from '../core/validate';
import { msDTypeName } from './cell';
import { Initializer, type InitSpec } from './initializer';

export const PARAMS = ['num_features', 'eps', 'momentum', 'affine', 'gamma_init', 'beta_init', 'dtype'] as const;
const SIGNATURE: PySignature<(typeof PARAMS)[number]> = { qualname: '_InstanceNorm.__init__', params: PARAMS, required: 1 };

/** `validator.check_value_type` (bool is rejected where int is asked for, as MindSpore does). */
const typeMessage = (cls: string, arg: string, expected: string) => (iss: { input: unknown }) =>
  `For '${cls}', the type of '${arg}' should be '${expected}', but got type '${pyTypeName(iss.input)}'.`;

const initSpec = (cls: string, arg: string) =>
  z
    .custom<InitSpec>((v) => v instanceof Tensor || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v instanceof Initializer, {
      error: (iss) => `For '${cls}', the type of '${arg}' must be in [Tensor, numbers.Number, str, Initializer], but got type ${pyTypeName(iss.input)}.`,
    })
    .refine((v) => !(v instanceof Tensor) || v.dtype === 'float32', {
      error: (iss) => `For '${cls}', the type of '${arg}' must be float32, but got ${msDTypeName((iss.input as Tensor).dtype)}.`,
      params: raises('TypeError'),
    });

function schemaFor(cls: string) {
  const types = z.object({
    num_features: z.number({ error: typeMessage(cls, 'num_features', 'int') }).refine(Number.isInteger, {
      error: typeMessage(cls, 'num_features', 'int'),
      params: raises('TypeError'),
    }),
    eps: z.number({ error: typeMessage(cls, 'eps', 'float') }).default(1e-5),
    momentum: z.number({ error: typeMessage(cls, 'momentum', 'float') }).default(0.1),
    affine: z.boolean({ error: typeMessage(cls, 'affine', 'bool') }).default(true),
    gamma_init: initSpec(cls, 'gamma_init').default('ones'),
    beta_init: initSpec(cls, 'beta_init').default('zeros'),
    dtype: z.enum(['float32', 'float16', 'float64']).default('float32'),
  });
  // Range checks run only once every type is right, as in MindSpore's __init__.
  return types
    .refine((o) => o.num_features >= 1, {
      error: (iss) => `For '${cls}', the 'num_features' must be at least 1, but got ${(iss.input as { num_features: number }).num_features}.`,
    })
    .refine((o) => !(o.momentum < 0 || o.momentum > 1), {
      error: (iss) => `For '${cls}', the 'momentum' must be a number in range [0, 1], but got ${pyFloat((iss.input as { momentum: number }).momentum)}.`,
    })
    .refine((o) => o.eps > 0 && o.eps <= 1, {
      // P.InstanceNorm's own check, so the message names the primitive, not the cell.
      error: (iss) => `For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got ${pyFloat((iss.input as { eps: number }).eps)} with type 'float'.`,
    });
}

const schemas = new Map<string, ReturnType<typeof schemaFor>>();

export type InstanceNormOptions = z.output<ReturnType<typeof schemaFor>>;
export type InstanceNormKeywords = Partial<z.input<ReturnType<typeof schemaFor>>>;
export type InstanceNormArgs = PyArgs<
  [num_features: number, eps: number, momentum: number, affine: boolean, gamma_init: InitSpec, beta_init: InitSpec, dtype: 'float32' | 'float16' | 'float64'],
  InstanceNormKeywords
>;

export function parseOptions(cls: string, args: readonly unknown[]): InstanceNormOptions {
  const bound = bindArguments(SIGNATURE, args);
  let schema = schemas.get(cls);
  if (!schema) schemas.set(cls, (schema = schemaFor(cls)));
  return parseOrThrow(schema, bound);
}
