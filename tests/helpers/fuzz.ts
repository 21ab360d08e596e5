/**
 * The argument fuzz's shared parts: wrong values of every JS kind, and the judge of an outcome
 * (a Python error naming the argument and the value, or acceptance where the framework accepts).
 */
import { Tensor, isPyError } from '../../src';
import { pyFloat, pyRepr, pyTypeName } from '../../src/core/python';
import { isKeywordObject } from '../../src/core/python-args';

export const WRONG: [string, unknown][] = [
  ['string', 'abc'],
  ['empty string', ''],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['negative int', -1],
  ['negative float', -0.5],
  ['zero', 0],
  ['non-integer', 2.5],
  ['huge', 2 ** 40],
  ['BigInt', 3n],
  ['negative BigInt', -2n],
  ['null', null],
  ['object', { a: 1 }],
  ['array', [1, 2]],
  ['nested array', [[1], [2]]],
  ['true', true],
  ['false', false],
  ['function', () => 1],
  ['symbol', Symbol('s')],
  ['Map', new Map()],
  ['wrong-shape Tensor', Tensor.from([1, 2, 3])],
  ['float64 Tensor', Tensor.from([1, 2], { dtype: 'float64' })],
];

/** Marks the text a message must contain when the value has no repr of its own (e.g. a position). */
export class Mention {
  constructor(readonly text: string) {}
}

/** Whether `message` shows `value`: its repr, its Python type, or one of `extra(value)` (a framework's own spelling). */
export function mentionsValue(message: string, value: unknown, extra: (value: unknown) => string[] = () => []): boolean {
  if (value instanceof Mention) return message.includes(value.text);
  const texts = [pyTypeName(value), typeof value === 'symbol' ? String(value) : pyRepr(value)];
  if (typeof value === 'number') texts.push(pyFloat(value));
  if (value instanceof Tensor) texts.push(`[${value.shape.join(', ')}]`, value.dtype, value.dtype.charAt(0).toUpperCase() + value.dtype.slice(1));
  texts.push(...extra(value));
  return texts.some((t) => message.includes(t));
}

/**
 * The calls that pass `value` as parameter `index` (`param`) of a constructor: by keyword (beside
 * num_features 2), and positionally after the `valid` values before it. A trailing plain object is
 * the keyword arguments by this package's call convention, so a plain object cannot be passed
 * positionally; every other value is tried both ways.
 */
export function callShapes(param: string, index: number, valid: readonly unknown[], value: unknown): [string, unknown[]][] {
  const positional = valid.slice(0, index + 1);
  positional[index] = value;
  const shapes: [string, unknown[]][] = [['keyword', param === 'num_features' ? [{ num_features: value }] : [2, { [param]: value }]]];
  if (!isKeywordObject(value)) shapes.push(['positional', positional]);
  return shapes;
}

export type Outcome = { ok: true } | { ok: false; err: unknown };
export function run(fn: () => unknown): Outcome {
  try {
    fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, err };
  }
}

/** Why an outcome is wrong, or null when it is right (`accepted`: the framework accepts the value). */
export function judge(outcome: Outcome, accepted: boolean, names: string[], value: unknown, extra?: (value: unknown) => string[]): string | null {
  if (accepted) return outcome.ok ? null : `the framework accepts this, but it raised ${(outcome.err as Error).name}: ${(outcome.err as Error).message}`;
  if (outcome.ok) return 'accepted, expected an error';
  const err = outcome.err as Error;
  if (!isPyError(err)) return `bare ${(outcome.err as Error)?.name}: ${(outcome.err as Error)?.message}`;
  if (!names.some((n) => err.message.includes(n))) return `message does not name the argument: ${err.message}`;
  if (!mentionsValue(err.message, value, extra)) return `message does not name the value: ${err.message}`;
  return null;
}

