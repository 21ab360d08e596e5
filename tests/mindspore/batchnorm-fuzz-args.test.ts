/**
 * Argument fuzzing for mindspore.nn.BatchNorm{1,2,3}d: every constructor argument, positional and
 * keyword, fed wrong values, then (when construction succeeds) one call in inference and one in
 * training, since MindSpore checks eps, momentum's NaN and the Parameters' dtypes only in the
 * primitive. Each case must end in a Python error whose message names the argument (or MindSpore's
 * name for it: 'format', 'epsilon'/'eps', the primitive's 'scale'/'bias'/'mean'/'variance',
 * 'initializer') and the value (its repr, Python type or `str`, or the C++ stream's number) —
 * never a bare JS error — or in success where MindSpore accepts the value (ACCEPTED).
 */
import { mindspore, Tensor, isPyError } from '../../src';
import { cppFloat } from '../../src/core/cpp';
import { pyStr, pyTypeName } from '../../src/core/python';
import { PARAMS, PARAMS_3D } from '../../src/mindspore/batchnorm-options';
import { WRONG, callShapes, judge, run, type Outcome } from '../helpers/fuzz';

const { nn } = mindspore;
const CLASSES = [
  ['BatchNorm1d', nn.BatchNorm1d, [2, 2, 3], PARAMS],
  ['BatchNorm2d', nn.BatchNorm2d, [2, 2, 2, 3], PARAMS],
  ['BatchNorm3d', nn.BatchNorm3d, [2, 2, 2, 1, 3], PARAMS_3D],
] as const;

const NUMBERS = ['NaN', 'Infinity', '-Infinity', 'negative int', 'negative float', 'zero', 'non-integer', 'huge', 'BigInt', 'negative BigInt', 'true', 'false'];

/**
 * Values MindSpore accepts through construction and both calls: a BigInt num_features (an int);
 * momentum 0 and booleans (`momentum < 0 or momentum > 1` compares them as numbers,
 * normalization.py@v2.6.0:73); any Python number as an initializer (a Constant,
 * common/initializer.py@v2.6.0:895-896); None for use_batch_statistics (:80-83).
 */
const ACCEPTED: Record<string, (label: string) => boolean> = {
  num_features: (label) => label === 'BigInt',
  eps: () => false,
  momentum: (label) => ['zero', 'true', 'false'].includes(label),
  affine: (label) => label === 'true' || label === 'false',
  gamma_init: (label) => NUMBERS.includes(label),
  beta_init: (label) => NUMBERS.includes(label),
  moving_mean_init: (label) => NUMBERS.includes(label),
  moving_var_init: (label) => NUMBERS.includes(label),
  use_batch_statistics: (label) => ['null', 'true', 'false'].includes(label),
  data_format: () => false,
  dtype: () => false,
};

/** The names a message may use for each argument. */
const NAMES: Record<string, string[]> = {
  num_features: ["'num_features'"],
  // The primitive: `epsilon=<float>` in the conversion error, `the eps must be in (0,1]` in CheckValidation.
  eps: ['epsilon=', 'the eps '],
  momentum: ["'momentum'", 'the momentum '],
  affine: ["'affine'"],
  // A Tensor init of another dtype fails the primitive's dtype check, which names its inputs.
  gamma_init: ["'initializer'", '[scale]'],
  beta_init: ["'initializer'", '[bias]'],
  moving_mean_init: ["'initializer'", '[mean]'],
  moving_var_init: ["'initializer'", '[variance]'],
  use_batch_statistics: ["'use_batch_statistics'"],
  data_format: ["'format'"],
  dtype: ["'dtype'", '[bias]'],
};

/**
 * MindSpore's own messages that name neither the argument nor the value: a momentum that does not
 * compare with 0 fails in Python's `<` (normalization.py@v2.6.0:73); `Parameter(requires_grad=affine)`
 * (common/parameter.py@v2.6.0:789-792); `Tensor(dtype=None, ...)` (common/tensor.py@v2.6.0:3955-3956).
 */
const UNNAMED: Record<string, (message: string) => boolean> = {
  momentum: (m) => m.startsWith("'<' not supported between instances of "),
  affine: (m) => m === 'The argument `requires_grad` must be bool type',
  dtype: (m) => m === 'init, dtype and shape must have values at the same time.',
};

/** MindSpore's other spellings of a value: `str()` (use_batch_statistics, check_string), C++ streams of float32, `List<...>`. */
const spellings = (value: unknown): string[] => {
  const texts = [pyStr(value)];
  if (typeof value === 'number') texts.push(cppFloat(Math.fround(value)));
  if (Array.isArray(value)) texts.push('List<');
  if (typeof value === 'function' || typeof value === 'symbol') texts.push(pyTypeName(value));
  return texts;
};

let cases = 0;
afterAll(() => {
  console.log(`MindSpore BatchNorm argument fuzz: ${cases} cases`);
});

describe.each(CLASSES)('%s: wrong constructor arguments', (_cls, Layer, shape, params) => {
  const defaults: Record<string, unknown> = { num_features: 2, eps: 1e-5, momentum: 0.9, affine: true, gamma_init: 'ones', beta_init: 'zeros', moving_mean_init: 'zeros', moving_var_init: 'ones', use_batch_statistics: null, data_format: 'NCHW', dtype: 'float32' };
  const valid = params.map((p) => defaults[p]);

  /** Construction, then a call in inference and one in training (on an input with the cell's channels): the first error, or success. */
  function outcome(args: unknown[]): Outcome {
    return run(() => {
      const m = new Layer(...(args as [number]));
      const channels = (m instanceof nn.BatchNorm3d ? m.bn2d : m).num_features;
      const x = Tensor.zeros([shape[0], channels, ...shape.slice(2)], 'float32');
      m.construct(x);
      m.set_train().construct(x);
    });
  }

  it.each(params.map((p, i) => [p, i] as const))('%s', (param, index) => {
    const failures: string[] = [];
    for (const [label, value] of WRONG) {
      for (const [how, args] of callShapes(param, index, valid, value)) {
        cases++;
        const result = outcome(args);
        const unnamed = !result.ok && isPyError(result.err) && (UNNAMED[param]?.((result.err as Error).message) ?? false);
        const problem = unnamed ? null : judge(result, ACCEPTED[param](label), NAMES[param], value, spellings);
        if (problem) failures.push(`${param}=${label} (${how}): ${problem}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe.each(CLASSES)('%s: wrong construct inputs', (cls, Layer, shape) => {
  const rank = shape.length;
  const failures: string[] = [];
  function expectPyError(context: string, fn: () => unknown, names: string[], value: unknown): void {
    cases++;
    const problem = judge(run(fn), false, names, value, spellings);
    if (problem) failures.push(`${context}: ${problem}`);
  }
  afterEach(() => {
    expect(failures.splice(0)).toEqual([]);
  });

  it('wrong rank, dtype and channel count, in both modes', () => {
    for (const train of [false, true]) {
      const m = new Layer(2).set_train(train);
      const accepted = cls === 'BatchNorm1d' ? [2, 3] : [rank];
      for (let r = 0; r <= 6; r++) {
        if (accepted.includes(r)) continue;
        expectPyError(`rank ${r}`, () => m.construct(Tensor.zeros([2, 2, 2, 2, 2, 2].slice(0, r), 'float32')), ['dims'], r);
      }
      for (const dtype of ['float64', 'bfloat16', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'] as const) {
        expectPyError(`dtype ${dtype}`, () => m.construct(Tensor.zeros(shape, dtype)), ['input_x'], Tensor.zeros([1], dtype));
      }
      for (const c of [0, 1, 3, 7]) {
        const wrong: number[] = [...shape];
        wrong[1] = c;
        expectPyError(`channels ${c}`, () => m.construct(Tensor.zeros(wrong, 'float32')), ['channel dimension'], c);
      }
    }
  });

  it('non-tensor inputs and wrong out tensors', () => {
    const m = new Layer(2);
    // `Shape.__call__`'s message names no argument: "the input argument must be Tensor" (ops_def.py@v2.6.0:914).
    const nonTensors: unknown[] = ['x', 3, 2.5, NaN, null, undefined, true, 5n, {}, { shape, dtype: 'float32', data: new Float32Array(12) }, [[[1, 2]]], new Map(), () => 1];
    for (const value of nonTensors) {
      expectPyError(`input ${pyTypeName(value)}`, () => m.construct(value as Tensor), ['input argument'], value);
    }
    const x = Tensor.zeros(shape, 'float32');
    expectPyError('out string', () => m.construct(x, { out: 'y' as never }), ['out'], 'y');
    expectPyError('out float16', () => m.construct(x, { out: Tensor.zeros(shape, 'float16') }), ['out'], Tensor.zeros([1], 'float16'));
    expectPyError('out shape', () => m.construct(x, { out: Tensor.zeros([3, ...shape.slice(1)], 'float32') }), ['out'], Tensor.zeros([3, ...shape.slice(1)], 'float32'));
  });

  it(`${cls}: valid input still works after all that`, () => {
    expect(new Layer(2).set_train().construct(Tensor.zeros(shape, 'float32')).shape).toEqual(shape);
  });
});
