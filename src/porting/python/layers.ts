/**
 * Which state-dict prefixes are layers of the registered classes (src/families), and of which
 * class, read from the model's source rather than guessed from key names. The model class's `__init__` is followed by the interpreter in
 * evaluate.ts (nested modules, containers, comprehensions, loops, `add_module`/`setattr`, norm
 * factories, base classes); each layer it reaches gets the path its module registers it under.
 * Where the source does not pin a key (a loop over an unknown count, a name built from an unknown
 * value), the prefix is a pattern with `*` for one key segment (`blocks.*.norm`), matched against
 * the checkpoint's keys by the conversion. A layer built on a branch whose condition the source
 * does not decide is listed apart (`maybe`): the conversion never guesses that it exists.
 */
import { KeyError, ValueError } from '../../core/errors';
import { mappingEntry, pyValue } from '../../mapping';
import { Interpreter, keyText, type Entry, type EvaluatedArg, type NormConstruction, type PyLiteral, type Value } from './evaluate';
import { checkSyntax, parsePython, type ApiName, type Framework, type PythonFile } from './syntax';

export type { PyLiteral };

export interface ModelLayer {
  /** The layer's state-dict prefix, e.g. `enc.norm1` or `stem.2` (empty for a model that is the layer); `*` marks a key segment the source does not pin. */
  prefix: string;
  /** The prefix holds a `*`: it names every matching key of the checkpoint. */
  pattern: boolean;
  api: ApiName;
  framework: Framework;
  /** Where the construction is: 1-based line, 0-based column. */
  line: number;
  column: number;
  /** Constructor arguments by name: values the source shows, the framework's defaults for the rest. */
  config: Record<string, PyLiteral>;
  /** Arguments whose value the source does not show (variables it cannot follow, `**kwargs`). */
  unknown: string[];
  /** Arguments the call gives with a value the source shows (the rest of `config` is defaults). */
  written: string[];
}

export interface DiscoveryOptions {
  /**
   * The class that is the model (built as `Cls()`: parameters take their defaults), or a Python
   * call that builds it, evaluated in the file (`define_G(3, 3, 64, norm='instance')`,
   * `Generator(norm_layer=nn.InstanceNorm2d)`). Default: the one class no other class uses.
   */
  model?: string;
}

/** The variable a `model` expression is assigned to, appended to the source to evaluate it there. */
const MODEL_VARIABLE = '__instancenorm_shim_model__';

/**
 * The signature mapping.json records for the call's class: parameter names in order, and the
 * defaults that are literals. A `None` default means "not given" and a name (`mstype.float32`) is
 * no literal, so neither enters the config.
 */
function signature(api: ApiName, framework: Framework): { params: string[]; defaults: Record<string, PyLiteral> } {
  const args = mappingEntry(api)[framework].args;
  const defaults: Record<string, PyLiteral> = {};
  for (const arg of args) {
    const value = arg.default === undefined ? undefined : pyValue(arg.default);
    if (value?.kind === 'literal' && value.value !== null) defaults[arg.name] = value.value;
  }
  return { params: args.map((a) => a.name), defaults };
}

/** `*args` and `**kwargs` whose contents the source shows become the arguments they stand for. */
function spread(args: readonly EvaluatedArg[]): EvaluatedArg[] {
  return args.flatMap((a): EvaluatedArg[] => {
    const items = a.value.kind === 'list' || a.value.kind === 'dict' ? a.value.items : null;
    if (!a.star || !items || items.some((e) => e.maybe || e.repeated)) return [a];
    if (a.star === '*' && a.value.kind === 'list') return items.map((e) => ({ name: null, text: `${a.text}[...]`, value: e.value }));
    if (a.star === '**' && a.value.kind === 'dict' && items.every((e) => e.key?.kind === 'literal' && typeof e.key.value === 'string')) {
      return items.map((e) => ({ name: String((e.key as { value: string }).value), text: `${a.text}[...]`, value: e.value }));
    }
    return [a];
  });
}

function configOf(norm: NormConstruction): Pick<ModelLayer, 'config' | 'unknown' | 'written'> {
  const { params, defaults } = signature(norm.api, norm.framework);
  const config: Record<string, PyLiteral> = { ...defaults };
  const unknown: string[] = [];
  const written: string[] = [];
  let position = 0;
  for (const arg of spread(norm.args)) {
    if (arg.star) {
      unknown.push(`${arg.star}${arg.text}`);
      continue;
    }
    const name = arg.name ?? params[position++] ?? `#${position}`;
    if (arg.value.kind === 'literal') {
      config[name] = arg.value.value;
      if (!written.includes(name)) written.push(name);
    } else {
      delete config[name];
      unknown.push(name);
    }
  }
  const ordered = Object.fromEntries(Object.entries(config).sort(([a], [b]) => params.indexOf(a) - params.indexOf(b)));
  return { config: ordered, unknown, written };
}

interface Placed {
  path: string[];
  norm: NormConstruction;
  maybe: boolean;
}

/**
 * The layers a module value registers, with their paths. Children by position take the index
 * PyTorch and MindSpore give them (`str(len(self))` when added) while every earlier child surely
 * exists once; after a repeated or conditional child the index is `*`.
 */
function flatten(value: Value, path: string[], maybe: boolean, out: Placed[], depth = 0): void {
  if (depth > 64) return;
  if (value.kind === 'norm') out.push({ path, norm: value.norm, maybe });
  else if (value.kind === 'union') value.options.forEach((o) => flatten(o, path, true, out, depth + 1));
  else if (value.kind === 'module') {
    let index = 0;
    let known = true;
    for (const e of value.module.entries) {
      const key = keyOf(e, index, known);
      if (e.maybe || e.repeated) known = false;
      index++;
      flatten(e.value, [...path, key], maybe || e.maybe, out, depth + 1);
    }
  }
}

function keyOf(e: Entry, index: number, known: boolean): string {
  if (e.key !== null) return keyText(e.key);
  return known && !e.repeated ? String(index) : '*';
}

function layerOf(p: Placed): ModelLayer {
  const prefix = p.path.join('.');
  const { site } = p.norm;
  return { prefix, pattern: prefix.includes('*'), api: p.norm.api, framework: p.norm.framework, line: site.line, column: site.column, ...configOf(p.norm) };
}

/**
 * Classes named inside another class (as a base or a child) or, with `inFunctions`, inside a
 * module-level function (a helper's result): not the model.
 */
function usedClasses(file: PythonFile, classes: readonly string[], inFunctions: boolean): Set<string> {
  const scopes = file.tree.topNode.getChildren('ClassDefinition').map((n) => ({ n, name: file.source.slice(n.getChild('VariableName')!.from, n.getChild('VariableName')!.to) }));
  const functions = inFunctions ? file.tree.topNode.getChildren('FunctionDefinition') : [];
  const used = new Set<string>();
  for (const cls of classes) {
    for (const use of file.nameUses.get(cls) ?? []) {
      if (scopes.some((s) => s.name !== cls && use.from >= s.n.from && use.to <= s.n.to) || functions.some((f) => use.from >= f.from && use.to <= f.to)) used.add(cls);
    }
  }
  return used;
}

export interface LayerDiscovery {
  /** The class taken as the model (null when the source has no class with layers). */
  model: string | null;
  /** The layers the model surely has; a prefix with `*` is a pattern. */
  layers: ModelLayer[];
  /** Layers built on a branch whose condition the source does not decide: they may or may not exist. */
  maybe: ModelLayer[];
  /**
   * Layer constructions that are no layer of the model as the source shows it: in a helper
   * nothing calls, in another class, in a plain list (not registered), passed to a container the
   * source does not know.
   */
  unplaced: { line: number; api: ApiName; framework: Framework; text: string }[];
}

/** The layers a model value registers. */
function placedIn(model: Value): Placed[] {
  const out: Placed[] = [];
  flatten(model, [], false, out);
  // One construction reached twice under the same key (a union of equal options) is one layer.
  const seen = new Set<string>();
  return out.filter((p) => {
    const id = `${p.path.join('.')}@${p.norm.site.from}@${p.maybe}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The layers of a model given as a call expression, evaluated at the end of the file. */
function discoverByExpression(source: string, expression: string, path?: string): LayerDiscovery {
  checkSyntax(parsePython(source), path);
  const joined = `${source}${source.endsWith('\n') || source === '' ? '' : '\n'}${MODEL_VARIABLE} = ${expression}\n`;
  const file = parsePython(joined);
  if (file.errors.length) throw new ValueError(`the model expression ${JSON.stringify(expression)} is not a Python expression`);
  const interpreter = new Interpreter(file);
  return result(file.calls.filter((c) => c.from < source.length), expression, placedIn(interpreter.global(MODEL_VARIABLE)));
}

function result(calls: PythonFile['calls'], model: string | null, found: readonly Placed[]): LayerDiscovery {
  const reached = new Set(found.flatMap((p) => p.norm.sources));
  const unplaced = calls.filter((c) => !reached.has(c.from)).map((c) => ({ line: c.line, api: c.api, framework: c.framework, text: c.text }));
  return { model, layers: found.filter((p) => !p.maybe).map(layerOf), maybe: found.filter((p) => p.maybe).map(layerOf), unplaced };
}

/** The model class's layers, and the layer constructions that could not be placed in it. */
export function discoverLayers(source: string, options: DiscoveryOptions = {}, path?: string): LayerDiscovery {
  if (options.model !== undefined && !/^[A-Za-z_]\w*$/.test(options.model)) return discoverByExpression(source, options.model, path);
  const file = parsePython(source);
  checkSyntax(file, path);
  const interpreter = new Interpreter(file);
  const classes = interpreter.classNames();
  let model = options.model;
  if (model !== undefined && !classes.includes(model)) {
    throw new KeyError(`model class '${model}' is not defined in the source; classes: ${classes.join(', ') || 'none'}`);
  }
  const placed = new Map<string, Placed[]>();
  const placedOf = (cls: string) => placed.get(cls) ?? placed.set(cls, placedIn(interpreter.instantiate(cls))).get(cls)!;
  if (model === undefined) {
    // the class nothing else uses; failing that (a build_model() function uses it), the class no other class uses
    const unused = (inFunctions: boolean) => {
      const used = usedClasses(file, classes, inFunctions);
      return classes.filter((c) => !used.has(c) && placedOf(c).length > 0);
    };
    let tops = unused(true);
    if (tops.length === 0) tops = unused(false);
    if (tops.length > 1) throw new ValueError(`the source has ${tops.length} top-level model classes (${tops.join(', ')}); name one with --model`);
    model = tops[0];
  }
  return result(file.calls, model ?? null, model === undefined ? [] : placedOf(model));
}

/** The layers of the model class in `source`, with their classes and state-dict prefixes (a `*` marks a pattern). */
export function modelLayers(source: string, options: DiscoveryOptions = {}): ModelLayer[] {
  return discoverLayers(source, options).layers;
}
