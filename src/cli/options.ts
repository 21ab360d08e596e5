/** Option values several commands share, checked and worded one way: '--NAME must be ..., got VALUE'. */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { FRAMEWORKS, type Framework } from '../mapping';

/** `--to` / `--api`: one of the mapping's frameworks; `missing` says what a user who gave none should know. */
export function frameworkOption(value: unknown, option: string, missing = 'nothing'): Framework {
  if (FRAMEWORKS.includes(value as Framework)) return value as Framework;
  throw new ValueError(`${option} must be ${FRAMEWORKS.join(' or ')}, got ${value === undefined ? missing : pyRepr(value)}`);
}
