/**
 * The ONNX descriptor (src/onnx/proto.ts) against onnx itself: models written by onnx 1.12's
 * SerializeToString (tests/fixtures/gen_onnx.py) decode to the fields they were built from, and
 * the same parts encode to the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor';
import { decodeModel, encodeModel, initializer, node, valueInfo, type AttributeValue, type OnnxDType } from '../../src/onnx/proto';
import { dimsOf, initializerValues } from './helpers';

interface Spec {
  graphName: string;
  docString?: string;
  opset: number;
  nodes: { opType: string; name: string; inputs: string[]; outputs: string[]; attributes: Record<string, AttributeValue> }[];
  inputs: { name: string; dtype: OnnxDType; dims: (number | string)[] }[];
  outputs: { name: string; dtype: OnnxDType; dims: (number | string)[] }[];
  initializers: { name: string; dtype: OnnxDType; dims: number[]; values: number[] }[];
  metadata?: Record<string, string>;
}

const DIR = join(__dirname, '..', 'fixtures', 'onnx');
const NAMES = ['instancenorm', 'unbatched', 'cast'];
const load = (name: string) => ({ spec: JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Spec, bytes: new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))) });

describe.each(NAMES)('%s.onnx (written by onnx 1.12)', (name) => {
  const { spec, bytes } = load(name);

  test('encodeModel writes the bytes onnx wrote for the same parts', () => {
    const encoded = encodeModel({
      graphName: spec.graphName,
      docString: spec.docString,
      opset: spec.opset,
      nodes: spec.nodes.map((n) => node(n.opType, n.inputs, n.outputs, n.attributes, n.name)),
      inputs: spec.inputs.map((v) => valueInfo(v.name, v.dtype, v.dims)),
      outputs: spec.outputs.map((v) => valueInfo(v.name, v.dtype, v.dims)),
      initializers: spec.initializers.map((t) => initializer(t.name, Tensor.from(t.values, { dtype: t.dtype, shape: t.dims }))),
      metadata: spec.metadata,
    });
    expect(Buffer.from(encoded).toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
  });

  test('decodeModel reads back every field the model was built from', () => {
    const model = decodeModel(bytes);
    expect(model.producerName).toBe('instancenorm-shim');
    expect(model.opsetImport).toEqual([{ domain: '', version: spec.opset }]);
    expect(Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]))).toEqual(spec.metadata ?? {});
    const graph = model.graph!;
    expect(graph.name).toBe(spec.graphName);
    expect(graph.node.map((n) => [n.opType, n.name, n.input, n.output])).toEqual(spec.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs]));
    graph.node.forEach((n, i) => {
      const attributes = Object.fromEntries(
        n.attribute.map((a) => [a.name, a.type === 1 ? a.f : a.type === 2 ? { int: a.i } : a.type === 7 ? { ints: a.ints } : a.type === 6 ? a.floats : Buffer.from(a.s!).toString()]),
      );
      // onnx stores floats as float32: compare at that precision
      const expected = Object.fromEntries(Object.entries(spec.nodes[i].attributes).map(([k, v]) => [k, typeof v === 'number' ? Math.fround(v) : v]));
      expect(attributes).toEqual(expected);
    });
    expect(graph.input.map((v) => [v.name, v.type?.tensorType?.elemType, dimsOf(v)])).toEqual(spec.inputs.map((v) => [v.name, valueInfo(v.name, v.dtype, []).type!.tensorType!.elemType, v.dims]));
    expect(graph.output.map((v) => [v.name, dimsOf(v)])).toEqual(spec.outputs.map((v) => [v.name, v.dims]));
    expect(graph.initializer.map((t) => [t.name, t.dims, initializerValues(t)])).toEqual(spec.initializers.map((t) => [t.name, t.dims, t.values]));
  });
});
