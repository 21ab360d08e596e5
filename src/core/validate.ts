/**
 * zod validation whose failures become the frameworks' exceptions. Each schema states, per check,
 * which Python error class it raises and its message (zod's `error` option, or a refinement's
 * `params.pyError`); this module only runs the schema and raises the first issue.
 */
import { z } from 'zod';
import { pyError, type PyErrorName } from './errors';

/** Attach to a refinement: `{ params: raises('ValueError') }`. */
export function raises(pyErrorName: PyErrorName): { pyError: PyErrorName } {
  return { pyError: pyErrorName };
}

/** Runs `schema` and returns its output, or throws the Python error of the first failed check. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw pyError(errorClassOf(issue), issue.message);
}

/** Type mismatches are TypeErrors; range and value checks are ValueErrors, unless a check says otherwise. */
function errorClassOf(issue: z.core.$ZodIssue): PyErrorName {
  const declared = (issue as { params?: { pyError?: PyErrorName } }).params?.pyError;
  if (declared) return declared;
  return issue.code === 'invalid_type' || issue.code === 'unrecognized_keys' ? 'TypeError' : 'ValueError';
}
