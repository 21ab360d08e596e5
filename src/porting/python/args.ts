/**
 * Turns a call's argument list into the target one with the smallest edits: arguments the rules
 * keep stay byte for byte (with their comments and line breaks), changed values are replaced in
 * place, dropped arguments are cut with their comma (a whole line when they stand on their own
 * line), and new ones are written after the argument they follow, in the call's own layout.
 * `*args` / `**kwargs` are never touched.
 */
import { indentOf, lineEnd, lineStart, type Edit } from './splice';
import type { SourceArg } from '../../mapping';
import type { LayerCall, ParsedArg } from './syntax';

function renderArg(arg: SourceArg): string {
  return arg.name === null ? arg.text : `${arg.name}=${arg.text}`;
}

/** Each target's original argument (index into call.args), or -1 for a new argument. */
function match(call: LayerCall, targets: readonly SourceArg[]): number[] | null {
  const positional = call.args.map((a, i) => [a, i] as const).filter(([a]) => !a.star && a.name === null);
  let seen = 0;
  const matched = targets.map((t) => {
    if (t.name === null) {
      const hit = positional[seen++];
      return hit ? hit[1] : -1;
    }
    return call.args.findIndex((a) => !a.star && a.name === t.name);
  });
  const order = matched.filter((i) => i >= 0);
  // The kept arguments must keep their relative order, or in-place edits cannot express the result.
  for (let k = 1; k < order.length; k++) if (order[k] <= order[k - 1]) return null;
  return matched;
}

/** Arguments written one per line (the first starts on a new line after the parenthesis). */
function isVertical(source: string, call: LayerCall): boolean {
  const first = call.args[0];
  return first !== undefined && source.slice(call.argList.from + 1, first.from).includes('\n');
}

/** The argument stands alone on its line(s): only whitespace before it, only `,` and a comment after. */
function ownsLines(source: string, arg: ParsedArg): boolean {
  const before = source.slice(lineStart(source, arg.from), arg.from);
  const after = source.slice(arg.to, lineEnd(source, arg.to));
  return /^[ \t]*$/.test(before) && /^[ \t]*,?[ \t]*(#.*)?\r?\n?$/.test(after);
}

function deletions(source: string, call: LayerCall, dropped: ReadonlySet<number>): Edit[] {
  const args = call.args;
  const edits: Edit[] = [];
  if (isVertical(source, call) && [...dropped].every((i) => ownsLines(source, args[i]))) {
    for (const i of dropped) edits.push({ from: lineStart(source, args[i].from), to: lineEnd(source, args[i].to), text: '' });
    return edits;
  }
  // Runs of consecutive dropped arguments are cut together, with the comma on one side.
  for (let i = 0; i < args.length; i++) {
    if (!dropped.has(i)) continue;
    let j = i;
    while (dropped.has(j + 1)) j++;
    if (j + 1 < args.length) edits.push({ from: args[i].from, to: args[j + 1].from, text: '' });
    else if (i > 0) edits.push({ from: args[i - 1].to, to: args[j].to, text: '' });
    else if (call.head) edits.push({ from: call.head.to, to: args[j].to, text: '' });
    else edits.push({ from: args[i].from, to: call.argList.to - 1, text: '' });
    i = j;
  }
  return edits;
}

/** Edits that make `call`'s arguments read `targets` (keyword/positional order as given). */
export function argumentEdits(source: string, call: LayerCall, targets: readonly SourceArg[]): Edit[] {
  const matched = match(call, targets);
  if (!matched) return [rewriteAll(source, call, targets)];
  const edits: Edit[] = [];
  const kept = new Set(matched.filter((i) => i >= 0));
  const dropped = new Set(call.args.map((_, i) => i).filter((i) => !kept.has(i) && !call.args[i].star));
  edits.push(...deletions(source, call, dropped));
  targets.forEach((t, k) => {
    const i = matched[k];
    if (i >= 0 && call.args[i].text !== t.text) edits.push({ ...call.args[i].value, text: t.text });
  });
  const vertical = isVertical(source, call);
  const separator = vertical ? `,\n${indentOf(source, call.args[0].from)}` : ', ';
  // New arguments go after the previous target's original (or before the first argument).
  let anchor = -1;
  let pending: SourceArg[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.map(renderArg).join(separator);
    if (anchor >= 0 && vertical && ownsLines(source, call.args[anchor])) edits.push(...linesAfter(source, call.args[anchor], pending));
    else if (anchor >= 0) edits.push({ from: call.args[anchor].to, to: call.args[anchor].to, text: separator + text });
    else if (call.args.length > kept.size + dropped.size || kept.size > 0) {
      const first = call.args.find((_, i) => !dropped.has(i))!;
      edits.push({ from: first.from, to: first.from, text: text + separator });
    } else if (call.head) edits.push({ from: call.head.to, to: call.head.to, text: `, ${text}` });
    else edits.push({ from: call.argList.from + 1, to: call.argList.from + 1, text });
    pending = [];
  };
  targets.forEach((t, k) => {
    if (matched[k] >= 0) {
      flush();
      anchor = matched[k];
    } else pending.push(t);
  });
  flush();
  return edits;
}

/** Fallback: write the whole argument list anew (the rules reordered kept arguments). */
function rewriteAll(source: string, call: LayerCall, targets: readonly SourceArg[]): Edit {
  const stars = call.args.filter((a) => a.star).map((a) => source.slice(a.from, a.to));
  const head = call.head ? [source.slice(call.head.from, call.head.to)] : [];
  const parts = [...head, ...targets.map(renderArg), ...stars];
  const vertical = isVertical(source, call);
  const indent = vertical ? indentOf(source, call.args[0].from) : '';
  const closing = vertical ? `,\n${indentOf(source, call.argList.to - 1)}` : '';
  const text = vertical ? `(\n${indent}${parts.join(`,\n${indent}`)}${closing})` : `(${parts.join(', ')})`;
  return { ...call.argList, text };
}

/**
 * New arguments as lines of their own below `anchor`, so a comment at the end of the anchor's line
 * stays with the anchor. They take a trailing comma when the anchor had one.
 */
function linesAfter(source: string, anchor: ParsedArg, args: readonly SourceArg[]): Edit[] {
  const rest = source.slice(anchor.to, lineEnd(source, anchor.to));
  const comma = /^[ \t]*,/.test(rest);
  const indent = indentOf(source, anchor.from);
  const at = lineEnd(source, anchor.to);
  const newline = source.slice(0, at).endsWith('\n') ? '' : '\n';
  const body = args.map((a) => `${indent}${renderArg(a)}`).join(',\n');
  const edits: Edit[] = [{ from: at, to: at, text: `${newline}${body}${comma ? ',' : ''}\n` }];
  if (!comma) edits.push({ from: anchor.to, to: anchor.to, text: ',' });
  return edits;
}
