/**
 * `toOnnx`: a facade layer, in its current mode, as an ONNX ModelProto. The layer's family says
 * what it computes (src/families: NormalizationPlan); the graph follows the plan:
 *
 * - Instance statistics, float32: `InstanceNormalization` (scale/B initializers: the layer's
 *   weight/bias or gamma/beta, ones/zeros where it has none).
 * - Instance statistics, float64: onnxruntime's CPU provider has no float64 InstanceNormalization
 *   ("Could not find an implementation"), so the graph spells it out: ReduceMean, Sub, Mul,
 *   ReduceMean, Add eps, Sqrt, Div, then the per-channel scale and bias.
 * - Batch statistics (BatchNorm training): the same decomposition over the batch and spatial axes
 *   (BatchNormalization's training mode is not in onnxruntime's inference builds).
 * - Fixed running statistics (eval): `BatchNormalization` in inference mode, which is exactly
 *   (x - running_mean) / sqrt(running_var + eps) * weight + bias per channel.
 * - float16 (MindSpore): Cast to float32, the float32 graph, Cast back, because the facade (like
 *   MindSpore's kernels) computes half input in float32 with float32 gamma/beta.
 * - Unbatched input (torch InstanceNorm): Unsqueeze(axis 0) before and Squeeze(axis 0) after.
 */
import { ValueError } from '../core/errors';
import { pyRepr } from '../core/python';
import { Tensor } from '../core/tensor';
import { planLayer, type ExportDType, type LayerPlan } from './layer';
import { DataType, encodeModel, initializer, node, SUPPORTED_OPSETS, valueInfo, type AttributeValue, type NodeProto, type TensorProto } from './proto';

/** Opsets this exporter writes: 9 (BatchNormalization without `spatial`) to 23 (the newest onnxruntime-node 1.30 runs). */
export const MIN_OPSET = Math.min(...SUPPORTED_OPSETS);
export const MAX_OPSET = Math.max(...SUPPORTED_OPSETS);
export const DEFAULT_OPSET = 17;

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';
/** metadata_props key holding the shape the model was exported for (verify draws inputs of it). */
export const SHAPE_METADATA = 'instancenorm_shim.input_shape';

export interface ExportOptions {
  /** The input's shape, as the module's forward/construct takes it (unbatched allowed for torch). */
  inputShape: readonly number[];
  /** ONNX opset, MIN_OPSET..MAX_OPSET; DEFAULT_OPSET when absent. */
  opset?: number;
  /**
   * Axes whose size may change: `true` names the batch axis `batch` and the spatial axes
   * (`length`; `height`, `width`; `depth`, `height`, `width`); an object maps input axis -> name,
   * like PyTorch's `dynamic_axes`. The channel axis stays fixed (the initializers have C entries).
   */
  dynamicAxes?: boolean | Readonly<Record<number, string>>;
  /** The input dtype; the module's own dtype (torch) or float32 when absent. */
  dtype?: ExportDType;
}

const SPATIAL_NAMES: Record<number, string[]> = { 1: ['length'], 2: ['height', 'width'], 3: ['depth', 'height', 'width'] };

/** An opset this exporter writes (DEFAULT_OPSET for undefined); `what` names the argument in the error. */
export function checkOpset(opset: unknown, what = "argument 'opset'"): number {
  if (opset === undefined) return DEFAULT_OPSET;
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ValueError(`${what} must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${pyRepr(opset)}`);
  }
  return opset;
}

/** The graph input's dims: numbers, with the dynamic axes replaced by their names. */
function graphDims(plan: LayerPlan, shape: readonly number[], dynamicAxes: ExportOptions['dynamicAxes']): (number | string)[] {
  const dims: (number | string)[] = [...shape];
  const channelAxis = plan.unbatched ? 0 : 1;
  if (dynamicAxes === undefined || dynamicAxes === false) return dims;
  if (dynamicAxes === true) {
    if (!plan.unbatched) dims[0] = 'batch';
    SPATIAL_NAMES[plan.spatialDims].forEach((name, i) => (dims[channelAxis + 1 + i] = name));
    return dims;
  }
  if (typeof dynamicAxes !== 'object' || dynamicAxes === null || Array.isArray(dynamicAxes)) {
    throw new ValueError(`argument 'dynamicAxes' must be true, false or an object mapping axis -> name, got ${pyRepr(dynamicAxes)}`);
  }
  for (const [key, name] of Object.entries(dynamicAxes)) {
    const axis = Number(key);
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new ValueError(`argument 'dynamicAxes' has axis ${pyRepr(key)}; axes of a ${shape.length}-D input are 0 to ${shape.length - 1}`);
    }
    if (axis === channelAxis) {
      throw new ValueError(`argument 'dynamicAxes' names the channel axis ${axis}; it must stay ${shape[axis]} (num_features)`);
    }
    if (typeof name !== 'string' || name === '') {
      throw new ValueError(`argument 'dynamicAxes' must name axis ${axis} with a non-empty string, got ${pyRepr(name)}`);
    }
    dims[axis] = name;
  }
  return dims;
}

/** Builds nodes and initializers; names are unique per graph, counters keep them readable. */
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  constructor(readonly opset: number) {}

  add(opType: string, inputs: string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    this.nodes.push(node(opType, inputs, [output], attributes));
    return output;
  }

  /** The last node writes the graph output directly (no Identity node). */
  renameOutput(from: string, to: string): void {
    const last = this.nodes[this.nodes.length - 1];
    if (last.output?.[0] !== from) throw new Error(`GraphBuilder: ${from} is not the last node's output`);
    last.output = [to];
  }

  constant(name: string, tensor: Tensor): string {
    this.initializers.push(initializer(name, tensor));
    return name;
  }

  /** Unsqueeze/Squeeze/ReduceMean take `axes` as an input from opsets 13/13/18, as an attribute before. */
  withAxes(opType: string, input: string, output: string, axes: number[], inputSince: number, attributes: Record<string, AttributeValue> = {}): string {
    if (this.opset >= inputSince) {
      const axesName = this.constant(`${output}_axes`, Tensor.from(axes, { dtype: 'int64' }));
      return this.add(opType, [input, axesName], output, attributes);
    }
    return this.add(opType, [input], output, { ...attributes, axes: { ints: axes } });
  }
}

const CAST_TO = { float32: DataType.FLOAT, float16: DataType.FLOAT16 };

function normalize(g: GraphBuilder, plan: LayerPlan, x: string, rank: number): string {
  const scale = g.constant(plan.scale.name, plan.scale.tensor);
  const bias = g.constant(plan.bias.name, plan.bias.tensor);
  const spatialAxes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  switch (plan.statistics) {
    case 'running': {
      const mean = g.constant(plan.runningMean.name, plan.runningMean.tensor);
      const variance = g.constant(plan.runningVar.name, plan.runningVar.tensor);
      return g.add('BatchNormalization', [x, scale, bias, mean, variance], 'normalized', { epsilon: plan.eps });
    }
    case 'instance':
      if (plan.dtype !== 'float64') return g.add('InstanceNormalization', [x, scale, bias], 'normalized', { epsilon: plan.eps });
      return decomposed(g, plan, x, spatialAxes, spatialAxes, scale, bias);
    case 'batch':
      return decomposed(g, plan, x, [0, ...spatialAxes], spatialAxes, scale, bias);
  }
}

/**
 * Normalization from primitives over `axes`: for float64 instance statistics (onnxruntime's CPU
 * provider has no float64 InstanceNormalization kernel) and for batch statistics in any dtype
 * (BatchNormalization's training mode is not in onnxruntime's inference builds).
 */
function decomposed(g: GraphBuilder, plan: LayerPlan, x: string, axes: number[], spatialAxes: number[], scale: string, bias: string): string {
  const mean = g.withAxes('ReduceMean', x, 'mean', axes, 18, { keepdims: { int: 1 } });
  const centered = g.add('Sub', [x, mean], 'centered');
  const squared = g.add('Mul', [centered, centered], 'squared');
  const variance = g.withAxes('ReduceMean', squared, 'variance', axes, 18, { keepdims: { int: 1 } });
  const eps = g.constant('epsilon', Tensor.from([plan.eps], { dtype: plan.scale.tensor.dtype, shape: [] }));
  const std = g.add('Sqrt', [g.add('Add', [variance, eps], 'variance_eps')], 'std');
  const normalized = g.add('Div', [centered, std], 'standardized');
  // scale and bias stay [C] initializers (same names and shapes as the other graphs) and are
  // reshaped to [C, 1, ...] so they broadcast over the spatial axes.
  const channelShape = g.constant('channel_shape', Tensor.from([-1, ...spatialAxes.map(() => 1)], { dtype: 'int64' }));
  const scaleC = g.add('Reshape', [scale, channelShape], 'scale_per_channel');
  const biasC = g.add('Reshape', [bias, channelShape], 'bias_per_channel');
  return g.add('Add', [g.add('Mul', [normalized, scaleC], 'scaled'), biasC], 'normalized');
}

function docString(plan: LayerPlan): string {
  return [`${plan.framework} ${plan.className}(num_features=${plan.scale.tensor.size}, eps=${plan.eps}) exported by instancenorm-shim.`, ...plan.notes].join(' ');
}

/** The ModelProto bytes for `module` in its current mode (see the file comment for the graph). */
export function toOnnx(module: unknown, options: ExportOptions): Uint8Array {
  if (typeof options !== 'object' || options === null) throw new ValueError(`argument 'options' must be an object with inputShape, got ${pyRepr(options)}`);
  const opset = checkOpset(options.opset);
  const plan = planLayer(module, options.inputShape, options.dtype);
  const dims = graphDims(plan, options.inputShape, options.dynamicAxes);
  const g = new GraphBuilder(opset);
  let x = INPUT_NAME;
  if (plan.dtype === 'float16') x = g.add('Cast', [x], 'input_float32', { to: { int: CAST_TO.float32 } });
  if (plan.unbatched) x = g.withAxes('Unsqueeze', x, 'batched', [0], 13);
  let y = normalize(g, plan, x, plan.spatialDims + 2);
  if (plan.unbatched) y = g.withAxes('Squeeze', y, 'unbatched', [0], 13);
  if (plan.dtype === 'float16') y = g.add('Cast', [y], 'output_float16', { to: { int: CAST_TO.float16 } });
  g.renameOutput(y, OUTPUT_NAME);
  return encodeModel({
    graphName: `${plan.framework}_${plan.className}`,
    opset,
    nodes: g.nodes,
    inputs: [valueInfo(INPUT_NAME, plan.dtype, dims)],
    outputs: [valueInfo(OUTPUT_NAME, plan.dtype, dims)],
    initializers: g.initializers,
    docString: docString(plan),
    metadata: { [SHAPE_METADATA]: options.inputShape.join(',') },
  });
}
