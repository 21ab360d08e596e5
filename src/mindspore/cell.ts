/**
 * The part of `mindspore.nn.Cell` the normalization layers need: Parameters registered by
 * attribute, named by `Parameter.name` (re-prefixed with the attribute path when a cell is nested,
 * as `update_parameters_name` does), `set_train`, and the parameter listings.
 */
import type { DType } from '../core/dtype';
import type { Tensor } from '../core/tensor';

/** `mindspore.Parameter`: a named tensor that may be trained. */
export class Parameter<D extends DType = DType> {
  name: string;
  requires_grad: boolean;
  private _data: Tensor<D>;

  constructor(data: Tensor<D>, name: string, requires_grad = true) {
    this._data = data;
    this.name = name;
    this.requires_grad = requires_grad;
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

  /** Replaces the values (MindSpore's `set_data`). */
  set_data(data: Tensor<D>): this {
    this._data = data;
    return this;
  }

  toString(): string {
    return `Parameter (name=${this.name}, shape=(${this.shape.join(', ')}${this.shape.length === 1 ? ',' : ''}), dtype=${msDTypeName(this.dtype)}, requires_grad=${this.requires_grad ? 'True' : 'False'})`;
  }
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

  /** The class name MindSpore puts in its messages (`cls_name`). */
  get cls_name(): string {
    return this.constructor.name;
  }

  protected insert_param_to_cell(attribute: string, param: Parameter): void {
    this._params.set(attribute, param);
  }

  /** Adds a child cell under `name` and prefixes its parameter names, as assigning `self.name = child` does. */
  insert_child_to_cell(name: string, child: Cell): this {
    this._cells.set(name, child);
    child.update_parameters_name(`${name}.`);
    return this;
  }

  /** Renames every parameter to `prefix + its attribute path` (MindSpore names by path, not by the old name). */
  update_parameters_name(prefix = ''): void {
    for (const [path, param] of this.parameters_and_names()) param.name = prefix + path;
  }

  set_train(mode = true): this {
    this.training = mode;
    for (const child of this._cells.values()) child.set_train(mode);
    return this;
  }

  /** (attribute path, Parameter) pairs, this cell's first, then each child's. */
  *parameters_and_names(prefix = ''): Generator<[string, Parameter]> {
    for (const [name, p] of this._params) yield [prefix + name, p];
    for (const [name, child] of this._cells) yield* child.parameters_and_names(`${prefix}${name}.`);
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

  abstract construct(x: Tensor): Tensor;
}
