/**
 * The part of `mindspore.nn.Cell` the normalization layers need. As in MindSpore, assigning a
 * Parameter or a Cell to an attribute registers it (`this.norm = new InstanceNorm1d(3)` in a
 * subclass constructor): the cell is a Proxy that sees every property definition, so class fields
 * and plain assignments both register. Assigning a child cell renames its parameters to
 * `<attribute>.<attribute path>` (`update_parameters_name`), which is where checkpoint keys such as
 * `enc.norm1.gamma` come from; a top-level InstanceNorm keeps the names its constructor gave
 * (`mean`, `variance`, `gamma`, `beta`).
 */
import type { DType } from '../core/dtype';
import { PyTypeError, ValueError } from '../core/errors';
import { pyTuple, pyTypeName } from '../core/python';
import { sameShape, Tensor } from '../core/tensor';

/** `mindspore.Parameter`: a named tensor that may be trained. */
export class Parameter<D extends DType = DType> {
  private _name: string;
  private _requiresGrad: boolean;
  private _data: Tensor<D>;

  constructor(data: Tensor<D>, name = 'Parameter', requires_grad = true) {
    if (!(data instanceof Tensor)) throw new PyTypeError(`For 'Parameter', the 'default_input' must be a Tensor, but got type '${pyTypeName(data)}'.`);
    this._data = data;
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
   * `Parameter.set_data(data)`: same shape required; a lower-precision float is converted to this
   * parameter's dtype, a higher one is refused (MindSpore's implicit-conversion rule).
   */
  set_data(data: Tensor | number): this {
    this._data = checkedData(this, data);
    return this;
  }

  /** Replaces the values without checks; callers have checked them (`load_param_into_net`). */
  _assign(data: Tensor<D>): void {
    this._data = data;
  }

  toString(): string {
    return `Parameter (name=${this.name}, shape=${pyTuple(this.shape)}, dtype=${msDTypeName(this.dtype)}, requires_grad=${this.requires_grad ? 'True' : 'False'})`;
  }
}

function checkName(name: unknown): string {
  if (name === null || name === undefined) return 'Parameter';
  if (typeof name !== 'string') throw new ValueError(`The type of the Parameter's name should be 'string' or 'None', but got <class '${pyTypeName(name)}'>.`);
  const trimmed = name.trim();
  return trimmed === '' ? 'Parameter' : trimmed;
}

function checkRequiresGrad(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new PyTypeError('The argument `requires_grad` must be bool type');
  return value;
}

/** MindSpore's implicit float conversion order: a parameter takes data of its own or lower precision. */
const FLOAT_RANK: Partial<Record<DType, number>> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };

/** The data `set_data` would store, or MindSpore's error; nothing is changed here. */
function checkedData<D extends DType>(param: Parameter<D>, data: Tensor | number): Tensor<D> {
  if (typeof data === 'number') return Tensor.full(param.shape, data, param.dtype);
  if (!(data instanceof Tensor)) {
    throw new PyTypeError(
      `Parameter data must be [\`Tensor\`, \`int\`, \`float\`] or a kind of \`Tensor\` (like \`Tensor\`). But with type <class '${pyTypeName(data)}'>.`,
    );
  }
  if (!sameShape(data.shape, param.shape)) {
    throw new ValueError(`Can not change the shape of Parameter which has been initialized. Current shape is ${pyTuple(param.shape)}, and incoming is ${pyTuple(data.shape)}.`);
  }
  if (data.dtype === param.dtype) return data as Tensor<D>;
  const from = FLOAT_RANK[data.dtype];
  const to = FLOAT_RANK[param.dtype];
  if (from === undefined || to === undefined || from > to) {
    throw new PyTypeError(
      `Incoming Parameter dtype can not be converted to current dtype implicitly. Current dtype is ${msDTypeName(param.dtype)}, and incoming is ${msDTypeName(data.dtype)}. Use .set_dtype(xxx) to change the dtype.`,
    );
  }
  return data.astype(param.dtype);
}

/** MindSpore's spelling of a dtype (`Float32`, `Int64`, `BFloat16`). */
export function msDTypeName(dtype: DType): string {
  if (dtype === 'bfloat16') return 'BFloat16';
  return dtype.charAt(0).toUpperCase() + dtype.slice(1);
}

export abstract class Cell {
  /** False after construction: MindSpore cells start in inference mode. */
  training = false;
  protected readonly _params = new Map<string, Parameter>();
  protected readonly _cells = new Map<string, Cell>();

  constructor() {
    // Seeing attribute definitions is what `Cell.__setattr__` does in Python; a class field and an
    // assignment both arrive here as [[DefineOwnProperty]].
    return new Proxy(this, {
      defineProperty(target, key, descriptor) {
        if (typeof key === 'string' && 'value' in descriptor) target._setattr(key, descriptor.value);
        return Reflect.defineProperty(target, key, descriptor);
      },
    });
  }

  /** The class name MindSpore puts in its messages (`cls_name`). */
  get cls_name(): string {
    return this.constructor.name;
  }

  /** `Cell.__setattr__` for Parameters and Cells; other values are plain attributes. */
  private _setattr(name: string, value: unknown): void {
    if (value instanceof Parameter) {
      this.insert_param_to_cell(name, value);
    } else if (value instanceof Cell) {
      // `_set_attr_for_cell`: prefix the child's parameter names, then register it.
      value.update_parameters_name(`${name}.`);
      this.insert_child_to_cell(name, value);
    } else if (this._params?.has(name) && value !== undefined) {
      throw new PyTypeError(`Parameter '${name}' already exists in network, can not assign this type: '<class '${pyTypeName(value)}'>' as a parameter.`);
    } else if (this._cells?.has(name) && value !== undefined) {
      throw new PyTypeError(`Sub cell '${name}' already exists in network, can not assign this type: '<class '${pyTypeName(value)}'>' as a cell.`);
    }
  }

  /** Registers `param` under `attribute`; a parameter still named 'Parameter' takes the attribute's name. */
  insert_param_to_cell(attribute: string, param: Parameter): void {
    if (param.name === 'Parameter') param.name = attribute;
    this._params.set(attribute, param);
  }

  /** Registers `child` under `name` without renaming (MindSpore renames on attribute assignment only). */
  insert_child_to_cell(name: string, child: Cell): this {
    this._cells.set(name, child);
    return this;
  }

  /** Renames every parameter to `prefix + its attribute path` (MindSpore names by path, not by the old name). */
  update_parameters_name(prefix = ''): void {
    for (const [path, param] of this.parameters_and_names()) param.name = prefix + path;
  }

  /**
   * `set_train(mode=True)`: sets `training` on this cell and every sub-cell; returns the cell.
   * MindSpore does not check `mode`; any value counts by its truthiness, as in Python.
   */
  set_train(mode: unknown = true): this {
    for (const [, cell] of this.cells_and_names()) cell.training = Boolean(mode);
    return this;
  }

  /** (path, cell) pairs: this cell first, then its sub-cells depth first, each cell once. */
  *cells_and_names(prefix = ''): Generator<[string, Cell]> {
    const seen = new Set<Cell>();
    function* walk(cell: Cell, path: string): Generator<[string, Cell]> {
      if (seen.has(cell)) return;
      seen.add(cell);
      yield [path, cell];
      for (const [name, child] of cell._cells) yield* walk(child, path ? `${path}.${name}` : name);
    }
    yield* walk(this, prefix);
  }

  /** (attribute path, Parameter) pairs, each Parameter once, in registration order. */
  *parameters_and_names(prefix = ''): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [path, cell] of this.cells_and_names(prefix)) {
      for (const [name, param] of cell._params) {
        if (seen.has(param)) continue;
        seen.add(param);
        yield [path ? `${path}.${name}` : name, param];
      }
    }
  }

  get_parameters(): Parameter[] {
    return [...this.parameters_and_names()].map(([, p]) => p);
  }

  /** Ordered `Parameter.name` -> Parameter (the keys a checkpoint uses). */
  parameters_dict(): Map<string, Parameter> {
    return new Map(this.get_parameters().map((p) => [p.name, p]));
  }

  trainable_params(): Parameter[] {
    return this.get_parameters().filter((p) => p.requires_grad);
  }

  untrainable_params(): Parameter[] {
    return this.get_parameters().filter((p) => !p.requires_grad);
  }

  abstract construct(...inputs: unknown[]): unknown;
}
