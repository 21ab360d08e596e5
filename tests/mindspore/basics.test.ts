import { Tensor, mindspore, ValueError, TypeError as PyTypeError } from '../../src';
import { instanceNormReference } from '../../src/core/reference';
import { maxAbsDiff } from '../helpers/close';

describe('mindspore.nn.InstanceNorm1d basics', () => {
  it('always owns four Parameters, named as MindSpore names them', () => {
    const m = new mindspore.nn.InstanceNorm1d(3);
    expect([...m.parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    expect(m.trainable_params().map((p) => p.name)).toEqual(['gamma', 'beta']);
    expect(new mindspore.nn.InstanceNorm1d(3, { affine: false }).trainable_params()).toEqual([]);
    expect(m.training).toBe(false);
  });

  it('normalizes with the input statistics in both modes, applying gamma and beta even without affine', () => {
    const x = mindspore.Tensor([[[1, 2, 4, 8], [0, 1, 0, 1]]]);
    const m = new mindspore.nn.InstanceNorm1d(2, { affine: false, gamma_init: 2.0, beta_init: 'zeros' });
    const ref = instanceNormReference(x, { eps: 1e-5, weight: [2, 2] }).y;
    expect(maxAbsDiff(m.construct(x), ref)).toBeLessThan(4e-6);
    m.set_train();
    expect(maxAbsDiff(m.construct(x), ref)).toBeLessThan(4e-6);
  });

  it("raises MindSpore's errors for wrong ranks, dtypes and arguments", () => {
    const m = new mindspore.nn.InstanceNorm1d(2);
    expect(() => m.construct(Tensor.zeros([2, 4], 'float32'))).toThrow(new ValueError("For 'InstanceNorm1d', the in_shape must have 3 dims, but got 2."));
    expect(() => m.construct(Tensor.zeros([1, 2, 4], 'float64'))).toThrow(PyTypeError);
    expect(() => new mindspore.nn.InstanceNorm1d(0)).toThrow("For 'InstanceNorm1d', the 'num_features' must be at least 1, but got 0.");
    expect(() => new mindspore.nn.InstanceNorm1d(true as never)).toThrow("For 'InstanceNorm1d', the type of 'num_features' should be 'int', but got type 'bool'.");
    expect(() => new mindspore.nn.InstanceNorm1d(2, { eps: 0 })).toThrow("For 'InstanceNorm', the 'epsilon' must be in range of (0, 1], but got 0.0 with type 'float'.");
    expect(() => new mindspore.nn.InstanceNorm1d(2, { momentum: 1.5 })).toThrow("For 'InstanceNorm1d', the 'momentum' must be a number in range [0, 1], but got 1.5.");
  });
});
