import { Tensor, ValueError, mindspore, torch, toOnnx, verifyOnnx } from '../../src';
import { mulberry32 } from '../helpers/random';
import { randomTensor, setValues } from './helpers';

describe('verifyOnnx', () => {
  it('passes a faithful export, on random inputs and given ones, and reports each run', async () => {
    const m = new torch.nn.InstanceNorm2d(3, { affine: true });
    setValues(m.weight, [0.5, 2, -1]);
    const given = randomTensor(mulberry32(1), [2, 3, 4, 5]);
    const report = await verifyOnnx(m, toOnnx(m, { inputShape: [2, 3, 4, 5] }), { inputs: [given], seed: 3 });
    expect(report.ok).toBe(true);
    expect(report.tolerance).toBe(1e-5);
    expect(report.dtype).toBe('float32');
    expect(report.opset).toBe(17);
    expect(report.runs.map((r) => [r.source, r.shape])).toEqual([
      ['random', [2, 3, 4, 5]],
      ['random', [2, 3, 4, 5]],
      ['given', [2, 3, 4, 5]],
    ]);
    expect(report.maxAbsDiff).toBe(Math.max(...report.runs.map((r) => r.maxAbsDiff)));
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('fails when the model does not compute what the module computes', async () => {
    const exported = new mindspore.nn.InstanceNorm1d(2, { gamma_init: 2.0 });
    const other = new mindspore.nn.InstanceNorm1d(2);
    const report = await verifyOnnx(other, toOnnx(exported, { inputShape: [1, 2, 6] }));
    expect(report.ok).toBe(false);
    // gamma 2 vs 1 on unit-variance output: differences near the largest |normalized value|.
    expect(report.maxAbsDiff).toBeGreaterThan(0.5);
  });

  it('fails when the tolerance is below float32 rounding', async () => {
    const m = new torch.nn.InstanceNorm1d(4);
    const report = await verifyOnnx(m, toOnnx(m, { inputShape: [3, 4, 50] }), { tolerance: 1e-12 });
    expect(report.maxAbsDiff).toBeGreaterThan(1e-12);
    expect(report.ok).toBe(false);
  });

  it('draws the dynamic axes at another size for the second random input', async () => {
    const m = new torch.nn.InstanceNorm1d(2);
    const report = await verifyOnnx(m, toOnnx(m, { inputShape: [1, 2, 16], dynamicAxes: true }), { seed: 5 });
    expect(report.ok).toBe(true);
    expect(report.runs[0].shape).toEqual([1, 2, 16]);
    expect(report.runs[1].shape[1]).toBe(2);
    expect(report.runs[1].shape[2]).not.toBe(16);
  });

  it('leaves a training module with running statistics as it was', async () => {
    const m = new torch.nn.InstanceNorm1d(2, { track_running_stats: true, momentum: 0.5 });
    const before = [...m.running_mean!.data, ...m.running_var!.data];
    const report = await verifyOnnx(m, toOnnx(m, { inputShape: [2, 2, 8] }));
    expect(report.ok).toBe(true);
    expect([...m.running_mean!.data, ...m.running_var!.data]).toEqual(before);
  });

  it('float64 and float16 models get their own default tolerances', async () => {
    const t = new torch.nn.InstanceNorm3d(2, { affine: true, dtype: 'float64' });
    const r64 = await verifyOnnx(t, toOnnx(t, { inputShape: [1, 2, 3, 3, 3] }));
    expect([r64.dtype, r64.ok]).toEqual(['float64', true]);
    expect(r64.maxAbsDiff).toBeLessThan(1e-12);
    const ms = new mindspore.nn.InstanceNorm2d(2);
    const r16 = await verifyOnnx(ms, toOnnx(ms, { inputShape: [1, 2, 4, 4], dtype: 'float16' }));
    expect([r16.dtype, r16.tolerance, r16.ok]).toEqual(['float16', 4e-3, true]);
  });

  it('rejects given inputs that do not fit the model, naming the argument', async () => {
    const m = new torch.nn.InstanceNorm1d(2);
    const bytes = toOnnx(m, { inputShape: [1, 2, 4] });
    await expect(verifyOnnx(m, bytes, { inputs: [Tensor.zeros([1, 3, 4], 'float32')] })).rejects.toThrow(
      "argument 'inputs'[0] is float32 [1, 3, 4], but the model takes float32 [1, 2, 4]",
    );
    await expect(verifyOnnx(m, bytes, { inputs: [Tensor.zeros([1, 2, 4], 'float64')] })).rejects.toThrow(ValueError);
    await expect(verifyOnnx(m, new Uint8Array([1, 2, 3]))).rejects.toThrow("argument 'bytes'");
    await expect(verifyOnnx(m, bytes, { tolerance: -1 })).rejects.toThrow("argument 'tolerance'");
    await expect(verifyOnnx(m, bytes, { randomInputs: 0 })).rejects.toThrow("arguments 'randomInputs' and 'inputs'");
  });
});
