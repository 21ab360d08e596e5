/**
 * Cell behaviour as mindspore/python/mindspore/nn/cell.py defines it (training flag, set_train,
 * parameter listings, attribute-path names of nested cells). Expected names are traced from that
 * code by hand (spec: shared/spec/mindspore-instancenorm.md §3), not taken from the facade.
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError } from '../../src';

const { nn, Parameter } = mindspore;

class Encoder extends nn.Cell {
  norm1 = new nn.InstanceNorm1d(2);
  norm2: InstanceType<typeof nn.InstanceNorm2d>;
  constructor() {
    super();
    this.norm2 = new nn.InstanceNorm2d(3, { affine: false });
  }
  construct(x: Tensor): Tensor {
    return this.norm1.construct(x);
  }
}

class Net extends nn.Cell {
  enc: Encoder;
  head = new nn.InstanceNorm3d(4);
  constructor() {
    super();
    this.enc = new Encoder();
  }
  construct(x: Tensor): Tensor {
    return this.enc.construct(x);
  }
}

describe('Cell: training flag and set_train', () => {
  it('starts in inference mode; set_train() defaults to True and returns the cell itself', () => {
    const m = new nn.InstanceNorm2d(2);
    expect(m.training).toBe(false);
    expect(m.set_train()).toBe(m);
    expect(m.training).toBe(true);
    expect(m.set_train(false).training).toBe(false);
  });

  it('set_train reaches every sub-cell', () => {
    const net = new Net();
    net.set_train();
    expect([net.training, net.enc.training, net.enc.norm1.training, net.enc.norm2.training, net.head.training]).toEqual([true, true, true, true, true]);
    net.set_train(false);
    expect(net.enc.norm2.training).toBe(false);
  });
});

describe('Cell: parameters and their names', () => {
  it.each([
    ['InstanceNorm1d', () => new nn.InstanceNorm1d(3)],
    ['InstanceNorm2d', () => new nn.InstanceNorm2d(3)],
    ['InstanceNorm3d', () => new nn.InstanceNorm3d(3)],
  ])('%s alone: dict keys are the constructor names, parameters_and_names the attribute names', (_name, make) => {
    const m = make();
    expect([...m.parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    expect([...m.parameters_and_names()].map(([n]) => n)).toEqual(['moving_mean', 'moving_variance', 'gamma', 'beta']);
    expect(m.get_parameters()).toEqual([m.moving_mean, m.moving_variance, m.gamma, m.beta]);
    expect(m.trainable_params()).toEqual([m.gamma, m.beta]);
    expect(m.untrainable_params()).toEqual([m.moving_mean, m.moving_variance]);
    for (const p of m.get_parameters()) expect(p.shape).toEqual([3]);
  });

  it('affine=False keeps all four parameters and only freezes gamma and beta', () => {
    const m = new nn.InstanceNorm1d(3, { affine: false });
    expect([...m.parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
    expect(m.trainable_params()).toEqual([]);
    expect(m.gamma.requires_grad).toBe(false);
    expect(m.untrainable_params().map((p) => p.name)).toEqual(['mean', 'variance', 'gamma', 'beta']);
  });

  it('nested cells are named by attribute path, whether assigned in the constructor or as class fields', () => {
    const net = new Net();
    expect([...net.parameters_dict().keys()]).toEqual([
      'head.moving_mean',
      'head.moving_variance',
      'head.gamma',
      'head.beta',
      'enc.norm1.moving_mean',
      'enc.norm1.moving_variance',
      'enc.norm1.gamma',
      'enc.norm1.beta',
      'enc.norm2.moving_mean',
      'enc.norm2.moving_variance',
      'enc.norm2.gamma',
      'enc.norm2.beta',
    ]);
    expect(net.trainable_params().map((p) => p.name)).toEqual(['head.gamma', 'head.beta', 'enc.norm1.gamma', 'enc.norm1.beta']);
    expect([...net.cells_and_names()].map(([n]) => n)).toEqual(['', 'head', 'enc', 'enc.norm1', 'enc.norm2']);
  });

  it('a name is given when the cell is assigned: a child added to an already-assigned parent keeps only its own prefix', () => {
    // MindSpore renames on `parent.attr = child` only (update_parameters_name); later nesting is not re-applied.
    class Holder extends nn.Cell {
      construct(x: Tensor): Tensor {
        return x;
      }
    }
    const outer = new Holder() as Holder & { inner?: Holder };
    const inner = new Holder() as Holder & { norm?: InstanceType<typeof nn.InstanceNorm1d> };
    outer.inner = inner;
    inner.norm = new nn.InstanceNorm1d(2);
    expect([...outer.parameters_dict().keys()]).toEqual(['norm.moving_mean', 'norm.moving_variance', 'norm.gamma', 'norm.beta']);
    expect([...outer.parameters_and_names()].map(([n]) => n)).toEqual(['inner.norm.moving_mean', 'inner.norm.moving_variance', 'inner.norm.gamma', 'inner.norm.beta']);
  });

  it('a Parameter shared by two cells is listed once', () => {
    class Twins extends nn.Cell {
      a = new nn.InstanceNorm1d(2);
      b = new nn.InstanceNorm1d(2);
      construct(x: Tensor): Tensor {
        return x;
      }
    }
    const t = new Twins();
    (t.b as unknown as { gamma: unknown }).gamma = t.a.gamma;
    expect(t.get_parameters()).toHaveLength(7);
  });

  it('assigning a non-Parameter over a registered Parameter is a TypeError', () => {
    const m = new nn.InstanceNorm1d(2) as unknown as Record<string, unknown>;
    expect(() => {
      m.gamma = [1, 2];
    }).toThrow(PyTypeError);
  });
});

describe('Parameter', () => {
  it('prints as MindSpore prints it', () => {
    expect(String(new nn.InstanceNorm1d(3).moving_mean)).toBe('Parameter (name=mean, shape=(3,), dtype=Float32, requires_grad=False)');
  });

  it('set_data keeps the shape, converts lower precision up and refuses higher precision', () => {
    const p = new nn.InstanceNorm1d(2).gamma;
    p.set_data(Tensor.from([0.5, 1.5], { dtype: 'float16' }));
    expect(p.dtype).toBe('float32');
    expect([...p.data.data]).toEqual([0.5, 1.5]);
    expect(() => p.set_data(Tensor.from([1, 2, 3]))).toThrow(
      new ValueError('Can not change the shape of Parameter which has been initialized. Current shape is (2,), and incoming is (3,).'),
    );
    expect(() => p.set_data(Tensor.from([1, 2], { dtype: 'float64' }))).toThrow(
      new PyTypeError(
        'Incoming Parameter dtype can not be converted to current dtype implicitly. Current dtype is Float32, and incoming is Float64. Use .set_dtype(xxx) to change the dtype.',
      ),
    );
    expect([...p.data.data]).toEqual([0.5, 1.5]);
  });

  it('requires_grad must be a bool', () => {
    expect(() => new Parameter(Tensor.from([1]), 'w', 1 as never)).toThrow(new PyTypeError('The argument `requires_grad` must be bool type'));
  });
});
