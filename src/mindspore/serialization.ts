/**
 * `mindspore.load_param_into_net(net, parameter_dict, strict_load=False)` as MindSpore 2.6.0 runs
 * it (train/serialization.py@v2.6.0:1664-1775 with `_update_param` :260-310 and
 * `_load_dismatch_prefix_params` :1844-1869): parameters match by `Parameter.name`; names the net
 * has and the dict lacks are reported (and, unless strict, retried by stripping a prefix from the
 * dict's names); names only the dict has are returned; a shape mismatch is a RuntimeError;
 * float<->float (or int<->int) dtype differences are converted unless `strict_load`. A loaded
 * parameter shares the dict Parameter's data, as `set_data` -> `assign_value` makes it share there.
 *
 * One deliberate difference (mapping.json decision `mindspore-load-param-atomic`): MindSpore
 * updates parameters one by one, so an error half-way leaves the net half-loaded. Here every update
 * is worked out first and applied only when all succeed, so a failure changes nothing; the
 * warnings still come in MindSpore's order.
 */
import type { DType } from '../core/dtype';
import { AttributeError, PyTypeError, RuntimeError, ValueError } from '../core/errors';
import { asDict } from '../core/python-args';
import { pyRepr, pyTuple, pyTypeName } from '../core/python';
import { numel, sameShape, type Tensor } from '../core/tensor';
import { warn } from '../core/warnings';
import { Cell, Parameter, msDTypeName, pyClassOf } from './cell';

/** A checkpoint's parameters: a Map or a plain object (Python's dict), name -> Parameter. */
export type ParameterDict = Map<string, Parameter> | Record<string, Parameter>;

/** `_type_convert`'s families (:313-324): bfloat16 is a float, uint8 and bool are in neither. */
const FLOATS: readonly DType[] = ['float16', 'float32', 'float64', 'bfloat16'];
const INTS: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];

/** The key `load_checkpoint` stores the random generator's state under; `_check_load_param_into_net` pops it (:1675-1677). */
const RANDOM_OP = 'random_op';

/** Returns `(param_not_load, ckpt_not_load)` as MindSpore 2.x does. */
export function load_param_into_net(net: Cell, parameter_dict: ParameterDict, strict_load: boolean = false): [string[], string[]] {
  const dict = checkArguments(net, parameter_dict);
  const hadRandomOp = dict.delete(RANDOM_OP);
  checkElements(dict);
  // `Validator.check_bool(strict_load)` (_checkparam.py@v2.6.0:502-518).
  if (typeof strict_load !== 'boolean') throw new PyTypeError(`The input value must be a bool, but got ${pyTypeName(strict_load)}.`);
  const plan = new Map<Parameter, Tensor>();
  const notLoaded: string[] = [];
  const ckptNotLoaded = [...dict.keys()];
  for (const [, param] of net.parameters_and_names()) {
    if (!dict.has(param.name)) {
      notLoaded.push(param.name);
      continue;
    }
    const incoming = dict.get(param.name);
    // `if not hasattr(parameter_dict[param.name], "data"): continue` (:1744): the str and list values a dict may carry.
    if (!(incoming instanceof Parameter)) continue;
    plan.set(param, updatedData(param, incoming, strict_load));
    // `ckpt_not_load.remove(param.name)` (:1750): a second parameter of the same name finds it gone.
    const at = ckptNotLoaded.indexOf(param.name);
    if (at < 0) throw new ValueError('list.remove(x): x not in list');
    ckptNotLoaded.splice(at, 1);
  }
  if (notLoaded.length > 0 && !strict_load) loadMismatchedPrefix(net, dict, notLoaded, plan, strict_load);
  for (const [param, data] of plan) param._assign(data);
  if (hadRandomOp) popRandomOp(parameter_dict);
  if (notLoaded.length > 0) {
    warn(
      `For 'load_param_into_net', ${notLoaded.length} parameters in the 'net' are not loaded, because they are not in the 'parameter_dict', please check whether the network structure is consistent when training and loading checkpoint.`,
    );
    warn(`${pyRepr(notLoaded)} are not loaded.`);
  }
  return [notLoaded, ckptNotLoaded];
}

/** `_check_load_param_into_net` (:1664-1674): the argument types, in MindSpore's words. */
function checkArguments(net: unknown, parameterDict: unknown): Map<unknown, unknown> {
  if (!(net instanceof Cell)) {
    throw new PyTypeError(`For 'load_param_into_net', the argument 'net' should be a Cell, but got ${pyClassOf(net)}.`);
  }
  const entries = asDict(parameterDict);
  if (entries === null) {
    throw new PyTypeError(`For 'load_param_into_net', the argument 'parameter_dict' should be a dict, but got ${pyClassOf(parameterDict)}.`);
  }
  return entries;
}

/** The element check (:1724-1729): str keys, and Parameter, str or list values; the message prints their types. */
function checkElements(dict: Map<unknown, unknown>): asserts dict is Map<string, unknown> {
  for (const [key, value] of dict) {
    if (typeof key !== 'string' || !(value instanceof Parameter || typeof value === 'string' || Array.isArray(value))) {
      throw new PyTypeError(
        `For 'parameter_dict', the element in the argument 'parameter_dict' should be a 'str' and 'Parameter' , but got ${pyClassOf(key)} and ${pyClassOf(value)}.`,
      );
    }
  }
}

/** MindSpore pops the key from the caller's dict; here only once the load has succeeded. */
function popRandomOp(parameterDict: ParameterDict): void {
  if (parameterDict instanceof Map) parameterDict.delete(RANDOM_OP);
  else delete (parameterDict as Record<string, unknown>)[RANDOM_OP];
}

/**
 * What `_update_param(param, new_param, strict_load)` (:260-290) leaves in `param`, without
 * touching it: the dict's data itself (`set_data` shares it), or a converted copy.
 */
function updatedData(param: Parameter, incoming: unknown, strictLoad: boolean): Tensor {
  if (!(incoming instanceof Parameter)) throw new AttributeError(`'${pyTypeName(incoming)}' object has no attribute 'data'`);
  const data = incoming.data;
  if (!sameShape(param.shape, data.shape) && !specialProcess(param, data)) {
    throw new RuntimeError(
      `For 'load_param_into_net', ${param.name} in the argument 'net' should have the same shape as ${param.name} in the argument 'parameter_dict'. But got its shape ${pyTuple(param.shape)} in the argument 'net' and shape ${pyTuple(data.shape)} in the argument 'parameter_dict'.May you need to check whether the checkpoint you loaded is correct or the batch size and so on in the 'net' and 'parameter_dict' are same.`,
    );
  }
  if (data.dtype === param.dtype) return data;
  const sameKind = (FLOATS.includes(data.dtype) && FLOATS.includes(param.dtype)) || (INTS.includes(data.dtype) && INTS.includes(param.dtype));
  if (!strictLoad && sameKind) {
    warn(
      `The type of ${incoming.name}:${msDTypeName(data.dtype)} in 'parameter_dict' is different from the type of it in 'net':${msDTypeName(param.dtype)}, then the type convert from ${msDTypeName(data.dtype)} to ${msDTypeName(param.dtype)} in the network. May consume additional memory and time`,
    );
    return data.astype(param.dtype);
  }
  throw new RuntimeError(
    `For 'load_param_into_net', ${param.name} in the argument 'net' should have the same type as ${param.name} in the argument 'parameter_dict'. but got its type ${msDTypeName(param.dtype)} in the argument 'net' and type ${msDTypeName(data.dtype)} in the argument 'parameter_dict'.May you need to check whether the checkpoint you loaded is correct.`,
  );
}

/**
 * `_special_process_par` (:235-257): a dict tensor with extra trailing 1-dims is reshaped to the
 * parameter's shape (numpy's ValueError when the sizes differ) and set. It returns True, and
 * `_update_param` then sets the dict's data itself (:279, :289), which `set_data` takes with its
 * own shape (2.6.0 has no shape check): the parameter ends up with the dict's shape, e.g. (C, 1).
 */
function specialProcess(param: Parameter, data: Tensor): boolean {
  const own = param.shape.length;
  if (data.shape.length <= own || data.shape.slice(own).some((d) => d !== 1)) return false;
  if (data.size !== numel(param.shape)) {
    throw new ValueError(`cannot reshape array of size ${data.size} into shape ${numpyShape(param.shape)}`);
  }
  return true;
}

/** numpy prints a shape in its errors without spaces: `(2,)`, `(2,3)`, `()`. */
function numpyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`;
}

/**
 * `_load_dismatch_prefix_params` (:1844-1869): find a dict name ending with a missing net name,
 * take what precedes it as the prefix, load every missing name that `prefix + name` supplies; repeat
 * while a prefix is found. Each round loads at least the name that gave its prefix.
 */
function loadMismatchedPrefix(net: Cell, dict: Map<string, unknown>, notLoaded: string[], plan: Map<Parameter, Tensor>, strictLoad: boolean): void {
  const longest = notLoaded[0];
  let prefix = '';
  while (prefix !== longest && notLoaded.length > 0) {
    prefix = longest;
    for (const name of notLoaded) {
      const match = [...dict.keys()].find((key) => key.endsWith(name));
      if (match !== undefined) prefix = match.slice(0, match.length - name.length);
      if (prefix !== longest) break;
    }
    if (prefix === longest) return;
    warn(`For 'load_param_into_net', remove parameter prefix name: ${prefix}, continue to load.`);
    const before = notLoaded.length;
    for (const [, param] of net.parameters_and_names()) {
      const key = prefix + param.name;
      if (!notLoaded.includes(param.name) || !dict.has(key)) continue;
      plan.set(param, updatedData(param, dict.get(key), strictLoad));
      notLoaded.splice(notLoaded.indexOf(param.name), 1);
    }
    // Unreachable by the argument above; a JS hang would be worse than Python's.
    if (notLoaded.length === before) return;
  }
}
