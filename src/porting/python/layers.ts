/**
 * Which state-dict prefixes are InstanceNorm layers, read from the model's source rather than
 * guessed from key names: `self.<attr> = <InstanceNorm call>` in a class, nested modules
 * (`self.enc = Encoder()` gives `enc.norm1`), and the indices of nn.Sequential / ModuleList /
 * SequentialCell / CellList. Base classes defined in the same file contribute their layers.
 */
import type { SyntaxNode } from '@lezer/common';
import { KeyError, ValueError } from '../../core/errors';
import { mappingEntry, pyValue } from '../../mapping';
import { dottedNames, parsePython, resolvePath, type ApiName, type Framework, type InstanceNormCall, type PythonFile } from './syntax';

/** A literal argument's value as Python has it. */
export type PyLiteral = number | boolean | string | null;

export interface InstanceNormLayer {
  /** The layer's state-dict prefix, e.g. `enc.norm1` or `stem.2` (empty for a model that is the layer). */
  prefix: string;
  api: ApiName;
  framework: Framework;
  /** Where the construction is: 1-based line, 0-based column. */
  line: number;
  column: number;
  /** Constructor arguments by name: literal values written in the call, the framework's defaults for the rest. */
  config: Record<string, PyLiteral>;
  /** Arguments whose value the source does not show as a literal (variables, `**kwargs`). */
  unknown: string[];
  /** Arguments written in the call with a literal value (the rest of `config` is defaults). */
  written: string[];
}

export interface LayerOptions {
  /** The class that is the model; default: the one class no other class uses. */
  model?: string;
}

type Member =
  | { kind: 'norm'; call: InstanceNormCall }
  | { kind: 'class'; name: string }
  /** Sequential/ModuleList/ModuleDict and MindSpore's cells: children keyed by index or name. */
  | { kind: 'container'; items: [string, Member][] }
  | { kind: 'other' };

interface ClassInfo {
  name: string;
  bases: string[];
  members: [string, Member][];
}

const CONTAINERS = new Set(['torch.nn.Sequential', 'torch.nn.ModuleList', 'torch.nn.ModuleDict', 'mindspore.nn.SequentialCell', 'mindspore.nn.CellList', 'mindspore.nn.CellDict']);

/** Methods that register a child under a name given as a string: `self.add_module('norm', ...)`. */
const REGISTER = new Set(['add_module', 'register_module', 'insert_child_to_cell']);

function stringValue(file: PythonFile, node: SyntaxNode | undefined): string | null {
  if (!node || node.name !== 'String') return null;
  const v = pyValue(text(file, node));
  return v.kind === 'literal' && typeof v.value === 'string' ? v.value : null;
}

/** `[("a", x), ("b", y)]` (an OrderedDict's items) or `{"a": x, "b": y}` as (name, node) pairs; null if any key is not a string. */
function namedItems(file: PythonFile, node: SyntaxNode): [string, SyntaxNode][] | null {
  const out: [string, SyntaxNode][] = [];
  if (node.name === 'DictionaryExpression') {
    const parts = argumentNodes(node).filter((n) => n.name !== '{' && n.name !== '}' && n.name !== ':');
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const key = stringValue(file, parts[i]);
      if (key === null) return null;
      out.push([key, parts[i + 1]]);
    }
    return out;
  }
  if (node.name === 'CallExpression' && /(^|\.)OrderedDict$/.test(text(file, node.firstChild!))) {
    const [list] = argumentNodes(node.lastChild!);
    if (!list || (list.name !== 'ArrayExpression' && list.name !== 'TupleExpression')) return null;
    for (const pair of argumentNodes(list).filter((n) => n.name !== '[' && n.name !== ']')) {
      const [k, v] = pair.name === 'TupleExpression' ? argumentNodes(pair) : [];
      const key = stringValue(file, k);
      if (key === null || !v) return null;
      out.push([key, v]);
    }
    return out;
  }
  return null;
}

function text(file: PythonFile, node: SyntaxNode): string {
  return file.source.slice(node.from, node.to);
}

function argumentNodes(argList: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = argList.firstChild; c; c = c.nextSibling) if (!['(', ')', ',', 'Comment'].includes(c.name)) out.push(c);
  return out;
}

function member(file: PythonFile, classes: ReadonlySet<string>, node: SyntaxNode): Member {
  if (node.name !== 'CallExpression') return { kind: 'other' };
  // A partial is a factory, not a module: it is no layer until called.
  const call = file.calls.find((c) => c.kind === 'call' && c.from === node.from && c.to === node.to);
  if (call) return { kind: 'norm', call };
  const callee = node.firstChild!;
  const names = dottedNames(file.source, callee);
  if (!names) return { kind: 'other' };
  if (names.length === 1 && classes.has(names[0])) return { kind: 'class', name: names[0] };
  const resolved = resolvePath(file.imports, names, node.from);
  if (!resolved || !CONTAINERS.has(resolved.path)) return { kind: 'other' };
  let items = argumentNodes(node.lastChild!);
  // Sequential(OrderedDict([...])) and ModuleDict({...}) name their children.
  const named = items.length === 1 ? namedItems(file, items[0]) : null;
  if (named) return { kind: 'container', items: named.map(([k, n]) => [k, member(file, classes, n)]) };
  // SequentialCell([a, b]) and ModuleList([a, b]) take one list; Sequential(a, b) takes them spread.
  if (items.length === 1 && (items[0].name === 'ArrayExpression' || items[0].name === 'TupleExpression')) items = argumentNodes(items[0]).filter((n) => n.name !== '[' && n.name !== ']');
  return { kind: 'container', items: items.map((n, i) => [String(i), member(file, classes, n)]) };
}

function collectClasses(file: PythonFile): Map<string, ClassInfo> {
  // Module-level classes only: a class defined inside a function is not a model's module type here.
  const nodes = file.tree.topNode.getChildren('ClassDefinition');
  const names = new Set(nodes.map((n) => text(file, n.getChild('VariableName')!)));
  const classes = new Map<string, ClassInfo>();
  for (const node of nodes) {
    const name = text(file, node.getChild('VariableName')!);
    const baseList = node.getChild('ArgList');
    const bases = baseList ? argumentNodes(baseList).map((n) => text(file, n)).filter((b) => names.has(b)) : [];
    const members: [string, Member][] = [];
    const body = node.getChild('Body');
    for (const statement of statements(body)) {
      if (statement.name === 'AssignStatement') {
        const path = dottedNames(file.source, statement.firstChild!);
        if (path && path.length === 2 && path[0] === 'self') members.push([path[1], member(file, names, statement.lastChild!)]);
        continue;
      }
      // self.add_module('name', child)
      const call = statement.firstChild;
      const path = call?.name === 'CallExpression' ? dottedNames(file.source, call.firstChild!) : null;
      if (!call || !path || path.length !== 2 || path[0] !== 'self' || !REGISTER.has(path[1])) continue;
      const [key, child] = argumentNodes(call.lastChild!);
      const name = stringValue(file, key);
      if (name !== null && child) members.push([name, member(file, names, child)]);
    }
    classes.set(name, { name, bases, members });
  }
  return classes;
}

/** The assignments and expression statements of a class body and its methods, not of nested classes. */
function statements(body: SyntaxNode | null): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (node: SyntaxNode) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'ClassDefinition') continue;
      if (c.name === 'AssignStatement' || c.name === 'ExpressionStatement') out.push(c);
      else walk(c);
    }
  };
  if (body) walk(body);
  return out;
}

/**
 * The signature mapping.json records for the call's class: parameter names in order, and the
 * defaults that are literals. A `None` default means "not given" and a name (`mstype.float32`) is
 * no literal, so neither enters the config.
 */
function signature(call: InstanceNormCall): { params: string[]; defaults: Record<string, PyLiteral> } {
  const args = mappingEntry(call.api)[call.framework].args;
  const defaults: Record<string, PyLiteral> = {};
  for (const arg of args) {
    const value = arg.default === undefined ? undefined : pyValue(arg.default);
    if (value?.kind === 'literal' && value.value !== null) defaults[arg.name] = value.value;
  }
  return { params: args.map((a) => a.name), defaults };
}

function configOf(call: InstanceNormCall): Pick<InstanceNormLayer, 'config' | 'unknown' | 'written'> {
  const { params, defaults } = signature(call);
  const config: Record<string, PyLiteral> = { ...defaults };
  const unknown: string[] = [];
  const written: string[] = [];
  let position = 0;
  for (const arg of call.args) {
    if (arg.star) {
      unknown.push(`${arg.star}${arg.text}`);
      continue;
    }
    const name = arg.name ?? params[position++] ?? `#${position}`;
    const value = pyValue(arg.text);
    if (value.kind === 'literal') {
      config[name] = value.value;
      written.push(name);
    } else {
      delete config[name];
      unknown.push(name);
    }
  }
  const ordered = Object.fromEntries(Object.entries(config).sort(([a], [b]) => params.indexOf(a) - params.indexOf(b)));
  return { config: ordered, unknown, written };
}

function layersOf(classes: ReadonlyMap<string, ClassInfo>, name: string, prefix: string, visiting: Set<string>): InstanceNormLayer[] {
  const info = classes.get(name);
  if (!info || visiting.has(name)) return [];
  visiting.add(name);
  const out: InstanceNormLayer[] = [];
  for (const base of info.bases) out.push(...layersOf(classes, base, prefix, visiting));
  const add = (m: Member, at: string) => {
    if (m.kind === 'norm') out.push({ prefix: at, api: m.call.api, framework: m.call.framework, line: m.call.line, column: m.call.column, ...configOf(m.call) });
    else if (m.kind === 'class') out.push(...layersOf(classes, m.name, `${at}.`, visiting));
    else if (m.kind === 'container') m.items.forEach(([key, item]) => add(item, `${at}.${key}`));
  };
  // A later assignment to the same attribute replaces the earlier one, as at run time.
  const last = new Map(info.members);
  for (const [attr, m] of last) add(m, `${prefix}${attr}`);
  visiting.delete(name);
  return out.map((l) => ({ ...l, prefix: l.prefix.replace(/\.$/, '') }));
}

function usedClasses(classes: ReadonlyMap<string, ClassInfo>): Set<string> {
  const used = new Set<string>();
  const visit = (m: Member) => {
    if (m.kind === 'class') used.add(m.name);
    if (m.kind === 'container') m.items.forEach(([, item]) => visit(item));
  };
  for (const info of classes.values()) {
    info.bases.forEach((b) => used.add(b));
    info.members.forEach(([, m]) => visit(m));
  }
  return used;
}

export interface LayerDiscovery {
  /** The class taken as the model (null when the source has no class with InstanceNorm layers). */
  model: string | null;
  layers: InstanceNormLayer[];
  /**
   * InstanceNorm constructions that got no prefix: built in a comprehension or loop, passed to an
   * unknown container, outside the model class, or assigned to something other than `self.<attr>`.
   */
  unplaced: { line: number; api: ApiName; framework: Framework; text: string }[];
}

/** The model class's InstanceNorm layers, and the constructions that could not be placed in it. */
export function discoverLayers(source: string, options: LayerOptions = {}): LayerDiscovery {
  const file = parsePython(source);
  const classes = collectClasses(file);
  let model = options.model;
  if (model !== undefined && !classes.has(model)) {
    throw new KeyError(`model class '${model}' is not defined in the source; classes: ${[...classes.keys()].join(', ') || 'none'}`);
  }
  if (model === undefined) {
    const used = usedClasses(classes);
    const tops = [...classes.keys()].filter((c) => !used.has(c) && layersOf(classes, c, '', new Set()).length > 0);
    if (tops.length > 1) throw new ValueError(`the source has ${tops.length} top-level model classes (${tops.join(', ')}); name one with --model`);
    model = tops[0];
  }
  const layers = model === undefined ? [] : layersOf(classes, model, '', new Set());
  const placed = new Set(layers.map((l) => `${l.line}:${l.column}`));
  const unplaced = file.calls.filter((c) => !placed.has(`${c.line}:${c.column}`)).map((c) => ({ line: c.line, api: c.api, framework: c.framework, text: c.text }));
  return { model: model ?? null, layers, unplaced };
}

/** The InstanceNorm layers of the model class in `source`, with their state-dict prefixes. */
export function instanceNormLayers(source: string, options: LayerOptions = {}): InstanceNormLayer[] {
  return discoverLayers(source, options).layers;
}
