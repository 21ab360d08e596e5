/**
 * Module base API of the torch facade: training flag, parameters and buffers, state_dict and
 * load_state_dict. Expected keys, orders and messages come from torch/nn/modules/module.py,
 * batchnorm.py (_NormBase) and instancenorm.py (see ../shared/spec/torch-instancenorm.md).
 */
import { Tensor, torch, RuntimeError, ValueError, TypeError as PyTypeError } from '../../src';
import { Parameter } from '../../src/torch/module';
import { thrown } from '../helpers/errors';

const { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } = torch.nn;
const COMBOS = [
  { affine: false, track_running_stats: false, params: [], buffers: [] },
  { affine: true, track_running_stats: false, params: ['weight', 'bias'], buffers: [] },
  { affine: false, track_running_stats: true, params: [], buffers: ['running_mean', 'running_var', 'num_batches_tracked'] },
  { affine: true, track_running_stats: true, params: ['weight', 'bias'], buffers: ['running_mean', 'running_var', 'num_batches_tracked'] },
];

/** The message PyTorch builds in load_state_dict. */
function loadError(cls: string, ...msgs: string[]): string {
  return `Error(s) in loading state_dict for ${cls}:\n\t${msgs.join('\n\t')}`;
}

describe('training mode', () => {
  it('starts in training mode; train()/eval() set it and return the module', () => {
    const m = new InstanceNorm2d(3);
    expect(m.training).toBe(true);
    expect(m.eval()).toBe(m);
    expect(m.training).toBe(false);
    expect(m.train()).toBe(m);
    expect(m.training).toBe(true);
    expect(m.train(false)).toBe(m);
    expect(m.training).toBe(false);
  });

  it("rejects a non-bool mode with PyTorch's ValueError", () => {
    const m = new InstanceNorm1d(2);
    expect(() => m.train('yes' as never)).toThrow(new ValueError('training mode is expected to be boolean'));
    expect(() => m.train(1 as never)).toThrow(ValueError);
    expect(m.training).toBe(true);
  });
});

describe.each(COMBOS)('parameters and buffers (affine=$affine, track_running_stats=$track_running_stats)', ({ affine, track_running_stats, params, buffers }) => {
  for (const cls of [InstanceNorm1d, InstanceNorm2d, InstanceNorm3d]) {
    it(`${cls.name}: exist exactly as _NormBase creates them, with its initial values`, () => {
      const m = new cls(4, { affine, track_running_stats });
      expect(m.named_parameters().map(([n]) => n)).toEqual(params);
      expect(m.named_buffers().map(([n]) => n)).toEqual(buffers);
      expect(m.parameters()).toHaveLength(params.length);
      expect(m.buffers()).toHaveLength(buffers.length);
      expect(Object.keys(m.state_dict())).toEqual([...params, ...buffers]);
      for (const p of m.parameters()) {
        expect(p).toBeInstanceOf(Parameter);
        expect(p.requires_grad).toBe(true);
        expect(p.dtype).toBe('float32');
        expect(p.shape).toEqual([4]);
      }
      if (affine) {
        expect(m.weight?.tolist()).toEqual([1, 1, 1, 1]);
        expect(m.bias?.tolist()).toEqual([0, 0, 0, 0]);
      } else {
        expect(m.weight).toBeNull();
        expect(m.bias).toBeNull();
      }
      if (track_running_stats) {
        expect(m.running_mean?.tolist()).toEqual([0, 0, 0, 0]);
        expect(m.running_var?.tolist()).toEqual([1, 1, 1, 1]);
        expect(m.num_batches_tracked?.dtype).toBe('int64');
        expect(m.num_batches_tracked?.shape).toEqual([]);
        expect(m.num_batches_tracked?.tolist()).toBe(0n);
      } else {
        expect(m.running_mean).toBeNull();
        expect(m.running_var).toBeNull();
        expect(m.num_batches_tracked).toBeNull();
      }
    });
  }
});

describe('reset_parameters / reset_running_stats (_NormBase)', () => {
  it('restore the initial values after training and loading', () => {
    const m = new InstanceNorm1d(2, { affine: true, track_running_stats: true });
    m.load_state_dict({ weight: Tensor.from([3, 4]), bias: Tensor.from([5, 6]), running_mean: Tensor.from([1, 1]), running_var: Tensor.from([2, 2]), num_batches_tracked: Tensor.from(9, { dtype: 'int64' }) });
    m.reset_running_stats();
    expect([m.running_mean?.tolist(), m.running_var?.tolist(), m.num_batches_tracked?.tolist(), m.weight?.tolist()]).toEqual([[0, 0], [1, 1], 0n, [3, 4]]);
    m.reset_parameters();
    expect([m.weight?.tolist(), m.bias?.tolist()]).toEqual([[1, 1], [0, 0]]);
  });
});

describe('state_dict', () => {
  it('honours dtype float64 for everything but num_batches_tracked (always int64)', () => {
    const m = new InstanceNorm1d(2, { affine: true, track_running_stats: true, dtype: 'float64' });
    const sd = m.state_dict();
    expect(Object.values(sd).map((t) => t.dtype)).toEqual(['float64', 'float64', 'float64', 'float64', 'int64']);
  });

  it('holds plain tensors sharing the module data (detached aliases), or the Parameters with keep_vars', () => {
    const m = new InstanceNorm1d(2, { affine: true, track_running_stats: true });
    const sd = m.state_dict();
    expect(sd.weight).not.toBeInstanceOf(Parameter);
    expect(sd.weight.data).toBe(m.weight?.data);
    m.forward(Tensor.from([[[1, 2, 3], [4, 6, 8]]]));
    expect(sd.running_mean.item(0)).toBeCloseTo(0.2, 6); // 0.9 * 0 + 0.1 * 2
    expect(m.state_dict({ keep_vars: true }).weight).toBe(m.weight);
    expect(Object.keys(m.state_dict({ prefix: 'norm.' }))).toEqual(['norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked']);
  });

  it('records version 2 in the non-enumerable _metadata, as _NormBase._version', () => {
    const sd = new InstanceNorm3d(2).state_dict() as unknown as { _metadata: unknown };
    expect(sd._metadata).toEqual({ '': { version: 2 } });
    expect(Object.keys(sd)).toEqual([]);
  });
});

describe('load_state_dict', () => {
  it('copies every tensor (converting dtype) and reports nothing when all keys match', () => {
    const src = new InstanceNorm1d(2, { affine: true, track_running_stats: true });
    src.forward(Tensor.from([[[1, 2, 3], [4, 6, 9]]]));
    const dst = new InstanceNorm1d(2, { affine: true, track_running_stats: true, dtype: 'float64' });
    expect(dst.load_state_dict(src.state_dict())).toEqual({ missing_keys: [], unexpected_keys: [] });
    expect(dst.running_mean?.tolist()).toEqual(src.running_mean?.tolist());
    expect(dst.running_mean?.dtype).toBe('float64');
    expect(dst.running_mean?.data).not.toBe(src.running_mean?.data);
  });

  it('accepts a Map, and rejects what is not dict-like with PyTorch\'s TypeError', () => {
    const m = new InstanceNorm1d(2, { affine: true });
    m.load_state_dict(new Map([['weight', Tensor.from([2, 3])], ['bias', Tensor.from([4, 5])]]));
    expect(m.bias?.tolist()).toEqual([4, 5]);
    expect(() => m.load_state_dict([] as never)).toThrow(new PyTypeError("Expected state_dict to be dict-like, got <class 'list'>."));
  });

  it('names missing keys (strict), and returns them without raising when strict=false', () => {
    const m = new InstanceNorm1d(2, { affine: true });
    expect(() => m.load_state_dict({})).toThrow(new RuntimeError(loadError('InstanceNorm1d', 'Missing key(s) in state_dict: "weight", "bias". ')));
    const result = m.load_state_dict({ bias: Tensor.from([7, 8]) }, { strict: false });
    expect(result).toEqual({ missing_keys: ['weight'], unexpected_keys: [] });
    expect(m.bias?.tolist()).toEqual([7, 8]);
  });

  it('names unexpected keys after missing ones, and size mismatches after both', () => {
    const m = new InstanceNorm1d(2, { affine: true });
    const err = thrown(() => m.load_state_dict({ weight: Tensor.from([1, 2, 3]), foo: Tensor.from([1]) }));
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.message).toBe(
      loadError(
        'InstanceNorm1d',
        'Missing key(s) in state_dict: "bias". ',
        'Unexpected key(s) in state_dict: "foo". ',
        'size mismatch for weight: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([2]).',
      ),
    );
    const loose = thrown(() => m.load_state_dict({ weight: Tensor.from([1, 2, 3]), foo: Tensor.from([1]) }, { strict: false }));
    expect(loose.message).toBe(loadError('InstanceNorm1d', 'size mismatch for weight: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([2]).'));
    expect(m.load_state_dict({ foo: Tensor.from([1]) }, { strict: false })).toEqual({ missing_keys: ['weight', 'bias'], unexpected_keys: ['foo'] });
  });

  it('changes nothing when any entry fails (stricter than PyTorch, which copies the valid ones first)', () => {
    const m = new InstanceNorm1d(2, { affine: true });
    expect(() => m.load_state_dict({ weight: Tensor.from([5, 6]), bias: Tensor.from([1, 2, 3]) })).toThrow(RuntimeError);
    expect(m.weight?.tolist()).toEqual([1, 1]);
  });

  it('reports a non-tensor entry the way PyTorch does', () => {
    const m = new InstanceNorm1d(2, { affine: true });
    expect(() => m.load_state_dict({ weight: [1, 2] as never, bias: Tensor.from([0, 0]) })).toThrow(
      loadError('InstanceNorm1d', `While copying the parameter named "weight", expected torch.Tensor or Tensor-like object from checkpoint but received <class 'list'>`),
    );
  });

  it('loads a 1-element vector into the 0-dim num_batches_tracked (0.3-era checkpoints), nothing longer', () => {
    const m = new InstanceNorm1d(2, { track_running_stats: true });
    const sd = { running_mean: Tensor.from([1, 2]), running_var: Tensor.from([3, 4]) };
    m.load_state_dict({ ...sd, num_batches_tracked: Tensor.from([7], { dtype: 'int64' }) });
    expect(m.num_batches_tracked?.tolist()).toBe(7n);
    expect(() => m.load_state_dict({ ...sd, num_batches_tracked: Tensor.from([7, 8], { dtype: 'int64' }) })).toThrow(
      'size mismatch for num_batches_tracked: copying a param with shape torch.Size([2]) from checkpoint, the shape in current model is torch.Size([]).',
    );
  });

  describe('version handling (_InstanceNorm and _NormBase _load_from_state_dict)', () => {
    const stats = { running_mean: Tensor.from([1, 2]), running_var: Tensor.from([3, 4]) };
    const message =
      'Unexpected running stats buffer(s) "running_mean" and "running_var" for InstanceNorm1d with track_running_stats=False. ' +
      'If state_dict is a checkpoint saved before 0.4.0, this may be expected because InstanceNorm1d does not track running stats by default since 0.4.0. ' +
      'Please remove these keys from state_dict. If the running stats are actually needed, instead set track_running_stats=True in InstanceNorm1d to enable them. ' +
      'See the documentation of InstanceNorm1d for details.';

    it('without version metadata, running stats for a non-tracking module raise InstanceNorm\'s message, even when not strict', () => {
      const m = new InstanceNorm1d(2);
      expect(() => m.load_state_dict(stats)).toThrow(new RuntimeError(loadError('InstanceNorm1d', message)));
      expect(() => m.load_state_dict(stats, { strict: false })).toThrow(new RuntimeError(loadError('InstanceNorm1d', message)));
      expect(() => m.load_state_dict({ running_var: stats.running_var })).toThrow('Unexpected running stats buffer(s) "running_var" for InstanceNorm1d');
    });

    it('with version 2 metadata, they are plain unexpected keys', () => {
      const m = new InstanceNorm1d(2);
      const sd = { ...stats };
      Object.defineProperty(sd, '_metadata', { value: { '': { version: 2 } }, enumerable: false });
      expect(() => m.load_state_dict(sd)).toThrow(new RuntimeError(loadError('InstanceNorm1d', 'Unexpected key(s) in state_dict: "running_mean", "running_var". ')));
      expect(m.load_state_dict(sd, { strict: false })).toEqual({ missing_keys: [], unexpected_keys: ['running_mean', 'running_var'] });
    });

    it('without version metadata (or below 2), a missing num_batches_tracked keeps the module\'s value and is not reported', () => {
      const m = new InstanceNorm1d(2, { track_running_stats: true });
      m.load_state_dict({ running_mean: Tensor.from([9, 9]), running_var: Tensor.from([2, 2]), num_batches_tracked: Tensor.from(5, { dtype: 'int64' }) });
      expect(m.load_state_dict(stats)).toEqual({ missing_keys: [], unexpected_keys: [] });
      expect(m.num_batches_tracked?.tolist()).toBe(5n);
      const v1 = { ...stats };
      Object.defineProperty(v1, '_metadata', { value: { '': { version: 1 } }, enumerable: false });
      expect(m.load_state_dict(v1)).toEqual({ missing_keys: [], unexpected_keys: [] });
      const v2 = { ...stats };
      Object.defineProperty(v2, '_metadata', { value: { '': { version: 2 } }, enumerable: false });
      expect(() => m.load_state_dict(v2)).toThrow(loadError('InstanceNorm1d', 'Missing key(s) in state_dict: "num_batches_tracked". '));
    });
  });

  it('assign=true makes the module hold the checkpoint tensors themselves (keeping requires_grad)', () => {
    const m = new InstanceNorm1d(2, { affine: true, track_running_stats: true });
    m.weight!.requires_grad = false;
    const sd = { weight: Tensor.from([2, 3], { dtype: 'float64' }), bias: Tensor.from([4, 5]), running_mean: Tensor.from([1, 1]), running_var: Tensor.from([2, 2]) };
    expect(m.load_state_dict(sd, { assign: true })).toEqual({ missing_keys: [], unexpected_keys: [] });
    expect(m.weight?.data).toBe(sd.weight.data);
    expect(m.weight?.dtype).toBe('float64');
    expect(m.weight?.requires_grad).toBe(false);
    expect(m.running_var).toBe(sd.running_var);
    expect(() => m.load_state_dict(sd, { foo: true } as never)).toThrow(new PyTypeError("Module.load_state_dict() got an unexpected keyword argument 'foo'"));
  });

  it('rejects a non-bool strict (stricter than PyTorch\'s truthiness)', () => {
    expect(() => new InstanceNorm1d(2).load_state_dict({}, { strict: 0 as never })).toThrow(PyTypeError);
  });
});
