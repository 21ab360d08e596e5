/**
 * `mindspore.load_param_into_net(net, parameter_dict, strict_load=False)`, following
 * `mindspore/train/serialization.py`: parameters match by `Parameter.name`; names the net has and
 * the dict lacks are reported (and, unless strict, retried by stripping a common prefix from the
 * dict's longer names); names only the dict has are returned; a shape mismatch is a RuntimeError;
 * float<->float (or int<->int) dtype differences are converted unless `strict_load`.
 *
 * One deliberate difference: MindSpore updates parameters one by one, so an error half-way leaves
 * the net half-loaded. Here every update is checked first and applied only when all pass, so a
 * failure changes nothing.
 */
import type { DType } from '../core/dtype';
import { PyTypeError, RuntimeError } from '../core/errors';
import { asDict } from '../core/python-args';
import { pyRepr, pyTuple, pyTypeName } from '../core/python';
import { sameShape, Tensor } from '../core/tensor';
import { warn } from '../core/warnings';
import { Cell, Parameter, msDTypeName } from './cell';

/** A checkpoint's parameters: a Map or a plain object (Python's dict), name -> Parameter. */
export type ParameterDict = Map<string, Parameter> | Record<string, Parameter>;

const FLOATS: readonly DType[] = ['float16', 'float32', 'float64', 'bfloat16'];
const INTS: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];

/** Returns `[param_not_load, ckpt_not_load]` as MindSpore r2.x does. */
export function load_param_into_net(net: Cell, parameter_dict: ParameterDict, strict_load: boolean = false): [string[], string[]] {
  const dict = checkArguments(net, parameter_dict);
  if (typeof strict_load !== 'boolean') throw new PyTypeError(`The input value must be a bool, but got ${pyTypeName(strict_load)}.`);
  const planned = new Map<Parameter, Tensor>();
  const notLoaded: string[] = [];
  const ckptNotLoaded = [...dict.keys()];
  for (const [, param] of net.parameters_and_names()) {
    const incoming = dict.get(param.name);
    if (incoming === undefined) {
      notLoaded.push(param.name);
      continue;
    }
    // MindSpore skips entries without `.data` (the str and list values a dict may carry).
    if (!(incoming instanceof Parameter)) continue;
    planned.set(param, updatedData(param, incoming, strict_load));
    // Two parameters may share a name (insert_child_to_cell does not rename): the key goes once.
    const at = ckptNotLoaded.indexOf(param.name);
    if (at >= 0) ckptNotLoaded.splice(at, 1);
  }
  const prefixes = notLoaded.length > 0 && !strict_load ? loadMismatchedPrefix(net, dict, notLoaded, planned, strict_load) : [];
  for (const [param, data] of planned) param._assign(data);
  for (const prefix of prefixes) warn(`For 'load_param_into_net', remove parameter prefix name: ${prefix}, continue to load.`);
  if (notLoaded.length > 0) {
    warn(
      `For 'load_param_into_net', ${notLoaded.length} parameters in the 'net' are not loaded, because they are not in the 'parameter_dict', please check whether the network structure is consistent when training and loading checkpoint.`,
    );
    warn(`${pyRepr(notLoaded)} are not loaded.`);
  }
  return [notLoaded, ckptNotLoaded];
}

/** `_check_load_param_into_net`: the argument types, in MindSpore's words. */
function checkArguments(net: unknown, parameterDict: unknown): Map<string, unknown> {
  if (!(net instanceof Cell)) {
    throw new PyTypeError(`For 'load_param_into_net', the argument 'net' should be a Cell, but got <class '${pyTypeName(net)}'>.`);
  }
  const entries = asDict(parameterDict);
  if (entries === null) {
    throw new PyTypeError(`For 'load_param_into_net', the argument 'parameter_dict' should be a dict, but got <class '${pyTypeName(parameterDict)}'>.`);
  }
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || !(value instanceof Parameter || typeof value === 'string' || Array.isArray(value))) {
      throw new PyTypeError(
        `For 'parameter_dict', the element in the argument 'parameter_dict' should be a 'str' and 'Parameter' , but got ${String(key)} and ${String(value)}.`,
      );
    }
  }
  return entries as Map<string, unknown>;
}

/** `_update_param`'s checks and conversion, without touching `param`. */
function updatedData(param: Parameter, incoming: Parameter, strictLoad: boolean): Tensor {
  let data = incoming.data;
  if (!sameShape(param.shape, data.shape)) {
    // `_special_process_par`: extra trailing 1-dims in the checkpoint are squeezed away.
    const extra = data.shape.slice(param.shape.length);
    const squeezable = data.shape.length > param.shape.length && extra.every((d) => d === 1) && sameShape(param.shape, data.shape.slice(0, param.shape.length));
    if (!squeezable) {
      throw new RuntimeError(
        `For 'load_param_into_net', ${param.name} in the argument 'net' should have the same shape as ${param.name} in the argument 'parameter_dict'. But got its shape ${pyTuple(param.shape)} in the argument 'net' and shape ${pyTuple(data.shape)} in the argument 'parameter_dict'.May you need to check whether the checkpoint you loaded is correct or the batch size and so on in the 'net' and 'parameter_dict' are same.`,
      );
    }
    data = data.reshape(param.shape);
  }
  if (data.dtype === param.dtype) return data.clone();
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
 * `_load_dismatch_prefix_params`: find a dict name that ends with a missing net name, take what
 * precedes it as a prefix, load every missing name that `prefix + name` supplies; repeat. Returns
 * the prefixes used (each is warned about once the load succeeds).
 */
function loadMismatchedPrefix(
  net: Cell,
  dict: Map<string, unknown>,
  notLoaded: string[],
  planned: Map<Parameter, Tensor>,
  strictLoad: boolean,
): string[] {
  const used: string[] = [];
  for (;;) {
    let prefix: string | null = null;
    for (const name of notLoaded) {
      const match = [...dict.keys()].find((key) => key.length > name.length && key.endsWith(name));
      if (match !== undefined) {
        prefix = match.slice(0, match.length - name.length);
        break;
      }
    }
    if (prefix === null) return used;
    let loaded = 0;
    for (const [, param] of net.parameters_and_names()) {
      const incoming = dict.get(prefix + param.name);
      if (!notLoaded.includes(param.name) || !(incoming instanceof Parameter)) continue;
      planned.set(param, updatedData(param, incoming, strictLoad));
      notLoaded.splice(notLoaded.indexOf(param.name), 1);
      loaded++;
    }
    used.push(prefix);
    if (loaded === 0 || notLoaded.length === 0) return used;
  }
}
