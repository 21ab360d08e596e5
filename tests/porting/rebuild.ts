import type { PortedSource } from '../../src/porting/python/rewrite';

/**
 * The input with each reported change applied at its reported place (calls at line:column, import
 * statements at their line, added imports as new lines before the reported line of the input):
 * what the output must equal when nothing else changed.
 */
export function rebuild(source: string, ported: PortedSource): string {
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const at = (line: number, before: string, column?: number) => {
    const from = column === undefined ? source.indexOf(before, lineStarts[line - 1]) : lineStarts[line - 1] + column;
    if (source.slice(from, from + before.length) !== before) throw new Error(`report does not match the source at line ${line}: ${before}`);
    return from;
  };
  const edits = [
    ...ported.calls.map((c) => ({ from: at(c.line, c.before, c.column), before: c.before, after: c.after })),
    // A removed import statement (after '') takes its line with it.
    ...ported.imports
      .filter((i) => i.before !== '')
      .map((i) => ({ from: at(i.line, i.before), before: i.after === '' && i.before !== i.after ? i.before + eol : i.before, after: i.after })),
    ...ported.imports
      .filter((i) => i.before === '')
      .map((i) => (i.line - 1 < lineStarts.length ? { from: lineStarts[i.line - 1], before: '', after: i.after + eol } : { from: source.length, before: '', after: eol + i.after })),
  ].sort((a, b) => b.from - a.from || b.before.length - a.before.length);
  let out = source;
  for (const e of edits) out = out.slice(0, e.from) + e.after + out.slice(e.from + e.before.length);
  return out;
}
