/**
 * The value expressions of porting writes (`{ "expr": "1 - value" }`): arithmetic on the source
 * argument's value, for conventions that differ by a formula (MindSpore BatchNorm's momentum is
 * PyTorch's 1 - momentum). Numbers, `value`, + - * / and parentheses; nothing else parses, so a
 * mapping.json typo fails its validation instead of writing nonsense.
 */
type Node = { kind: 'number'; value: number } | { kind: 'value' } | { kind: 'negate'; operand: Node } | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node };

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(value)\b|([-+*/()]))/y;

export class ExpressionError extends Error {}

/** Parses an expression in `value`; ExpressionError says where it stops making sense. */
export function parseExpression(text: string): Node {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new ExpressionError(`cannot read ${JSON.stringify(text.slice(at).trim())} in ${JSON.stringify(text)}`);
    }
    tokens.push(m[1] ?? m[2] ?? m[3]);
  }
  let i = 0;
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} in ${JSON.stringify(text)}`);
  };
  const primary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) return fail('unexpected end');
    if (t === 'value') return { kind: 'value' };
    if (t === '-') return { kind: 'negate', operand: primary() };
    if (t === '(') {
      const inner = sum();
      if (tokens[i++] !== ')') fail("missing ')'");
      return inner;
    }
    if (/^[\d.]/.test(t)) return { kind: 'number', value: Number(t) };
    return fail(`unexpected '${t}'`);
  };
  const product = (): Node => {
    let left = primary();
    while (tokens[i] === '*' || tokens[i] === '/') left = { kind: 'binary', op: tokens[i++] as '*' | '/', left, right: primary() };
    return left;
  };
  const sum = (): Node => {
    let left = product();
    while (tokens[i] === '+' || tokens[i] === '-') left = { kind: 'binary', op: tokens[i++] as '+' | '-', left, right: product() };
    return left;
  };
  const tree = sum();
  if (i < tokens.length) fail(`unexpected '${tokens[i]}'`);
  return tree;
}

/** The expression's value for `value`, in float64 as Python evaluates it. */
export function evaluate(node: Node, value: number): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'value':
      return value;
    case 'negate':
      return -evaluate(node.operand, value);
    case 'binary': {
      const a = evaluate(node.left, value);
      const b = evaluate(node.right, value);
      return node.op === '+' ? a + b : node.op === '-' ? a - b : node.op === '*' ? a * b : a / b;
    }
  }
}

/** The expression as Python source with `value` replaced by `source` (parenthesized unless it is one token). */
export function substitute(text: string, source: string): string {
  const operand = /^[\w.]+$/.test(source.trim()) ? source.trim() : `(${source.trim()})`;
  return text.replace(/\bvalue\b/g, operand);
}
