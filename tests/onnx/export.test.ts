/** The exported ModelProto itself: opset, IR version, inputs, outputs, initializers, nodes; dynamic axes; argument errors. */
import { Tensor, ValueError, mindspore, torch, TypeError as PyTypeError } from '../../src';
import { MAX_OPSET, MIN_OPSET, toOnnx } from '../../src/onnx/export';
import { DataType } from '../../src/onnx/proto';
import { instanceNormModel } from '../../src/onnx/runtime';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32, normals } from '../helpers/random';
import { decode, dimsOf, initializerValues, ortRun, randomTensor, setValues } from './helpers';

const FLOAT = DataType.FLOAT;

describe('toOnnx: the model', () => {
  it('torch affine, training: InstanceNormalization with weight/bias initializers holding the values', () => {
    const m = new torch.nn.InstanceNorm1d(2, { affine: true, eps: 1e-3 });
    setValues(m.weight, [2, 3]);
    setValues(m.bias, [-1, 0.5]);
    const model = decode(toOnnx(m, { inputShape: [1, 2, 4] }));
    expect(model.opsetImport).toHaveLength(1);
    expect(model.opsetImport[0].domain ?? '').toBe('');
    expect(Number(model.opsetImport[0].version)).toBe(17);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.producerName).toBe('instancenorm-shim');
    const graph = model.graph!;
    expect(graph.input.map((i) => i.name)).toEqual(['input']);
    expect(graph.output.map((o) => o.name)).toEqual(['output']);
    expect(graph.input[0].type!.tensorType!.elemType).toBe(FLOAT);
    expect(dimsOf(graph.input[0])).toEqual([1, 2, 4]);
    expect(dimsOf(graph.output[0])).toEqual([1, 2, 4]);
    expect(graph.initializer.map((t) => t.name)).toEqual(['weight', 'bias']);
    expect(graph.initializer.map((t) => initializerValues(t))).toEqual([[2, 3], [-1, 0.5]]);
    expect(graph.node.map((n) => n.opType)).toEqual(['InstanceNormalization']);
    const node = graph.node[0];
    expect(node.input).toEqual(['input', 'weight', 'bias']);
    expect(node.output).toEqual(['output']);
    expect(node.attribute[0].name).toBe('epsilon');
    expect(node.attribute[0].f).toBeCloseTo(1e-3, 9);
  });

  it('torch without affine: ONNX-named ones/zeros scale and B', () => {
    const graph = decode(toOnnx(new torch.nn.InstanceNorm2d(3), { inputShape: [2, 3, 4, 4] })).graph!;
    expect(graph.initializer.map((t) => [t.name, initializerValues(t)])).toEqual([
      ['scale', [1, 1, 1]],
      ['B', [0, 0, 0]],
    ]);
  });

  it('torch eval with running statistics: BatchNormalization with the running buffers', () => {
    const m = new torch.nn.InstanceNorm1d(2, { track_running_stats: true }).eval();
    setValues(m.running_mean, [0.5, -1]);
    setValues(m.running_var, [2, 0.25]);
    const graph = decode(toOnnx(m, { inputShape: [3, 2, 5], opset: 15 })).graph!;
    expect(graph.node.map((n) => n.opType)).toEqual(['BatchNormalization']);
    expect(graph.node[0].input).toEqual(['input', 'scale', 'B', 'running_mean', 'running_var']);
    expect(graph.initializer.map((t) => [t.name, initializerValues(t)])).toEqual([
      ['scale', [1, 1]],
      ['B', [0, 0]],
      ['running_mean', [0.5, -1]],
      ['running_var', [2, 0.25]],
    ]);
  });

  it('mindspore: gamma/beta as they are, even with affine=False', () => {
    const m = new mindspore.nn.InstanceNorm2d(2, { affine: false, gamma_init: 2.0, beta_init: 'ones' });
    const graph = decode(toOnnx(m, { inputShape: [1, 2, 3, 3] })).graph!;
    expect(graph.initializer.map((t) => [t.name, initializerValues(t)])).toEqual([
      ['gamma', [2, 2]],
      ['beta', [1, 1]],
    ]);
    expect(graph.node.map((n) => n.opType)).toEqual(['InstanceNormalization']);
  });

  it('unbatched input: Unsqueeze/Squeeze with axes as an input from opset 13, as an attribute before', () => {
    const m = new torch.nn.InstanceNorm1d(2);
    const new13 = decode(toOnnx(m, { inputShape: [2, 6], opset: 13 })).graph!;
    expect(new13.node.map((n) => n.opType)).toEqual(['Unsqueeze', 'InstanceNormalization', 'Squeeze']);
    expect(new13.node[0].input).toEqual(['input', 'batched_axes']);
    expect(new13.initializer.map((t) => t.name)).toEqual(['batched_axes', 'scale', 'B', 'unbatched_axes']);
    expect(initializerValues(new13.initializer[0])).toEqual([0]);
    expect(dimsOf(new13.input[0])).toEqual([2, 6]);
    const old12 = decode(toOnnx(m, { inputShape: [2, 6], opset: 12 })).graph!;
    expect(old12.node[0].input).toEqual(['input']);
    expect(old12.node[0].attribute.map((a) => [a.name, a.ints.map(Number)])).toEqual([['axes', [0]]]);
  });

  it('float64: spelled out with ReduceMean (onnxruntime has no float64 InstanceNormalization), same initializer names', () => {
    const m = new torch.nn.InstanceNorm2d(2, { affine: true, dtype: 'float64' });
    const model = decode(toOnnx(m, { inputShape: [1, 2, 3, 3] }));
    const graph = model.graph!;
    expect(graph.input[0].type!.tensorType!.elemType).toBe(DataType.DOUBLE);
    expect(graph.node.map((n) => n.opType)).toEqual(['ReduceMean', 'Sub', 'Mul', 'ReduceMean', 'Add', 'Sqrt', 'Div', 'Reshape', 'Reshape', 'Mul', 'Add']);
    expect(graph.initializer.map((t) => t.name)).toEqual(['weight', 'bias', 'epsilon', 'channel_shape']);
    expect(initializerValues(graph.initializer[3])).toEqual([-1, 1, 1]);
  });

  it('float16 (mindspore): Cast to float32 around the float32 graph', () => {
    const m = new mindspore.nn.InstanceNorm1d(2);
    const graph = decode(toOnnx(m, { inputShape: [1, 2, 8], dtype: 'float16' })).graph!;
    expect(graph.node.map((n) => n.opType)).toEqual(['Cast', 'InstanceNormalization', 'Cast']);
    expect(graph.input[0].type!.tensorType!.elemType).toBe(DataType.FLOAT16);
    expect(graph.initializer.map((t) => t.dataType)).toEqual([FLOAT, FLOAT]);
  });

  const OPSETS = Array.from({ length: MAX_OPSET - MIN_OPSET + 1 }, (_, i) => MIN_OPSET + i);
  it.each(OPSETS)('opset %i: the IR version the onnx version table gives, and every graph form runs', async (opset) => {
    // onnx/helper.py VERSION_TABLE: the IR version each release paired with its newest opset.
    const ir: Record<number, number> = { 9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11 };
    const rand = mulberry32(opset);
    const modules: [torch.nn.InstanceNorm1d, number[]][] = [
      [new torch.nn.InstanceNorm1d(3, { affine: true }), [3, 7]],
      [new torch.nn.InstanceNorm1d(3, { dtype: 'float64', affine: true }), [3, 7]],
      [new torch.nn.InstanceNorm1d(3, { track_running_stats: true }).eval(), [3, 7]],
    ];
    for (const [m, shape] of modules) {
      const bytes = toOnnx(m, { inputShape: shape, opset });
      const model = decode(bytes);
      expect(Number(model.opsetImport[0].version)).toBe(opset);
      expect(Number(model.irVersion)).toBe(ir[opset]);
      const x = randomTensor(rand, shape, m.weight?.dtype === 'float64' ? 'float64' : 'float32');
      expect(maxAbsDiff(await ortRun(bytes, x), m.forward(x))).toBeLessThanOrEqual(1e-5);
    }
    const half = new mindspore.nn.InstanceNorm1d(3, { gamma_init: 1.5 });
    const x16 = randomTensor(rand, [2, 3, 7], 'float16');
    expect(maxAbsDiff(await ortRun(toOnnx(half, { inputShape: [2, 3, 7], dtype: 'float16', opset }), x16), half.construct(x16))).toBeLessThanOrEqual(4e-3);
  });

  it('the bare InstanceNormalization reference model (opset 17) carries IR 8 too, as the version table pairs them', () => {
    const model = decode(instanceNormModel([1, 2, 4], 'float32', { eps: 1e-5 }));
    expect(Number(model.opsetImport[0].version)).toBe(17);
    expect(Number(model.irVersion)).toBe(8);
  });
});

describe('toOnnx: dynamic axes', () => {
  it('true names batch and spatial axes; the model runs at two lengths and two batch sizes', async () => {
    const m = new torch.nn.InstanceNorm1d(3, { affine: true });
    setValues(m.weight, [1.5, -0.5, 2]);
    const bytes = toOnnx(m, { inputShape: [2, 3, 8], dynamicAxes: true });
    const graph = decode(bytes).graph!;
    expect(dimsOf(graph.input[0])).toEqual(['batch', 3, 'length']);
    expect(dimsOf(graph.output[0])).toEqual(['batch', 3, 'length']);
    const rand = mulberry32(7);
    for (const shape of [[2, 3, 8], [1, 3, 5], [4, 3, 31]]) {
      const x = randomTensor(rand, shape);
      const y = await ortRun(bytes, x);
      expect([...y.shape]).toEqual(shape);
      expect(maxAbsDiff(y, m.forward(x))).toBeLessThanOrEqual(1e-5);
    }
  });

  it('names for 2d/3d and unbatched input; an object maps chosen axes like PyTorch dynamic_axes', async () => {
    expect(dimsOf(decode(toOnnx(new torch.nn.InstanceNorm3d(2), { inputShape: [1, 2, 3, 4, 5], dynamicAxes: true })).graph.input[0])).toEqual([
      'batch', 2, 'depth', 'height', 'width',
    ]);
    const unbatched = new torch.nn.InstanceNorm2d(2);
    const bytes = toOnnx(unbatched, { inputShape: [2, 4, 4], dynamicAxes: true, opset: 11 });
    expect(dimsOf(decode(bytes).graph.input[0])).toEqual([2, 'height', 'width']);
    const x = randomTensor(mulberry32(3), [2, 5, 3]);
    expect(maxAbsDiff(await ortRun(bytes, x), unbatched.forward(x))).toBeLessThanOrEqual(1e-5);
    const ms = new mindspore.nn.InstanceNorm1d(2);
    expect(dimsOf(decode(toOnnx(ms, { inputShape: [1, 2, 6], dynamicAxes: { 2: 'time' } })).graph.input[0])).toEqual([1, 2, 'time']);
  });

  it('the float64 graph and the eval graph take dynamic lengths too', async () => {
    const rand = mulberry32(11);
    const f64 = new torch.nn.InstanceNorm2d(2, { affine: true, dtype: 'float64' });
    const evalModule = new torch.nn.InstanceNorm2d(2, { track_running_stats: true });
    evalModule.forward(randomTensor(rand, [2, 2, 4, 4]));
    evalModule.eval();
    for (const [m, dtype] of [[f64, 'float64'], [evalModule, 'float32']] as const) {
      const bytes = toOnnx(m, { inputShape: [1, 2, 4, 4], dynamicAxes: true, opset: 18 });
      for (const shape of [[1, 2, 4, 4], [3, 2, 5, 7]]) {
        const x = randomTensor(rand, shape, dtype);
        expect(maxAbsDiff(await ortRun(bytes, x), m.forward(x))).toBeLessThanOrEqual(1e-5);
      }
    }
  });
});

describe('toOnnx: errors name the argument', () => {
  const m = new torch.nn.InstanceNorm1d(2, { affine: true });
  it.each([
    [{ inputShape: [1, 2, 4], opset: 8 }, ValueError, "argument 'opset' must be an integer from 9 to 23, got 8"],
    [{ inputShape: [1, 2, 4], opset: 24 }, ValueError, "argument 'opset' must be an integer from 9 to 23, got 24"],
    [{ inputShape: [1, 2, 4], opset: 17.5 }, ValueError, "argument 'opset'"],
    [{ inputShape: [1, 3, 4] }, ValueError, "argument 'inputShape' [1, 3, 4] has 3 channels at dim 1, but the module has num_features=2"],
    [{ inputShape: [1, 1, 2, 4] }, ValueError, "argument 'inputShape' [1, 1, 2, 4] has 4 dims; torch InstanceNorm1d takes 2 or 3 dims"],
    [{ inputShape: [1, 2, 0] }, ValueError, "argument 'inputShape' must be a list of positive integers"],
    [{ inputShape: [1, 2, 1] }, ValueError, "argument 'inputShape' [1, 2, 1] has one spatial element"],
    [{ inputShape: [1, 2, 4], dynamicAxes: { 1: 'channels' } }, ValueError, "argument 'dynamicAxes' names the channel axis 1"],
    [{ inputShape: [1, 2, 4], dynamicAxes: { 5: 'x' } }, ValueError, "argument 'dynamicAxes' has axis '5'"],
    [{ inputShape: [1, 2, 4], dtype: 'float64' }, PyTypeError, "argument 'dtype' is 'float64', but the module's tensors are float32"],
  ] as const)('%j', (options, cls, message) => {
    expect(() => toOnnx(m, options as never)).toThrow(cls);
    expect(() => toOnnx(m, options as never)).toThrow(message);
  });

  it('rejects what is not a facade layer, mindspore float64 and 2-D mindspore input', () => {
    expect(() => toOnnx({ eps: 1 }, { inputShape: [1, 2, 4] })).toThrow(/argument 'module' must be a layer of the torch or mindspore facade \(InstanceNorm1d, InstanceNorm2d, InstanceNorm3d.*\), got Object/);
    const ms = new mindspore.nn.InstanceNorm1d(2);
    expect(() => toOnnx(ms, { inputShape: [1, 2, 4], dtype: 'float64' })).toThrow("argument 'dtype' must be 'float32' or 'float16' for the mindspore facade");
    expect(() => toOnnx(ms, { inputShape: [2, 4] })).toThrow("argument 'inputShape' [2, 4] has 2 dims; mindspore InstanceNorm1d takes 3 dims");
  });

  it('running statistics need no spatial size above 1 (PyTorch eval accepts it)', async () => {
    const e = new torch.nn.InstanceNorm1d(2, { track_running_stats: true }).eval();
    setValues(e.running_mean, normals(mulberry32(1), 2));
    const x = Tensor.from([[[0.5], [2]]]);
    expect(maxAbsDiff(await ortRun(toOnnx(e, { inputShape: [1, 2, 1] }), x), e.forward(x))).toBeLessThanOrEqual(1e-6);
  });
});
