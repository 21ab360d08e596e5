/** What a model toOnnx wrote holds, read back from its bytes: for `export`'s report and for `verifyOnnx`. */
import { ValueError } from '../core/errors';
import { INPUT_NAME, SHAPE_METADATA } from './export';
import type { ExportDType } from './layer';
import { DataType, decodeModel, type ModelProto, type ValueInfoProto } from './proto';

export interface ValueSummary {
  name: string;
  dtype: ExportDType;
  /** Fixed sizes as numbers, dynamic axes as their names. */
  dims: (number | string)[];
}

export interface ModelSummary {
  opset: number;
  input: ValueSummary;
  output: ValueSummary;
  initializers: { name: string; dims: number[] }[];
  /** The op types, in graph order. */
  nodes: string[];
  /** The shape it was exported for, when the model records it. */
  exportShape?: number[];
}

const DTYPE_OF: Partial<Record<number, ExportDType>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.FLOAT16]: 'float16',
};

function valueSummary(v: ValueInfoProto | undefined, what: string): ValueSummary {
  const tensorType = v?.type?.tensorType;
  const dtype = DTYPE_OF[tensorType?.elemType ?? -1];
  if (!v || !tensorType || !dtype) throw new ValueError(`argument 'bytes' is not a model toOnnx wrote: no float ${what}`);
  return { name: String(v.name), dtype, dims: (tensorType.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))) };
}

export function summarizeModel(bytes: Uint8Array): ModelSummary {
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new ValueError(`argument 'bytes' is not an ONNX ModelProto: ${(err as Error).message}`);
  }
  const graph = model.graph;
  const recorded = model.metadataProps?.find((p) => p.key === SHAPE_METADATA)?.value;
  return {
    opset: Number(model.opsetImport?.find((o) => !o.domain)?.version ?? 0),
    input: valueSummary(graph?.input?.find((i) => i.name === INPUT_NAME), `input named '${INPUT_NAME}'`),
    output: valueSummary(graph?.output?.[0], 'output'),
    initializers: (graph?.initializer ?? []).map((t) => ({ name: String(t.name), dims: (t.dims ?? []).map(Number) })),
    nodes: (graph?.node ?? []).map((n) => String(n.opType)),
    ...(recorded ? { exportShape: recorded.split(',').map(Number) } : {}),
  };
}
