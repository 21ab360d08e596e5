/**
 * What the playground's text fields mean: an argument is a Python literal (read by the porting
 * rules' own `pyValue`, so the verdict and the facades see the same value), the input tensor a
 * nested list as numpy prints or takes it. Failures are the errors Python or numpy would raise.
 */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { Tensor, type NestedNumbers } from '../core/tensor';
import { pyValue } from '../mapping';

/** A typed argument: absent (the field is empty), a value for the facade, or the error Python would raise. */
export type ArgumentText = { kind: 'absent' } | { kind: 'value'; value: number | boolean | string | null } | { kind: 'error'; error: Error };

export function readArgument(text: string): ArgumentText {
  const source = text.trim();
  if (source === '') return { kind: 'absent' };
  const value = pyValue(source);
  if (value.kind === 'literal') return { kind: 'value', value: value.value };
  if (value.kind === 'name') {
    // `torch.float32`, `mstype.float16`: the facades take a dtype by its name, the last part.
    if (value.parts.length > 1) return { kind: 'value', value: value.parts[value.parts.length - 1] };
    return { kind: 'error', error: named('NameError', `name '${value.parts[0]}' is not defined`) };
  }
  return {
    kind: 'error',
    error: named('SyntaxError', `the playground reads literals (2, 1e-5, True, None, 'ones') and dotted names (mstype.float32), not ${source}`),
  };
}

/**
 * A call's keywords for the facade, from the typed text of each argument; the first argument
 * Python could not evaluate throws its error, as `m = nn.X(...)` would before constructing anything.
 */
export function readKeywords(texts: Readonly<Record<string, string>>): Record<string, unknown> {
  const keywords: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(texts)) {
    const arg = readArgument(text);
    if (arg.kind === 'error') throw arg.error;
    if (arg.kind === 'value') keywords[name] = arg.value;
  }
  return keywords;
}

/** Python errors the facades never raise, so core has no class for them: a plain Error with Python's name. */
function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** `TypeError: message` as Python prints the last line of a traceback. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `Error: ${String(err)}`;
}

// ---------------------------------------------------------------- the input tensor

const NUMBER = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|nan)$/i;

/**
 * A float32 tensor from `[[0.7, 0.5], [0.5, 0.4]]` or numpy's print of it (`[[0.7 0.5]\n [0.5 0.4]]`);
 * `nan`, `inf` and `-inf` as numpy prints them. Ragged nesting is core's ValueError.
 */
export function readTensor(text: string): Tensor<'float32'> {
  const tokens = text.match(/\[|\]|,|[^\s[\],]+/g) ?? [];
  if (tokens.length === 0) throw new ValueError('the input tensor is empty: type a nested list such as [[[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]]');
  let at = 0;
  const fail = (what: string): never => {
    throw new ValueError(`could not read the input tensor: ${what}`);
  };
  const value = (): NestedNumbers => {
    const token = tokens[at++];
    if (token === undefined) return fail("a ']' is missing at the end");
    if (token === '[') {
      const items: NestedNumbers[] = [];
      while (tokens[at] !== ']') {
        if (tokens[at] === undefined) fail("a ']' is missing at the end");
        items.push(value());
        if (tokens[at] === ',') at++;
      }
      at++;
      return items;
    }
    if (!NUMBER.test(token)) fail(`'${token}' is not a number`);
    return Number(token.replace(/^([+-]?)inf$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN'));
  };
  const nested = value();
  if (at < tokens.length) fail(`unexpected '${tokens[at]}' after the closing ']'`);
  return Tensor.from(nested, { dtype: 'float32' });
}

/** The text the input field starts with: the example's values as the page's code writes them (a Python list). */
export function tensorText(values: unknown): string {
  return pyRepr(values);
}
