/**
 * The constructor arguments of `_NormBase`'s layers (torch.nn.BatchNorm{1,2,3}d and
 * InstanceNorm{1,2,3}d): Python's call shapes, PyTorch's defaults, and one zod schema per family
 * (they differ in the defaults of affine and track_running_stats, and in the `__init__` Python names
 * in binding errors). PyTorch validates nothing here (`_NormBase.__init__` stores what it is
 * given); the facade rejects, naming the argument and the value, only what could fail later or
 * give garbage, the same for both families. Each place it is stricter than PyTorch is listed in
 * STRICTER_THAN_PYTORCH (and in mapping.json).
 */
import { z } from 'zod';
import { bindArguments, type PyArgs, type PySignature } from '../core/python-args';
import { pyRepr, typeLabel } from '../core/python';
import { parseOrThrow, raises } from '../core/validate';

export const PARAMS = ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats', 'device', 'dtype'] as const;


/** Where the facade refuses a value PyTorch's constructor accepts, and why (recorded in mapping.json). */
export const STRICTER_THAN_PYTORCH = [
  { argument: 'num_features', pytorch: 'stored unchecked; 0 gives empty parameters, a float or str works while affine=False and track_running_stats=False', facade: 'a positive integer (TypeError for non-integers and non-numbers, ValueError below 1)', why: 'any other value is unused at best and fails at the first forward or state_dict load otherwise' },
  { argument: 'eps', pytorch: 'stored unchecked; negative or NaN gives NaN outputs, None or a str fails at the first forward', facade: 'a finite number >= 0 (TypeError for non-numbers, ValueError for NaN, Infinity, negatives)', why: 'every rejected value produces NaN or a constant output, or fails later' },
  { argument: 'momentum', pytorch: 'stored unchecked; NaN or Infinity poisons the running stats, a str fails at the first forward', facade: 'a finite number or null (None)', why: 'non-finite values turn the running statistics into NaN/Infinity' },
  { argument: 'affine, track_running_stats', pytorch: 'any truthy/falsy object (1, 0, "yes")', facade: 'booleans only (TypeError)', why: 'the repr and state would carry the odd value; a JS boolean is what a port writes' },
  { argument: 'numbers given as booleans or BigInt', pytorch: 'bool and int are numbers in Python (eps=True means 1.0)', facade: 'TypeError', why: 'in JS these are almost always mistakes' },
  { argument: 'device', pytorch: "any torch device ('cuda', 0, torch.device(...))", facade: "'cpu' or null only (TypeError for non-strings, ValueError for other devices)", why: 'the facade computes on the CPU' },
  { argument: 'dtype', pytorch: 'any floating dtype (float16, bfloat16 too)', facade: "'float32', 'float64' or null", why: 'the facade computes in float32 and float64 only' },
  { argument: 'forward input dtype', pytorch: 'float16 and bfloat16 inputs run on the CPU (with float32 parameters)', facade: 'TypeError naming the dtype (integer inputs keep ATen\'s RuntimeError)', why: 'the facade computes in float32 and float64 only' },
  { argument: 'forward input', pytorch: 'anything with .dim() (an AttributeError otherwise)', facade: 'a Tensor, else TypeError naming the input', why: 'a nested list would otherwise fail deep inside' },
  { argument: 'load_state_dict strict', pytorch: 'any truthy/falsy value', facade: 'a boolean (TypeError)', why: 'strict=None silently meaning non-strict hides mistakes' },
  { argument: 'load_state_dict on error', pytorch: 'copies every valid tensor, then raises', facade: 'raises the same message and changes nothing', why: 'a half-loaded module is never useful, and a caller can fix the dict and retry' },
] as const;

/** `argument 'eps' must be ..., but got -1 (int)`. */
function described(name: string, allowed: string) {
  return (iss: { input: unknown }) => `argument '${name}' must be ${allowed}, but got ${pyRepr(iss.input)} (${typeLabel(iss.input)})`;
}

/** Any JS number, NaN and Infinity included (zod's z.number() calls those a wrong type; Python calls them floats). */
const anyNumber = (name: string, allowed: string) =>
  z.custom<number>((v) => typeof v === 'number', { error: described(name, allowed), params: raises('TypeError') });

/** A JS number that is finite: NaN and Infinity are ValueErrors (right type, wrong value). */
const finiteNumber = (name: string, allowed: string) =>
  anyNumber(name, allowed).refine((v) => Number.isFinite(v), { error: described(name, allowed), params: raises('ValueError') });

function optionsSchema(defaults: { affine: boolean; track_running_stats: boolean }) {
  return z.object({
    num_features: anyNumber('num_features', 'a positive int')
      .refine((v) => !Number.isFinite(v) || Number.isInteger(v), { error: described('num_features', 'a positive int'), params: raises('TypeError') })
      .refine((v) => Number.isSafeInteger(v) && v >= 1, { error: described('num_features', 'a positive int'), params: raises('ValueError') }),
    eps: finiteNumber('eps', 'a finite, non-negative float').refine((v) => v >= 0, { error: described('eps', 'a finite, non-negative float') }).default(1e-5),
    momentum: finiteNumber('momentum', 'a finite float or None').nullable().default(0.1),
    affine: z.boolean({ error: described('affine', 'a bool') }).default(defaults.affine),
    track_running_stats: z.boolean({ error: described('track_running_stats', 'a bool') }).default(defaults.track_running_stats),
    device: z
      .string({ error: described('device', "'cpu' or None") })
      .refine((v) => v === 'cpu', { error: described('device', "'cpu' or None (the facade computes on the CPU)"), params: raises('ValueError') })
      .nullable()
      .default(null),
    dtype: z
      .string({ error: described('dtype', "'float32', 'float64' or None") })
      .refine((v) => v === 'float32' || v === 'float64', { error: described('dtype', "'float32', 'float64' or None"), params: raises('ValueError') })
      .transform((v) => v as 'float32' | 'float64')
      .nullable()
      .default(null),
  });
}

/**
 * What differs between the families' `__init__`s (torch/nn/modules/batchnorm.py `_BatchNorm`,
 * instancenorm.py `_InstanceNorm`): the defaults, and the `__qualname__` binding errors name.
 */
export interface NormInit {
  qualname: string;
  schema: ReturnType<typeof optionsSchema>;
}

export const BATCH_NORM_INIT: NormInit = { qualname: '_BatchNorm.__init__', schema: optionsSchema({ affine: true, track_running_stats: true }) };
export const INSTANCE_NORM_INIT: NormInit = { qualname: '_InstanceNorm.__init__', schema: optionsSchema({ affine: false, track_running_stats: false }) };

/** The constructor's arguments after parsing, defaults filled in (not the core's options). */
export type NormConfig = z.output<ReturnType<typeof optionsSchema>>;
export type NormKeywords = Partial<z.input<ReturnType<typeof optionsSchema>>>;

/** `(num_features, eps, momentum, affine, track_running_stats, device, dtype)`, positional and/or keyword. */
export type NormArgs = PyArgs<
  [num_features: number, eps: number, momentum: number | null, affine: boolean, track_running_stats: boolean, device: 'cpu' | null, dtype: 'float32' | 'float64' | null],
  NormKeywords
>;

export function parseOptions(clsName: string, init: NormInit, args: readonly unknown[]): NormConfig {
  const bound = bindArguments({ qualname: init.qualname, params: PARAMS, required: 1 } satisfies PySignature<(typeof PARAMS)[number]>, args);
  try {
    return parseOrThrow(init.schema, bound);
  } catch (err) {
    (err as Error).message = `${clsName}(): ${(err as Error).message}`;
    throw err;
  }
}
