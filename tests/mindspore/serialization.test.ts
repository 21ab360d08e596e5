/**
 * load_param_into_net as MindSpore 2.6.0's train/serialization.py defines it (:1664-1775, with
 * `_update_param` :260-310, `_special_process_par` :235-257 and `_load_dismatch_prefix_params`
 * :1844-1869): match by Parameter.name, report what did not load, retry by prefix, RuntimeError on
 * shape mismatch, float conversion unless strict, the dict's data shared. Expected outcomes are
 * traced by hand from that code; messages are its format strings, or CPython's and numpy's own
 * words (tests/fixtures/mindspore_python.json). One deliberate difference is tested too: a failed
 * load changes nothing.
 */
import { mindspore, Tensor, TypeError as PyTypeError, RuntimeError, ValueError, AttributeError, warnings as pyWarnings } from '../../src';
import python from '../fixtures/mindspore_python.json';

const { nn, Parameter, load_param_into_net } = mindspore;
// The package's public `warnings`, the one a MindSpore user reaches without going through torch.
const { catchWarnings } = pyWarnings;

const values = (p: { data: Tensor }) => [...p.data.data];

function checkpoint(entries: [string, number[], ('float32' | 'float64' | 'float16' | 'int32')?][]): Map<string, InstanceType<typeof Parameter>> {
  return new Map(entries.map(([name, v, dtype]) => [name, new Parameter(Tensor.from(v, { dtype: dtype ?? 'float32' }), name)]));
}

describe('load_param_into_net', () => {
  it('two parameters of one name: the second `ckpt_not_load.remove(param.name)` is a ValueError (:1750), and nothing is loaded', () => {
    class Net extends nn.Cell {
      construct(x: Tensor): Tensor {
        return x;
      }
    }
    // insert_child_to_cell does not rename, so both children's parameters keep their bare names.
    const net = new Net();
    net.insert_child_to_cell('a', new nn.InstanceNorm1d(2));
    net.insert_child_to_cell('b', new nn.InstanceNorm1d(2));
    const ckpt = checkpoint([
      ['mean', [0, 0]],
      ['variance', [1, 1]],
      ['gamma', [4, 5]],
      ['beta', [6, 7]],
    ]);
    expect(() => load_param_into_net(net, ckpt)).toThrow(new ValueError(python.operations['list.remove'].message));
    expect(net.get_parameters().map(values)).toEqual([[0, 0], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1], [1, 1], [0, 0]]);
  });

  it("pops 'random_op' from the dict before anything else (:1675-1677): no element error, not in ckpt_not_load", () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = { ...Object.fromEntries(checkpoint([['gamma', [4, 5]]])), random_op: new Uint8Array([1, 2]) as never };
    const { result } = catchWarnings(() => load_param_into_net(net, ckpt, true));
    expect(result).toEqual([['mean', 'variance', 'beta'], []]);
    expect(Object.keys(ckpt)).toEqual(['gamma']);
  });

  it('loads a top-level checkpoint by name and reports nothing missing', () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = checkpoint([
      ['mean', [0.5, 1]],
      ['variance', [2, 3]],
      ['gamma', [4, 5]],
      ['beta', [6, 7]],
    ]);
    const { result, warnings } = catchWarnings(() => load_param_into_net(net, ckpt));
    expect(result).toEqual([[], []]);
    expect(warnings).toEqual([]);
    expect([values(net.moving_mean), values(net.moving_variance), values(net.gamma), values(net.beta)]).toEqual([
      [0.5, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    // `param.set_data(new_param.data)` (:289) -> `assign_value` shares the dict Parameter's data
    // (common/parameter.py@v2.6.0:824-829; core/ir/base_tensor.cc@v2.6.0:337 `data_ = tensor.data_`).
    expect(net.gamma.data).toBe(ckpt.get('gamma')!.data);
    ckpt.get('gamma')!.data.data[0] = 100;
    expect(values(net.gamma)).toEqual([100, 5]);
  });

  it('takes a plain object as the dict, and round-trips parameters_dict() between nets', () => {
    const a = new nn.InstanceNorm2d(3, { gamma_init: Tensor.from([1, 2, 3]), beta_init: 0.5 });
    const b = new nn.InstanceNorm2d(3);
    load_param_into_net(b, Object.fromEntries(a.parameters_dict()));
    expect(values(b.gamma)).toEqual([1, 2, 3]);
    const x = Tensor.from(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), { shape: [2, 3, 2, 2] });
    expect([...b.construct(x).data]).toEqual([...a.construct(x).data]);
  });

  it('returns (param_not_load, ckpt_not_load) and warns about the missing ones', () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = checkpoint([
      ['gamma', [4, 5]],
      ['beta', [6, 7]],
      ['running_mean', [1, 1]],
    ]);
    const { result, warnings } = catchWarnings(() => load_param_into_net(net, ckpt, true));
    expect(result).toEqual([['mean', 'variance'], ['running_mean']]);
    expect(warnings.map((w) => w.message)).toEqual([
      "For 'load_param_into_net', 2 parameters in the 'net' are not loaded, because they are not in the 'parameter_dict', please check whether the network structure is consistent when training and loading checkpoint.",
      "['mean', 'variance'] are not loaded.",
    ]);
  });

  it("loads a nested cell's checkpoint into a top-level cell by stripping prefixes (non-strict)", () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = checkpoint([
      ['norm.moving_mean', [0.5, 1]],
      ['norm.moving_variance', [2, 3]],
      ['norm.gamma', [4, 5]],
      ['norm.beta', [6, 7]],
    ]);
    const { result, warnings } = catchWarnings(() => load_param_into_net(net, ckpt));
    expect(result[0]).toEqual([]);
    expect(values(net.moving_mean)).toEqual([0.5, 1]);
    expect(values(net.beta)).toEqual([6, 7]);
    expect(warnings.map((w) => w.message)).toEqual([
      "For 'load_param_into_net', remove parameter prefix name: norm.moving_, continue to load.",
      "For 'load_param_into_net', remove parameter prefix name: norm., continue to load.",
    ]);
  });

  it('does not load a top-level checkpoint into a nested cell (the prefix retry only strips)', () => {
    class Net extends nn.Cell {
      norm = new nn.InstanceNorm1d(2);
      construct(x: Tensor): Tensor {
        return this.norm.construct(x);
      }
    }
    const net = new Net();
    const ckpt = checkpoint([
      ['mean', [0.5, 1]],
      ['gamma', [4, 5]],
    ]);
    const { result } = catchWarnings(() => load_param_into_net(net, ckpt));
    expect(result).toEqual([['norm.moving_mean', 'norm.moving_variance', 'norm.gamma', 'norm.beta'], ['mean', 'gamma']]);
    expect(values(net.norm.gamma)).toEqual([1, 1]);
  });

  it('a shape mismatch is a RuntimeError, and a failed load changes nothing', () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = checkpoint([
      ['mean', [9, 9]],
      ['gamma', [4, 5]],
      ['beta', [6, 7, 8]],
    ]);
    expect(() => load_param_into_net(net, ckpt)).toThrow(
      new RuntimeError(
        "For 'load_param_into_net', beta in the argument 'net' should have the same shape as beta in the argument 'parameter_dict'. But got its shape (2,) in the argument 'net' and shape (3,) in the argument 'parameter_dict'.May you need to check whether the checkpoint you loaded is correct or the batch size and so on in the 'net' and 'parameter_dict' are same.",
      ),
    );
    expect([values(net.moving_mean), values(net.gamma)]).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('a (C, 1) tensor for a (C,) parameter is not squeezed: the parameter takes (C, 1) (:235-257, :289)', () => {
    // _special_process_par reshapes and sets (C,), then `param.set_data(new_param.data)` sets the dict's
    // (C, 1) tensor, which 2.6.0's set_data takes without a shape check (common/parameter.py@v2.6.0:876-926).
    const net = new nn.InstanceNorm1d(2);
    const gamma = new Parameter(Tensor.from([[3], [4]]), 'gamma');
    load_param_into_net(net, new Map([['gamma', gamma]]), true);
    expect(net.gamma.shape).toEqual([2, 1]);
    expect(net.gamma.data).toBe(gamma.data);
    // The primitive then refuses it (ops/infer/instance_norm.cc@v2.6.0:82).
    expect(() => net.construct(Tensor.zeros([1, 2, 3], 'float32'))).toThrow(new ValueError('For primitive[InstanceNorm], the gamma rank must be equal to 1 , but got 2.'));
  });

  it("a (3, 1) tensor for a (2,) parameter is numpy's reshape ValueError (:255), and nothing is loaded", () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = new Map([
      ['mean', new Parameter(Tensor.from([5, 5]), 'mean')],
      ['gamma', new Parameter(Tensor.from([[3], [4], [5]]), 'gamma')],
    ]);
    expect(() => load_param_into_net(net, ckpt)).toThrow(new ValueError(python.operations['reshape (3, 1) -> (2,)'].message));
    expect(values(net.moving_mean)).toEqual([0, 0]);
  });

  it('a (C, 1) float64 tensor for a float32 parameter is converted, keeping (C, 1), with the warning (:273-280)', () => {
    const net = new nn.InstanceNorm1d(2);
    const { warnings } = catchWarnings(() => load_param_into_net(net, new Map([['beta', new Parameter(Tensor.from([[1], [2]], { dtype: 'float64' }), 'beta')]])));
    expect([net.beta.shape, net.beta.dtype, values(net.beta)]).toEqual([[2, 1], 'float32', [1, 2]]);
    expect(warnings[0].message).toBe(
      "The type of beta:Float64 in 'parameter_dict' is different from the type of it in 'net':Float32, then the type convert from Float64 to Float32 in the network. May consume additional memory and time",
    );
  });

  it('converts float64 to float32 unless strict; int into float is refused', () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = checkpoint([['gamma', [0.1, 0.2], 'float64']]);
    const { warnings } = catchWarnings(() => load_param_into_net(net, ckpt));
    expect(net.gamma.dtype).toBe('float32');
    expect(values(net.gamma)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(warnings[0].message).toContain('then the type convert from Float64 to Float32 in the network');
    const strictNet = new nn.InstanceNorm1d(2);
    expect(() => load_param_into_net(strictNet, ckpt, true)).toThrow(
      new RuntimeError(
        "For 'load_param_into_net', gamma in the argument 'net' should have the same type as gamma in the argument 'parameter_dict'. but got its type Float32 in the argument 'net' and type Float64 in the argument 'parameter_dict'.May you need to check whether the checkpoint you loaded is correct.",
      ),
    );
    expect(() => load_param_into_net(new nn.InstanceNorm1d(2), checkpoint([['beta', [1, 2], 'int32']]))).toThrow(RuntimeError);
  });

  it("checks its arguments with MindSpore's TypeErrors, printing the types (:1664-1731)", () => {
    const net = new nn.InstanceNorm1d(2);
    expect(() => load_param_into_net({} as never, new Map())).toThrow(
      new PyTypeError("For 'load_param_into_net', the argument 'net' should be a Cell, but got <class 'dict'>."),
    );
    expect(() => load_param_into_net(Tensor.from([1]) as never, new Map())).toThrow(
      new PyTypeError("For 'load_param_into_net', the argument 'net' should be a Cell, but got <class 'mindspore.common.tensor.Tensor'>."),
    );
    expect(() => load_param_into_net(net, [] as never)).toThrow(
      new PyTypeError("For 'load_param_into_net', the argument 'parameter_dict' should be a dict, but got <class 'list'>."),
    );
    // The element message formats `type(key)` and `type(value)` (:1727-1728), not the values.
    expect(() => load_param_into_net(net, { gamma: Tensor.from([1, 2]) } as never)).toThrow(
      new PyTypeError(
        "For 'parameter_dict', the element in the argument 'parameter_dict' should be a 'str' and 'Parameter' , but got <class 'str'> and <class 'mindspore.common.tensor.Tensor'>.",
      ),
    );
    expect(() => load_param_into_net(net, new Map([[1, new Parameter(Tensor.from([1]))]]) as never)).toThrow(
      new PyTypeError(
        "For 'parameter_dict', the element in the argument 'parameter_dict' should be a 'str' and 'Parameter' , but got <class 'int'> and <class 'mindspore.common.parameter.Parameter'>.",
      ),
    );
    expect(() => load_param_into_net(net, new Map(), 'yes' as never)).toThrow(new PyTypeError('The input value must be a bool, but got str.'));
  });

  it('skips str and list values of a matching name (no `.data`, :1744), leaving them in ckpt_not_load', () => {
    const net = new nn.InstanceNorm1d(2);
    const { result } = catchWarnings(() => load_param_into_net(net, { gamma: 'a note' as never, beta: [1] as never }, true));
    expect(result).toEqual([['mean', 'variance'], ['gamma', 'beta']]);
  });

  it("a prefix that leads to a str value reaches `_update_param`'s `new_param.data`: AttributeError, nothing loaded", () => {
    const net = new nn.InstanceNorm1d(2);
    const ckpt = { 'x.mean': 'a note' as never, 'x.variance': new Parameter(Tensor.from([2, 2]), 'x.variance') };
    // The prefix 'x.' is found and announced (:1860) before `_update_param` fails on the str.
    const { warnings } = catchWarnings(() => expect(() => load_param_into_net(net, ckpt)).toThrow(new AttributeError("'str' object has no attribute 'data'")));
    expect(warnings.map((w) => w.message)).toEqual(["For 'load_param_into_net', remove parameter prefix name: x., continue to load."]);
    expect(values(net.moving_variance)).toEqual([1, 1]);
  });

  it('warns in MindSpore\'s order: each prefix as it is found, its conversions, then what did not load', () => {
    class Net extends nn.Cell {
      norm = new nn.InstanceNorm1d(2);
      extra = new Parameter(Tensor.from([1]), 'extra');
      construct(x: Tensor): Tensor {
        return x;
      }
    }
    const net = new Net();
    const ckpt = checkpoint([
      ['model.norm.moving_mean', [1, 1]],
      ['model.norm.moving_variance', [2, 2]],
      ['model.norm.gamma', [3, 3], 'float64'],
      ['model.norm.beta', [4, 4]],
    ]);
    const { result, warnings } = catchWarnings(() => load_param_into_net(net, ckpt));
    expect(result[0]).toEqual(['extra']);
    expect(warnings.map((w) => w.message)).toEqual([
      "For 'load_param_into_net', remove parameter prefix name: model., continue to load.",
      "The type of model.norm.gamma:Float64 in 'parameter_dict' is different from the type of it in 'net':Float32, then the type convert from Float64 to Float32 in the network. May consume additional memory and time",
      "For 'load_param_into_net', 1 parameters in the 'net' are not loaded, because they are not in the 'parameter_dict', please check whether the network structure is consistent when training and loading checkpoint.",
      "['extra'] are not loaded.",
    ]);
    expect(values(net.norm.gamma)).toEqual([3, 3]);
  });
});
