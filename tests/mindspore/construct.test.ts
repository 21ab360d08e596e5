/**
 * construct(x) of mindspore.nn.InstanceNorm{1,2,3}d. Expected values come from the float64
 * reference (src/core/reference.ts), from MindSpore's docstring examples (shapes) and from the
 * formula itself (a constant slice normalizes to zero). Messages are MindSpore 2.6.0's format
 * strings (nn/layer/normalization.py@v2.6.0:44-48 `_check_dim`, ops/infer/instance_norm.cc@v2.6.0
 * the primitive's infer, utils/check_convert_utils.cc@v2.6.0) filled in by hand.
 */
import { mindspore, Tensor, ValueError, TypeError as PyTypeError } from '../../src';
import { halfToNumber } from '../../src/core/dtype';
import { instanceNormReference } from '../../src/core/reference';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32, normals } from '../helpers/random';

const { nn } = mindspore;
const LAYERS = [
  ['InstanceNorm1d', nn.InstanceNorm1d, [2, 3, 7]],
  ['InstanceNorm2d', nn.InstanceNorm2d, [2, 3, 4, 5]],
  ['InstanceNorm3d', nn.InstanceNorm3d, [2, 3, 2, 3, 4]],
] as const;

function randomInput(shape: readonly number[], seed: number, scale = 3, offset = 1): Tensor<'float32'> {
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(new Float32Array(normals(mulberry32(seed), size, scale, offset)), { shape });
}

describe.each(LAYERS)('%s.construct', (cls, Layer, shape) => {
  const rank = shape.length;

  it('matches the float64 reference with random gamma and beta, to float32 precision', () => {
    const x = randomInput(shape, 11);
    const gamma = [0.5, -1.25, 2];
    const beta = [0.1, 0, -3];
    const m = new Layer(3, { gamma_init: Tensor.from(gamma), beta_init: Tensor.from(beta) });
    const y = m.construct(x);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual(shape);
    expect(maxAbsDiff(y, instanceNormReference(x, { eps: 1e-5, weight: gamma, bias: beta }).y)).toBeLessThan(2e-5);
  });

  it('uses its eps', () => {
    const x = randomInput(shape, 12, 0.01, 0);
    const m = new Layer(3, { eps: 0.5 });
    expect(maxAbsDiff(m.construct(x), instanceNormReference(x, { eps: 0.5 }).y)).toBeLessThan(1e-6);
  });

  it("keeps the docstring example's shape and maps a constant input (np.ones) to beta", () => {
    const x = Tensor.ones(shape, 'float32');
    const y = new Layer(3).construct(x);
    expect(y.shape).toEqual(shape);
    expect([...y.data].every((v) => v === 0)).toBe(true);
    const z = new Layer(3, { gamma_init: 5, beta_init: 0.25 }).construct(x);
    expect([...z.data].every((v) => v === 0.25)).toBe(true);
  });

  it('gives the same output in training and inference (instance statistics always)', () => {
    const x = randomInput(shape, 13);
    const m = new Layer(3);
    const inference = m.construct(x);
    const training = m.set_train().construct(x);
    expect([...training.data]).toEqual([...inference.data]);
  });

  it('applies gamma and beta even with affine=False: gamma_init=2.0 scales by 2', () => {
    const x = randomInput(shape, 14);
    const m = new Layer(3, { affine: false, gamma_init: 2.0 });
    expect(maxAbsDiff(m.construct(x), instanceNormReference(x, { eps: 1e-5, weight: [2, 2, 2] }).y)).toBeLessThan(4e-5);
  });

  it('never reads or updates the moving statistics', () => {
    const x = randomInput(shape, 15);
    const m = new Layer(3).set_train();
    const before = m.construct(x);
    m.moving_mean.set_data(Tensor.from([5, 5, 5]));
    m.moving_variance.set_data(Tensor.from([9, 9, 9]));
    const after = m.construct(x);
    expect([...after.data]).toEqual([...before.data]);
    expect([...m.moving_mean.data.data]).toEqual([5, 5, 5]);
    expect([...m.moving_variance.data.data]).toEqual([9, 9, 9]);
    const fresh = new Layer(3).set_train();
    fresh.construct(x);
    expect([...fresh.moving_mean.data.data, ...fresh.moving_variance.data.data]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('takes float16 input: stored as IEEE half, computed in float32, returned as float16', () => {
    const x32 = randomInput(shape, 16);
    const x = x32.astype('float16');
    const y = new Layer(3).construct(x);
    expect(y.dtype).toBe('float16');
    const xHalf = Tensor.from(Array.from(x.data, halfToNumber), { dtype: 'float64', shape });
    const ref = instanceNormReference(xHalf, { eps: 1e-5 }).y;
    for (let i = 0; i < y.size; i++) expect(Math.abs(halfToNumber(y.data[i]) - ref.data[i])).toBeLessThanOrEqual(Math.abs(ref.data[i]) * 2 ** -10 + 1e-4);
  });

  it('writes into a caller-supplied tensor with { out }', () => {
    const x = randomInput(shape, 17);
    const m = new Layer(3);
    const out = Tensor.zeros(shape, 'float32');
    expect(m.construct(x, { out })).toBe(out);
    expect([...out.data]).toEqual([...m.construct(x).data]);
    expect(() => m.construct(x, { out: Tensor.zeros(shape, 'float16') })).toThrow(PyTypeError);
  });

  it(`requires exactly ${rank} dims (MindSpore r2.x _check_dim)`, () => {
    const m = new Layer(3);
    for (const r of [2, 3, 4, 5, 6].filter((r) => r !== rank)) {
      const bad = Tensor.zeros([2, 3, 4, 4, 4, 4].slice(0, r), 'float32');
      expect(() => m.construct(bad)).toThrow(new ValueError(`For '${cls}', the in_shape must have ${rank} dims, but got ${r}.`));
    }
  });

  it("takes float16/float32 only (the primitive's type check), before the channel check", () => {
    const m = new Layer(3);
    for (const dtype of ['float64', 'int32', 'bfloat16'] as const) {
      expect(() => m.construct(Tensor.zeros(shape, dtype))).toThrow(
        new PyTypeError(
          `For primitive[InstanceNorm], the input argument[input_x] must be a type of {Tensor[Float16], Tensor[Float32]}, but got Tensor[${dtype === 'bfloat16' ? 'BFloat16' : dtype[0].toUpperCase() + dtype.slice(1)}].`,
        ),
      );
    }
    const wrongChannels: number[] = [...shape];
    wrongChannels[1] = 2;
    expect(() => m.construct(Tensor.zeros(wrongChannels, 'float64'))).toThrow(PyTypeError);
  });

  it("checks the channels against num_features with the primitive's message", () => {
    const wrong: number[] = [...shape];
    wrong[1] = 2;
    expect(() => new Layer(3).construct(Tensor.zeros(wrong, 'float32'))).toThrow(
      new ValueError('For primitive[InstanceNorm], the gamma shape must be equal to (C, ) which is 2 , but got 3.'),
    );
  });

  it('returns an empty tensor of the same shape for empty batch or spatial dims', () => {
    const m = new Layer(3);
    const noBatch: number[] = [...shape];
    noBatch[0] = 0;
    expect(m.construct(Tensor.zeros(noBatch, 'float32')).shape).toEqual(noBatch);
    const noSpace: number[] = [...shape];
    noSpace[rank - 1] = 0;
    const y = m.construct(Tensor.zeros(noSpace, 'float32'));
    expect(y.shape).toEqual(noSpace);
    expect(y.size).toBe(0);
  });

  it('refuses a non-tensor input with the Shape primitive\'s message', () => {
    // `self._check_input_dim(self.shape(x), ...)` (normalization.py@v2.6.0:919) calls `Shape.__call__`
    // (ops/operations/manually_defined/ops_def.py@v2.6.0:911-914), which prints `type(x)`.
    expect(() => new Layer(3).construct([[[1, 2]]] as never)).toThrow(new PyTypeError('For primitive[Shape], the input argument must be Tensor, but got <class \'list\'>.'));
    expect(() => new Layer(3).construct(null as never)).toThrow(new PyTypeError("For primitive[Shape], the input argument must be Tensor, but got <class 'NoneType'>."));
  });

  it('checks all four parameter ranks before any length, gamma first (the primitive\'s input order)', () => {
    // instance_norm.cc@v2.6.0:82-95: the ranks of gamma, beta, mean, variance, then their lengths.
    // 2.6.0's set_data has no shape check (common/parameter.py@v2.6.0:876-926), so a number makes a 0-d parameter.
    const m = new Layer(3);
    m.moving_variance.set_data(0.5);
    m.gamma.set_data(Tensor.from([1, 2]));
    expect(() => m.construct(Tensor.zeros(shape, 'float32'))).toThrow(new ValueError('For primitive[InstanceNorm], the variance rank must be equal to 1 , but got 0.'));
    m.moving_variance.set_data(Tensor.ones([3], 'float32'));
    expect(() => m.construct(Tensor.zeros(shape, 'float32'))).toThrow(new ValueError('For primitive[InstanceNorm], the gamma shape must be equal to (C, ) which is 3 , but got 2.'));
  });
});
