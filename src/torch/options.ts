/**
 * The constructor arguments of torch.nn.InstanceNorm{1,2,3}d: Python's call shapes, PyTorch's
 * defaults, and one zod schema. PyTorch validates nothing here; the facade rejects, naming the
 * argument and the value, only what could fail later or give garbage (mapping.json lists each
 * place it is stricter than PyTorch).
 */
import { z } from 'zod';
import { bindArguments, type PyArgs, type PySignature } from '../core/python-args';
import { pyRepr, pyTypeName } from '../core/python';
import { parseOrThrow, raises } from '../core/validate';

export const PARAMS = ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats', 'device', 'dtype'] as const;

const SIGNATURE: PySignature<(typeof PARAMS)[number]> = { qualname: '_InstanceNorm.__init__', params: PARAMS, required: 1 };

function described(name: string, allowed: string) {
  return (iss: { input: unknown }) => `argument '${name}' must be ${allowed}, but got ${pyRepr(iss.input)} (${pyTypeName(iss.input)})`;
}

const finiteNumber = (name: string, allowed: string) =>
  z.number({ error: described(name, allowed) }).refine((v) => !Number.isNaN(v), { error: described(name, allowed), params: raises('ValueError') });

export const optionsSchema = z.object({
  num_features: z
    .number({ error: described('num_features', 'a positive int') })
    .refine(Number.isInteger, { error: described('num_features', 'a positive int'), params: raises('TypeError') })
    .refine((v) => v >= 1, { error: described('num_features', 'a positive int') }),
  eps: finiteNumber('eps', 'a non-negative float').refine((v) => v >= 0, { error: described('eps', 'a non-negative float') }).default(1e-5),
  momentum: finiteNumber('momentum', 'a float or None').nullable().default(0.1),
  affine: z.boolean({ error: described('affine', 'a bool') }).default(false),
  track_running_stats: z.boolean({ error: described('track_running_stats', 'a bool') }).default(false),
  device: z.literal('cpu', { error: described('device', "'cpu' or None (the facade computes on the CPU)") }).nullable().default(null),
  dtype: z.enum(['float32', 'float64'], { error: described('dtype', "'float32', 'float64' or None") }).nullable().default(null),
});

export type InstanceNormOptions = z.output<typeof optionsSchema>;
export type InstanceNormKeywords = Partial<z.input<typeof optionsSchema>>;

/** `(num_features, eps, momentum, affine, track_running_stats, device, dtype)`, positional and/or keyword. */
export type InstanceNormArgs =
  | PyArgs<[num_features: number, eps: number, momentum: number | null, affine: boolean, track_running_stats: boolean, device: 'cpu' | null, dtype: 'float32' | 'float64' | null], InstanceNormKeywords>;

export function parseOptions(clsName: string, args: readonly unknown[]): InstanceNormOptions {
  const bound = bindArguments(SIGNATURE, args);
  try {
    return parseOrThrow(optionsSchema, bound);
  } catch (err) {
    (err as Error).message = `${clsName}(): ${(err as Error).message}`;
    throw err;
  }
}
