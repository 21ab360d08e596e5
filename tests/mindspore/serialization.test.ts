/**
 * load_param_into_net as mindspore/train/serialization.py defines it: match by Parameter.name,
 * report what did not load, retry by prefix, RuntimeError on shape mismatch, float conversion
 * unless strict. Expected outcomes are traced by hand from that code (spec §7.4); messages are its
 * format strings. One deliberate difference is tested too: a failed load changes nothing.
 */
import { mindspore, Tensor, TypeError as PyTypeError, RuntimeError, warnings as pyWarnings } from '../../src';

const { nn, Parameter, load_param_into_net } = mindspore;
// The package's public `warnings`, the one a MindSpore user reaches without going through torch.
const { catchWarnings } = pyWarnings;

const values = (p: { data: Tensor }) => [...p.data.data];

function checkpoint(entries: [string, number[], ('float32' | 'float64' | 'float16' | 'int32')?][]): Map<string, InstanceType<typeof Parameter>> {
  return new Map(entries.map(([name, v, dtype]) => [name, new Parameter(Tensor.from(v, { dtype: dtype ?? 'float32' }), name)]));
}

describe('load_param_into_net', () => {
  it('lists each unused checkpoint key once, also when two parameters of the net share a name', () => {
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
      ['head.weight', [1]],
    ]);
    const { result } = catchWarnings(() => load_param_into_net(net, ckpt));
    expect(result).toEqual([[], ['head.weight']]);
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
    // The net holds its own copy.
    ckpt.get('gamma')!.data.data[0] = 100;
    expect(values(net.gamma)).toEqual([4, 5]);
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

  it('squeezes extra trailing 1-dims in the checkpoint (_special_process_par)', () => {
    const net = new nn.InstanceNorm1d(2);
    load_param_into_net(net, new Map([['gamma', new Parameter(Tensor.from([[3], [4]]), 'gamma')]]), true);
    expect(net.gamma.shape).toEqual([2]);
    expect(values(net.gamma)).toEqual([3, 4]);
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

  it("checks its arguments with MindSpore's TypeErrors", () => {
    const net = new nn.InstanceNorm1d(2);
    expect(() => load_param_into_net({} as never, new Map())).toThrow(
      new PyTypeError("For 'load_param_into_net', the argument 'net' should be a Cell, but got <class 'dict'>."),
    );
    expect(() => load_param_into_net(net, [] as never)).toThrow(
      new PyTypeError("For 'load_param_into_net', the argument 'parameter_dict' should be a dict, but got <class 'list'>."),
    );
    expect(() => load_param_into_net(net, { gamma: Tensor.from([1, 2]) } as never)).toThrow(PyTypeError);
    expect(() => load_param_into_net(net, new Map(), 'yes' as never)).toThrow(new PyTypeError('The input value must be a bool, but got str.'));
  });
});
