/**
 * The checks of MindSpore 2.6.0's `_checkparam.py` that layer constructors call, as zod schemas
 * raising MindSpore's error classes with its messages (prefix `For '<cls>', the ...`).
 */
import { z } from 'zod';
import { isPyInt, pyStr, pyTypeName } from '../core/python';
import { raises } from '../core/validate';

/** `check_value_type`'s message (_checkparam.py@v2.6.0:733-736): `For 'Cls', the type of 'arg' should be 'int', but got type 'bool'.` */
export const typeMessage = (cls: string, arg: string, expected: string) => (iss: { input: unknown }) =>
  `For '${cls}', the type of '${arg}' should be '${expected}', but got type '${pyTypeName(iss.input)}'.`;

/** `check_value_type(arg, value, [int], cls)` (:723-746): a Python int (a bool is refused), as a JS number. */
export const pyIntArg = (cls: string, arg: string) =>
  z.custom<number | bigint>(isPyInt, { error: typeMessage(cls, arg, 'int'), params: raises('TypeError') }).transform(Number);

/**
 * `check_string(value, valid_values, arg, cls)` (:543-559): a str among `valid`, compared as is;
 * the message prints the list and the value with Python's `str`.
 */
export const stringIn = <V extends string>(cls: string, arg: string, valid: readonly V[]) =>
  z.custom<V>((v) => typeof v === 'string' && (valid as readonly string[]).includes(v), {
    error: (iss) => `For '${cls}', the '${arg}' must be str and must be in '[${valid.map((v) => `'${v}'`).join(', ')}]', but got '${pyStr(iss.input)}'.`,
  });
