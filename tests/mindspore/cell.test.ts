/**
 * Cell and Parameter behaviour as MindSpore 2.6.0's nn/cell.py and common/parameter.py define it
 * (training flag, set_train, parameter listings with recurse/expand, attribute-path names of
 * nested cells, attribute assignment, insert_*_to_cell, repr, set_data). Expected names and
 * messages are traced from that code by hand (each test cites `file@v2.6.0:line`) or are
 * CPython's own words (tests/fixtures/mindspore_python.json), never taken from the facade.
 */
import { mindspore, Tensor, ValueError, KeyError, AttributeError, TypeError as PyTypeError } from '../../src';
import python from '../fixtures/mindspore_python.json';

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

  it("assigning a non-Tensor over a registered Parameter is 2.6.0's TypeError (nn/cell.py@v2.6.0:1432-1439)", () => {
    const m = new nn.InstanceNorm1d(2) as unknown as Record<string, unknown>;
    expect(() => {
      m.gamma = [1, 2];
    }).toThrow(new PyTypeError("Parameter 'gamma' already exists in network, can not assign this type: '<class 'list'>' as a parameter."));
  });
});

class Holder extends nn.Cell {
  construct(x: Tensor): Tensor {
    return x;
  }
}

describe('Cell: recurse and expand (nn/cell.py@v2.6.0)', () => {
  class Outer extends nn.Cell {
    own = new Parameter(Tensor.from([1, 2]), 'own');
    frozen = new Parameter(Tensor.from([3]), 'frozen', false);
    norm = new nn.InstanceNorm1d(2);
    construct(x: Tensor): Tensor {
      return x;
    }
  }

  it('with recurse/expand false, only the cell\'s own parameters (parameters_and_names :2182-2186)', () => {
    const net = new Outer();
    expect([...net.parameters_and_names('', false)].map(([n]) => n)).toEqual(['own', 'frozen']);
    expect([...net.parameters_and_names('p', false)].map(([n]) => n)).toEqual(['p.own', 'p.frozen']);
    expect(net.get_parameters(false).map((p) => p.name)).toEqual(['own', 'frozen']);
    expect([...net.parameters_dict(false).keys()]).toEqual(['own', 'frozen']);
    expect(net.trainable_params(false).map((p) => p.name)).toEqual(['own']);
    expect(net.untrainable_params(false).map((p) => p.name)).toEqual(['frozen']);
    // The defaults recurse (:1967, :2055, :2074, :2089, :2156).
    expect([...net.parameters_dict().keys()]).toEqual(['own', 'frozen', 'norm.moving_mean', 'norm.moving_variance', 'norm.gamma', 'norm.beta']);
    expect(net.trainable_params().map((p) => p.name)).toEqual(['own', 'norm.gamma', 'norm.beta']);
  });

  it('counts recurse/expand by Python truthiness (`if expand:`)', () => {
    const net = new Outer();
    expect(net.get_parameters(0)).toHaveLength(2);
    expect(net.get_parameters(NaN)).toHaveLength(6);
    expect(net.get_parameters([])).toHaveLength(2);
  });

  it('update_parameters_name(prefix, recurse=False) renames the own parameters only (:2018-2031)', () => {
    const net = new Outer();
    net.update_parameters_name('x.', false);
    expect(net.get_parameters().map((p) => p.name)).toEqual(['x.own', 'x.frozen', 'norm.moving_mean', 'norm.moving_variance', 'norm.gamma', 'norm.beta']);
    // _checkparam.py@v2.6.0:573-580: the prefix must match ^\w*[0-9a-zA-Z\_\.\-]*$ (ASCII).
    expect(() => net.update_parameters_name('a b.')).toThrow(new ValueError("The 'a b.' is illegal, it must be match regular'^\\w*[0-9a-zA-Z\\_\\.\\-]*$' by flags're.ASCII.'"));
    expect(() => net.update_parameters_name(5 as never)).toThrow(new PyTypeError(python.operations['re.match(int)'].message));
  });

  it("cells_and_names(cells=None, name_prefix='') takes the visited set first (:2202-2241)", () => {
    const net = new Outer();
    expect([...net.cells_and_names(null, 'top')].map(([n]) => n)).toEqual(['top', 'top.norm']);
    expect([...net.cells_and_names(new Set([net]))]).toEqual([]);
  });
});

describe('Cell: assigning to attributes (Cell.__setattr__, nn/cell.py@v2.6.0:1460-1476)', () => {
  it('a Tensor assigned to a Parameter\'s name goes into the Parameter with set_data (:1432-1436)', () => {
    const m = new nn.InstanceNorm1d(2);
    const gamma = m.gamma;
    const t = Tensor.from([5, 6]);
    (m as unknown as Record<string, unknown>).gamma = t;
    expect(m.gamma).toBe(gamma);
    expect(m.gamma.data).toBe(t);
    // set_data converts a float16 tensor to the parameter's float32.
    (m as unknown as Record<string, unknown>).beta = Tensor.from([1, 2], { dtype: 'float16' });
    expect(m.beta.dtype).toBe('float32');
  });

  it('None (null) unregisters a Parameter or a Cell; a Tensor for a None Parameter is an AttributeError (:1440, :1448)', () => {
    class Net extends Holder {
      norm = new nn.InstanceNorm1d(2);
      w = new Parameter(Tensor.from([1]), 'w');
    }
    const net = new Net();
    const attrs = net as unknown as Record<string, unknown>;
    attrs.w = null;
    attrs.norm = null;
    expect(net.w).toBeNull();
    expect(net.get_parameters()).toEqual([]);
    expect([...net.cells_and_names()].map(([n]) => n)).toEqual(['']);
    expect(() => {
      attrs.w = Tensor.from([1]);
    }).toThrow(new AttributeError("'NoneType' object has no attribute 'set_data'"));
    expect(String(net)).toBe('Net(\n  (norm): None\n)');
  });

  it("a Parameter on a Cell's name, or a Cell on a Parameter's, is insert_*_to_cell's KeyError (:1363, :1416)", () => {
    class Net extends Holder {
      norm = new nn.InstanceNorm1d(2);
      w = new Parameter(Tensor.from([1]), 'w');
    }
    const net = new Net() as unknown as Record<string, unknown>;
    expect(() => {
      net.norm = new Parameter(Tensor.from([1]));
    }).toThrow(new KeyError("For 'insert_param_to_cell', the norm parameter already exists in the network.Cannot insert another parameter with the same name."));
    expect(() => {
      net.w = new nn.InstanceNorm1d(2);
    }).toThrow(new KeyError("For 'insert_child_to_cell', the w child cell already exists in the network.Cannot insert another child cell with the same name."));
    // A name the class has (a method) cannot take a Parameter either: hasattr is true.
    expect(() => {
      net.construct = new Parameter(Tensor.from([1]));
    }).toThrow(KeyError);
  });

  it('a dotted attribute name cannot hold a Parameter (check_name_contain_dot, :1755-1756)', () => {
    const net = new Holder() as Holder & Record<string, unknown>;
    expect(() => {
      net['a.b'] = new Parameter(Tensor.from([1]));
    }).toThrow(new KeyError("For 'insert_param_to_cell', the argument 'param_name' should not contain'.' "));
  });

  it('Cell(auto_prefix=False) keeps the child parameters\' names (:1414-1415)', () => {
    class Wrapper extends nn.Cell {
      constructor() {
        super(false);
        (this as unknown as Record<string, unknown>).net = new nn.InstanceNorm1d(2);
      }
      construct(x: Tensor): Tensor {
        return x;
      }
    }
    expect([...new Wrapper().parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
  });

  it('delete unregisters (Cell.__delattr__, :871-882)', () => {
    const m = new nn.InstanceNorm1d(2) as unknown as Record<string, unknown> & { get_parameters(): unknown[] };
    delete m.moving_mean;
    expect(m.get_parameters()).toHaveLength(3);
  });
});

describe('insert_param_to_cell and insert_child_to_cell (nn/cell.py@v2.6.0:1720-1767, 1794-1831)', () => {
  it('insert_param_to_cell: empty name KeyError, dotted name KeyError, non-Parameter TypeError; readable as an attribute', () => {
    const net = new Holder() as Holder & Record<string, unknown>;
    expect(() => net.insert_param_to_cell('', new Parameter(Tensor.from([1])))).toThrow(new KeyError("For 'insert_param_to_cell', the argument 'param_name' should not be None."));
    expect(() => net.insert_param_to_cell('a.b', new Parameter(Tensor.from([1])))).toThrow(
      new KeyError("For 'insert_param_to_cell', the argument 'param_name' should not contain'.' "),
    );
    expect(() => net.insert_param_to_cell('w', Tensor.from([1]) as never)).toThrow(
      new PyTypeError("For 'insert_param_to_cell', the argument 'param' must be 'Parameter' if not None, but got <class 'mindspore.common.tensor.Tensor'>."),
    );
    expect(() => net.insert_param_to_cell('w', new nn.InstanceNorm1d(2) as never)).toThrow(
      new PyTypeError("For 'insert_param_to_cell', the argument 'param' must be 'Parameter' if not None, but got <class 'mindspore.nn.layer.normalization.InstanceNorm1d'>."),
    );
    // A non-str name meets Python's own TypeErrors: `'.' in name`, or hasattr() without the dot check.
    expect(() => net.insert_param_to_cell(5 as never, new Parameter(Tensor.from([1])))).toThrow(new PyTypeError(python.operations["'.' in int"].message));
    expect(() => net.insert_param_to_cell(5 as never, new Parameter(Tensor.from([1])), false)).toThrow(new PyTypeError(python.operations['hasattr(obj, int)'].message));
    // The dot check can be switched off; a Parameter named 'Parameter' takes the attribute's name.
    const p = new Parameter(Tensor.from([1]));
    net.insert_param_to_cell('a.b', p, false);
    expect(p.name).toBe('a.b');
    expect(net['a.b']).toBe(p);
    expect(net.insert_param_to_cell('bias', new Parameter(Tensor.from([2])))).toBeUndefined();
    expect((net.bias as InstanceType<typeof Parameter>).name).toBe('bias');
  });

  it('insert_child_to_cell: non-str name TypeError, empty or dotted KeyError, non-Cell TypeError; returns None', () => {
    const net = new Holder() as Holder & Record<string, unknown>;
    const child = new nn.InstanceNorm1d(2);
    expect(() => net.insert_child_to_cell(1 as never, child)).toThrow(
      new PyTypeError("For 'insert_child_to_cell', the type of parameter 'child_name' must be str, but got <class 'int'>."),
    );
    for (const name of ['', 'a.b']) {
      expect(() => net.insert_child_to_cell(name, child)).toThrow(new KeyError("For 'insert_child_to_cell', the parameter 'child_name' can not be None and can not contain '.' "));
    }
    expect(() => net.insert_child_to_cell('c', {} as never)).toThrow(
      new PyTypeError("For 'insert_child_to_cell', the argument 'child_cell' must be 'Cell' if not None, but got type <class 'dict'>."),
    );
    expect(() => net.insert_child_to_cell('training', child)).toThrow(KeyError);
    expect(net.insert_child_to_cell('c', child)).toBeUndefined();
    expect(net.c).toBe(child);
    // No renaming: only assignment renames (`_set_attr_for_cell`, :1414-1415).
    expect([...net.parameters_dict().keys()]).toEqual(['mean', 'variance', 'gamma', 'beta']);
  });
});

describe('repr: Cell.__repr__ in 2.6.0 (nn/cell.py@v2.6.0:1492-1514) with _InstanceNorm.extend_repr (normalization.py@v2.6.0:926-928)', () => {
  const params = (prefix = '', grad = 'True') =>
    `gamma=Parameter (name=${prefix}gamma, shape=(2,), dtype=Float32, requires_grad=${grad}), beta=Parameter (name=${prefix}beta, shape=(2,), dtype=Float32, requires_grad=${grad}), moving_mean=Parameter (name=${prefix}${prefix ? 'moving_mean' : 'mean'}, shape=(2,), dtype=Float32, requires_grad=False), moving_variance=Parameter (name=${prefix}${prefix ? 'moving_variance' : 'variance'}, shape=(2,), dtype=Float32, requires_grad=False)`;

  it('a layer prints on one line, torch-style, eps and momentum as str(float)', () => {
    expect(String(new nn.InstanceNorm1d(2))).toBe(`InstanceNorm1d(num_features=2, eps=1e-05, momentum=0.1, ${params()})`);
    expect(`${new nn.InstanceNorm3d(2, { momentum: 0, affine: false })}`).toBe(`InstanceNorm3d(num_features=2, eps=1e-05, momentum=0.0, ${params('', 'False')})`);
  });

  it('a parent nests its children, indented by two (_addindent, :3971-3980); a cell with nothing prints Name()', () => {
    class Encoder2 extends Holder {
      norm1 = new nn.InstanceNorm1d(2);
    }
    class Net2 extends Holder {
      enc = new Encoder2();
      empty = new Holder();
    }
    expect(String(new Holder())).toBe('Holder()');
    expect(String(new Net2())).toBe(
      ['Net2(', '  (enc): Encoder2(', `    (norm1): InstanceNorm1d(num_features=2, eps=1e-05, momentum=0.1, ${params('enc.norm1.')})`, '  )', '  (empty): Holder()', ')'].join('\n'),
    );
  });

  it('a subclass\'s extend_repr() is used: one line inline, several lines (or children) on their own lines', () => {
    class Custom extends Holder {
      override extend_repr(): string {
        return 'a=1\nb=2';
      }
    }
    class OneLine extends Holder {
      child = new Holder();
      override extend_repr(): string {
        return 'k=v';
      }
    }
    expect(String(new Custom())).toBe('Custom(\n  a=1\n  b=2\n)');
    expect(String(new OneLine())).toBe('OneLine(\n  k=v\n  (child): Holder()\n)');
  });
});

describe('Parameter (common/parameter.py@v2.6.0)', () => {
  it('prints as MindSpore prints it (:346-348)', () => {
    expect(String(new nn.InstanceNorm1d(3).moving_mean)).toBe('Parameter (name=mean, shape=(3,), dtype=Float32, requires_grad=False)');
    expect(String(new Parameter(Tensor.from([1], { dtype: 'uint8' })))).toBe('Parameter (name=Parameter, shape=(1,), dtype=UInt8, requires_grad=True)');
  });

  it('set_data has no shape check in 2.6.0: the parameter takes the incoming shape, and a number becomes a 0-d tensor (:876-926)', () => {
    const p = new nn.InstanceNorm1d(2).gamma;
    const t = Tensor.from([1, 2, 3]);
    expect(p.set_data(t)).toBe(p);
    expect(p.shape).toEqual([3]);
    // Same dtype: the data is shared (`_update_tensor_data` -> `assign_value`, :824-829).
    expect(p.data).toBe(t);
    p.set_data(0.5);
    expect([p.shape, p.dtype, p.data.item()]).toEqual([[], 'float32', 0.5]);
  });

  it("set_data converts by mstype.implicit_conversion_seq: int and float16 data into float32, not float64 or bfloat16 (common/dtype.py@v2.6.0:157-158)", () => {
    const p = new nn.InstanceNorm1d(2).gamma;
    p.set_data(Tensor.from([0.5, 1.5], { dtype: 'float16' }));
    expect([p.dtype, ...p.data.data]).toEqual(['float32', 0.5, 1.5]);
    p.set_data(Tensor.from([3, 4], { dtype: 'int64' }));
    expect([p.dtype, ...p.data.data]).toEqual(['float32', 3, 4]);
    for (const [dtype, name] of [['float64', 'Float64'], ['bfloat16', 'BFloat16']] as const) {
      expect(() => p.set_data(Tensor.from([1, 2], { dtype }))).toThrow(
        new PyTypeError(`Incoming Parameter dtype can not be converted to current dtype implicitly. Current dtype is Float32, and incoming is ${name}. Use .set_dtype(xxx) to change the dtype.`),
      );
    }
    expect([...p.data.data]).toEqual([3, 4]);
  });

  it('set_data of a number: a float into a signed-int parameter is refused as `Float`; an int or a bool is taken (:899-902)', () => {
    const q = new Parameter(Tensor.from([1, 2], { dtype: 'int32' }), 'q');
    expect(() => q.set_data(0.5)).toThrow(
      new PyTypeError('Incoming Parameter dtype can not be converted to current dtype implicitly. Current dtype is Int32, and incoming is Float. Use .set_dtype(xxx) to change the dtype.'),
    );
    q.set_data(7);
    expect([q.shape, q.dtype, q.data.item()]).toEqual([[], 'int32', 7]);
    q.set_data(true);
    expect(q.data.item()).toBe(1);
    expect(() => q.set_data('1' as never)).toThrow(
      new PyTypeError("Parameter data must be [`Tensor`, `int`, `float`] or a kind of `Tensor` (like `Tensor`). But with type <class 'str'>."),
    );
  });

  it('construction: a bool is refused, numbers are 0-d int32/float32, lists take numpy\'s default dtype (:367-392)', () => {
    expect(() => new Parameter(true)).toThrow(new ValueError('Parameter data can not be `bool`'));
    expect([new Parameter(3).dtype, new Parameter(3).shape]).toEqual(['int32', []]);
    expect(new Parameter(2.5).dtype).toBe('float32');
    expect([new Parameter([1, 2]).dtype, new Parameter([0.5]).dtype, new Parameter([true]).dtype]).toEqual(['int64', 'float32', 'bool']);
    expect(() => new Parameter('x' as never)).toThrow(
      new PyTypeError(
        "For 'Tensor', the type of 'input_data' should be one of '['TensorPy', 'Tensor', 'ndarray', 'str_', 'list', 'tuple', 'float', 'int', 'bool', 'complex', 'bytes']', but got type 'str'.",
      ),
    );
  });

  it('name: None and blank become "Parameter", a non-str is ValueError, over 1024 characters ValueError (:489-513)', () => {
    const p = new Parameter(Tensor.from([1]), '  w  ');
    expect(p.name).toBe('w');
    p.name = '' as string;
    expect(p.name).toBe('Parameter');
    expect(() => (p.name = 5 as never)).toThrow(new ValueError("The type of the Parameter's name should be 'string' or 'None', but got <class 'int'>."));
    const long = 'x'.repeat(1025);
    expect(() => (p.name = long)).toThrow(new ValueError(`The length of the '${long}' name should be less than 1024.`));
  });

  it('requires_grad must be a bool', () => {
    expect(() => new Parameter(Tensor.from([1]), 'w', 1 as never)).toThrow(new PyTypeError('The argument `requires_grad` must be bool type'));
  });
});
