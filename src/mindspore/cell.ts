/**
 * `mindspore.Parameter` and `mindspore.nn.Cell` as MindSpore 2.6.0 defines them
 * (common/parameter.py, nn/cell.py), for any layer family: nothing here knows a layer.
 *
 * As in MindSpore, assigning a Parameter or a Cell to an attribute registers it
 * (`this.norm = new InstanceNorm1d(3)` in a subclass constructor): the cell is a Proxy that sees
 * every property definition, so class fields and plain assignments both reach `Cell.__setattr__`'s
 * logic. Assigning a child cell renames its parameters to `<attribute>.<attribute path>`
 * (`update_parameters_name`), which is where checkpoint keys such as `enc.norm1.gamma` come from.
 */
import type { DType } from '../core/dtype';
import { AttributeError, KeyError, PyTypeError, ValueError } from '../core/errors';
import { pyTruthy, pyTuple, pyTypeName } from '../core/python';
import { Tensor, type NestedNumbers } from '../core/tensor';

/** MindSpore's spelling of a dtype, `str(mstype.x)`: `Float32`, `Int64`, `UInt8`, `BFloat16`. */
export function msDTypeName(dtype: DType): string {
  if (dtype === 'bfloat16') return 'BFloat16';
  if (dtype === 'uint8') return 'UInt8';
  return dtype.charAt(0).toUpperCase() + dtype.slice(1);
}

/**
 * Python's `str(type(value))` for a value a MindSpore user would hold: this package's Tensors,
 * Parameters and Cells under MindSpore's module paths, anything else as its builtin type.
 */
export function pyClassOf(value: unknown): string {
  if (value instanceof Parameter) return "<class 'mindspore.common.parameter.Parameter'>";
  if (value instanceof Tensor) return "<class 'mindspore.common.tensor.Tensor'>";
  if (value instanceof Cell) {
    const cls = value.constructor as { __module__?: string; name: string };
    // A class declares its module as an own static; a user's subclass is __main__'s, as in a script.
    const module = Object.prototype.hasOwnProperty.call(cls, '__module__') ? cls.__module__ : '__main__';
    return `<class '${module}.${cls.name}'>`;
  }
  return `<class '${pyTypeName(value)}'>`;
}

/**
 * `mstype.implicit_conversion_seq` (common/dtype.py@v2.6.0:157-158): `set_data` converts incoming
 * data to the parameter's dtype when the incoming dtype does not rank higher.
 */
const CONVERSION_RANK: Record<DType, number> = {
  bool: 0,
  int8: 1,
  uint8: 2,
  int16: 3,
  int32: 4,
  int64: 5,
  float16: 6,
  float32: 7,
  float64: 8,
  bfloat16: 9,
};

/** `mstype.int_type` (common/dtype.py@v2.6.0:150): the signed ints, which refuse a Python float. */
const SIGNED_INTS: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];

const PARAMETER_NAME_DEFAULT = 'Parameter';
const PARAMETER_NAME_PREFIX_MAX_LEN = 1024;

/** A Python number after a faithful port: a JS number, a BigInt (int) or a boolean (bool is an int). */
function isPyNumber(value: unknown): value is number | bigint | boolean {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
}

/** A Python float: a JS number that is not integral (an integral one is taken as the int it reads as). */
const isPyFloatValue = (value: unknown): boolean => typeof value === 'number' && !Number.isInteger(value);

/** `mindspore.Parameter`: a named tensor that may be trained. */
export class Parameter<D extends DType = DType> {
  private _name: string;
  private _requiresGrad: boolean;
  private _data: Tensor<D>;

  /**
   * `Parameter(default_input, name=None, requires_grad=True)`. A Tensor is held as it is (MindSpore
   * copies one that is referenced elsewhere, which JS cannot see); an int becomes a 0-d int32 tensor
   * and a float a 0-d float32 one, a list a tensor of numpy's default dtype (common/parameter.py@v2.6.0:367-392).
   */
  constructor(default_input: Tensor<D> | number | bigint | NestedNumbers, name: string | null = null, requires_grad = true) {
    this._data = parameterData(default_input) as Tensor<D>;
    this._name = checkName(name);
    this._requiresGrad = checkRequiresGrad(requires_grad);
  }

  get name(): string {
    return this._name;
  }
  set name(value: string) {
    this._name = checkName(value);
  }
  get requires_grad(): boolean {
    return this._requiresGrad;
  }
  set requires_grad(value: boolean) {
    this._requiresGrad = checkRequiresGrad(value);
  }
  get data(): Tensor<D> {
    return this._data;
  }
  get shape(): readonly number[] {
    return this._data.shape;
  }
  get dtype(): D {
    return this._data.dtype;
  }

  /**
   * `Parameter.set_data(data)` (common/parameter.py@v2.6.0:876-926): a Tensor, int or float; a
   * number becomes a 0-d tensor of this parameter's dtype. There is no shape check: the parameter
   * takes the incoming shape. Data of this dtype is shared, not copied (`assign_value`); data of a
   * lower-ranked dtype is converted; a higher-ranked dtype is a TypeError.
   */
  set_data(data: Tensor | number | bigint | boolean): this {
    this._data = this.incoming(data);
    return this;
  }

  /** The tensor `set_data(data)` would hold, or MindSpore's error; nothing is changed. */
  private incoming(data: unknown): Tensor<D> {
    let tensor: Tensor;
    if (isPyNumber(data)) {
      if (SIGNED_INTS.includes(this.dtype) && isPyFloatValue(data)) throw conversionError(this.dtype, 'Float');
      tensor = Tensor.full([], Number(data), this.dtype);
    } else if (data instanceof Tensor) {
      tensor = data;
    } else {
      throw new PyTypeError(`Parameter data must be [\`Tensor\`, \`int\`, \`float\`] or a kind of \`Tensor\` (like \`Tensor\`). But with type ${pyClassOf(data)}.`);
    }
    if (tensor.dtype === this.dtype) return tensor as Tensor<D>;
    if (CONVERSION_RANK[this.dtype] < CONVERSION_RANK[tensor.dtype]) throw conversionError(this.dtype, msDTypeName(tensor.dtype));
    return tensor.astype(this.dtype);
  }

  /** Holds `data` from now on; callers have checked it (`load_param_into_net`'s plan). */
  _assign(data: Tensor<D>): void {
    this._data = data;
  }

  toString(): string {
    return `Parameter (name=${this.name}, shape=${pyTuple(this.shape)}, dtype=${msDTypeName(this.dtype)}, requires_grad=${this.requires_grad ? 'True' : 'False'})`;
  }
}

function conversionError(current: DType, incoming: string): PyTypeError {
  return new PyTypeError(
    `Incoming Parameter dtype can not be converted to current dtype implicitly. Current dtype is ${msDTypeName(current)}, and incoming is ${incoming}. Use .set_dtype(xxx) to change the dtype.`,
  );
}

/** `Parameter.__new__`'s `_get_parameter_new_args`, then `Tensor(data)` for the other types. */
function parameterData(input: unknown): Tensor {
  if (typeof input === 'boolean') throw new ValueError('Parameter data can not be `bool`');
  if (input instanceof Tensor) return input;
  if (typeof input === 'number' || typeof input === 'bigint') return Tensor.full([], Number(input), isPyFloatValue(input) ? 'float32' : 'int32');
  if (Array.isArray(input)) return Tensor.from(input as NestedNumbers, { dtype: listDType(input as NestedNumbers[]) });
  // tensor.py@v2.6.0:48-50 (`_check_input_data_type`), reached through `Tensor(data)`.
  throw new PyTypeError(
    `For 'Tensor', the type of 'input_data' should be one of '['TensorPy', 'Tensor', 'ndarray', 'str_', 'list', 'tuple', 'float', 'int', 'bool', 'complex', 'bytes']', but got type '${pyTypeName(input)}'.`,
  );
}

/** `Tensor(list)`'s dtype (tensor.py@v2.6.0:116-124): numpy's, with float64 -> float32 and any int -> int64. */
function listDType(values: NestedNumbers[]): DType {
  const leaves = values.flat(Infinity as 1) as unknown[];
  if (leaves.length === 0) return 'float32';
  if (leaves.every((v) => typeof v === 'boolean')) return 'bool';
  return leaves.every((v) => typeof v === 'bigint' || typeof v === 'boolean' || Number.isInteger(v)) ? 'int64' : 'float32';
}

/** The `name` setter (common/parameter.py@v2.6.0:489-513). */
function checkName(name: unknown): string {
  if (name === null || name === undefined) return PARAMETER_NAME_DEFAULT;
  if (typeof name !== 'string') throw new ValueError(`The type of the Parameter's name should be 'string' or 'None', but got <class '${pyTypeName(name)}'>.`);
  const trimmed = name.trim();
  if (trimmed.length > PARAMETER_NAME_PREFIX_MAX_LEN) throw new ValueError(`The length of the '${trimmed}' name should be less than ${PARAMETER_NAME_PREFIX_MAX_LEN}.`);
  return trimmed === '' ? PARAMETER_NAME_DEFAULT : trimmed;
}

function checkRequiresGrad(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new PyTypeError('The argument `requires_grad` must be bool type');
  return value;
}

/** Options of a layer's `construct` beyond MindSpore's inputs. */
export interface ConstructOptions {
  /** Write the result into this tensor (same shape and dtype as `x`) instead of allocating one. */
  out?: Tensor;
}

/** The Proxy of each cell -> the object behind it, to define attributes without re-entering `__setattr__`. */
const TARGETS = new WeakMap<object, Cell>();

/** `Validator.check_str_and_none_by_regular`'s default pattern (_checkparam.py@v2.6.0:576), ASCII `\w`; Python's `$` also matches before a final newline. */
const NAME_PREFIX = /^[A-Za-z0-9_]*[0-9a-zA-Z_.-]*\n?$/;

export abstract class Cell {
  /** The module Python would name in `type(cell)`; a user's subclass is `__main__`'s. */
  static readonly __module__: string = 'mindspore.nn.cell';
  /** False after construction: MindSpore cells start in inference mode. */
  training = false;
  /** Registered Parameters by attribute; None (null) where an attribute was set to None. */
  protected readonly _params = new Map<string, Parameter | null>();
  protected readonly _cells = new Map<string, Cell | null>();
  private readonly _auto_prefix: boolean;

  /** `Cell(auto_prefix=True)`: with `auto_prefix` false, child cells keep their parameters' names. */
  constructor(auto_prefix = true) {
    this._auto_prefix = pyTruthy(auto_prefix);
    // Seeing attribute definitions is what `Cell.__setattr__` does in Python; a class field and an
    // assignment both arrive here as [[DefineOwnProperty]].
    const proxy = new Proxy(this, {
      defineProperty(target, key, descriptor) {
        if (typeof key === 'string' && 'value' in descriptor && !target._setattr(key, descriptor.value)) return true;
        return Reflect.defineProperty(target, key, descriptor);
      },
      deleteProperty(target, key) {
        if (typeof key === 'string') target._delattr(key);
        return Reflect.deleteProperty(target, key);
      },
    });
    TARGETS.set(proxy, this);
    return proxy;
  }

  /** The class name MindSpore puts in its messages (`cls_name`). */
  get cls_name(): string {
    return this.constructor.name;
  }

  /**
   * `Cell.__setattr__` (nn/cell.py@v2.6.0:1460-1476). Returns false when the attribute must keep
   * its current value (a Tensor assigned to a Parameter's name goes into the Parameter).
   */
  private _setattr(name: string, value: unknown): boolean {
    if (value instanceof Parameter) {
      this._forgetPlainAttribute(name);
      this.insert_param_to_cell(name, value);
    } else if (value instanceof Cell) {
      // `_set_attr_for_cell` (:1410-1418): rename first, then register (whose checks may still fail).
      this._forgetPlainAttribute(name);
      if (this._auto_prefix) value.update_parameters_name(`${name}.`);
      this.insert_child_to_cell(name, value);
    } else {
      return this._setPlainAttribute(name, value);
    }
    return true;
  }

  /** `_set_attr_for_object` (:1429-1458): a registered name takes a Tensor into its Parameter, or None. */
  private _setPlainAttribute(name: string, value: unknown): boolean {
    const none = value === null || value === undefined;
    if (this._params?.has(name)) {
      if (none) {
        this._params.set(name, null);
        return true;
      }
      if (value instanceof Tensor) {
        const param = this._params.get(name);
        if (!param) throw new AttributeError("'NoneType' object has no attribute 'set_data'");
        param.set_data(value);
        return false;
      }
      throw new PyTypeError(`Parameter '${name}' already exists in network, can not assign this type: '${pyClassOf(value)}' as a parameter.`);
    }
    if (this._cells?.has(name)) {
      if (!none) throw new PyTypeError(`Sub cell '${name}' already exists in network, can not assign this type: '${pyClassOf(value)}' as a cell.`);
      this._cells.set(name, null);
    }
    return true;
  }

  /** `del self.__dict__[name]` before a Parameter or Cell takes the name (registered ones are not in `__dict__`). */
  private _forgetPlainAttribute(name: string): void {
    if (!this._params.has(name) && !this._cells.has(name)) Reflect.deleteProperty(this._target(), name);
  }

  /** `Cell.__delattr__` (:871-882). */
  private _delattr(name: string): void {
    if (this._params.has(name)) this._params.delete(name);
    else this._cells.delete(name);
  }

  private _target(): Cell {
    return TARGETS.get(this) ?? this;
  }

  /** Python's `hasattr(self, name)`: an attribute of the object or its class, or a registered Parameter or Cell. */
  private _hasattr(name: string): boolean {
    if (this._params.has(name) || this._cells.has(name)) return true;
    for (let o: object | null = this._target(); o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      if (Object.prototype.hasOwnProperty.call(o, name) && (o === this._target() || name !== 'constructor')) return true;
    }
    return false;
  }

  /** Makes `cell[name]` read the registered value, as `Cell.__getattr__` (:843-860) does in Python. */
  private _expose(name: string, value: unknown): void {
    Reflect.defineProperty(this._target(), name, { value, writable: true, enumerable: true, configurable: true });
  }

  /**
   * `insert_param_to_cell(param_name, param, check_name_contain_dot=True)` (nn/cell.py@v2.6.0:1720-1767):
   * a Parameter still named 'Parameter' takes the attribute's name.
   */
  insert_param_to_cell(param_name: string, param: Parameter | null, check_name_contain_dot = true): void {
    if (!pyTruthy(param_name)) throw new KeyError("For 'insert_param_to_cell', the argument 'param_name' should not be None.");
    if (typeof param_name !== 'string') {
      // `'.' in param_name`, then `hasattr(self, param_name)`: Python's own TypeErrors for a non-str name.
      if (check_name_contain_dot && !Array.isArray(param_name)) throw new PyTypeError(`argument of type '${pyTypeName(param_name)}' is not iterable`);
      throw new PyTypeError(`attribute name must be string, not '${pyTypeName(param_name)}'`);
    }
    if (check_name_contain_dot && param_name.includes('.')) throw new KeyError("For 'insert_param_to_cell', the argument 'param_name' should not contain'.' ");
    if (this._hasattr(param_name) && !this._params.has(param_name)) {
      throw new KeyError(`For 'insert_param_to_cell', the ${param_name} parameter already exists in the network.Cannot insert another parameter with the same name.`);
    }
    if (!(param instanceof Parameter) && param !== null && param !== undefined) {
      throw new PyTypeError(`For 'insert_param_to_cell', the argument 'param' must be 'Parameter' if not None, but got ${pyClassOf(param)}.`);
    }
    if (param instanceof Parameter && param.name === PARAMETER_NAME_DEFAULT) param.name = param_name;
    this._params.set(param_name, param ?? null);
    this._expose(param_name, param ?? null);
  }

  /** `insert_child_to_cell(child_name, child_cell)` (nn/cell.py@v2.6.0:1794-1831): registers without renaming. */
  insert_child_to_cell(child_name: string, child_cell: Cell | null): void {
    if (typeof child_name !== 'string') {
      throw new PyTypeError(`For 'insert_child_to_cell', the type of parameter 'child_name' must be str, but got ${pyClassOf(child_name)}.`);
    }
    if (!child_name || child_name.includes('.')) throw new KeyError("For 'insert_child_to_cell', the parameter 'child_name' can not be None and can not contain '.' ");
    if (this._hasattr(child_name) && !this._cells.has(child_name)) {
      throw new KeyError(`For 'insert_child_to_cell', the ${child_name} child cell already exists in the network.Cannot insert another child cell with the same name.`);
    }
    if (!(child_cell instanceof Cell) && child_cell !== null && child_cell !== undefined) {
      throw new PyTypeError(`For 'insert_child_to_cell', the argument 'child_cell' must be 'Cell' if not None, but got type ${pyClassOf(child_cell)}.`);
    }
    this._cells.set(child_name, child_cell ?? null);
    this._expose(child_name, child_cell ?? null);
  }

  /**
   * `update_parameters_name(prefix='', recurse=True)` (:2018-2031): every parameter is renamed to
   * `prefix + its attribute path` (MindSpore names by path, not by the old name).
   */
  update_parameters_name(prefix = '', recurse: unknown = true): void {
    if (typeof prefix !== 'string') throw new PyTypeError(`expected string or bytes-like object, got '${pyTypeName(prefix)}'`);
    if (!NAME_PREFIX.test(prefix)) {
      throw new ValueError(`The '${prefix}' is illegal, it must be match regular'^\\w*[0-9a-zA-Z\\_\\.\\-]*$' by flags're.ASCII.'`);
    }
    for (const [path, param] of this.parameters_and_names('', recurse)) param.name = prefix + path;
  }

  /**
   * `set_train(mode=True)` (:2555-2582): sets `training` on this cell and every sub-cell (by
   * Python truthiness: MindSpore does not check `mode`); returns the cell.
   */
  set_train(mode: unknown = true): this {
    for (const [, cell] of this.cells_and_names()) cell.training = pyTruthy(mode);
    return this;
  }

  /**
   * `cells_and_names(cells=None, name_prefix='')` (:2202-2241): (path, cell) pairs, this cell first,
   * then its sub-cells depth first, each cell once (`cells` is the set of cells already visited).
   */
  *cells_and_names(cells: Set<Cell> | null = null, name_prefix = ''): Generator<[string, Cell]> {
    const visited = cells && cells.size > 0 ? cells : new Set<Cell>();
    if (visited.has(this)) return;
    visited.add(this);
    yield [name_prefix, this];
    for (const [name, child] of this._cells) {
      if (child) yield* child.cells_and_names(visited, name_prefix ? `${name_prefix}.${name}` : name);
    }
  }

  /**
   * `parameters_and_names(name_prefix='', expand=True)` (:2156-2200): (attribute path, Parameter)
   * pairs, each Parameter once, in registration order; with `expand` false, this cell's own only.
   */
  *parameters_and_names(name_prefix = '', expand: unknown = true): Generator<[string, Parameter]> {
    const cells: Iterable<[string, Cell]> = pyTruthy(expand) ? this.cells_and_names(null, name_prefix) : [[name_prefix, this]];
    const seen = new Set<Parameter>();
    for (const [path, cell] of cells) {
      for (const [name, param] of cell._params) {
        if (!param || seen.has(param)) continue;
        seen.add(param);
        yield [path ? `${path}.${name}` : name, param];
      }
    }
  }

  /** `get_parameters(expand=True)` (:2089-2134); a list here, where MindSpore yields. */
  get_parameters(expand: unknown = true): Parameter[] {
    return [...this.parameters_and_names('', expand)].map(([, p]) => p);
  }

  /** `parameters_dict(recurse=True)` (:1967-1998): ordered `Parameter.name` -> Parameter (the keys a checkpoint uses). */
  parameters_dict(recurse: unknown = true): Map<string, Parameter> {
    return new Map(this.get_parameters(recurse).map((p) => [p.name, p]));
  }

  /** `trainable_params(recurse=True)` (:2055-2071). */
  trainable_params(recurse: unknown = true): Parameter[] {
    return this.get_parameters(recurse).filter((p) => p.requires_grad);
  }

  /** `untrainable_params(recurse=True)` (:2074-2086). */
  untrainable_params(recurse: unknown = true): Parameter[] {
    return this.get_parameters(recurse).filter((p) => !p.requires_grad);
  }

  /** `extend_repr()` (:1481-1487): the text inside this cell's parentheses; subclasses override it. */
  extend_repr(): string {
    return '';
  }

  /**
   * `Cell.__repr__` (nn/cell.py@v2.6.0:1492-1514), PyTorch's style: `Name(extend_repr)` on one
   * line, or the extend_repr lines and `(child): repr(child)` lines indented by two.
   */
  toString(): string {
    const extra = this.extend_repr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this._cells].map(([key, cell]) => `(${key}): ${addIndent(cell === null ? 'None' : String(cell), 2)}`);
    const lines = [...extraLines, ...childLines];
    if (lines.length === 0) return `${this.cls_name}()`;
    if (extraLines.length === 1 && childLines.length === 0) return `${this.cls_name}(${extraLines[0]})`;
    return `${this.cls_name}(\n  ${lines.join('\n  ')}\n)`;
  }

  abstract construct(...inputs: unknown[]): unknown;
}

/** `_addindent(s_, num_spaces)` (nn/cell.py@v2.6.0:3971-3980): every line but the first indented. */
function addIndent(text: string, spaces: number): string {
  const [first, ...rest] = text.split('\n');
  return rest.length === 0 ? text : [first, ...rest.map((line) => ' '.repeat(spaces) + line)].join('\n');
}

