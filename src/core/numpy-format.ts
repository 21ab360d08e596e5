/**
 * numpy's `str(array)` (array2string with its defaults: precision 8, floatmode 'maxprec',
 * linewidth 75, threshold 1000, edgeitems 3), so printed tensors can be compared with the
 * printouts on the published pages character for character. Port of numpy/core/arrayprint.py.
 */
import { halfToNumber, numberToHalf, type DType } from './dtype';
import { rowMajorStrides } from './shape';

const PRECISION = 8;
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

type Formatter = (value: number) => string;

export function formatArray(values: readonly number[], shape: readonly number[], dtype: DType): string {
  const summarize = values.length > THRESHOLD;
  const shown = summarize ? edgeValues(values, shape) : values;
  const format = makeFormatter(shown, dtype);
  if (shape.length === 0) return format(values[0]);
  if (values.length === 0) return '[]';
  const strides = rowMajorStrides(shape);

  const recurse = (offset: number, axis: number, hangingIndent: string, width: number): string => {
    const axesLeft = shape.length - axis;
    const length = shape[axis];
    const showSummary = summarize && 2 * EDGE_ITEMS < length;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const trailing = showSummary ? EDGE_ITEMS : length;
    const nextIndent = hangingIndent + ' ';
    const nextWidth = width - 1;
    const item = (i: number): string =>
      axesLeft === 1 ? format(values[offset + i]) : recurse(offset + i * strides[axis], axis + 1, nextIndent, nextWidth);
    const indices = [...Array(leading).keys(), ...(showSummary ? [-1] : []), ...Array.from({ length: trailing }, (_, k) => length - trailing + k)];
    let s = '';
    if (axesLeft === 1) {
      const elemWidth = width - 1; // max(len(separator.rstrip()), len(']'))
      let line = hangingIndent;
      indices.forEach((i, k) => {
        const word = i === -1 ? '...' : item(i);
        const needsWrap = line.length + word.length > elemWidth && line.length > hangingIndent.length;
        if (needsWrap) {
          s += line.trimEnd() + '\n';
          line = hangingIndent;
        }
        line += word;
        if (k < indices.length - 1) line += ' ';
      });
      s += line;
    } else {
      const lineSep = '\n'.repeat(axesLeft - 1);
      indices.forEach((i, k) => {
        s += hangingIndent + (i === -1 ? '...' : item(i));
        if (k < indices.length - 1) s += lineSep;
      });
    }
    return '[' + s.slice(hangingIndent.length) + ']';
  };
  return recurse(0, 0, ' ', LINE_WIDTH);
}

/** The values numpy looks at to choose a format when it summarizes (the edge items of every axis). */
function edgeValues(values: readonly number[], shape: readonly number[]): number[] {
  const out: number[] = [];
  const strides = rowMajorStrides(shape);
  const walk = (offset: number, axis: number): void => {
    if (axis === shape.length) {
      out.push(values[offset]);
      return;
    }
    const n = shape[axis];
    const idx = 2 * EDGE_ITEMS < n ? [0, 1, 2, n - 3, n - 2, n - 1] : [...Array(n).keys()];
    for (const i of idx) walk(offset + i * strides[axis], axis + 1);
  };
  walk(0, 0);
  return out;
}

function makeFormatter(values: readonly number[], dtype: DType): Formatter {
  if (dtype === 'bool') {
    const t = values.length ? ' True' : 'True';
    return (v) => (v ? t : 'False');
  }
  if (dtype !== 'float16' && dtype !== 'bfloat16' && dtype !== 'float32' && dtype !== 'float64') {
    const width = Math.max(0, ...values.map((v) => String(v).length));
    return (v) => String(v).padStart(width);
  }
  return floatFormatter(values, dtype);
}

function floatFormatter(values: readonly number[], dtype: DType): Formatter {
  const roundTrips = roundTripper(dtype);
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let expFormat = false;
  if (nonZero.length) {
    const max = Math.max(...nonZero);
    const min = Math.min(...nonZero);
    expFormat = max >= 1e8 || min < 0.0001 || max / min > 1000;
  }
  let padLeft = 0;
  let padRight = 0;
  let format: Formatter;
  if (finite.length === 0) {
    format = () => '';
  } else if (expFormat) {
    const parts = finite.map((v) => splitScientific(shortestScientific(v, roundTrips)));
    const precision = Math.max(...parts.map((p) => p.frac.length));
    const expSize = Math.max(...parts.map((p) => p.exp.length));
    padLeft = Math.max(...parts.map((p) => p.int.length));
    padRight = expSize + 2 + precision;
    format = (v) => {
      // Dragon4's min_digits: digits past the shortest unique ones continue the exact value.
      const p = splitScientific(v.toExponential(precision), false);
      const exp = p.exp.slice(0, 1) + p.exp.slice(1).padStart(expSize - 1, '0');
      return `${p.int.padStart(padLeft)}.${p.frac}e${exp}`;
    };
  } else {
    const parts = finite.map((v) => splitPositional(shortestPositional(v, roundTrips)));
    padLeft = Math.max(...parts.map((p) => p.int.length));
    padRight = Math.max(...parts.map((p) => p.frac.length));
    format = (v) => {
      const p = splitPositional(shortestPositional(v, roundTrips));
      return `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight)}`;
    };
  }
  if (finite.length !== values.length) {
    const nonFinite = values.filter((v) => !Number.isFinite(v));
    const negInf = nonFinite.some((v) => v === -Infinity);
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + (negInf ? 1 : 0) - (padRight + 1));
  }
  const width = padLeft + padRight + 1;
  return (v) => {
    if (Number.isNaN(v)) return 'nan'.padStart(width);
    if (!Number.isFinite(v)) return (v < 0 ? '-inf' : 'inf').padStart(width);
    return format(v);
  };
}

/** Whether a decimal string reads back as exactly `v` in the array's dtype. */
function roundTripper(dtype: DType): (text: string, v: number) => boolean {
  switch (dtype) {
    case 'float32':
      return (text, v) => Math.fround(Number(text)) === v;
    case 'float16':
      return (text, v) => halfToNumber(numberToHalf(Number(text))) === v;
    default:
      return (text, v) => Number(text) === v;
  }
}

/** Dragon4 'unique' mode: the fewest significant digits that read back as v (at most 17). */
function shortestDigits(v: number, roundTrips: (text: string, v: number) => boolean): string {
  for (let p = 1; p <= 17; p++) {
    const text = v.toExponential(p - 1);
    if (roundTrips(text, v)) return text;
  }
  return v.toExponential(16);
}

function shortestScientific(v: number, roundTrips: (text: string, v: number) => boolean): string {
  let text = shortestDigits(v, roundTrips);
  const [mantissa] = text.split('e');
  const fracDigits = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  if (fracDigits > PRECISION) text = v.toExponential(PRECISION);
  return text;
}

function shortestPositional(v: number, roundTrips: (text: string, v: number) => boolean): string {
  const sci = shortestDigits(v, roundTrips);
  let text = expandExponential(sci);
  const frac = text.includes('.') ? text.split('.')[1] : '';
  if (frac.length > PRECISION) text = v.toFixed(PRECISION).replace(/0+$/, '');
  return text;
}

/** '1.25e-3' -> '0.00125' without going through binary again. */
function expandExponential(text: string): string {
  const [mantissa, expText] = text.split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = 1 + exp;
  let body: string;
  if (point <= 0) body = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length) + '.';
  else body = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + body;
}

function splitPositional(text: string): { int: string; frac: string } {
  const [int, frac = ''] = text.split('.');
  return { int, frac: frac.replace(/0+$/, '') };
}

function splitScientific(text: string, trimZeros = true): { int: string; frac: string; exp: string } {
  const [mantissa, expText] = text.split('e');
  const [int, frac = ''] = mantissa.split('.');
  const exp = Number(expText);
  return {
    int,
    frac: trimZeros ? frac.replace(/0+$/, '') : frac,
    exp: (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0'),
  };
}
