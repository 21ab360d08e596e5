/**
 * The porting rules of mapping.json, applied to one constructor call written in Python source.
 * Each parameter row carries a rule per direction (what to pass, what cannot be kept, what to tell
 * the user); this module only binds the call's arguments to rows and runs those rules, so no row is
 * named here. The port command (src/porting/python) finds the calls and splices the result back.
 */
import { ValueError } from '../core/errors';
import { pyFloat } from '../core/python';
import { evaluate, parseExpression, substitute } from './expression';
import { loadMapping, mappingEntry } from './load';
import type { Framework } from '../families/types';
import type { Mapping, MappingEntry, MappingRow, PortCase, PortDirection, Predicate, Text } from './schema';

export type { Framework };
/** A layer class name both frameworks use (`InstanceNorm1d`); src/families lists them. */
export type ApiName = string;
/** One argument as written in Python source: name null for positional; text is the value's exact source text. */
export interface SourceArg {
  name: string | null;
  text: string;
}
export interface PortRequest {
  api: ApiName;
  from: Framework;
  to: Framework;
  args: SourceArg[];
  /** The call has *args or **kwargs: the rules cannot see everything; verdict at best 'differs'. */
  hasStarArgs: boolean;
}
export type Verdict = 'exact' | 'differs' | 'needs weights';
export interface PortResult {
  /** The call's arguments for the target framework, in the order to write them (name null = positional). */
  args: SourceArg[];
  verdict: Verdict;
  /** Why it is not exact, one line each, English (zh optional). */
  reasons: string[];
  /** What the user should do, if anything. */
  fixes: string[];
  /**
   * What holds for every such call whatever its arguments (an argument row's `note`: a new
   * MindSpore cell is in inference mode), to say even when the call is exact.
   */
  notes: string[];
}

/** Worst wins: 'needs weights' asks the user for more than 'differs' (a converted checkpoint). */
const SEVERITY: Record<Verdict, number> = { exact: 0, differs: 1, 'needs weights': 2 };

function worse(a: Verdict, b: Verdict): Verdict {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

// ---------------------------------------------------------------- Python literals

/** A Python literal's value, a dotted name, or `unknown` for any other expression. */
export type PyValue =
  | { kind: 'literal'; value: number | boolean | string | null; isInt: boolean }
  | { kind: 'name'; parts: string[] }
  | { kind: 'unknown' };

const NUMBER = /^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$/;

/** Reads the literals the rules compare against; everything else is `unknown` (carried over as text). */
export function pyValue(source: string): PyValue {
  const text = stripParens(source.trim());
  if (text === 'True' || text === 'False') return { kind: 'literal', value: text === 'True', isInt: false };
  if (text === 'None') return { kind: 'literal', value: null, isInt: false };
  if (NUMBER.test(text) && !/^[+-]?_|__|_$|_\.|\._/.test(text)) {
    const isInt = /^[+-]?\d[\d_]*$/.test(text);
    return { kind: 'literal', value: Number(text.replace(/_/g, '')), isInt };
  }
  const str = /^([rRuU]?)(['"])((?:(?!\2)[^\\]|\\.)*)\2$/.exec(text);
  if (str) return { kind: 'literal', value: str[1].toLowerCase() === 'r' ? str[3] : str[3].replace(/\\(.)/g, '$1'), isInt: false };
  if (/^[A-Za-z_]\w*(\s*\.\s*[A-Za-z_]\w*)*$/.test(text)) return { kind: 'name', parts: text.split('.').map((p) => p.trim()) };
  return { kind: 'unknown' };
}

function stripParens(text: string): string {
  while (text.startsWith('(') && text.endsWith(')') && !text.slice(1, -1).includes(')')) text = text.slice(1, -1).trim();
  return text;
}

/** Python's `==` between a literal and a mapping scalar (1 == 1.0, but True is not matched by 1 here). */
function equalsLiteral(value: PyValue & { kind: 'literal' }, wanted: number | boolean | string | null, ignoreCase = false): boolean {
  if (ignoreCase && typeof value.value === 'string' && typeof wanted === 'string') return value.value.toLowerCase() === wanted.toLowerCase();
  return value.value === wanted;
}

/** Whether the predicate holds; undefined when the value is not known well enough to say. */
function matches(predicate: Predicate | undefined, value: PyValue): boolean | undefined {
  if (!predicate) return true;
  if ('is' in predicate) {
    if (value.kind === 'literal') return predicate.is.some((w) => equalsLiteral(value, w, predicate.ignoreCase));
    return undefined; // a name may be a variable holding any value
  }
  if ('name' in predicate) {
    if (value.kind === 'name') return predicate.name.includes(value.parts[value.parts.length - 1]);
    return value.kind === 'literal' ? false : undefined;
  }
  if (value.kind !== 'literal') return undefined;
  if (typeof value.value !== 'number') return false;
  const { min, max, minExclusive, maxExclusive } = predicate.outside;
  const v = value.value;
  const below = min !== undefined && (minExclusive ? v <= min : v < min);
  const above = max !== undefined && (maxExclusive ? v >= max : v > max);
  return below || above || Number.isNaN(v);
}

// ---------------------------------------------------------------- binding

interface BoundArg {
  /** Position in the source call, for ordering. */
  index: number;
  positional: boolean;
  text: string;
}

interface Written {
  name: string;
  text: string;
  /** The source argument this came from (position in the call), if any. */
  from?: BoundArg;
}

function bind(entry: MappingEntry, request: PortRequest, reasons: string[]): Map<string, BoundArg> {
  const params = entry[request.from].args.map((a) => a.name);
  const bound = new Map<string, BoundArg>();
  request.args.forEach((arg, index) => {
    const name = arg.name ?? params[index];
    if (name === undefined) {
      reasons.push(`argument ${index + 1} (${arg.text}): ${entry[request.from].name} takes at most ${params.length} positional arguments; dropped`);
    } else if (!params.includes(name)) {
      reasons.push(`${name}=${arg.text}: ${entry[request.from].name} has no argument '${name}'; dropped`);
    } else if (bound.has(name)) {
      reasons.push(`${name}=${arg.text}: '${name}' is given twice; the later value is dropped`);
    } else {
      bound.set(name, { index, positional: arg.name === null, text: arg.text });
    }
  });
  return bound;
}

// ---------------------------------------------------------------- the rules

function fill(text: Text | undefined, arg: string, value: string): string | undefined {
  return text?.en.replace(/\{arg\}/g, arg).replace(/\{value\}/g, value);
}

/** `1` -> `1.0` (MindSpore's check_value_type rejects an int where it wants a float). */
function asFloat(text: string): string {
  const value = pyValue(text);
  return value.kind === 'literal' && value.isInt ? `${text.trim()}.0` : text;
}

/** The target's argument text a case writes for the source's text. */
function writtenText(write: Exclude<PortCase['write'], 'drop'>, valueText: string): string {
  if (write === 'keep') return valueText;
  if (write === 'keepAsFloat') return asFloat(valueText);
  if ('text' in write) return write.text;
  const value = pyValue(valueText);
  if (value.kind === 'literal' && typeof value.value === 'number') return pyFloat(evaluate(parseExpression(write.expr), value.value));
  return substitute(write.expr, valueText);
}

/** The first case that matches; `undecided` when a case's condition cannot be evaluated on this value. */
function chooseCase(direction: PortDirection, value: PyValue): { chosen?: PortCase; undecided: boolean } {
  for (const c of direction.given) {
    const m = matches(c.when, value);
    if (m === undefined) return direction.unknown ? { chosen: direction.unknown, undecided: false } : { undecided: true };
    if (m) return { chosen: c, undecided: false };
  }
  return { undecided: false };
}

/** Applies the rules of mapping.json to one call; throws ValueError for an api or direction it does not know. */
export function portCall(request: PortRequest, mapping: Mapping = loadMapping()): PortResult {
  if (request.from === request.to) throw new ValueError(`portCall: from and to are both '${request.from}'`);
  const entry = mappingEntry(request.api, mapping);
  const direction = request.to === 'mindspore' ? 'toMindspore' : 'toTorch';
  const reasons: string[] = [];
  const fixes: string[] = [];
  const notes: string[] = [];
  let verdict: Verdict = 'exact';
  const bound = bind(entry, request, reasons);
  if (reasons.length > 0) verdict = 'differs';
  const written: Written[] = [];
  const sets: [string, string][] = [];

  const apply = (row: MappingRow, c: PortCase, source: BoundArg | undefined, argName: string) => {
    const target = row[request.to];
    const valueText = source?.text ?? '';
    verdict = worse(verdict, c.verdict);
    const reason = fill(c.reason, argName, valueText);
    const fix = fill(c.fix, argName, valueText);
    if (reason) reasons.push(reason);
    if (fix) fixes.push(fix);
    if (target !== null && c.write !== 'drop') written.push({ name: target, text: writtenText(c.write, valueText), from: source });
    for (const [name, text] of Object.entries(c.set ?? {})) sets.push([name, text]);
  };

  for (const row of entry.rows) {
    if (row.category !== '参数') continue;
    const sourceName = row[request.from];
    const rules = row.porting[direction];
    if (rules.note) notes.push(rules.note.en);
    const source = sourceName === null ? undefined : bound.get(sourceName);
    if (!source) {
      if (rules.absent) apply(row, rules.absent, undefined, row[request.to] ?? '');
      continue;
    }
    const name = sourceName as string;
    const value = pyValue(source.text);
    const { chosen, undecided } = chooseCase(rules, value);
    if (chosen) {
      apply(row, chosen, source, name);
    } else if (undecided) {
      // The rule depends on a value the port cannot evaluate: carry the text over where the target has the argument.
      verdict = worse(verdict, 'differs');
      const target = row[request.to];
      if (target !== null) {
        written.push({ name: target, text: source.text, from: source });
        reasons.push(`${name}=${source.text}: the rule for '${name}' depends on its value, which the port cannot evaluate; carried over as written`);
      } else {
        reasons.push(`${name}=${source.text}: the rule for '${name}' depends on its value, which the port cannot evaluate; dropped (${entry[request.to].name} has no '${name}')`);
      }
      fixes.push(`check ${name}=${source.text} against the ${row.kind === 'same' ? '' : `'${row.kind}' `}row of ${entry.api} in docs/api_mapping`);
    }
  }

  for (const [name, text] of sets) {
    const existing = written.find((w) => w.name === name);
    if (existing) existing.text = text;
    else written.push({ name, text });
  }

  if (request.hasStarArgs) {
    verdict = worse(verdict, 'differs');
    reasons.push('the call passes *args or **kwargs: arguments the port cannot see are carried over unchecked');
  }
  return { args: order(entry, request.to, written), verdict, reasons, fixes, notes };
}

/**
 * Target arguments in writing order: a positional prefix while each source positional lands on the
 * same position in the target signature, then keywords in source order, then added ones in
 * signature order (Python forbids a positional after a keyword).
 */
function order(entry: MappingEntry, to: Framework, written: Written[]): SourceArg[] {
  const params = entry[to].args.map((a) => a.name);
  const fromSource = written.filter((w) => w.from).sort((a, b) => a.from!.index - b.from!.index);
  const added = written.filter((w) => !w.from).sort((a, b) => params.indexOf(a.name) - params.indexOf(b.name));
  const out: SourceArg[] = [];
  let positional = true;
  for (const w of fromSource) {
    positional = positional && w.from!.positional && params.indexOf(w.name) === out.length;
    out.push({ name: positional ? null : w.name, text: w.text });
  }
  for (const w of added) out.push({ name: w.name, text: w.text });
  return out;
}
