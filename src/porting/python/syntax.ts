/**
 * Finds the constructions of the registered layer classes (src/families) in a Python file with a
 * real parser (@lezer/python), so multi-line calls, comments and strings that merely mention the
 * name are told apart from calls. A callee is ours only when the file's imports say it comes from
 * torch or MindSpore: the name is resolved to a dotted path through the import bindings
 * (`nn` -> `torch.nn`) and that path must be one a registered class is found under (paths.ts).
 */
import { parser } from '@lezer/python';
import type { SyntaxNode, Tree } from '@lezer/common';

import { LAYER_NAMES, type Framework } from '../../families';
import type { ApiName } from '../../mapping';
import { classAtPath, layerPackages, parentOf, publicPath } from './paths';
import { lineStart, type Span } from './splice';

export type { ApiName, Framework, Span };

export function otherFramework(framework: Framework): Framework {
  return framework === 'torch' ? 'mindspore' : 'torch';
}

/** One name an import statement binds, e.g. `nn` for `import torch.nn as nn`. */
export interface ImportBinding {
  /** The local name, or `*` for `from X import *`. */
  local: string;
  /** The dotted path the local name stands for: `torch.nn`, `torch.nn.InstanceNorm1d`; for `*` the module. */
  path: string;
  /** The whole item in the statement (`torch.nn as nn`, `InstanceNorm1d as IN`). */
  item: Span;
  /** Written with `as`. */
  aliased: boolean;
  statement: ImportStatement;
}

export interface ImportStatement extends Span {
  kind: 'import' | 'from';
  /** For `from X import ...`: X's span and text (relative imports start with '.'). */
  module?: Span & { text: string };
  bindings: ImportBinding[];
  /** True for bindings the caller assumed (the one-call form): there is no text to rewrite. */
  assumed?: boolean;
  /** Column of the statement's first character (0 for top-level imports). */
  column: number;
}

/** One argument as written: name null for positional; `star` for `*args` / `**kwargs`. */
export interface ParsedArg extends Span {
  name: string | null;
  /** The value's exact source text. */
  text: string;
  value: Span;
  star?: '*' | '**';
}

/**
 * One construction of a registered torch or MindSpore layer class: a call `nn.InstanceNorm2d(...)`,
 * or `functools.partial(nn.InstanceNorm2d, ...)` (common in model code) whose arguments after the
 * class are the constructor's.
 */
export interface LayerCall extends Span {
  kind: 'call' | 'partial';
  /** For a partial: the class argument, which the constructor arguments follow. */
  head?: Span;
  api: ApiName;
  framework: Framework;
  /** 1-based line and 0-based column of the call's first character. */
  line: number;
  column: number;
  text: string;
  callee: Span & { text: string; root: string; binding: ImportBinding };
  argList: Span;
  args: ParsedArg[];
  hasStarArgs: boolean;
}

/** A mention of a layer class that is not a construction: `isinstance(m, nn.InstanceNorm2d)`, `norm = nn.InstanceNorm2d`. */
export interface LayerReference extends Span {
  api: ApiName;
  framework: Framework;
  line: number;
  column: number;
  text: string;
  root: string;
  binding: ImportBinding;
  /** In isinstance/issubclass or a comparison (`norm.func == nn.InstanceNorm2d`): only which class it is matters. */
  typeCheck: boolean;
}

export interface PythonFile {
  source: string;
  tree: Tree;
  imports: ImportStatement[];
  calls: LayerCall[];
  references: LayerReference[];
  /** Every read of a name (VariableName nodes outside imports and keyword-argument names), by name. */
  nameUses: Map<string, Span[]>;
  /** Offsets where the parser had to recover from a syntax error (Python would refuse the file). */
  errors: number[];
}

/** Python would refuse the source: where, and the line it is on. */
export class PythonSyntaxError extends SyntaxError {
  /** 1-based line and column, as Python's SyntaxError reports them. */
  readonly line: number;
  readonly column: number;
  /** The offending line as written, and the text at the error (a token, or 'end of line'). */
  readonly lineText: string;
  readonly near: string;
  constructor(source: string, offset: number, file?: string) {
    const start = lineStart(source, offset);
    const end = source.indexOf('\n', offset);
    const lineText = source.slice(start, end === -1 ? undefined : end).replace(/\r$/, '');
    const token = /^\s*(\S+)/.exec(source.slice(offset, end === -1 ? undefined : end))?.[1];
    const near = token !== undefined ? JSON.stringify(token.slice(0, 30)) : source.slice(offset).trim() === '' ? 'end of file' : 'end of line';
    const line = lineOf(source, offset);
    const column = offset - start + 1;
    const where = file === undefined ? `line ${line}, column ${column}` : `${file}:${line}:${column}`;
    super(`${where}: invalid syntax near ${near}${lineText.trim() ? `: ${lineText.trim()}` : ''}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.line = line;
    this.column = column;
    this.lineText = lineText;
    this.near = near;
  }
}
Object.defineProperty(PythonSyntaxError.prototype, 'name', { value: 'SyntaxError', writable: true, configurable: true });

/** Throws PythonSyntaxError at the first syntax error of the file; the tools refuse what Python would refuse. */
export function checkSyntax(file: PythonFile, path?: string): void {
  if (file.errors.length > 0) throw new PythonSyntaxError(file.source, file.errors[0], path);
}

export function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

function columnOf(source: string, offset: number): number {
  return offset - lineStart(source, offset);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function parseImport(source: string, node: SyntaxNode): ImportStatement {
  const tokens = children(node).filter((c) => c.name !== 'Comment' && c.name !== '(' && c.name !== ')');
  const text = (n: SyntaxNode) => source.slice(n.from, n.to);
  const statement: ImportStatement = { from: node.from, to: node.to, kind: tokens[0].name === 'from' ? 'from' : 'import', bindings: [], column: columnOf(source, node.from) };
  let i = 1;
  let prefix = '';
  if (statement.kind === 'from') {
    const start = tokens[1];
    while (i < tokens.length && tokens[i].name !== 'import') i++;
    const end = tokens[i - 1];
    const moduleText = tokens.slice(1, i).map(text).join('');
    statement.module = { from: start.from, to: end.to, text: moduleText };
    prefix = `${moduleText}.`;
    i++; // 'import'
  }
  // Items: `a.b.c [as d]` (import) or `a [as d]` / `*` (from), separated by commas.
  while (i < tokens.length) {
    const first = tokens[i];
    if (first.name === '*') {
      statement.bindings.push({ local: '*', path: statement.module?.text ?? '', item: { from: first.from, to: first.to }, aliased: false, statement });
      i++;
    } else {
      const names: SyntaxNode[] = [];
      while (i < tokens.length && tokens[i].name !== 'as' && tokens[i].name !== ',') {
        if (tokens[i].name === 'VariableName') names.push(tokens[i]);
        i++;
      }
      const dotted = names.map(text).join('.');
      let alias: SyntaxNode | undefined;
      if (tokens[i]?.name === 'as') {
        alias = tokens[i + 1];
        i += 2;
      }
      const last = alias ?? names[names.length - 1] ?? first;
      const item = { from: first.from, to: last.to };
      if (statement.kind === 'from') {
        statement.bindings.push({ local: alias ? text(alias) : dotted, path: prefix + dotted, item, aliased: Boolean(alias), statement });
      } else {
        // `import a.b.c` binds `a` to module a; `import a.b.c as d` binds d to a.b.c.
        statement.bindings.push({ local: alias ? text(alias) : names[0] ? text(names[0]) : dotted, path: alias ? dotted : names[0] ? text(names[0]) : dotted, item, aliased: Boolean(alias), statement });
      }
    }
    while (i < tokens.length && tokens[i].name === ',') i++;
  }
  return statement;
}

/** A callee written as a name or a chain of attribute accesses: its names, root first. */
export function dottedNames(source: string, node: SyntaxNode): string[] | null {
  if (node.name === 'VariableName') return [source.slice(node.from, node.to)];
  if (node.name !== 'MemberExpression') return null;
  const object = node.firstChild;
  const property = node.lastChild;
  if (!object || !property || property.name !== 'PropertyName') return null;
  const base = dottedNames(source, object);
  return base ? [...base, source.slice(property.from, property.to)] : null;
}

function parseArgs(source: string, argList: SyntaxNode): ParsedArg[] {
  const args: ParsedArg[] = [];
  let group: SyntaxNode[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const first = group[0];
    const last = group[group.length - 1];
    const span = { from: first.from, to: last.to };
    if (first.name === '*' || first.name === '**') {
      const value = { from: group[1]?.from ?? first.to, to: last.to };
      args.push({ ...span, name: null, text: source.slice(value.from, value.to), value, star: first.name });
    } else if (group.length >= 3 && first.name === 'VariableName' && group[1].name === 'AssignOp') {
      const value = { from: group[2].from, to: last.to };
      args.push({ ...span, name: source.slice(first.from, first.to), text: source.slice(value.from, value.to), value });
    } else {
      args.push({ ...span, name: null, text: source.slice(span.from, span.to), value: span });
    }
    group = [];
  };
  for (const c of children(argList)) {
    if (c.name === '(' || c.name === ')' || c.name === 'Comment') continue;
    if (c.name === ',') flush();
    else group.push(c);
  }
  flush();
  return args;
}

/**
 * The text the parser reads: @lezer/python 1.1 misreads two things Python accepts, so they are
 * rewritten character for character (every offset stays the same): a float with a trailing dot
 * (`1.`, `24.*3600.`, `1. if x else 2`, read as a member access) gets a `0` for its dot, and a
 * form feed (which Python takes as whitespace) becomes a space.
 */
function parserText(source: string): string {
  return source.replace(/(?<![\w.])(\d[\d_]*)\.(?![\w.])/g, (_, digits: string) => `${digits}0`).replace(/\f/g, ' ');
}

/** @lezer/python marks a bare `yield` (no value) as an error: an empty error node right after the keyword. */
function isBareYield(error: SyntaxNode): boolean {
  const holder = error.parent?.name;
  return error.from === error.to && (holder === 'YieldStatement' || holder === 'YieldExpression') && error.prevSibling?.name === 'yield';
}

/** `a == b`, `a is b`, `a in b` and their negations. */
function isComparison(node: SyntaxNode | null): boolean {
  if (node?.name !== 'BinaryExpression') return false;
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name === 'CompareOp' || c.name === 'is' || c.name === 'in') return true;
  return false;
}

/** The binding a name has at `offset`: the last import of it before that point (or a star import). */
export function bindingAt(imports: readonly ImportStatement[], name: string, offset: number): ImportBinding | undefined {
  let found: ImportBinding | undefined;
  for (const statement of imports) {
    if (statement.from > offset) break;
    for (const b of statement.bindings) {
      if (b.local === name) found = b;
      else if (b.local === '*' && classAtPath(`${b.path}.${name}`)) found = b;
    }
  }
  return found;
}

/** Resolves a dotted callee through the imports to a full path (`nn.InstanceNorm1d` -> `torch.nn.InstanceNorm1d`). */
export function resolvePath(imports: readonly ImportStatement[], names: readonly string[], offset: number): { path: string; binding: ImportBinding } | null {
  const binding = bindingAt(imports, names[0], offset);
  if (!binding) return null;
  const rest = binding.local === '*' ? names : names.slice(1);
  return { path: [binding.path, ...rest].join('.'), binding };
}

export interface ParseOptions {
  /** Bindings assumed before the first line (the one-call form has no imports of its own). */
  prelude?: readonly ImportStatement[];
}

export function parsePython(source: string, options: ParseOptions = {}): PythonFile {
  const tree = parser.parse(parserText(source));
  const imports: ImportStatement[] = [...(options.prelude ?? [])];
  const callNodes: SyntaxNode[] = [];
  const nameNodes: SyntaxNode[] = [];
  const nameUses = new Map<string, Span[]>();
  const errors: number[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError && !isBareYield(ref.node)) errors.push(ref.from);
      if (ref.name === 'ImportStatement') {
        imports.push(parseImport(source, ref.node));
        return false;
      }
      if (ref.name === 'CallExpression') callNodes.push(ref.node);
      if (ref.name === 'VariableName' || ref.name === 'MemberExpression') nameNodes.push(ref.node);
      if (ref.name === 'VariableName') {
        const next = ref.node.nextSibling;
        const isKeywordName = ref.node.parent?.name === 'ArgList' && next?.name === 'AssignOp';
        if (!isKeywordName) {
          const name = source.slice(ref.from, ref.to);
          const uses = nameUses.get(name) ?? [];
          uses.push({ from: ref.from, to: ref.to });
          nameUses.set(name, uses);
        }
      }
      return undefined;
    },
  });
  const calls: LayerCall[] = [];
  const resolveNode = (node: SyntaxNode) => {
    const names = dottedNames(source, node);
    const resolved = names && resolvePath(imports, names, node.from);
    const found = resolved && classAtPath(resolved.path);
    return names && resolved && found ? { names, resolved, found } : null;
  };
  /** Class expressions that are constructed (callees, partial heads): not references. */
  const constructed = new Set<number>();
  for (const node of callNodes) {
    const calleeNode = node.firstChild;
    const argList = node.lastChild;
    if (!calleeNode || !argList || argList.name !== 'ArgList') continue;
    let kind: LayerCall['kind'] = 'call';
    let classNode = calleeNode;
    let hit = resolveNode(calleeNode);
    let args: ParsedArg[] = [];
    if (!hit) {
      // functools.partial(<layer class>, ...)
      const names = dottedNames(source, calleeNode);
      const callee = names && resolvePath(imports, names, node.from);
      if (!callee || callee.path !== 'functools.partial') continue;
      const first = argList.firstChild?.nextSibling;
      if (!first || (first.name !== 'VariableName' && first.name !== 'MemberExpression') || first.nextSibling?.name === 'AssignOp') continue;
      hit = resolveNode(first);
      if (!hit) continue;
      kind = 'partial';
      classNode = first;
      args = parseArgs(source, argList).slice(1);
    } else args = parseArgs(source, argList);
    constructed.add(classNode.from);
    const { names, resolved, found } = hit;
    calls.push({
      kind,
      ...(kind === 'partial' ? { head: { from: classNode.from, to: classNode.to } } : {}),
      api: found.api,
      framework: found.framework,
      from: node.from,
      to: node.to,
      line: lineOf(source, node.from),
      column: columnOf(source, node.from),
      text: source.slice(node.from, node.to),
      callee: { from: classNode.from, to: classNode.to, text: source.slice(classNode.from, classNode.to), root: names[0], binding: resolved.binding },
      argList: { from: argList.from, to: argList.to },
      args,
      hasStarArgs: args.some((a) => a.star !== undefined),
    });
  }
  const references: LayerReference[] = [];
  for (const node of nameNodes) {
    if (constructed.has(node.from) || (node.parent?.name === 'MemberExpression' && node.parent.firstChild === node && resolveNode(node.parent))) continue;
    const hit = resolveNode(node);
    if (!hit) continue;
    let holder = node.parent;
    while (holder && (holder.name === 'TupleExpression' || holder.name === 'ParenthesizedExpression')) holder = holder.parent;
    const call = holder?.name === 'ArgList' ? holder.parent : null;
    const checker = call?.name === 'CallExpression' && call.firstChild ? source.slice(call.firstChild.from, call.firstChild.to) : '';
    references.push({
      api: hit.found.api,
      framework: hit.found.framework,
      from: node.from,
      to: node.to,
      line: lineOf(source, node.from),
      column: columnOf(source, node.from),
      text: source.slice(node.from, node.to),
      root: hit.names[0],
      binding: hit.resolved.binding,
      typeCheck: checker === 'isinstance' || checker === 'issubclass' || isComparison(holder),
    });
  }
  return { source, tree, imports, calls, references, nameUses, errors };
}

/**
 * Import statements that exist only in the caller's head (the one-call form): `import <root>`,
 * `import <root>.nn as nn` and `from <root>.nn import <every registered class>` (for each package
 * the classes are written from).
 */
export function assumedImports(root: Framework): ImportStatement[] {
  const statement = (kind: 'import' | 'from'): ImportStatement => ({ from: -1, to: -1, kind, bindings: [], column: 0, assumed: true });
  const bind = (st: ImportStatement, local: string, path: string, aliased: boolean) => st.bindings.push({ local, path, item: { from: -1, to: -1 }, aliased, statement: st });
  const plain = statement('import');
  bind(plain, root, root, false);
  const out = [plain];
  for (const pkg of layerPackages(root)) {
    const module = statement('import');
    bind(module, pkg.split('.').pop()!, pkg, true);
    const classes = statement('from');
    for (const api of LAYER_NAMES) {
      const path = publicPath(root, api);
      if (parentOf(path) === pkg) bind(classes, api, path, false);
    }
    out.push(module, classes);
  }
  return out;
}
