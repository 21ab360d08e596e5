/**
 * What a MindSpore 2.6.0 primitive checks when a cell calls it in PyNative mode (the default), in
 * its C++ words, for any layer family:
 *   - the argument conversion against the op's definition (its yaml under ops/op_def/yaml),
 *     `ParseOpInputByOpDef` and `BuildOpErrorMsg`;
 *   - the infer helpers of `CheckAndConvertUtils` (utils/check_convert_utils.{h,cc}).
 * C++ exceptions reach Python with a "C++ Call Stack" section appended unless
 * MS_EXCEPTION_DISPLAY_LEVEL=1 (core/utils/log_adapter.cc@v2.6.0:320-341); the facade raises the
 * message without it.
 */
import type { DType } from '../core/dtype';
import { PyTypeError } from '../core/errors';
import { cppFloat } from '../core/cpp';
import { isPyInt } from '../core/python';
import { Tensor } from '../core/tensor';
import { msDTypeName, Parameter, pyClassOf } from './cell';

/** One argument of an op definition: its yaml `dtype`, `prim_init` and `arg_handler`. */
export interface OpArg {
  name: string;
  dtype: 'tensor' | 'bool' | 'float' | 'int';
  /** `prim_init: True`: given to the primitive's constructor rather than to the call. */
  init?: boolean;
  handler?: 'str_to_enum';
}

export interface OpDef {
  name: string;
  args: readonly OpArg[];
}

/** The converter of each op dtype (pipeline/jit/ps/parse/data_converter.cc@v2.6.0:1362-1375): only a Python float is a float. */
const CONVERTS: Record<OpArg['dtype'], (value: unknown) => boolean> = {
  tensor: (v) => v instanceof Tensor || v instanceof Parameter,
  bool: (v) => typeof v === 'boolean',
  // JS numbers are Python floats where MindSpore wants a float (mapping.json decision mindspore-js-numbers).
  float: (v) => typeof v === 'number',
  int: (v) => isPyInt(v),
};

/** `EnumToString` (utils/primfunc_utils.cc@v2.6.0:21-46), then the handler's source type (:163-171). */
function expectedType(arg: OpArg): string {
  if (arg.handler === 'str_to_enum') return 'string';
  return arg.dtype === 'tensor' ? 'Tensor' : arg.dtype;
}

/** `PyParser::BuilidPyInputTypeString` (pynative/pynative_utils.cc@v2.6.0:1038-1083). */
function pyInputType(value: unknown, wantsFloat: boolean): string {
  if (value instanceof Tensor || value instanceof Parameter) return 'Tensor';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return wantsFloat || !Number.isInteger(value) ? 'float' : 'int';
  if (typeof value === 'string') return 'string';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `List<${value.map((v) => pyInputType(v, false)).join(', ')}>`;
  return pyClassOf(value);
}

/**
 * `ParseOpInputByOpDef` (pynative/pynative_utils.cc@v2.6.0:1151-1196): every argument must convert
 * to its dtype, or the call fails with `BuildOpErrorMsg` (utils/primfunc_utils.cc@v2.6.0:190-244),
 * which lists the types given and the types wanted. `values` are in the definition's order.
 */
export function checkOpArguments(op: OpDef, values: readonly unknown[]): void {
  if (op.args.every((arg, i) => CONVERTS[arg.dtype](values[i]))) return;
  const given = op.args.map((arg, i) => `${arg.name}=${arg.handler === 'str_to_enum' ? 'string' : pyInputType(values[i], arg.dtype === 'float')}`);
  const wanted = op.args.map((arg) => `${arg.name}=<${expectedType(arg)}>`);
  const call = (words: string[]) =>
    `${op.name}(${words.filter((_, i) => op.args[i].init).join(', ')})(${words.filter((_, i) => !op.args[i].init).join(', ')})`;
  throw new PyTypeError(`Failed calling ${op.name} with "${call(given)}".\nThe valid calling should be: \n"${call(wanted)}".`);
}

/** `P.Shape()(x)`: a Tensor's shape, or `Shape.__call__`'s TypeError (ops/operations/manually_defined/ops_def.py@v2.6.0:911-914). */
export function shapeOf(x: unknown): readonly number[] {
  if (!(x instanceof Tensor)) throw new PyTypeError(`For primitive[Shape], the input argument must be Tensor, but got ${pyClassOf(x)}.`);
  return x.shape;
}

/** `Tensor[Float32]`, as a TensorType prints. */
const tensorType = (dtype: DType) => `Tensor[${msDTypeName(dtype)}]`;

/** `CheckTensorSubClass` (check_convert_utils.cc@v2.6.0:1002-1041): the valid types as a sorted std::set. */
function checkTensorSubClass(prim: string, name: string, dtype: DType, valid: readonly DType[]): void {
  if (valid.includes(dtype)) return;
  const list = valid.map(tensorType).sort().join(', ');
  throw new PyTypeError(`For primitive[${prim}], the input argument[${name}] must be a type of {${list}}, but got ${tensorType(dtype)}.`);
}

/** `CheckTensorTypeValid(name, type, valid, prim)` (check_convert_utils.cc@v2.6.0:875-895) for a tensor input. */
export function checkTensorTypeValid(prim: string, name: string, dtype: DType, valid: readonly DType[]): void {
  checkTensorSubClass(prim, name, dtype, valid);
}

/**
 * `CheckTensorTypeSame(types, valid, prim)` (check_convert_utils.cc@v2.6.0:739-791): `types` is a
 * `std::map`, so the names go in sorted order; all one dtype (`CheckTypeSame`, :1097-1141), and
 * that dtype valid, reported for the first name.
 */
export function checkTensorTypeSame(prim: string, types: ReadonlyArray<readonly [string, DType]>, valid: readonly DType[]): void {
  const byName = [...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (new Set(byName.map(([, dtype]) => dtype)).size > 1) {
    throw new PyTypeError(`For primitive[${prim}], the input type must be same.\n${byName.map(([n, d]) => `name:[${n}]:${tensorType(d)}.\n`).join('')}`);
  }
  checkTensorSubClass(prim, byName[0][0], byName[0][1], valid);
}

/**
 * `MS_CHECK_VALUE(lo < value <= hi, FormatCheckInRangeMsg(name, value, kIncludeRight, {lo, hi}, prim))`
 * (include/utils/check_convert_utils.h@v2.6.0:165-184, range words :93-97; core_op_utils.h@v2.6.0:36-41
 * raises ValueError). The value and the bounds print as C++ streams print them.
 */
export function rangeMessage(prim: string, name: string, value: number, range: readonly [number, number]): string {
  return `For primitive[${prim}], the ${name} must be in (${cppFloat(range[0])},${cppFloat(range[1])}], but got ${cppFloat(value)}.`;
}

/** `FormatCheckIntegerMsg(name, value, kEqual, 1, prim)` (check_convert_utils.h@v2.6.0:128-145). */
export function rankOneMessage(prim: string, name: string, rank: number): string {
  return `For primitive[${prim}], the rank of ${name} must be equal to 1, but got ${rank}.`;
}
