/**
 * The playground's output panels: numpy's scientific print of an array (the form the published
 * pages show), but with every element (numpy elides past 1000) and never fewer than 8 significant
 * digits (numpy's default can print 0.01234568), so a reader can compare any element to the last
 * digit. Elements come out as pieces that know their flat index, for highlighting differences.
 */
import { halfToNumber, numberToHalf } from '../core/dtype';
import { rowMajorStrides, type Tensor } from '../core/tensor';

/** Literal text (brackets, spaces, line breaks) or one element. */
export type Piece = string | { index: number; text: string };

/** numpy's default line width. */
const LINE_WIDTH = 75;
const MIN_DIGITS = 8;

export function printTensor(t: Tensor): Piece[] {
  const values = Array.from({ length: t.size }, (_, i) => t.item(i));
  const words = elementWords(values, t.dtype);
  if (t.shape.length === 0) return [{ index: 0, text: words[0] }];
  if (t.size === 0) return ['[]'];
  const pieces: Piece[] = [];
  let column = 0;
  const emit = (piece: Piece) => {
    const text = typeof piece === 'string' ? piece : piece.text;
    pieces.push(piece);
    const newline = text.lastIndexOf('\n');
    column = newline < 0 ? column + text.length : text.length - newline - 1;
  };
  const strides = rowMajorStrides(t.shape);
  const last = t.shape.length - 1;
  const walk = (offset: number, axis: number) => {
    emit('[');
    for (let i = 0; i < t.shape[axis]; i++) {
      if (axis === last) {
        const word = words[offset + i];
        // numpy wraps a row before a word that would pass the line width (keeping room for ']').
        if (i > 0) emit(column + 1 + word.length > LINE_WIDTH - 1 ? `\n${' '.repeat(axis + 1)}` : ' ');
        emit({ index: offset + i, text: word });
      } else {
        // Rows of the last two axes are one line apart, higher axes one more blank line each, as numpy prints them.
        if (i > 0) emit(`${'\n'.repeat(last - axis)}${' '.repeat(axis + 1)}`);
        walk(offset + i * strides[axis], axis + 1);
      }
    }
    emit(']');
  };
  walk(0, 0);
  return pieces;
}

export function piecesText(pieces: readonly Piece[]): string {
  return pieces.map((p) => (typeof p === 'string' ? p : p.text)).join('');
}

/** `1.5064616e+00`, one precision for the whole array (as numpy), padded to one width. */
function elementWords(values: readonly number[], dtype: Tensor['dtype']): string[] {
  const roundTrips = roundTripper(dtype);
  const digits = Math.max(MIN_DIGITS, ...values.filter(Number.isFinite).map((v) => shortestDigits(v, roundTrips)));
  const words = values.map((v) => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
    const [mantissa, exp] = v.toExponential(digits - 1).split('e');
    return `${mantissa}e${exp[0]}${exp.slice(1).padStart(2, '0')}`;
  });
  const width = Math.max(...words.map((w) => w.length));
  return words.map((w) => w.padStart(width));
}

/** Python's `'%.2e' % v`: `1.60e+00`, for differences. */
export function sci(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : 'inf';
  const [mantissa, exp] = v.toExponential(2).split('e');
  return `${mantissa}e${exp[0]}${exp.slice(1).padStart(2, '0')}`;
}

/** Whether a decimal text reads back as exactly `v` in the tensor's dtype. */
function roundTripper(dtype: Tensor['dtype']): (text: string, v: number) => boolean {
  if (dtype === 'float32') return (text, v) => Math.fround(Number(text)) === v;
  if (dtype === 'float16') return (text, v) => halfToNumber(numberToHalf(Number(text))) === v;
  return (text, v) => Number(text) === v;
}

/** The fewest significant digits that read back as `v`. */
function shortestDigits(v: number, roundTrips: (text: string, v: number) => boolean): number {
  for (let digits = 1; digits < 17; digits++) if (roundTrips(v.toExponential(digits - 1), v)) return digits;
  return 17;
}

// ---------------------------------------------------------------- differences

/** Per element: bit-equal (or both NaN), within float32 rounding of each other, or further apart. */
export type ElementDiff = 'equal' | 'rounding' | 'differs';

/**
 * Rounding: |a - b| <= 1e-5 * max(1, |a|, |b|). Two float32 computations of the same formula
 * (PyTorch's and MindSpore's published outputs, or the facades' kernels) stay within about
 * 1e-6 of each other; a different argument moves outputs far more.
 */
export const ROUNDING = 1e-5;

export interface OutputComparison {
  kinds: ElementDiff[];
  maxAbsDiff: number;
}

/** null when the shapes differ (nothing to compare element-wise). */
export function compareOutputs(a: Tensor, b: Tensor): OutputComparison | null {
  if (a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) return null;
  let maxAbsDiff = 0;
  const kinds = Array.from({ length: a.size }, (_, i): ElementDiff => {
    const x = a.item(i);
    const y = b.item(i);
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) return 'equal';
    const d = Math.abs(x - y);
    if (!(d <= maxAbsDiff)) maxAbsDiff = d; // NaN wins, as a difference nothing can hide
    return d <= ROUNDING * Math.max(1, Math.abs(x), Math.abs(y)) ? 'rounding' : 'differs';
  });
  return { kinds, maxAbsDiff };
}
