/**
 * Ports the layer constructions of a Python source from one framework to the other: the
 * porting rules (src/mapping/porting.ts) say what each call's arguments become and how exact
 * that is; this module only splices the result into the text and fixes the imports, so every
 * byte outside the rewritten calls and import items stays as it was.
 *
 * Imports: a name whose every use in the file is a ported call moves to the target framework
 * (`import torch.nn as nn` -> `import mindspore.nn as nn`), so the calls keep their spelling. A
 * name still used for other things (`nn.Conv1d`, `nn.Module`) keeps its import, and the ported
 * calls reach the target through an import of it the file already has, or a new `import <target>`.
 */
import type { SyntaxNode } from '@lezer/common';
import { RuntimeError, ValueError } from '../../core/errors';
import { layerClass } from '../../families';
import { mappingEntry } from '../../mapping';
import { portCall, type PortRequest, type PortResult, type Verdict } from '../../mapping/porting';
import { classWords, familyWords } from '../kinds';
import { argumentEdits } from './args';
import { layerPackages, parentOf, publicPackage, publicPath } from './paths';
import { applyEdits, indentOf, inLineEndings, lineEnd, lineStart, type Edit } from './splice';
import { assumedImports, bindingAt, checkSyntax, lineOf, otherFramework, parsePython, type ApiName, type Framework, type ImportBinding, type ImportStatement, type LayerCall, type LayerReference, type PythonFile } from './syntax';

export interface CallReport {
  /** A call, a `functools.partial(<class>, ...)`, or a mention of the class that is not constructed here. */
  kind: 'call' | 'partial' | 'reference';
  line: number;
  column: number;
  api: ApiName;
  from: Framework;
  to: Framework;
  before: string;
  after: string;
  verdict: Verdict;
  reasons: string[];
  fixes: string[];
  /** What holds for the class whatever the arguments (a new MindSpore cell is in inference mode). */
  notes: string[];
}

export interface ImportReport {
  line: number;
  before: string;
  after: string;
  /** Why the import changed, or why a new one was needed. */
  note: string;
}

export interface PortedSource {
  code: string;
  to: Framework;
  calls: CallReport[];
  imports: ImportReport[];
  /** Calls already in the target framework, left alone. */
  alreadyTarget: number;
  /** True when every call ported with verdict 'exact'. */
  exact: boolean;
}

export interface PortSourceOptions {
  to: Framework;
  /** Bindings assumed before the first line (the one-call form); they are never edited. */
  prelude?: readonly ImportStatement[];
  /** The file the source comes from, for a syntax error's `file:line:column`. */
  path?: string;
  /** The porting rules; tests may pass the same function explicitly. */
  rules?: (request: PortRequest) => PortResult;
  /**
   * Write a comment above every call that is not `exact` (its verdict, reasons and fixes), so a
   * reader of the ported file sees them; what the command line writes. Default false: `code` is
   * then the input with only the reported changes.
   */
  annotate?: boolean;
}

interface Planned {
  call: LayerCall;
  result: PortResult | null;
  error?: string;
}

/** A place where a class name is written and must name the target's class after porting: a call's callee or a reference. */
interface Site {
  api: ApiName;
  /** Offset of the name (what the import bindings must be visible at). */
  from: number;
  binding: ImportBinding;
  /** The name as written (`nn.InstanceNorm2d`, `IN`). */
  text: string;
}

function siteOfCall(call: LayerCall): Site {
  return { api: call.api, from: call.callee.from, binding: call.callee.binding, text: call.callee.text };
}

/** Where a binding goes in the target: its new local name and the dotted path it then stands for. */
interface Move {
  local: string;
  path: string;
}

const rootOf = (path: string) => path.split('.')[0];

/** The target path a binding moves to, or null when it names something the target has no twin for. */
function movedPath(binding: ImportBinding, sites: readonly Site[], to: Framework): string | null {
  const from = otherFramework(to);
  const api = sites[0].api;
  if (binding.path === from) return to;
  // A layer package (`torch.nn`) moves to the target's package of the same classes (`mindspore.nn`).
  const packages = new Set(sites.map((c) => `${publicPackage(from, c.api)} ${publicPackage(to, c.api)}`));
  const [source, target] = packages.size === 1 ? [...packages][0].split(' ') : [];
  if (binding.path === source) return target;
  // A class imported by name: every use of it is the same class.
  if (sites.every((c) => c.text === binding.local && c.api === api)) return publicPath(to, api);
  return null;
}

/** The callee text that reaches the target class through a binding `local` -> `path`. */
function calleeThrough(local: string, path: string, api: ApiName, to: Framework): string | null {
  const full = publicPath(to, api);
  if (path === full) return local;
  if (full.startsWith(`${path}.`)) return `${local}${full.slice(path.length)}`;
  return null;
}

/** Text of an import item that binds `move` (an `import` item or a `from` item). */
function itemText(binding: ImportBinding, source: string, move: Move): string {
  const st = binding.statement;
  if (st.kind === 'import') {
    if (!binding.aliased) return importedModule(binding, source, move);
    return move.local === move.path ? move.path : `${move.path} as ${move.local}`;
  }
  const name = move.path.split('.').pop()!;
  return name === move.local ? name : `${name} as ${move.local}`;
}

/** `import torch.nn` -> `import mindspore.nn`: the dotted module written, with the root swapped. */
function importedModule(binding: ImportBinding, source: string, move: Move): string {
  const written = source.slice(binding.item.from, binding.item.to).replace(/\s+/g, '');
  const [root, ...rest] = written.split('.');
  const swapped = [move.local, ...rest].join('.');
  // an unaliased `import torch.nn` binds the root, so the move's path is the target framework
  const isLayerPackage = layerPackages(rootOf(move.path) as Framework).includes(swapped);
  return rest.length === 0 || isLayerPackage ? swapped : root === move.local ? written : move.local;
}

export function portSource(source: string, options: PortSourceOptions): PortedSource {
  const { to } = options;
  const rules = options.rules ?? portCall;
  const file = parsePython(source, { prelude: options.prelude });
  checkSyntax(file, options.path);
  const planned: Planned[] = file.calls
    .filter((c) => c.framework !== to)
    .map((call) => {
      try {
        const args = call.args.filter((a) => !a.star).map((a) => ({ name: a.name, text: a.text }));
        const result = rules({ api: call.api, from: call.framework, to, args, hasStarArgs: call.hasStarArgs });
        return { call, result: call.kind === 'partial' ? partialCaveat(result, call) : result };
      } catch (err) {
        return { call, result: null, error: `not ported: ${(err as Error).message}` };
      }
    });
  const ported = planned.filter((p) => p.result !== null);
  const references = file.references.filter((r) => r.framework !== to);
  const callSites = new Map(ported.map((p) => [p.call, siteOfCall(p.call)]));
  const refSites = new Map(references.map((r) => [r, { api: r.api, from: r.from, binding: r.binding, text: r.text } as Site]));
  const { edits: importEdits, callee, reports } = planImports(file, [...callSites.values(), ...refSites.values()], to);
  const edits: Edit[] = inLineEndings(source, importEdits);
  const calls: CallReport[] = planned.map(({ call, result, error }) => {
    let callEdits: Edit[] = [];
    if (result) {
      callEdits.push(...argumentEdits(source, call, result.args));
      const newCallee = callee.get(callSites.get(call)!);
      if (newCallee !== undefined && newCallee !== call.callee.text) callEdits.push({ ...call.callee, text: newCallee });
      callEdits = inLineEndings(source, callEdits);
    }
    edits.push(...callEdits);
    return {
      kind: call.kind,
      line: call.line,
      column: call.column,
      api: call.api,
      from: call.framework,
      to,
      before: call.text,
      after: applyEdits(call.text, callEdits, call.from),
      verdict: result?.verdict ?? 'differs',
      reasons: result?.reasons ?? [error!],
      fixes: result?.fixes ?? [],
      notes: result?.notes ?? [],
    };
  });
  for (const ref of references) {
    const text = callee.get(refSites.get(ref)!) ?? ref.text;
    if (text !== ref.text) edits.push({ from: ref.from, to: ref.to, text });
    calls.push({ kind: 'reference', line: ref.line, column: ref.column, api: ref.api, from: ref.framework, to, before: ref.text, after: text, notes: [], ...referenceVerdict(ref, to) });
  }
  calls.sort((a, b) => a.line - b.line || a.column - b.column);
  if (options.annotate) edits.push(...inLineEndings(source, annotations(file, calls)));
  const code = applyEdits(source, edits);
  if (!options.prelude) checkPorted(code, ported.length, to);
  return {
    code,
    to,
    calls,
    imports: [...reports].sort((a, b) => a.line - b.line),
    alreadyTarget: file.calls.length - planned.length,
    exact: calls.every((c) => c.verdict === 'exact'),
  };
}

/** A partial's later call may add arguments (`norm_layer(64, affine=True)`) that the port never sees. */
function partialCaveat(result: PortResult, call: LayerCall): PortResult {
  const required = mappingEntry(call.api)[call.framework].args.filter((a) => a.default === undefined).map((a) => a.name);
  return {
    ...result,
    verdict: result.verdict === 'exact' ? 'differs' : result.verdict,
    reasons: [...result.reasons, `functools.partial(${call.callee.text}, ...): arguments given where the partial is called are not seen by the port`],
    fixes: [...result.fixes, `check that the calls of this partial pass only ${required.join(', ')} (or port them too)`],
  };
}

/** A class named without being constructed: a type check keeps its meaning; anything else may be constructed elsewhere with unseen arguments. */
function referenceVerdict(ref: LayerReference, to: Framework): Pick<CallReport, 'verdict' | 'reasons' | 'fixes'> {
  if (ref.typeCheck) return { verdict: 'exact', reasons: [], fixes: [] };
  // the arguments whose defaults differ in effect: the rules write them where the source leaves them out
  const direction = to === 'mindspore' ? 'toMindspore' : 'toTorch';
  const implied = mappingEntry(ref.api).rows.filter((r) => r.category === '参数' && r.porting[direction].absent && r.porting[direction].absent.write !== 'drop').map((r) => r[ref.framework] ?? r[to]);
  const particular = implied.length ? ` (${implied.join(', ')} in particular)` : '';
  return {
    verdict: 'differs',
    reasons: [`${ref.text} is referenced, not called: the arguments it is constructed with elsewhere are not seen by the port, and the frameworks' defaults differ`],
    fixes: [`where this class is constructed, pass its arguments${particular} explicitly, or port that call with \`instancenorm-shim port "<call>"\``],
  };
}

/** The rewritten text must parse and hold at least as many target calls as were ported: a guard against splicing bugs. */
function checkPorted(code: string, ported: number, to: Framework): void {
  const again = parsePython(code);
  if (again.errors.length > 0) throw new RuntimeError(`port: the rewritten code does not parse at offset ${again.errors[0]} (internal error)`);
  const landed = again.calls.filter((c) => c.framework === to).length;
  if (landed < ported) throw new RuntimeError(`port: the rewritten code resolves only ${landed} of ${ported} ported calls to ${to} (internal error)`);
}

/** Starts the comments this tool writes into ported code, so a reader can tell them from the code's own. */
export const ANNOTATION_MARK = '# instancenorm-shim:';

/**
 * One comment block per line holding calls that are not exact, inserted above that line with its
 * indentation. A line that continues a backslash line or starts inside a string cannot take a
 * comment above it; the comment then goes above the statement.
 */
function annotations(file: PythonFile, calls: readonly CallReport[]): Edit[] {
  const { source } = file;
  const byLine = new Map<number, CallReport[]>();
  for (const call of calls) {
    if (call.verdict === 'exact') continue;
    const at = commentPoint(file, offsetOf(source, call.line, call.column));
    byLine.set(at, [...(byLine.get(at) ?? []), call]);
  }
  return [...byLine].map(([at, here]) => {
    const indent = indentOf(source, at);
    const lines = here.flatMap((c) => [
      `${ANNOTATION_MARK} ${c.api} ${c.from} -> ${c.to}: ${c.verdict}${here.length > 1 ? ` (column ${c.column + 1})` : ''}`,
      ...c.reasons.map((r) => `#   reason: ${r}`),
      ...c.fixes.map((f) => `#   fix: ${f}`),
    ]);
    return { from: at, to: at, text: lines.map((l) => `${indent}${l}\n`).join('') };
  });
}

function offsetOf(source: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = source.indexOf('\n', at) + 1;
  return at + column;
}

/** The start of the line holding `offset`, or of its statement when a comment line cannot go there. */
function commentPoint(file: PythonFile, offset: number): number {
  const { source, tree } = file;
  const start = lineStart(source, offset);
  const continues = /\\\r?\n$/.test(source.slice(Math.max(0, start - 3), start));
  let inString = false;
  for (let n: SyntaxNode | null = tree.resolveInner(start, 1); n; n = n.parent) if ((n.name === 'String' || n.name === 'FormatString') && n.from < start) inString = true;
  if (!continues && !inString) return start;
  let statement: SyntaxNode = tree.resolveInner(offset, 1);
  while (statement.parent && statement.parent.name !== 'Script' && statement.parent.name !== 'Body') statement = statement.parent;
  return lineStart(source, statement.from);
}

interface ImportPlan {
  edits: Edit[];
  /** The text each site's class name gets. */
  callee: Map<Site, string>;
  reports: ImportReport[];
}

function planImports(file: PythonFile, sites: readonly Site[], to: Framework): ImportPlan {
  const { source } = file;
  const byBinding = new Map<ImportBinding, Site[]>();
  for (const c of sites) byBinding.set(c.binding, [...(byBinding.get(c.binding) ?? []), c]);
  const callee = new Map<Site, string>();
  const moves = new Map<ImportBinding, Move>();
  const stay: [ImportBinding, Site[]][] = [];
  for (const [binding, bound] of byBinding) {
    const uses = file.nameUses.get(binding.local)?.length ?? 0;
    const path = binding.local === '*' ? null : movedPath(binding, bound, to);
    const onlyPorted = binding.statement.assumed || uses === bound.length;
    if (!path || !onlyPorted) {
      stay.push([binding, bound]);
      continue;
    }
    const move = { local: newLocal(file, binding, path), path };
    moves.set(binding, move);
    for (const c of bound) callee.set(c, calleeThrough(move.local, move.path, c.api, to)!);
  }
  const { edits, reports } = importEdits(file, moves);
  // Calls whose name stays in the source framework reach the target through another import.
  let added: Move | undefined;
  for (const [binding, bound] of stay) {
    for (const c of bound) {
      const via = existingRoute(file, moves, c, to) ?? (added ??= { local: to, path: to });
      callee.set(c, calleeThrough(via.local, via.path, c.api, to)!);
    }
    const why = binding.local === '*' ? `\`from ${binding.path} import *\` also brings other names` : `\`${binding.local}\` is still used for other things`;
    reports.push({ line: lineOf(source, binding.statement.from), before: source.slice(binding.statement.from, binding.statement.to), after: source.slice(binding.statement.from, binding.statement.to), note: `kept: ${why}` });
  }
  if (added && !file.imports.some((s) => s.assumed)) {
    if (file.imports.some((s) => !s.assumed && s.bindings.some((b) => b.local === to && b.path !== to))) {
      throw new ValueError(`port: the name '${to}' is bound to something else in this file; cannot add \`import ${to}\``);
    }
    const at = importAnchor(file, Math.min(...stay.flatMap(([, bound]) => bound.map((c) => c.from))));
    const text = at === source.length && !source.endsWith('\n') && at > 0 ? `\nimport ${to}` : `import ${to}\n`;
    edits.push({ from: at, to: at, text });
    const written = [...new Set(stay.flatMap(([, bound]) => bound.map((c) => `${publicPackage(to, c.api)}.${layerClass(c.api).family}…`)))];
    reports.push({ line: lineOf(source, at), before: '', after: `import ${to}`, note: `added: the ported calls are written ${written.join(', ')}` });
  }
  return { edits, callee, reports };
}

/** Aliases that name the source framework (`ms`, `msnn`, `torch_nn`) would mislead once they point at the other one. */
const FLAVOURED = /^(ms|mindspore|torch|pt|th|t|m)(_?nn)?$/i;

/** The local name a moved binding gets: the same, unless it names the framework (then the target's usual name, if free). */
function newLocal(file: PythonFile, binding: ImportBinding, path: string): string {
  if (binding.statement.kind === 'import' && !binding.aliased) return rootOf(path);
  if (!FLAVOURED.test(binding.local)) return binding.local;
  const usual = path.split('.').pop()!;
  const taken = file.imports.some((s) => s.bindings.some((b) => b !== binding && b.local === usual)) || file.nameUses.has(usual);
  return taken ? binding.local : usual;
}

/** A binding the file already has (or gets from a move) that reaches the target class. */
function existingRoute(file: PythonFile, moves: ReadonlyMap<ImportBinding, Move>, call: Site, to: Framework): Move | undefined {
  // Only a binding the call's position actually sees (not shadowed by a later import of the same name).
  const visible = (b: ImportBinding) => bindingAt(file.imports, b.local, call.from) === b;
  const candidates: Move[] = [...moves].filter(([b]) => visible(b)).map(([, m]) => m);
  for (const st of file.imports) for (const b of st.bindings) if (b.local !== '*' && !moves.has(b) && rootOf(b.path) === to && visible(b)) candidates.push({ local: b.local, path: b.path });
  // Keep the call's style: `nn.X` goes through a module, a bare `IN(...)` through a class import.
  const bare = !call.text.includes('.');
  const rank = (m: Move) => (m.path === publicPath(to, call.api) ? (bare ? 0 : 3) : m.path === publicPackage(to, call.api) ? 1 : m.path === to ? 2 : 3);
  return candidates.filter((m) => rank(m) < 3 && calleeThrough(m.local, m.path, call.api, to) !== null).sort((a, b) => rank(a) - rank(b))[0];
}

/** After the last top-level import before `before`; else after a module docstring; else the top of the file. */
function importAnchor(file: PythonFile, before: number): number {
  const top = file.imports.filter((s) => !s.assumed && s.column === 0 && s.to <= before);
  if (top.length > 0) return lineEnd(file.source, top[top.length - 1].to);
  const first = file.tree.topNode.firstChild;
  if (first?.name === 'ExpressionStatement' && first.firstChild?.name === 'String') return lineEnd(file.source, first.to);
  return 0;
}

function importEdits(file: PythonFile, moves: ReadonlyMap<ImportBinding, Move>): { edits: Edit[]; reports: ImportReport[] } {
  const { source } = file;
  const edits: Edit[] = [];
  const reports: ImportReport[] = [];
  const statements = new Set([...moves.keys()].map((b) => b.statement));
  for (const st of statements) {
    if (st.assumed) continue;
    const moving = st.bindings.filter((b) => moves.has(b));
    const before = source.slice(st.from, st.to);
    let after: string;
    // A moved name the file already imports the same way (`import mindspore` twice) is cut, not duplicated.
    const duplicate = (b: ImportBinding) =>
      file.imports.some((other) => !other.assumed && other.bindings.some((o) => o !== b && !moves.has(o) && o.local === moves.get(b)!.local && o.path === moves.get(b)!.path));
    if (st.kind === 'import' && moving.every(duplicate) && moving.length === st.bindings.length) {
      edits.push({ from: lineStart(source, st.from), to: lineEnd(source, st.to), text: '' });
      after = '';
    } else if (st.kind === 'import') {
      const cut = removeItems(st, moving.filter(duplicate));
      const itemEdits = moving.filter((b) => !duplicate(b)).map((b) => ({ ...b.item, text: itemText(b, source, moves.get(b)!) }));
      edits.push(...cut, ...itemEdits);
      after = applyEdits(before, [...cut, ...itemEdits], st.from);
    } else {
      const modules = [...new Set(moving.map((b) => parentOf(moves.get(b)!.path)))];
      const itemEdits = moving.map((b) => ({ ...b.item, text: itemText(b, source, moves.get(b)!) })).filter((e) => e.text !== source.slice(e.from, e.to));
      if (moving.length === st.bindings.length && modules.length === 1) {
        const stEdits = [{ ...st.module!, text: modules[0] }, ...itemEdits];
        edits.push(...stEdits);
        after = applyEdits(before, stEdits, st.from);
      } else {
        // Split: the moved names leave this statement and get their own `from <target> import` line.
        const indent = indentOf(source, st.from);
        const lines = modules.map((m) => `${indent}from ${m} import ${moving.filter((b) => parentOf(moves.get(b)!.path) === m).map((b) => itemText(b, source, moves.get(b)!)).join(', ')}`);
        if (moving.length === st.bindings.length) {
          edits.push({ from: lineStart(source, st.from), to: st.to, text: lines.join('\n') });
          after = lines.join('\n');
        } else {
          const cut = removeItems(st, moving);
          edits.push(...cut, { from: st.to, to: st.to, text: `\n${lines.join('\n')}` });
          after = `${applyEdits(before, cut, st.from)}\n${lines.join('\n')}`;
        }
      }
    }
    const names = moving.map((b) => `\`${b.local}\``).join(', ');
    const targets = [...new Set(moving.map((b) => rootOf(moves.get(b)!.path)))].join(', ');
    const note = after === '' ? `removed: every use of ${names} is a ported call, and the file already imports ${targets} the same way` : `moved ${names} to ${targets}: every use in the file is a ported call`;
    reports.push({ line: lineOf(source, st.from), before, after, note });
  }
  return { edits, reports };
}

/** Cuts the given items, each with one comma, out of an import statement that keeps others. */
function removeItems(st: ImportStatement, items: readonly ImportBinding[]): Edit[] {
  const all = st.bindings;
  const edits = items.map((b): Edit => {
    const k = all.indexOf(b);
    const next = all[k + 1];
    if (next) return { from: b.item.from, to: next.item.from, text: '' };
    const prev = all.slice(0, k).filter((p) => !items.includes(p)).pop()!;
    return { from: prev.item.to, to: b.item.to, text: '' };
  });
  const out: Edit[] = [];
  for (const e of edits.sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && e.from <= last.to) last.to = Math.max(last.to, e.to);
    else out.push({ ...e });
  }
  return out;
}

/**
 * The one-call form: `nn.InstanceNorm1d(64, affine=True)` ported to `to`, with `nn`, the class
 * names and the framework's own name taken as the source framework's (the opposite of `to`).
 */
export function portExpression(expression: string, to: Framework, rules?: PortSourceOptions['rules']): CallReport {
  const from = otherFramework(to);
  const prelude = [...assumedImports(from), ...assumedImports(to).slice(0, 1)];
  const file = parsePython(expression, { prelude });
  const calls = file.calls.filter((c) => c.framework === from);
  if (calls.length !== 1) {
    const already = file.calls.length > 0 && calls.length === 0;
    const packages = layerPackages(from);
    const written = `${[...packages.map((p) => `${p.split('.').pop()}.X`), ...packages.map((p) => `${p}.X`)].join(', ')} or X`;
    const what = already ? `is already ${to}` : calls.length > 1 ? `has ${calls.length} ${familyWords()} calls; give one` : `is not a call of ${from}'s ${classWords()} (${written})`;
    throw new ValueError(`port: the expression ${JSON.stringify(expression)} ${what}`);
  }
  return portSource(expression, { to, prelude, rules }).calls[0];
}
