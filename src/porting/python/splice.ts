/**
 * Byte-exact edits to source text: every edit replaces a span; everything outside the spans is
 * copied unchanged. Edits must not overlap; an insertion (empty span) at the start of a deletion
 * goes before it.
 */
import { RuntimeError } from '../../core/errors';

/** A half-open byte range [from, to) of the source text. */
export interface Span {
  from: number;
  to: number;
}

export interface Edit extends Span {
  text: string;
}

export function applyEdits(source: string, edits: readonly Edit[], base = 0): string {
  const sorted = [...edits].sort((a, b) => a.from - b.from || a.to - a.from - (b.to - b.from));
  let out = '';
  let at = base;
  for (const e of sorted) {
    if (e.from < at) throw new RuntimeError(`port: overlapping edits at offset ${e.from} (internal error)`);
    out += source.slice(at - base, e.from - base) + e.text;
    at = e.to;
  }
  return out + source.slice(at - base);
}

/** Start of the line holding `offset`. */
export function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace that indents the line holding `offset`. */
export function indentOf(source: string, offset: number): string {
  const start = lineStart(source, offset);
  return /^[ \t]*/.exec(source.slice(start))![0];
}

/** Offset just past the newline that ends the line holding `offset` (or the end of the text). */
export function lineEnd(source: string, offset: number): number {
  const nl = source.indexOf('\n', offset);
  return nl === -1 ? source.length : nl + 1;
}

/** New text in the file's own line endings: a CRLF file gets CRLF in every inserted line. */
export function inLineEndings(source: string, edits: readonly Edit[]): Edit[] {
  if (!source.includes('\r\n')) return [...edits];
  return edits.map((e) => ({ ...e, text: e.text.replace(/\r?\n/g, '\r\n') }));
}
