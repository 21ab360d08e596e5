/**
 * Python's text for values, so that messages and reprs read exactly as the frameworks print them.
 * JS's own number formatting differs (`1e-5` prints as `0.00001`, `1` for `1.0`).
 */

/** Python `repr(float)`: shortest round-trip digits, exponent iff exp < -4 or exp >= 16. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest round-trip digits, as Python's repr does.
  const [mantissa, expText] = value.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${frac}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart || '0'}`;
}

/** Python `repr()` of a JS value as a Python user would have written it. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pyFloat(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const text = String(value);
    if (text !== '[object Object]') return text;
    return `{${Object.entries(value).map(([k, v]) => `'${k}': ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** Python `repr()` of a tuple: `(3,)`, `(2, 3)`, `()` (how shapes print). */
export function pyTuple(items: readonly unknown[]): string {
  return items.length === 1 ? `(${pyRepr(items[0])},)` : `(${items.map(pyRepr).join(', ')})`;
}

/** A Python int after a faithful port: an integral JS number or a BigInt (booleans are not). */
export function isPyInt(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
}

/** Python `repr()` of a value that is a float in Python (an integral JS number still prints `1.0`). */
export function pyFloatOrNone(value: number | null | undefined): string {
  return value === null || value === undefined ? 'None' : pyFloat(value);
}

/** The Python type name a JS value would have after a faithful port (`type(x).__name__`). */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
  }
  if (Array.isArray(value)) return 'list';
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return 'dict';
  return (value as object).constructor?.name ?? 'object';
}

/** Python `str()` of a JS value: a string as it is, anything else as its repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/**
 * Python truthiness (`if value:`): None, False, 0, '' and empty lists/dicts (arrays, plain
 * objects, Maps, Sets) are false, everything else true; unlike JS, NaN is true.
 */
export function pyTruthy(value: unknown): boolean {
  if (typeof value === 'number') return value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (value !== null && typeof value === 'object' && pyTypeName(value) === 'dict') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** The type named in messages: Python's, but a BigInt is named as such, since 1n passes for 1 in pyRepr. */
export function typeLabel(value: unknown): string {
  return typeof value === 'bigint' ? 'BigInt' : pyTypeName(value);
}

/** `repr(value) (type)`, cut short: a value may be a huge nested list. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = pyRepr(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  return `${text} (${typeLabel(value)})`;
}
