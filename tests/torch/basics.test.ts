import { Tensor, torch, ValueError, TypeError as PyTypeError } from '../../src';
import { instanceNormReference } from '../../src/core/reference';
import { maxAbsDiff } from '../helpers/close';

describe('torch.nn.InstanceNorm1d basics', () => {
  it('has PyTorch defaults, repr, and no parameters or buffers by default', () => {
    const m = new torch.nn.InstanceNorm1d(2);
    expect(String(m)).toBe('InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)');
    expect(m.training).toBe(true);
    expect(m.parameters()).toEqual([]);
    expect(Object.keys(m.state_dict())).toEqual([]);
  });

  it('accepts positional, keyword and mixed call shapes', () => {
    const a = new torch.nn.InstanceNorm1d(3, 1e-3, 0.3, false, true);
    const b = new torch.nn.InstanceNorm1d(3, { track_running_stats: true, momentum: 0.3, eps: 1e-3 });
    const c = new torch.nn.InstanceNorm1d({ num_features: 3, eps: 1e-3, momentum: 0.3, track_running_stats: true });
    expect(String(a)).toBe('InstanceNorm1d(3, eps=0.001, momentum=0.3, affine=False, track_running_stats=True)');
    expect(String(b)).toBe(String(a));
    expect(String(c)).toBe(String(a));
    expect(() => new torch.nn.InstanceNorm1d(3, 1e-3, { eps: 1e-3 })).toThrow("_InstanceNorm.__init__() got multiple values for argument 'eps'");
  });

  it('creates affine parameters and running buffers in state_dict order', () => {
    const m = new torch.nn.InstanceNorm1d(2, { affine: true, track_running_stats: true });
    expect(Object.keys(m.state_dict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(m.state_dict().num_batches_tracked.dtype).toBe('int64');
  });

  it('normalizes 3-D input like the float64 reference, and unbatched 2-D input too', () => {
    const x = Tensor.from([[[1, 2, 4, 8], [0, 1, 0, 1]], [[3, 3, 3, 4], [-1, 1, -2, 2]]]);
    const m = new torch.nn.InstanceNorm1d(2);
    expect(maxAbsDiff(m.forward(x), instanceNormReference(x, { eps: 1e-5 }).y)).toBeLessThan(2e-6);
    const unbatched = Tensor.from([[1, 2, 4, 8], [0, 1, 0, 1]]);
    const y = m.forward(unbatched);
    expect(y.shape).toEqual([2, 4]);
    expect(maxAbsDiff(y, instanceNormReference(unbatched.reshape([1, 2, 4]), { eps: 1e-5 }).y.reshape([2, 4]))).toBeLessThan(2e-6);
  });

  it("raises PyTorch's errors for wrong ranks and single spatial elements", () => {
    const m = new torch.nn.InstanceNorm1d(2);
    expect(() => m.forward(Tensor.zeros([1, 2, 3, 4], 'float32'))).toThrow(new ValueError('expected 2D or 3D input (got 4D input)'));
    expect(() => m.forward(Tensor.zeros([1, 2, 1], 'float32'))).toThrow('Expected more than 1 spatial element when training, got input size torch.Size([1, 2, 1])');
  });

  it('rejects arguments that could only give garbage, naming the argument and value', () => {
    expect(() => new torch.nn.InstanceNorm1d(0)).toThrow(ValueError);
    expect(() => new torch.nn.InstanceNorm1d(2.5)).toThrow(PyTypeError);
    expect(() => new torch.nn.InstanceNorm1d(2, { eps: -1 })).toThrow("InstanceNorm1d(): argument 'eps' must be a finite, non-negative float, but got -1 (int)");
    expect(() => new torch.nn.InstanceNorm1d(2, { affine: 'yes' as never })).toThrow(PyTypeError);
  });
});
