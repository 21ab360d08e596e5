import { Tensor } from '../../src/core/tensor';
import { halfToNumber, numberToHalf } from '../../src/core/dtype';
import { PyTypeError, ValueError } from '../../src/core/errors';
import fixtures from '../fixtures/numpy.json';

describe('Tensor construction', () => {
  it('builds float32 from nested lists by default, with shape, dtype and data', () => {
    const x = Tensor.from([[[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]]);
    expect(x.dtype).toBe('float32');
    expect(x.shape).toEqual([1, 2, 4]);
    expect(x.data).toBeInstanceOf(Float32Array);
    expect(x.data[0]).toBe(Math.fround(0.7));
    expect(x.size).toBe(8);
    expect(x.ndim).toBe(3);
  });

  it('takes a flat typed array with a shape, copying it', () => {
    const flat = new Float64Array([1, 2, 3, 4, 5, 6]);
    const x = Tensor.from(flat, { shape: [2, 3], dtype: 'float64' });
    flat[0] = 99;
    expect(x.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('round-trips tolist for every numeric dtype', () => {
    expect(Tensor.from([[1, 2]], { dtype: 'float64' }).tolist()).toEqual([[1, 2]]);
    expect(Tensor.from([3, -4], { dtype: 'int32' }).tolist()).toEqual([3, -4]);
    expect(Tensor.from(7, { dtype: 'int64' }).tolist()).toBe(7n);
    expect(Tensor.from([true, false], { dtype: 'bool' }).tolist()).toEqual([true, false]);
    expect(Tensor.from([0.5, -2], { dtype: 'float16' }).tolist()).toEqual([0.5, -2]);
  });

  it('keeps empty dimensions where they are legal', () => {
    expect(Tensor.from([]).shape).toEqual([0]);
    expect(Tensor.from([[]]).shape).toEqual([1, 0]);
    expect(Tensor.zeros([2, 0, 3], 'float32').size).toBe(0);
  });

  it('rejects ragged nesting with the dim and the lengths', () => {
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(ValueError);
    expect(() => Tensor.from([[1, 2], [3]])).toThrow('expected sequence of length 2 at dim 1 (got 1 at values[1])');
    expect(() => Tensor.from([[1, 2], 3] as never)).toThrow('expected a sequence of length 2 at dim 1');
    expect(() => Tensor.from([[], [1]])).toThrow(ValueError);
    expect(() => Tensor.from([1, [2]] as never)).toThrow('expected a number at values[1]');
  });

  it('rejects non-numeric elements naming the value, its type and where it is', () => {
    expect(() => Tensor.from([1, 'a'] as never)).toThrow(PyTypeError);
    expect(() => Tensor.from([1, 'a'] as never)).toThrow("elements must be numbers, got 'a' (str) at values[1]");
    expect(() => Tensor.from([[null]] as never)).toThrow('got None (NoneType) at values[0][0]');
  });

  it('rejects a data length that does not match the shape, and unknown dtypes', () => {
    expect(() => new Tensor('float32', new Float32Array(3), [2, 2])).toThrow('shape [2, 2] needs 4 elements, but data has 3');
    expect(() => new Tensor('float32', new Float64Array(4) as never, [4])).toThrow('must be a Float32Array');
    expect(() => Tensor.from([1], { dtype: 'float8' as never })).toThrow("unknown dtype 'float8'");
    expect(() => Tensor.from(new Float32Array(4), { shape: [3] })).toThrow(ValueError);
    expect(() => Tensor.from([1, 2], { shape: [3] })).toThrow('the values have shape [2], but shape [3] was requested');
    expect(() => Tensor.zeros([2, -1], 'float32')).toThrow('shape must be a list of non-negative integers');
  });

  it('reshape shares data; clone and astype copy', () => {
    const x = Tensor.from([1, 2, 3, 4]);
    const r = x.reshape([2, 2]);
    r.data[0] = 10;
    expect(x.data[0]).toBe(10);
    const c = x.clone();
    c.data[1] = 20;
    expect(x.data[1]).toBe(2);
    expect(x.astype('float64').data).toBeInstanceOf(Float64Array);
    expect(Tensor.from([2.7, -2.7]).astype('int32').tolist()).toEqual([2, -2]);
  });
});

describe('float16 bits agree with numpy', () => {
  it.each(fixtures.float16)('$value -> 0x$bits', ({ value, bits }) => {
    expect(numberToHalf(value)).toBe(bits);
  });
  it('decodes every finite half exactly and re-encodes it', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = halfToNumber(h);
      if (Number.isNaN(v)) continue;
      expect(numberToHalf(v)).toBe(h === 0x8000 ? 0x8000 : h);
    }
  });
});

describe('toString prints like numpy', () => {
  it.each(fixtures.arrays.map((a) => [a.name, a] as const))('%s', (_name, a) => {
    const values = a.values.map((v, i) => (v === null ? Number((a.nonfinite as Record<string, string>)[String(i)].replace('inf', 'Infinity')) : v));
    const dtype = a.dtype === 'bool' ? 'bool' : (a.dtype as 'float32');
    const t = Tensor.from(values, { dtype, shape: a.shape });
    expect(String(t)).toBe(a.str);
  });
});

describe('onnxruntime-node interop', () => {
  it('converts to and from an onnxruntime Tensor without loss', () => {
    for (const dtype of ['float32', 'float64', 'float16', 'int64', 'int32', 'bool'] as const) {
      const x = Tensor.from([[1, 0], [3, 1]], { dtype });
      const o = x.toOrt();
      expect(o.dims).toEqual([2, 2]);
      const back = Tensor.fromOrt(o);
      expect(back.dtype).toBe(dtype);
      expect(back.tolist()).toEqual(x.tolist());
      expect(back.data).not.toBe(x.data);
    }
  });

  it('says which dtypes onnxruntime cannot hold', () => {
    expect(() => Tensor.from([1], { dtype: 'bfloat16' }).toOrt()).toThrow('onnxruntime has no bfloat16 tensor type');
  });
});
