/**
 * A small abstract interpreter for model code: it runs a model class's `__init__` on values it can
 * know (literals, the framework's layer classes, the file's own classes and functions, lists and
 * containers being built) and keeps everything else `unknown`. What models do to build their layers
 * is followed: comprehensions and loops (unrolled when the iterable is known, e.g. `range(3)`),
 * lists grown with `append`/`extend`/`+=` and spread into `Sequential(*layers)`, `add_module` /
 * `setattr` with computed names, `super().__init__`, helper methods and functions, and norm
 * factories (`functools.partial(nn.InstanceNorm2d, ...)`, a class kept in a variable, a helper
 * returning either). Where the source does not say (a loop over an unknown count, a name built from
 * an unknown value), the key gets a `*`, and where it does not say whether a layer exists at all (a
 * branch on an unknown condition), the layer is marked `maybe`.
 *
 * Nothing is executed: no import is followed, no code outside the file is known, and a value the
 * interpreter cannot follow is `unknown` rather than guessed.
 */
import type { SyntaxNode } from '@lezer/common';
import { ValueError } from '../../core/errors';
import { pyValue } from '../../mapping';
import { classAtPath } from './paths';
import { lineStart } from './splice';
import { lineOf, resolvePath, type ApiName, type Framework, type PythonFile } from './syntax';

/** A literal value as Python has it. */
export type PyLiteral = number | boolean | string | null;

/** One argument of a call as written, with the value the interpreter found for it. */
export interface EvaluatedArg {
  name: string | null;
  star?: '*' | '**';
  text: string;
  value: Value;
}

/** Where a layer is constructed in the source. */
export interface Site {
  from: number;
  line: number;
  column: number;
  text: string;
}

/** A layer of the mapping's classes, constructed: which class, the arguments it got, and where. */
export interface NormConstruction {
  api: ApiName;
  framework: Framework;
  args: EvaluatedArg[];
  site: Site;
  /** Offsets of the file's layer calls and partials that this construction came from. */
  sources: number[];
}

/** A class of the mapping (or a partial of one): constructing it gives a layer. */
interface NormFactory {
  api: ApiName;
  framework: Framework;
  args: EvaluatedArg[];
  sources: number[];
}

/** A child of a module or an item of a list: its key (null: by position), and whether it surely exists once. */
export interface Entry {
  key: Value | null;
  value: Value;
  /** Added on a branch whose condition is unknown. */
  maybe: boolean;
  /** Added in a loop over an unknown count: any number of such entries. */
  repeated: boolean;
}

/** A module with children: an instance of a class of the file, or a Sequential/ModuleList/ModuleDict (or MindSpore's cells). */
export interface ModuleNode {
  cls: string | null;
  entries: Entry[];
}

export type Value =
  | { kind: 'literal'; value: PyLiteral }
  /** A string the source builds from unknown parts: `*` stands for them (`norm*`). */
  | { kind: 'pattern'; text: string }
  | { kind: 'norm'; norm: NormConstruction }
  | { kind: 'factory'; factory: NormFactory }
  | { kind: 'module'; module: ModuleNode }
  | { kind: 'list'; items: Entry[] }
  | { kind: 'dict'; items: Entry[] }
  | { kind: 'function'; node: SyntaxNode; owner: string | null; self?: Value }
  | { kind: 'class'; name: string }
  /** A name imported from a framework or library, resolved: `torch.nn.Conv2d`, `functools.partial`. */
  | { kind: 'path'; path: string }
  | { kind: 'union'; options: Value[] }
  | { kind: 'unknown' };

const UNKNOWN: Value = { kind: 'unknown' };
const NONE: Value = { kind: 'literal', value: null };
const literal = (value: PyLiteral): Value => ({ kind: 'literal', value });

/** Containers whose children are registered under their index or name. */
const CONTAINERS = new Set(['torch.nn.Sequential', 'torch.nn.ModuleList', 'torch.nn.ModuleDict', 'mindspore.nn.SequentialCell', 'mindspore.nn.CellList', 'mindspore.nn.CellDict']);
/** Methods that register a child under a name given as a string. */
const REGISTER = new Set(['add_module', 'register_module', 'insert_child_to_cell']);
/** Loops over more items than this are followed as loops over an unknown count. */
const MAX_UNROLL = 256;
/** Evaluation steps before the interpreter gives up on a source (a guard against runaway recursion). */
const MAX_STEPS = 2_000_000;
const MAX_DEPTH = 64;

interface Frame {
  env: Map<string, Value>;
  /** The class whose method runs (for super()). */
  owner: string | null;
  maybe: boolean;
  repeat: boolean;
  returns: Value[];
  /** A return or raise was reached: the rest of this frame's body does not run (on every path, for a merged frame). */
  done: boolean;
}

export function union(values: readonly Value[]): Value {
  const options: Value[] = [];
  for (const v of values) for (const o of v.kind === 'union' ? v.options : [v]) if (!options.some((x) => same(x, o))) options.push(o);
  return options.length === 1 ? options[0] : options.length === 0 ? UNKNOWN : { kind: 'union', options };
}

function same(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind === 'literal' && b.kind === 'literal') return a.value === b.value;
  if (a.kind === 'pattern' && b.kind === 'pattern') return a.text === b.text;
  if (a.kind === 'path' && b.kind === 'path') return a.path === b.path;
  if (a.kind === 'class' && b.kind === 'class') return a.name === b.name;
  if (a.kind === 'unknown' && b.kind === 'unknown') return true;
  return false;
}

/** A key's text: a string, a number, or `*` where the source does not say. */
export function keyText(key: Value): string {
  if (key.kind === 'literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  if (key.kind === 'pattern') return key.text;
  return '*';
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':']);

export class Interpreter {
  private readonly source: string;
  private readonly classes = new Map<string, SyntaxNode>();
  private readonly functions = new Map<string, SyntaxNode>();
  private readonly globals = new Map<string, Value>();
  private readonly instantiating: string[] = [];
  private steps = 0;
  private depth = 0;

  constructor(private readonly file: PythonFile) {
    this.source = file.source;
    const top = children(file.tree.topNode);
    for (const node of top) {
      const def = node.name === 'DecoratedStatement' ? node.getChild('ClassDefinition') ?? node.getChild('FunctionDefinition') : node;
      if (def?.name === 'ClassDefinition') this.classes.set(this.text(def.getChild('VariableName')!), def);
      if (def?.name === 'FunctionDefinition') this.functions.set(this.text(def.getChild('VariableName')!), def);
    }
    // Module-level assignments (`NORM = nn.InstanceNorm2d`, `CHANNELS = [64, 128]`) are known to every function.
    const frame = this.frame(this.globals, null);
    for (const node of top) if (node.name === 'AssignStatement') this.assign(node, frame);
  }

  /** A module-level variable's value (assignments at the top of the file run when the interpreter is made). */
  global(name: string): Value {
    return this.globals.get(name) ?? UNKNOWN;
  }

  /** The classes defined at the top of the file, by name. */
  classNames(): string[] {
    return [...this.classes.keys()];
  }

  /** Base classes named in a class's header (of any origin). */
  baseNames(cls: string): string[] {
    const args = this.classes.get(cls)?.getChild('ArgList');
    return args ? children(args).filter((n) => !PUNCTUATION.has(n.name)).map((n) => this.text(n)) : [];
  }

  /**
   * The model as `cls()` builds it: parameters with defaults take them, the others and any
   * `*args`/`**kwargs` are unknown (whoever constructs the model may pass anything there).
   */
  instantiate(cls: string): Value {
    return this.construct(cls, [], true);
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }

  private frame(env: Map<string, Value>, owner: string | null, parent?: Frame): Frame {
    return { env, owner, maybe: parent?.maybe ?? false, repeat: parent?.repeat ?? false, returns: [], done: false };
  }

  private step(): void {
    if (++this.steps > MAX_STEPS) throw new ValueError(`the model source is too involved to follow (more than ${MAX_STEPS} evaluation steps)`);
  }

  // ---------------------------------------------------------------- statements

  private exec(body: SyntaxNode | null, frame: Frame): void {
    if (!body) return;
    for (const node of children(body)) {
      if (frame.done) return;
      this.statement(node, frame);
    }
  }

  private statement(node: SyntaxNode, frame: Frame): void {
    this.step();
    switch (node.name) {
      case 'AssignStatement':
        return this.assign(node, frame);
      case 'UpdateStatement':
        return this.update(node, frame);
      case 'ExpressionStatement':
        this.expr(node.firstChild, frame);
        return;
      case 'StatementGroup':
        return this.exec(node, frame);
      case 'IfStatement':
        return this.branch(node, frame);
      case 'ForStatement':
        return this.forLoop(node, frame);
      case 'WhileStatement':
        return this.repeated(frame, (inner) => this.exec(node.getChild('Body'), inner));
      case 'WithStatement':
        return this.exec(node.getChild('Body'), frame);
      case 'TryStatement': {
        const bodies = node.getChildren('Body');
        this.exec(bodies[0], frame);
        for (const other of bodies.slice(1)) this.maybeRun(frame, (inner) => this.exec(other, inner));
        return;
      }
      case 'ReturnStatement': {
        const value = node.lastChild && node.lastChild.name !== 'return' ? this.expr(node.lastChild, frame) : NONE;
        frame.returns.push(value);
        frame.done = true;
        return;
      }
      case 'RaiseStatement':
        frame.done = true;
        return;
      case 'FunctionDefinition':
        frame.env.set(this.text(node.getChild('VariableName')!), { kind: 'function', node, owner: null });
        return;
      case 'DecoratedStatement': {
        const def = node.getChild('FunctionDefinition');
        if (def) this.statement(def, frame);
        return;
      }
      default:
        return;
    }
  }

  /** `a = b = value`, `x, y = value`, `self.x: T = value`. */
  private assign(node: SyntaxNode, frame: Frame): void {
    const groups: SyntaxNode[][] = [[]];
    for (const c of children(node)) {
      if (c.name === 'AssignOp') groups.push([]);
      else if (c.name !== 'TypeDef') groups[groups.length - 1].push(c);
    }
    if (groups.length < 2) return; // an annotation without a value
    const value = this.tuple(groups.pop()!, frame);
    for (const targets of groups) this.bind(targets, value, frame);
  }

  /** Comma-separated expressions: one value, or a tuple of them. */
  private tuple(nodes: SyntaxNode[], frame: Frame): Value {
    const items = nodes.filter((n) => n.name !== ',');
    if (items.length === 1) return this.expr(items[0], frame);
    return { kind: 'list', items: this.sequenceItems(nodes, frame) };
  }

  /** Binds assignment or loop targets (names, `self.attr`, tuples of them) to a value. */
  private bind(targets: SyntaxNode[], value: Value, frame: Frame): void {
    const names = targets.filter((n) => n.name !== ',');
    if (names.length > 1) {
      const items = this.knownItems(value);
      names.forEach((n, i) => this.bind([n], items && items.length === names.length ? items[i] : UNKNOWN, frame));
      return;
    }
    const target = names[0];
    if (!target) return;
    if (target.name === 'VariableName') {
      frame.env.set(this.text(target), value);
    } else if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
      this.bind(children(target).filter((n) => !PUNCTUATION.has(n.name)), value, frame);
    } else if (target.name === 'MemberExpression' && target.lastChild?.name === 'PropertyName') {
      const owner = this.expr(target.firstChild, frame);
      if (owner.kind === 'module') this.setChild(owner.module, literal(this.text(target.lastChild)), value, frame);
    }
  }

  /** `x += value`: lists and containers grow; numbers add. */
  private update(node: SyntaxNode, frame: Frame): void {
    const [target, op, valueNode] = children(node);
    if (!target || !valueNode) return;
    const current = this.expr(target, frame);
    const value = this.expr(valueNode, frame);
    const opText = this.text(op);
    if (opText === '+=' && (current.kind === 'list' || current.kind === 'module')) {
      this.extend(current.kind === 'list' ? current.items : current.module.entries, value, frame);
      return;
    }
    this.bind([target], this.arithmetic(opText.slice(0, -1), current, value), frame);
  }

  private branch(node: SyntaxNode, frame: Frame): void {
    // if c1: b1 elif c2: b2 else: b3 -> (condition | null for else, body) pairs
    const arms: [SyntaxNode | null, SyntaxNode][] = [];
    let condition: SyntaxNode | null = null;
    for (const c of children(node)) {
      if (c.name === 'if' || c.name === 'elif' || c.name === 'else') condition = null;
      else if (c.name === 'Body') {
        arms.push([condition, c]);
        condition = null;
      } else condition = c;
    }
    let uncertain = false;
    let closed = false;
    const forks: Frame[] = [];
    for (const [cond, body] of arms) {
      const truth = cond === null ? true : this.truth(this.expr(cond, frame));
      if (truth === false) continue;
      if (truth === true && !uncertain) {
        this.exec(body, frame);
        return;
      }
      // an arm after an unknown condition runs only if that condition was false: maybe
      uncertain = true;
      const fork = { ...this.frame(new Map(frame.env), frame.owner, frame), maybe: true };
      this.exec(body, fork);
      forks.push(fork);
      if (truth === true) {
        closed = true;
        break;
      }
    }
    if (forks.length > 0) this.merge(frame, forks, !closed);
    // every way through the if returned or raised
    if (closed && forks.every((f) => f.done)) frame.done = true;
  }

  /**
   * Variables after branches that may each have run: the union of what they may hold on the paths
   * that go on (a branch that returned does not); `keepBefore` when no branch may have run at all.
   */
  private merge(frame: Frame, forks: readonly Frame[], keepBefore: boolean): void {
    for (const fork of forks) frame.returns.push(...fork.returns);
    const live = forks.filter((f) => !f.done);
    const names = new Set(live.flatMap((f) => [...f.env.keys()]));
    for (const name of names) {
      const before = frame.env.get(name);
      const options = live.map((f) => f.env.get(name) ?? before ?? UNKNOWN);
      if (keepBefore) options.push(before ?? UNKNOWN);
      frame.env.set(name, union(options));
    }
  }

  private maybeRun(frame: Frame, run: (inner: Frame) => void): void {
    const fork = { ...this.frame(new Map(frame.env), frame.owner, frame), maybe: true };
    run(fork);
    this.merge(frame, [fork], true);
  }

  /** A loop body run once for an unknown number of iterations: what it adds is `repeated`. */
  private repeated(frame: Frame, run: (inner: Frame) => void): void {
    const fork = { ...this.frame(new Map(frame.env), frame.owner, frame), repeat: true };
    run(fork);
    this.merge(frame, [fork], true);
  }

  private forLoop(node: SyntaxNode, frame: Frame): void {
    const parts = children(node);
    const inAt = parts.findIndex((c) => c.name === 'in');
    const targets = parts.slice(1, inAt);
    const bodies = node.getChildren('Body');
    const iterable = this.expr(parts[inAt + 1], frame);
    const items = this.knownItems(iterable);
    if (items && items.length <= MAX_UNROLL && !this.breaks(bodies[0])) {
      for (const item of items) {
        if (frame.done) return;
        this.bind(targets, item, frame);
        this.exec(bodies[0], frame);
      }
      if (bodies[1]) this.exec(bodies[1], frame);
      return;
    }
    this.repeated(frame, (inner) => {
      this.bind(targets, items ? union(items) : UNKNOWN, inner);
      this.exec(bodies[0], inner);
    });
    if (bodies[1]) this.maybeRun(frame, (inner) => this.exec(bodies[1], inner));
  }

  /** Whether a loop body can leave early (break/continue, or a return anywhere): its iterations are then not all certain. */
  private breaks(node: SyntaxNode | undefined, nested = false): boolean {
    if (!node) return false;
    for (const c of children(node)) {
      if (c.name === 'ReturnStatement' || (!nested && (c.name === 'BreakStatement' || c.name === 'ContinueStatement'))) return true;
      if (c.name === 'FunctionDefinition' || c.name === 'ClassDefinition' || c.name === 'LambdaExpression') continue;
      if (this.breaks(c, nested || c.name === 'ForStatement' || c.name === 'WhileStatement')) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- expressions

  private expr(node: SyntaxNode | null, frame: Frame): Value {
    if (!node) return UNKNOWN;
    this.step();
    switch (node.name) {
      case 'Number':
      case 'Boolean':
      case 'None':
      case 'String': {
        const v = pyValue(this.text(node));
        return v.kind === 'literal' ? literal(v.value) : UNKNOWN;
      }
      case 'ContinuedString': {
        const parts = children(node).map((c) => this.expr(c, frame));
        return this.concat(parts);
      }
      case 'FormatString':
        return this.formatString(node, frame);
      case 'VariableName':
        return this.lookup(this.text(node), node.from, frame);
      case 'ParenthesizedExpression':
        return this.expr(children(node).find((c) => !PUNCTUATION.has(c.name)) ?? null, frame);
      case 'MemberExpression':
        return this.member(node, frame);
      case 'CallExpression':
        return this.call(node, frame);
      case 'TupleExpression':
      case 'ArrayExpression':
        return { kind: 'list', items: this.sequenceItems(children(node), frame) };
      case 'ArrayComprehensionExpression':
      case 'ComprehensionExpression':
        return { kind: 'list', items: this.comprehension(children(node).filter((c) => !PUNCTUATION.has(c.name) || c.name === ','), frame) };
      case 'DictionaryExpression':
        return this.dictionary(node, frame);
      case 'BinaryExpression':
        return this.binary(node, frame);
      case 'UnaryExpression': {
        const [op, operand] = children(node);
        const value = this.expr(operand, frame);
        if (this.text(op) === 'not') {
          const truth = this.truth(value);
          return truth === undefined ? UNKNOWN : literal(!truth);
        }
        if (value.kind === 'literal' && typeof value.value === 'number') return literal(this.text(op) === '-' ? -value.value : value.value);
        return UNKNOWN;
      }
      case 'ConditionalExpression': {
        const [yes, , cond, , no] = children(node);
        const truth = this.truth(this.expr(cond, frame));
        if (truth === true) return this.expr(yes, frame);
        if (truth === false) return this.expr(no, frame);
        return union([this.expr(yes, frame), this.expr(no, frame)]);
      }
      default:
        return UNKNOWN;
    }
  }

  /** A name: a local, a module-level value, a class or function of the file, or an import. */
  private lookup(name: string, at: number, frame: Frame): Value {
    const local = frame.env.get(name) ?? this.globals.get(name);
    if (local) return local;
    if (this.classes.has(name)) return { kind: 'class', name };
    const fn = this.functions.get(name);
    if (fn) return { kind: 'function', node: fn, owner: null };
    const resolved = resolvePath(this.file.imports, [name], at);
    if (resolved) return this.pathValue(resolved.path);
    // `from torch.nn import *` brings Sequential and the other containers too
    for (const st of this.file.imports) {
      if (st.from > at) break;
      const star = st.bindings.find((b) => b.local === '*' && CONTAINERS.has(`${b.path}.${name}`));
      if (star) return this.pathValue(`${star.path}.${name}`);
    }
    return { kind: 'path', path: `builtins.${name}` };
  }

  private pathValue(path: string): Value {
    const found = classAtPath(path);
    return found ? { kind: 'factory', factory: { api: found.api, framework: found.framework, args: [], sources: [] } } : { kind: 'path', path };
  }

  private member(node: SyntaxNode, frame: Frame): Value {
    const object = this.expr(node.firstChild, frame);
    const last = node.lastChild;
    if (last?.name === 'PropertyName') {
      const name = this.text(last);
      if (object.kind === 'path') return this.pathValue(`${object.path}.${name}`);
      if (object.kind === 'module') {
        const child = [...object.module.entries].reverse().find((e) => e.key?.kind === 'literal' && e.key.value === name);
        if (child) return child.value;
        const method = object.module.cls ? this.findMethod(object.module.cls, name) : undefined;
        if (method) return { kind: 'function', node: method.node, owner: method.owner, self: object };
        return UNKNOWN;
      }
      if (object.kind === 'class' && name !== '__init__') return UNKNOWN;
      if (object.kind === 'class') {
        const init = this.findMethod(object.name, '__init__');
        return init ? { kind: 'function', node: init.node, owner: init.owner } : UNKNOWN;
      }
      return UNKNOWN;
    }
    // a subscript: list[i], dict['k'], container[i]
    const index = this.expr(children(node).find((c, i) => i > 0 && !PUNCTUATION.has(c.name)) ?? null, frame);
    const items = object.kind === 'list' || object.kind === 'dict' ? object.items : object.kind === 'module' ? object.module.entries : null;
    if (!items || index.kind !== 'literal') return UNKNOWN;
    if (object.kind === 'dict') return items.find((e) => e.key?.kind === 'literal' && e.key.value === index.value && !e.maybe)?.value ?? UNKNOWN;
    const known = this.knownItems(object);
    if (typeof index.value !== 'number' || !known || !Number.isInteger(index.value)) return UNKNOWN;
    return known.at(index.value) ?? UNKNOWN;
  }

  /** The items of a sequence when they are all known for sure (a range, a literal list, a list built without unknown loops). */
  private knownItems(value: Value): Value[] | null {
    if (value.kind === 'list' || value.kind === 'dict') {
      if (value.items.some((e) => e.maybe || e.repeated)) return null;
      return value.items.map((e) => (value.kind === 'dict' ? (e.key ?? UNKNOWN) : e.value));
    }
    if (value.kind === 'literal' && typeof value.value === 'string' && value.value.length <= MAX_UNROLL) return [...value.value].map(literal);
    return null;
  }

  private sequenceItems(nodes: SyntaxNode[], frame: Frame): Entry[] {
    const items: Entry[] = [];
    let star = false;
    for (const n of nodes) {
      if (PUNCTUATION.has(n.name)) continue;
      if (n.name === '*') {
        star = true;
        continue;
      }
      const value = this.expr(n, frame);
      if (star) this.extend(items, value, frame);
      else items.push(this.entry(null, value, frame));
      star = false;
    }
    return items;
  }

  private entry(key: Value | null, value: Value, frame: Frame): Entry {
    return { key, value, maybe: frame.maybe, repeated: frame.repeat };
  }

  /** Adds a sequence's items (a list, a comprehension, a container's children) to `items`. */
  private extend(items: Entry[], value: Value, frame: Frame): void {
    if (value.kind === 'list' || value.kind === 'module') {
      for (const e of value.kind === 'list' ? value.items : value.module.entries) items.push({ key: null, value: e.value, maybe: e.maybe || frame.maybe, repeated: e.repeated || frame.repeat });
    } else items.push({ key: null, value: UNKNOWN, maybe: frame.maybe, repeated: true });
  }

  /**
   * `expr for t in it [if c] [for ...]`: the items, one per known iteration, or one `repeated` item
   * for an unknown iterable. `nodes` are the expression's children without brackets.
   */
  private comprehension(nodes: SyntaxNode[], frame: Frame): Entry[] {
    const out: Entry[] = [];
    const at = nodes.findIndex((n) => n.name === 'for');
    if (at <= 0) return out;
    const element = nodes.slice(0, at).filter((n) => n.name !== ',');
    const inner = this.frame(new Map(frame.env), frame.owner, frame);
    const clauses = nodes.slice(at);
    const run = (k: number, f: Frame) => {
      if (k >= clauses.length) {
        out.push(this.entry(null, this.tuple(element, f), f));
        return;
      }
      const c = clauses[k];
      if (c.name === 'if') {
        const truth = this.truth(this.expr(clauses[k + 1], f));
        if (truth === false) return;
        run(k + 2, truth === true ? f : { ...f, maybe: true });
        return;
      }
      if (c.name === 'for' || c.name === 'async') {
        const forAt = c.name === 'async' ? k + 1 : k;
        const inAt = clauses.findIndex((n, i) => i > forAt && n.name === 'in');
        const targets = clauses.slice(forAt + 1, inAt);
        const iterable = this.expr(clauses[inAt + 1], f);
        const items = this.knownItems(iterable);
        if (items && items.length <= MAX_UNROLL) {
          for (const item of items) {
            this.bind(targets, item, f);
            run(inAt + 2, f);
          }
        } else {
          this.bind(targets, UNKNOWN, f);
          run(inAt + 2, { ...f, repeat: true });
        }
        return;
      }
      run(k + 1, f);
    };
    run(0, inner);
    return out;
  }

  private dictionary(node: SyntaxNode, frame: Frame): Value {
    const parts = children(node).filter((c) => c.name !== '{' && c.name !== '}' && c.name !== ',');
    const items: Entry[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].name === '**') {
        const other = this.expr(parts[++i], frame);
        if (other.kind === 'dict') items.push(...other.items);
        continue;
      }
      if (parts[i + 1]?.name !== ':') return { kind: 'dict', items: [{ key: UNKNOWN, value: UNKNOWN, maybe: false, repeated: true }] };
      items.push(this.entry(this.expr(parts[i], frame), this.expr(parts[i + 2], frame), frame));
      i += 2;
    }
    return { kind: 'dict', items };
  }

  private binary(node: SyntaxNode, frame: Frame): Value {
    const parts = children(node);
    const left = parts[0];
    const right = parts[parts.length - 1];
    const op = parts
      .slice(1, -1)
      .map((p) => this.text(p))
      .join(' ');
    if (op === 'and' || op === 'or') {
      const a = this.expr(left, frame);
      const truth = this.truth(a);
      if (truth === undefined) return union([a, this.expr(right, frame)]);
      return (op === 'and') === truth ? this.expr(right, frame) : a;
    }
    const a = this.expr(left, frame);
    const b = this.expr(right, frame);
    if (op === 'is' || op === 'is not' || op === '==' || op === '!=') {
      const equal = this.equality(a, b);
      if (equal === undefined) return UNKNOWN;
      return literal(op === 'is' || op === '==' ? equal : !equal);
    }
    if (op === 'in' || op === 'not in') {
      const items = this.knownItems(b);
      if (!items || a.kind !== 'literal') return UNKNOWN;
      const found = items.some((i) => i.kind === 'literal' && i.value === a.value);
      if (!found && items.some((i) => i.kind !== 'literal')) return UNKNOWN;
      return literal(op === 'in' ? found : !found);
    }
    if (op === '%' && a.kind === 'literal' && typeof a.value === 'string') return this.percentFormat(a.value, b);
    if (op === '<' || op === '>' || op === '<=' || op === '>=') {
      if (a.kind !== 'literal' || b.kind !== 'literal' || typeof a.value !== typeof b.value || (typeof a.value !== 'number' && typeof a.value !== 'string')) return UNKNOWN;
      const [x, y] = [a.value, b.value] as [number, number];
      return literal(op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y);
    }
    return this.arithmetic(op, a, b);
  }

  /** `==`/`is` where the answer is known: literals, None against a layer or a class, the same class. */
  private equality(a: Value, b: Value): boolean | undefined {
    if (a.kind === 'literal' && b.kind === 'literal') return a.value === b.value;
    const isNone = (v: Value) => v.kind === 'literal' && v.value === null;
    const known = (v: Value) => v.kind === 'factory' || v.kind === 'norm' || v.kind === 'module' || v.kind === 'class' || v.kind === 'function' || v.kind === 'list';
    if ((isNone(a) && known(b)) || (isNone(b) && known(a))) return false;
    if (a.kind === 'factory' && b.kind === 'factory') return a.factory.api === b.factory.api && a.factory.framework === b.factory.framework && a.factory.args.length === b.factory.args.length && a.factory.args.length === 0;
    return undefined;
  }

  private arithmetic(op: string, a: Value, b: Value): Value {
    if (op === '+' && (a.kind === 'list' || b.kind === 'list')) {
      if (a.kind !== 'list' || b.kind !== 'list') return UNKNOWN;
      return { kind: 'list', items: [...a.items, ...b.items] };
    }
    if (op === '*' && a.kind === 'list' && b.kind === 'literal' && typeof b.value === 'number') {
      if (!Number.isInteger(b.value) || b.value > MAX_UNROLL) return { kind: 'list', items: a.items.map((e) => ({ ...e, repeated: true })) };
      return { kind: 'list', items: Array.from({ length: Math.max(0, b.value) }, () => a.items).flat() };
    }
    if (op === '+' && (this.isText(a) || this.isText(b))) return this.concat([a, b]);
    if (a.kind !== 'literal' || b.kind !== 'literal' || typeof a.value !== 'number' || typeof b.value !== 'number') return UNKNOWN;
    const x = a.value;
    const y = b.value;
    switch (op) {
      case '+':
        return literal(x + y);
      case '-':
        return literal(x - y);
      case '*':
        return literal(x * y);
      case '/':
        return y === 0 ? UNKNOWN : literal(x / y);
      case '//':
        return y === 0 ? UNKNOWN : literal(Math.floor(x / y));
      case '%':
        return y === 0 ? UNKNOWN : literal(((x % y) + y) % y);
      case '**':
        return literal(x ** y);
      default:
        return UNKNOWN;
    }
  }

  private isText(v: Value): boolean {
    return v.kind === 'pattern' || (v.kind === 'literal' && typeof v.value === 'string');
  }

  /** Strings joined; an unknown part becomes `*`. */
  private concat(parts: readonly Value[]): Value {
    let text = '';
    let exact = true;
    for (const p of parts) {
      if (p.kind === 'literal' && p.value !== null && typeof p.value !== 'boolean') text += String(p.value);
      else if (p.kind === 'pattern') {
        text += p.text;
        exact = false;
      } else {
        text += '*';
        exact = false;
      }
    }
    return exact ? literal(text) : { kind: 'pattern', text: text.replace(/\*+/g, '*') };
  }

  /** `str(value)` as Python writes it, or `*` when unknown. */
  private str(v: Value): Value {
    if (v.kind === 'literal') return literal(v.value === null ? 'None' : typeof v.value === 'boolean' ? (v.value ? 'True' : 'False') : String(v.value));
    if (v.kind === 'pattern') return v;
    return { kind: 'pattern', text: '*' };
  }

  private formatString(node: SyntaxNode, frame: Frame): Value {
    const raw = this.text(node);
    const quote = /^[a-zA-Z]*("""|'''|"|')/.exec(raw);
    if (!quote) return UNKNOWN;
    const start = node.from + quote[0].length;
    const end = node.to - quote[1].length;
    const parts: Value[] = [];
    let at = start;
    for (const r of node.getChildren('FormatReplacement')) {
      parts.push(literal(this.source.slice(at, r.from).replace(/\{\{/g, '{').replace(/\}\}/g, '}')));
      const inner = children(r).find((c) => c.name !== '{' && c.name !== '}');
      const hasSpec = r.getChild('FormatSpec') !== null || r.getChild('FormatConversion') !== null;
      parts.push(hasSpec ? { kind: 'pattern', text: '*' } : this.str(this.expr(inner ?? null, frame)));
      at = r.to;
    }
    parts.push(literal(this.source.slice(at, end).replace(/\{\{/g, '{').replace(/\}\}/g, '}')));
    return this.concat(parts);
  }

  /** `'norm%d' % i`, `'%s_%d' % (a, b)`. */
  private percentFormat(template: string, values: Value): Value {
    const items = values.kind === 'list' ? this.knownItems(values) : [values];
    let k = 0;
    const parts: Value[] = [];
    let last = 0;
    for (const m of template.matchAll(/%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])/g)) {
      parts.push(literal(template.slice(last, m.index)));
      if (m[1] === '%') parts.push(literal('%'));
      else {
        const v = items?.[k++];
        parts.push(v && (m[1] === 'd' || m[1] === 's' || m[1] === 'i') ? this.str(v) : { kind: 'pattern', text: '*' });
      }
      last = m.index! + m[0].length;
    }
    parts.push(literal(template.slice(last)));
    return this.concat(parts);
  }

  /** `'norm{}'.format(i)`, `'{0}_{1}'.format(a, b)`. */
  private strFormat(template: string, args: EvaluatedArg[]): Value {
    const positional = args.filter((a) => a.name === null && !a.star).map((a) => a.value);
    let next = 0;
    const parts: Value[] = [];
    let last = 0;
    for (const m of template.matchAll(/\{\{|\}\}|\{([^{}!:]*)([!:][^{}]*)?\}/g)) {
      parts.push(literal(template.slice(last, m.index)));
      if (m[0] === '{{' || m[0] === '}}') parts.push(literal(m[0][0]));
      else {
        const field = m[1];
        const v = field === '' ? positional[next++] : /^\d+$/.test(field) ? positional[Number(field)] : args.find((a) => a.name === field)?.value;
        parts.push(v && !m[2] ? this.str(v) : { kind: 'pattern', text: '*' });
      }
      last = m.index! + m[0].length;
    }
    parts.push(literal(template.slice(last)));
    return this.concat(parts);
  }

  /** Python truthiness where known. */
  private truth(v: Value): boolean | undefined {
    if (v.kind === 'literal') return Boolean(v.value);
    if (v.kind === 'factory' || v.kind === 'norm' || v.kind === 'module' || v.kind === 'class' || v.kind === 'function') return true;
    if (v.kind === 'list' || v.kind === 'dict') {
      if (v.items.some((e) => !e.maybe && !e.repeated)) return true;
      return v.items.length === 0 ? false : undefined;
    }
    if (v.kind === 'union') {
      const truths = v.options.map((o) => this.truth(o));
      return truths.every((t) => t === truths[0]) ? truths[0] : undefined;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- calls

  private args(argList: SyntaxNode, frame: Frame): EvaluatedArg[] {
    const parts = children(argList).filter((c) => c.name !== '(' && c.name !== ')');
    // a generator as the only argument: f(x for x in y)
    if (parts.some((p) => p.name === 'for')) {
      return [{ name: null, text: this.source.slice(argList.from + 1, argList.to - 1), value: { kind: 'list', items: this.comprehension(parts, frame) } }];
    }
    const out: EvaluatedArg[] = [];
    let group: SyntaxNode[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const [first] = group;
      if (first.name === '*' || first.name === '**') {
        out.push({ name: null, star: first.name, text: this.source.slice(group[1]?.from ?? first.to, group[group.length - 1].to), value: this.expr(group[1] ?? null, frame) });
      } else if (group.length >= 3 && first.name === 'VariableName' && group[1].name === 'AssignOp') {
        out.push({ name: this.text(first), text: this.source.slice(group[2].from, group[group.length - 1].to), value: this.expr(group[2], frame) });
      } else {
        out.push({ name: null, text: this.source.slice(first.from, group[group.length - 1].to), value: this.expr(first, frame) });
      }
      group = [];
    };
    for (const p of parts) {
      if (p.name === ',') flush();
      else group.push(p);
    }
    flush();
    return out;
  }

  private call(node: SyntaxNode, frame: Frame): Value {
    const callee = node.firstChild;
    const argList = node.lastChild;
    if (!callee || argList?.name !== 'ArgList') return UNKNOWN;
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      return UNKNOWN;
    }
    try {
      if (callee.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName') {
        const method = this.text(callee.lastChild);
        const objectNode = callee.firstChild!;
        if (objectNode.name === 'CallExpression' && objectNode.firstChild && this.text(objectNode.firstChild) === 'super') return this.superCall(method, this.args(argList, frame), frame);
        const object = this.expr(objectNode, frame);
        const handled = this.methodCall(object, method, argList, frame);
        if (handled) return handled;
      }
      const fn = this.expr(callee, frame);
      return this.apply(fn, this.args(argList, frame), node, frame);
    } finally {
      this.depth--;
    }
  }

  /** Calls on lists, containers and strings that build what the model registers; undefined for any other call. */
  private methodCall(object: Value, method: string, argList: SyntaxNode, frame: Frame): Value | undefined {
    if (object.kind === 'list' || (object.kind === 'module' && object.module.cls === null)) {
      const items = object.kind === 'list' ? object.items : object.module.entries;
      if (method === 'append' || method === 'insert') {
        const args = this.args(argList, frame);
        const value = args[method === 'append' ? 0 : 1]?.value ?? UNKNOWN;
        // insert shifts what follows: the indices after it are not known
        items.push({ ...this.entry(null, value, frame), repeated: method === 'insert' || frame.repeat });
        return NONE;
      }
      if (method === 'extend') {
        this.extend(items, this.args(argList, frame)[0]?.value ?? UNKNOWN, frame);
        return NONE;
      }
    }
    if (object.kind === 'module' && REGISTER.has(method)) {
      const [name, child] = this.args(argList, frame);
      if (name && child) this.setChild(object.module, name.value, child.value, frame);
      return NONE;
    }
    if (object.kind === 'literal' && typeof object.value === 'string' && method === 'format') return this.strFormat(object.value, this.args(argList, frame));
    if (object.kind === 'dict' && (method === 'items' || method === 'values' || method === 'keys')) {
      const items = object.items.map((e) => ({ ...e, key: null, value: method === 'keys' ? (e.key ?? UNKNOWN) : method === 'values' ? e.value : { kind: 'list' as const, items: [this.entry(null, e.key ?? UNKNOWN, frame), this.entry(null, e.value, frame)] } }));
      return { kind: 'list', items };
    }
    return undefined;
  }

  /** `super().__init__(...)` / `super(Cls, self).method(...)`: the base class's method on the same self. */
  private superCall(method: string, args: EvaluatedArg[], frame: Frame): Value {
    const self = frame.env.get('self');
    if (!frame.owner || !self) return UNKNOWN;
    for (const base of this.baseNames(frame.owner)) {
      const found = this.classes.has(base) ? this.findMethod(base, method) : undefined;
      if (found) return this.invoke(found.node, [{ name: null, text: 'self', value: self }, ...args], found.owner);
    }
    return NONE;
  }

  private findMethod(cls: string, name: string, seen = new Set<string>()): { node: SyntaxNode; owner: string } | undefined {
    const node = this.classes.get(cls);
    if (!node || seen.has(cls)) return undefined;
    seen.add(cls);
    for (const c of children(node.getChild('Body') ?? node)) {
      const def = c.name === 'DecoratedStatement' ? c.getChild('FunctionDefinition') : c;
      if (def?.name === 'FunctionDefinition' && this.text(def.getChild('VariableName')!) === name) return { node: def, owner: cls };
    }
    for (const base of this.baseNames(cls)) {
      const found = this.findMethod(base, name, seen);
      if (found) return found;
    }
    return undefined;
  }

  private apply(fn: Value, args: EvaluatedArg[], node: SyntaxNode, frame: Frame): Value {
    switch (fn.kind) {
      case 'factory':
        return { kind: 'norm', norm: this.construction(fn.factory, args, node) };
      case 'class':
        return this.construct(fn.name, args);
      case 'function':
        return this.invoke(fn.node, fn.self ? [{ name: null, text: 'self', value: fn.self }, ...args] : args, fn.owner);
      case 'union':
        return union(fn.options.map((o) => this.apply(o, args, node, frame)));
      case 'path':
        return this.library(fn.path, args, node, frame);
      default:
        return UNKNOWN;
    }
  }

  private construction(factory: NormFactory, args: EvaluatedArg[], node: SyntaxNode): NormConstruction {
    const positional = [...factory.args.filter((a) => a.name === null), ...args.filter((a) => a.name === null)];
    const keywords = [...factory.args.filter((a) => a.name !== null && !args.some((b) => b.name === a.name)), ...args.filter((a) => a.name !== null)];
    const own = this.file.calls.find((c) => c.kind === 'call' && c.from === node.from && c.to === node.to);
    return {
      api: factory.api,
      framework: factory.framework,
      args: [...positional, ...keywords],
      site: { from: node.from, line: lineOf(this.source, node.from), column: node.from - lineStart(this.source, node.from), text: this.text(node) },
      sources: [...factory.sources, ...(own ? [own.from] : [])],
    };
  }

  /** Calls of names from outside the file that the interpreter knows: containers, partial, builtins. */
  private library(path: string, args: EvaluatedArg[], node: SyntaxNode, frame: Frame): Value {
    const values = args.filter((a) => a.name === null && !a.star).map((a) => a.value);
    if (CONTAINERS.has(path)) return { kind: 'module', module: { cls: null, entries: this.containerEntries(args, frame) } };
    if (path === 'functools.partial') {
      const [head, ...rest] = args;
      if (head?.value.kind !== 'factory') return UNKNOWN;
      const partial = this.file.calls.find((c) => c.kind === 'partial' && c.from === node.from && c.to === node.to);
      const f = head.value.factory;
      return { kind: 'factory', factory: { ...f, args: [...f.args, ...rest], sources: [...f.sources, ...(partial ? [partial.from] : [])] } };
    }
    if (path === 'collections.OrderedDict') {
      const pairs = values[0];
      if (!pairs || pairs.kind === 'dict') return pairs ?? { kind: 'dict', items: [] };
      if (pairs.kind !== 'list') return UNKNOWN;
      return {
        kind: 'dict',
        items: pairs.items.map((e) => {
          const kv = e.value.kind === 'list' ? e.value.items : [];
          return { ...e, key: kv[0]?.value ?? UNKNOWN, value: kv[1]?.value ?? UNKNOWN };
        }),
      };
    }
    switch (path) {
      case 'builtins.range': {
        if (!values.length || !values.every((v) => v.kind === 'literal' && typeof v.value === 'number' && Number.isInteger(v.value))) return { kind: 'list', items: [{ key: null, value: UNKNOWN, maybe: false, repeated: true }] };
        const [a, b, s] = values.map((v) => (v as { value: number }).value);
        const [start, stop, stride] = values.length === 1 ? [0, a, 1] : [a, b, s ?? 1];
        if (stride === 0) return UNKNOWN;
        const count = Math.max(0, Math.ceil((stop - start) / stride));
        if (count > MAX_UNROLL) return { kind: 'list', items: [{ key: null, value: UNKNOWN, maybe: false, repeated: true }] };
        return { kind: 'list', items: Array.from({ length: count }, (_, i) => this.entry(null, literal(start + i * stride), frame)) };
      }
      case 'builtins.enumerate': {
        const items = values[0] ? this.knownItems(values[0]) : null;
        const start = values[1]?.kind === 'literal' && typeof values[1].value === 'number' ? values[1].value : 0;
        if (!items) return { kind: 'list', items: [{ key: null, value: UNKNOWN, maybe: false, repeated: true }] };
        return { kind: 'list', items: items.map((v, i) => this.entry(null, { kind: 'list', items: [this.entry(null, literal(start + i), frame), this.entry(null, v, frame)] }, frame)) };
      }
      case 'builtins.zip': {
        const lists = values.map((v) => this.knownItems(v));
        if (!lists.length || lists.some((l) => l === null)) return { kind: 'list', items: [{ key: null, value: UNKNOWN, maybe: false, repeated: true }] };
        const n = Math.min(...lists.map((l) => l!.length));
        return { kind: 'list', items: Array.from({ length: n }, (_, i) => this.entry(null, { kind: 'list', items: lists.map((l) => this.entry(null, l![i], frame)) }, frame)) };
      }
      case 'builtins.list':
      case 'builtins.tuple':
      case 'builtins.reversed': {
        const v = values[0];
        if (!v) return { kind: 'list', items: [] };
        if (v.kind !== 'list') return UNKNOWN;
        return { kind: 'list', items: path === 'builtins.reversed' ? (this.knownItems(v) ? [...v.items].reverse() : v.items.map((e) => ({ ...e, repeated: true }))) : [...v.items] };
      }
      case 'builtins.str':
        return values[0] ? this.str(values[0]) : literal('');
      case 'builtins.int': {
        const v = values[0];
        return v?.kind === 'literal' && typeof v.value === 'number' ? literal(Math.trunc(v.value)) : UNKNOWN;
      }
      case 'builtins.len': {
        const items = values[0] ? this.knownItems(values[0]) : null;
        return items ? literal(items.length) : UNKNOWN;
      }
      case 'builtins.min':
      case 'builtins.max': {
        const nums = (values.length === 1 ? (this.knownItems(values[0]) ?? []) : values).map((v) => (v.kind === 'literal' && typeof v.value === 'number' ? v.value : NaN));
        if (!nums.length || nums.some(Number.isNaN)) return UNKNOWN;
        return literal(path === 'builtins.min' ? Math.min(...nums) : Math.max(...nums));
      }
      case 'builtins.getattr': {
        const [object, name] = values;
        if (object?.kind === 'path' && name?.kind === 'literal' && typeof name.value === 'string') return this.pathValue(`${object.path}.${name.value}`);
        if (object?.kind === 'module' && name?.kind === 'literal') return [...object.module.entries].reverse().find((e) => e.key?.kind === 'literal' && e.key.value === name.value)?.value ?? UNKNOWN;
        return UNKNOWN;
      }
      case 'builtins.setattr': {
        const [object, name, value] = values;
        if (object?.kind === 'module' && name && value) this.setChild(object.module, name, value, frame);
        return NONE;
      }
      default:
        return UNKNOWN;
    }
  }

  /** Sequential(a, b), Sequential(*layers), ModuleList([...]), ModuleList(gen), Sequential(OrderedDict(...)), ModuleDict({...}). */
  private containerEntries(args: EvaluatedArg[], frame: Frame): Entry[] {
    const entries: Entry[] = [];
    const positional = args.filter((a) => a.name === null);
    if (positional.length === 1 && !positional[0].star && (positional[0].value.kind === 'list' || positional[0].value.kind === 'dict')) {
      const only = positional[0].value;
      for (const e of only.items) entries.push({ ...e, key: only.kind === 'dict' ? e.key : null, maybe: e.maybe || frame.maybe, repeated: e.repeated || frame.repeat });
      return entries;
    }
    for (const a of positional) {
      if (a.star) this.extend(entries, a.value, frame);
      else entries.push(this.entry(null, a.value, frame));
    }
    return entries;
  }

  /** `self.name = child`, `add_module(name, child)`: a later assignment to the same name replaces the child in place, as at run time. */
  private setChild(module: ModuleNode, name: Value, value: Value, frame: Frame): void {
    const exact = name.kind === 'literal' && typeof name.value === 'string';
    const existing = exact ? module.entries.find((e) => e.key?.kind === 'literal' && e.key.value === name.value) : undefined;
    if (existing) {
      existing.value = frame.maybe ? union([existing.value, value]) : value;
      existing.maybe = existing.maybe && frame.maybe;
      return;
    }
    module.entries.push(this.entry(name.kind === 'literal' || name.kind === 'pattern' ? name : { kind: 'pattern', text: '*' }, value, frame));
  }

  /** `Cls(...)` for a class of the file: a new module, built by its `__init__`. */
  private construct(cls: string, args: EvaluatedArg[], open = false): Value {
    if (this.instantiating.includes(cls) || this.instantiating.length > MAX_DEPTH) return UNKNOWN;
    const self: Value = { kind: 'module', module: { cls, entries: [] } };
    const init = this.findMethod(cls, '__init__');
    this.instantiating.push(cls);
    try {
      if (init) this.invoke(init.node, [{ name: null, text: 'self', value: self }, ...args], init.owner, open);
    } finally {
      this.instantiating.pop();
    }
    return self;
  }

  /** Runs a function with its parameters bound to the arguments; returns what it returns (a union when it depends). */
  private invoke(def: SyntaxNode, args: EvaluatedArg[], owner: string | null, open = false): Value {
    if (this.depth > MAX_DEPTH) return UNKNOWN;
    const env = this.parameters(def, args, open);
    const frame = this.frame(env, owner);
    this.depth++;
    try {
      this.exec(def.getChild('Body'), frame);
    } finally {
      this.depth--;
    }
    if (!frame.done) frame.returns.push(NONE);
    return union(frame.returns);
  }

  /**
   * Binds a call's arguments to a def's parameters; defaults are evaluated at module level, missing
   * ones are unknown. `open`: the caller is not in the file, so `*args`/`**kwargs` are unknown.
   */
  private parameters(def: SyntaxNode, args: EvaluatedArg[], open = false): Map<string, Value> {
    const env = new Map<string, Value>();
    // after `*` or `*args`, parameters are keyword-only
    const params: { name: string; default?: SyntaxNode; kind: 'plain' | 'keyword' | '*' | '**' }[] = [];
    let pending: '*' | '**' | null = null;
    let keywordOnly = false;
    const list = def.getChild('ParamList');
    for (let c = list?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name === '*' || c.name === '**') pending = c.name;
      else if (c.name === ',' && pending === '*') {
        keywordOnly = true;
        pending = null;
      } else if (c.name === 'VariableName') {
        params.push({ name: this.text(c), kind: pending ?? (keywordOnly ? 'keyword' : 'plain') });
        if (pending === '*') keywordOnly = true;
        pending = null;
      } else if (c.name === 'AssignOp' && params.length) {
        let value = c.nextSibling;
        while (value && value.name === 'Comment') value = value.nextSibling;
        if (value) params[params.length - 1].default = value;
      }
    }
    const globals = this.frame(this.globals, null);
    const starred = args.some((a) => a.star);
    const rest = open || starred;
    const positional = args.filter((a) => a.name === null && !a.star);
    let k = 0;
    for (const p of params) {
      if (p.kind === '*') {
        env.set(p.name, rest ? UNKNOWN : { kind: 'list', items: positional.slice(k).map((a) => ({ key: null, value: a.value, maybe: false, repeated: false })) });
        k = positional.length;
        continue;
      }
      if (p.kind === '**') {
        env.set(p.name, rest ? UNKNOWN : { kind: 'dict', items: args.filter((a) => a.name !== null && !params.some((q) => q.name === a.name)).map((a) => ({ key: literal(a.name), value: a.value, maybe: false, repeated: false })) });
        continue;
      }
      const keyword = args.find((a) => a.name === p.name);
      const byPosition = p.kind === 'plain' && !keyword && k < positional.length ? positional[k++] : undefined;
      const value = keyword ? keyword.value : byPosition ? byPosition.value : starred ? UNKNOWN : p.default ? this.expr(p.default, globals) : UNKNOWN;
      env.set(p.name, value);
    }
    return env;
  }
}
