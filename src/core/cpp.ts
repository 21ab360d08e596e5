/**
 * C++'s text for values, for messages that frameworks build with `std::ostream <<`: a `float` or
 * `double` prints with the stream's default precision of 6 significant digits in `%g` style
 * (`1e-05`, `0.1`, `2`, `3.40282e+38`), `nan`, `inf`, `-inf` (glibc's spellings).
 */

/** `std::ostream << value` with default flags and precision 6 (C's `%g`). */
export function cppFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const precision = 6;
  // %g picks the style from the exponent the value has once rounded to `precision` digits.
  const exponent = Number(value.toExponential(precision - 1).split('e')[1]);
  if (exponent < -4 || exponent >= precision) {
    const [mantissa] = value.toExponential(precision - 1).split('e');
    const e = Math.abs(exponent);
    return `${stripZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return stripZeros(value.toFixed(precision - 1 - exponent));
}

/** %g drops trailing zeros of the fraction, and the point when nothing is left after it. */
function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
