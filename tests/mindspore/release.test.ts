/**
 * The MindSpore release the facade mirrors: one constant (src/mindspore/version.ts), which
 * mapping.json names too (`mindsporeRelease`, every signature's version and API link); and each
 * of mapping.json's `versionNotes` has a check here that the facade does what that release does.
 * The notes' older-release side is read from the older tags (the sources each note cites).
 */
import { mindspore, Tensor, TypeError as PyTypeError, warnings as pyWarnings } from '../../src';
import { loadMapping } from '../../src/mapping';
import { MINDSPORE_RELEASE } from '../../src/mindspore/version';
import { thrown } from '../helpers/errors';

const { nn, Parameter, load_param_into_net } = mindspore;
const mapping = loadMapping();

class Holder extends nn.Cell {
  construct(x: Tensor): Tensor {
    return x;
  }
}

/** What the mirrored release does, per note: nn/cell.py, common/parameter.py, train/serialization.py at v2.6.0. */
const MIRRORED: Record<string, () => void> = {
  'bn-moving-variance-bias': () => {
    // batch_norm_cpu_kernel.cc@v2.6.0:118-121: x = [0, 2] in one channel has the biased variance 1
    // and the unbiased 2, so one step at momentum 0.9 gives 0.9 * 1 + 0.1 * 2 = 1.1 (2.4.10: 1.0).
    const bn = new nn.BatchNorm1d(1);
    bn.set_train();
    bn.construct(Tensor.from([[0], [2]]));
    expect(bn.moving_mean.data.tolist()).toEqual([Math.fround(0.1)]);
    expect(bn.moving_variance.data.tolist()).toEqual([Math.fround(1.1)]);
  },
  'cell-repr': () => {
    class Net extends Holder {
      norm = new nn.InstanceNorm1d(2);
    }
    const text = String(new Net());
    expect(text.startsWith('Net(\n  (norm): InstanceNorm1d(num_features=2, eps=1e-05, momentum=0.1, gamma=Parameter (name=norm.gamma,')).toBe(true);
    expect(text.endsWith(')\n)')).toBe(true);
  },
  'set-data-shape': () => {
    const gamma = new nn.InstanceNorm1d(2).gamma;
    gamma.set_data(0.5);
    expect(gamma.shape).toEqual([]);
  },
  'load-trailing-ones': () => {
    const net = new nn.InstanceNorm1d(2);
    load_param_into_net(net, new Map([['gamma', new Parameter(Tensor.from([[1], [2]]), 'gamma')]]), true);
    expect(net.gamma.shape).toEqual([2, 1]);
    expect(thrown(() => net.construct(Tensor.zeros([1, 2, 2], 'float32'))).message).toBe('For primitive[InstanceNorm], the gamma rank must be equal to 1 , but got 2.');
  },
  'load-warnings': () => {
    const net = new nn.InstanceNorm1d(2);
    const dict = new Map([['gamma', new Parameter(Tensor.from([1, 2], { dtype: 'float64' }), 'gamma')]]);
    const { warnings } = pyWarnings.catchWarnings(() => load_param_into_net(net, dict, false));
    expect(warnings.map((w) => w.message)).toEqual([
      "The type of gamma:Float64 in 'parameter_dict' is different from the type of it in 'net':Float32, then the type convert from Float64 to Float32 in the network. May consume additional memory and time",
      "For 'load_param_into_net', 3 parameters in the 'net' are not loaded, because they are not in the 'parameter_dict', please check whether the network structure is consistent when training and loading checkpoint.",
      "['mean', 'variance', 'beta'] are not loaded.",
    ]);
  },
  'setattr-messages': () => {
    const m = new nn.InstanceNorm1d(2) as unknown as Record<string, unknown>;
    const err = thrown(() => (m.gamma = [1]));
    expect(err).toBeInstanceOf(PyTypeError);
    expect(err.message).toBe("Parameter 'gamma' already exists in network, can not assign this type: '<class 'list'>' as a parameter.");
    expect(thrown(() => (m.gamma = new Holder())).name).toBe('KeyError');
  },
};

describe(`the MindSpore release (${MINDSPORE_RELEASE})`, () => {
  it('is named once, and mapping.json names the same release in its signatures and links', () => {
    expect(mindspore.__version__).toBe(MINDSPORE_RELEASE);
    expect(mapping.mindsporeRelease).toBe(MINDSPORE_RELEASE);
    for (const entry of mapping.entries) {
      expect(entry.mindspore.version).toBe(`r${MINDSPORE_RELEASE}`);
      expect([entry.mindspore.docs.zh, entry.mindspore.docs.en]).toEqual([
        `https://www.mindspore.cn/docs/zh-CN/r${MINDSPORE_RELEASE}/api_python/nn/mindspore.nn.${entry.api}.html`,
        `https://www.mindspore.cn/docs/en/r${MINDSPORE_RELEASE}/api_python/nn/mindspore.nn.${entry.api}.html`,
      ]);
    }
  });

  it('every version note has a check of the mirrored behaviour here, and every check a note', () => {
    expect(Object.keys(MIRRORED).sort()).toEqual(mapping.versionNotes.map((n) => n.id).sort());
    for (const note of mapping.versionNotes) expect(note.sources.some((s) => s.includes(`@v${MINDSPORE_RELEASE}:`))).toBe(true);
  });

  it.each(mapping.versionNotes.map((n) => [n.id, n] as const))('%s: the facade does what %s does', (id) => {
    MIRRORED[id]();
  });
});
