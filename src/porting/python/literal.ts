/**
 * The value of an argument's source text when it is a plain literal (`64`, `1e-3`, `-0.5`, `True`,
 * `None`, `'ones'`). Anything else (a variable, a call, an f-string) is not evaluated: the
 * caller treats it as unknown rather than guessing.
 */
import { parser } from '@lezer/python';
import type { SyntaxNode } from '@lezer/common';

export type PyLiteral = number | boolean | string | null;

export type Evaluated = { ok: true; value: PyLiteral; isInt: boolean } | { ok: false };

const UNKNOWN: Evaluated = { ok: false };

export function evaluateLiteral(text: string): Evaluated {
  // @lezer/python reads `1.` as an attribute access; Python reads a float.
  if (/^[+-]?\d[\d_]*\.$/.test(text.trim())) return { ok: true, value: Number(text.trim().replace(/_/g, '')), isInt: false };
  const script = parser.parse(text.trim()).topNode;
  const statement = script.firstChild;
  if (!statement || statement.nextSibling || statement.name !== 'ExpressionStatement') return UNKNOWN;
  const expr = statement.firstChild;
  if (!expr || expr.nextSibling) return UNKNOWN;
  return evaluate(text.trim(), expr);
}

function evaluate(text: string, node: SyntaxNode): Evaluated {
  const source = text.slice(node.from, node.to);
  switch (node.name) {
    case 'Number':
      return number(source);
    case 'Boolean':
      return { ok: true, value: source === 'True', isInt: false };
    case 'None':
      return { ok: true, value: null, isInt: false };
    case 'String':
      return string(source);
    case 'ParenthesizedExpression': {
      const inner = node.firstChild?.nextSibling;
      return inner && inner.nextSibling?.name === ')' ? evaluate(text, inner) : UNKNOWN;
    }
    case 'UnaryExpression': {
      const op = node.firstChild;
      const operand = op?.nextSibling;
      if (!op || !operand) return UNKNOWN;
      const inner = evaluate(text, operand);
      if (!inner.ok || typeof inner.value !== 'number') return UNKNOWN;
      const sign = text.slice(op.from, op.to);
      if (sign === '-') return { ...inner, value: -inner.value };
      return sign === '+' ? inner : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

function number(source: string): Evaluated {
  const digits = source.replace(/_/g, '');
  if (/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)$/.test(digits)) return { ok: true, value: Number(digits), isInt: true };
  if (/^\d+$/.test(digits)) return { ok: true, value: Number(digits), isInt: true };
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(digits)) return { ok: true, value: Number(digits), isInt: false };
  return UNKNOWN; // complex (1j) and anything else
}

function string(source: string): Evaluated {
  // Plain or raw single-line strings only; byte strings, f-strings and triple quotes are left alone.
  const m = /^([rR]?)(['"])(.*)\2$/s.exec(source);
  if (!m || m[3].includes(m[2]) || source.startsWith("'''") || source.startsWith('"""')) return UNKNOWN;
  if (m[1]) return { ok: true, value: m[3], isInt: false };
  if (m[3].includes('\\')) return UNKNOWN;
  return { ok: true, value: m[3], isInt: false };
}
