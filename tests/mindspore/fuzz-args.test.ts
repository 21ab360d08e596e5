/**
 * Argument fuzzing for the MindSpore facade: every constructor argument of InstanceNorm{1,2,3}d,
 * positional and keyword, and every construct input, fed wrong values. Each case must end in the
 * facade's TypeError / ValueError / RuntimeError whose message names the argument (or MindSpore's
 * own name for it: the primitive calls eps 'epsilon'; initializer errors name 'initializer') and
 * the value (its repr or its Python type) — never a bare JS error.
 *
 * Some "wrong-looking" values are accepted because MindSpore accepts them; they are listed in
 * ACCEPTED and must construct (so a change of that decision shows up here): NaN for eps/momentum
 * (MindSpore's range checks compare, and NaN compares false), any JS number for momentum (JS numbers
 * are Python floats in this facade), a BigInt num_features (a Python int), and any Python number
 * (bool, BigInt, NaN, inf) as gamma_init/beta_init (a Constant).
 */
import { mindspore, Tensor, isPyError } from '../../src';
import { pyTypeName } from '../../src/core/python';
import { PARAMS } from '../../src/mindspore/options';
import { WRONG, Mention, callShapes, judge, run } from '../helpers/fuzz';

const { nn } = mindspore;
const CLASSES = [
  ['InstanceNorm1d', nn.InstanceNorm1d, 3],
  ['InstanceNorm2d', nn.InstanceNorm2d, 4],
  ['InstanceNorm3d', nn.InstanceNorm3d, 5],
] as const;

/** Values MindSpore itself accepts for an argument (see the header). */
const ACCEPTED: Record<string, (label: string) => boolean> = {
  num_features: (label) => label === 'BigInt',
  eps: (label) => label === 'NaN',
  momentum: (label) => ['NaN', 'zero'].includes(label),
  affine: (label) => label === 'true' || label === 'false',
  gamma_init: (label) => ['NaN', 'Infinity', '-Infinity', 'negative int', 'negative float', 'zero', 'non-integer', 'huge', 'BigInt', 'negative BigInt', 'true', 'false'].includes(label),
  beta_init: (label) => ACCEPTED.gamma_init(label),
  dtype: () => false,
};

/** The names a message may use for each argument. */
const NAMES: Record<string, string[]> = {
  num_features: ["'num_features'"],
  eps: ["'eps'", "'epsilon'"],
  momentum: ["'momentum'"],
  affine: ["'affine'"],
  gamma_init: ["'gamma_init'", "'initializer'"],
  beta_init: ["'beta_init'", "'initializer'"],
  dtype: ["'dtype'"],
};

/**
 * MindSpore's own messages that name neither the argument nor the value: dtype=None fails in
 * `Tensor(dtype=None, shape=..., init=...)` (common/tensor.py@v2.6.0:3955-3956).
 */
const UNNAMED: Record<string, string[]> = {
  dtype: ['init, dtype and shape must have values at the same time.'],
};

let cases = 0;
afterAll(() => {
  console.log(`MindSpore facade argument fuzz: ${cases} cases`);
});

describe.each(CLASSES)('%s: wrong constructor arguments', (_cls, Layer) => {
  const valid: unknown[] = [2, 1e-5, 0.1, true, 'ones', 'zeros', 'float32'];
  it.each(PARAMS.map((p, i) => [p, i] as const))('%s', (param, index) => {
    const failures: string[] = [];
    for (const [label, value] of WRONG) {
      for (const [shape, args] of callShapes(param, index, valid, value)) {
        cases++;
        const outcome = run(() => new Layer(...(args as [number])));
        const context = `${param}=${label} (${shape})`;
        const unnamed = !outcome.ok && UNNAMED[param]?.includes((outcome.err as Error).message) && isPyError(outcome.err);
        const problem = unnamed ? null : judge(outcome, ACCEPTED[param](label), NAMES[param], value);
        if (problem) failures.push(`${context}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe.each(CLASSES)('%s: wrong construct inputs', (cls, Layer, rank) => {
  const m = new Layer(2);
  const good = [1, 2, 3, 3, 3].slice(0, rank);

  const failures: string[] = [];
  function expectPyError(context: string, fn: () => unknown, names: string[], value: unknown): void {
    cases++;
    const problem = judge(run(fn), false, names, value);
    if (problem) failures.push(`${context}: ${problem}`);
  }
  afterEach(() => {
    expect(failures.splice(0)).toEqual([]);
  });

  it('wrong rank, dtype and channel count', () => {
    for (let r = 0; r <= 6; r++) {
      if (r === rank) continue;
      const shape = [1, 2, 2, 2, 2, 2].slice(0, r);
      expectPyError(`rank ${r}`, () => m.construct(Tensor.zeros(shape, 'float32')), ['in_shape'], r);
    }
    for (const dtype of ['float64', 'bfloat16', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'] as const) {
      expectPyError(`dtype ${dtype}`, () => m.construct(Tensor.zeros(good, dtype)), ['input_x'], Tensor.zeros([1], dtype));
    }
    for (const c of [1, 3, 7]) {
      const shape = [...good];
      shape[1] = c;
      expectPyError(`channels ${c}`, () => m.construct(Tensor.zeros(shape, 'float32')), ['gamma shape', '(C, )'], c);
    }
  });

  it('non-tensor and ragged inputs', () => {
    const nonTensors: unknown[] = ['x', 3, 2.5, NaN, null, undefined, true, 5n, {}, { shape: good, dtype: 'float32', data: new Float32Array(12) }, [[[1, 2]]], new Map(), () => 1];
    // `Shape.__call__`'s message names no argument: "the input argument must be Tensor" (ops_def.py@v2.6.0:914).
    for (const value of nonTensors) expectPyError(`input ${pyTypeName(value)}`, () => m.construct(value as Tensor), ['input argument'], value);
    const ragged = [[[1, 2], [3]], [[1, 2, 3]]];
    expectPyError('ragged list through mindspore.Tensor', () => m.construct(mindspore.Tensor(ragged as never)), ['Tensor'], new Mention('values['));
    expectPyError('non-numeric list through mindspore.Tensor', () => m.construct(mindspore.Tensor([[['a']]] as never)), ['Tensor'], new Mention("'a'"));
  });

  it('wrong out tensors', () => {
    const x = Tensor.zeros(good, 'float32');
    expectPyError('out string', () => m.construct(x, { out: 'y' as never }), ['out'], 'y');
    expectPyError('out float16', () => m.construct(x, { out: Tensor.zeros(good, 'float16') }), ['out'], Tensor.zeros([1], 'float16'));
    const wrongShape = [...good];
    wrongShape[0] = 3;
    expectPyError('out shape', () => m.construct(x, { out: Tensor.zeros(wrongShape, 'float32') }), ['out'], Tensor.zeros(wrongShape, 'float32'));
    expectPyError('out is x', () => m.construct(x, { out: x }), ['out'], new Mention('input tensor'));
  });

  it(`${cls}: valid input still works after all that`, () => {
    expect(m.construct(Tensor.zeros(good, 'float32')).shape).toEqual(good);
  });
});

describe('the fuzz judge itself', () => {
  it('rejects bare JS errors, unnamed arguments or values, and silent acceptance', () => {
    expect(judge(run(() => (null as unknown as { x(): void }).x()), false, ["'x'"], 1)).toMatch(/^bare TypeError/);
    expect(judge(run(() => mindspore.set_seed(-1)), false, ["'eps'"], -1)).toMatch(/does not name the argument/);
    expect(judge(run(() => mindspore.set_seed(-1)), false, ["'seed'"], 'zzz')).toMatch(/does not name the value/);
    expect(judge(run(() => 1), false, ["'x'"], 1)).toBe('accepted, expected an error');
    expect(judge(run(() => mindspore.set_seed(-1)), false, ["'seed'"], -1)).toBeNull();
  });
});
