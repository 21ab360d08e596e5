/**
 * `export`: builds a facade layer from a JSON config (and optional weights), writes it as an ONNX
 * model, and with --verify runs the model in onnxruntime-node against the facade. The file is
 * written only when everything succeeded (and verify, if asked, passed), atomically, so a failed
 * run leaves an existing file as it was.
 */
import { PyTypeError, ValueError } from '../../core/errors';
import { pyRepr } from '../../core/python';
import type { Tensor, NestedNumbers } from '../../core/tensor';
import { writeFileAtomic } from '../../io/atomic-write';
import { construct, isLayerName, setTraining, LAYER_NAMES, type FacadeLayer, type Framework } from '../../families';
import { loadLayerWeights, type LayerWeights } from '../../families/weights';
import { decodeStateDict, formatOfPath } from '../../io/formats';
import { checkOpset, DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, toOnnx } from '../../onnx/export';
import { planLayer, type ExportDType } from '../../onnx/layer';
import { onnxruntime } from '../../onnx/runtime';
import { summarizeModel, type ModelSummary } from '../../onnx/summary';
import { verifyOnnx, type VerifyReport } from '../../onnx/verify';
import { frameworkOption } from '../options';
import { json, sci, table, type Io } from '../output';
import { readWithProgress } from '../progress';
import type { Command, ParsedArgs } from './types';

function parseShape(text: unknown): number[] {
  const parts = typeof text === 'string' ? text.split(',').map((p) => p.trim()) : [];
  const shape = parts.map(Number);
  if (parts.length === 0 || !shape.every((d, i) => parts[i] !== '' && Number.isInteger(d) && d >= 1)) {
    throw new ValueError(`--shape must be positive integers separated by commas (like 1,2,4), got ${pyRepr(text)}`);
  }
  return shape;
}

function parseConfig(text: unknown): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(String(text));
  } catch (err) {
    throw new ValueError(`--config must be a JSON object of constructor arguments, like '{"num_features": 2}': ${(err as Error).message}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ValueError(`--config must be a JSON object of constructor arguments, got ${pyRepr(text)}`);
  }
  return config as Record<string, unknown>;
}

/** The layer class --layer names (required: a rank fits the classes of several families). */
function layerOption(requested: unknown): string {
  if (requested === undefined) throw new ValueError(`--layer is required: the layer class, one of ${LAYER_NAMES.join(', ')}`);
  if (!isLayerName(requested)) throw new ValueError(`--layer must be one of ${LAYER_NAMES.join(', ')}, got ${pyRepr(requested)}`);
  return requested;
}

/** The --weights file, with a progress bar when it is large; an error names the option and the file. */
async function readFile(file: string): Promise<Uint8Array> {
  try {
    return await readWithProgress(file);
  } catch (err) {
    const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
    throw new ValueError(`--weights ${file}: cannot read it (${cause?.code ?? (err as Error).message})`);
  }
}

/**
 * A checkpoint by its extension (safetensors, torch .pt/.pth/.bin, MindSpore .ckpt, JSON) through
 * the format readers. JSON whose values are all plain nested lists is read here instead, so the
 * numbers convert straight to the module's dtype (the JSON reader would make them float32 first).
 */
async function readWeights(file: string): Promise<Weights> {
  const bytes = await readFile(file);
  const format = formatOfPath(file);
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      parsed = undefined; // the JSON reader reports it, naming the file
    }
    const plain = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    if (plain && Object.values(parsed as object).every((v) => Array.isArray(v) || typeof v === 'number')) return parsed as Weights;
  }
  return Object.fromEntries(decodeStateDict(bytes, format, file));
}

/** The entries under `prefix.` with the prefix removed (a layer's weights inside a model checkpoint). */
function selectPrefix(weights: Weights, prefix: string | undefined, file: string): Weights {
  if (prefix === undefined) return weights;
  const head = prefix.endsWith('.') ? prefix : `${prefix}.`;
  const selected = Object.entries(weights).filter(([k]) => k.startsWith(head));
  if (selected.length === 0) {
    throw new ValueError(`--prefix ${prefix}: no key of --weights ${file} starts with '${head}' (keys: ${Object.keys(weights).slice(0, 8).join(', ')}${Object.keys(weights).length > 8 ? ', ...' : ''})`);
  }
  return Object.fromEntries(selected.map(([k, v]) => [k.slice(head.length), v]));
}

type Weights = LayerWeights;

const PREFIX_HINT = '; for one layer of a model checkpoint give --prefix (like enc.norm1), and convert checkpoints of the other framework first (instancenorm-shim convert)';

/** Loads the weights into the layer, naming the file in any error; returns the names loaded. */
function loadWeights(layer: FacadeLayer, weights: Weights, file: string): string[] {
  try {
    return loadLayerWeights(layer, weights);
  } catch (err) {
    const message = (err as Error).message;
    (err as Error).message = `--weights ${file}: ${message}${/not in the module's state_dict|not a parameter of the cell/.test(message) ? PREFIX_HINT : ''}`;
    throw err;
  }
}

function opsetOption(text: unknown): number | undefined {
  if (text === undefined) return undefined;
  return checkOpset(/^\d+$/.test(String(text)) ? Number(text) : text, '--opset');
}

function numberOption(name: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (String(text).trim() === '' || !Number.isFinite(value) || value < 0) throw new ValueError(`--${name} must be a non-negative number, got ${pyRepr(text)}`);
  return value;
}

interface ExportRequest {
  framework: Framework;
  layer: string;
  out: string;
  shape: number[];
  dtype?: ExportDType;
  opset?: number;
  tolerance?: number;
  seed?: number;
}

/** The options that say what to write: which framework, where, the input shape and the graph's settings. */
function exportRequest(values: ParsedArgs['values']): ExportRequest {
  const framework = frameworkOption(values.framework, '--framework');
  const layer = layerOption(values.layer);
  if (typeof values.out !== 'string' || values.out === '') throw new ValueError('--out FILE is required: where to write the model');
  if (values.shape === undefined) throw new ValueError('--shape is required: the input shape, like 1,2,4');
  const shape = parseShape(values.shape);
  const dtype = values.dtype as ExportDType | undefined;
  if (dtype !== undefined && !['float32', 'float64', 'float16'].includes(dtype)) {
    throw new PyTypeError(`--dtype must be float32, float64 or float16, got ${pyRepr(dtype)}`);
  }
  const opset = opsetOption(values.opset);
  return { framework, layer, out: values.out, shape, dtype, opset, tolerance: numberOption('tolerance', values.tolerance), seed: numberOption('seed', values.seed) };
}

/** The facade layer the options describe: its class, config, weights and mode. */
async function layerFromArgs(values: ParsedArgs['values'], { framework, layer }: ExportRequest): Promise<{ module: FacadeLayer; loaded: string[] }> {
  const config = parseConfig(values.config);
  // The constructor checks the user's JSON as Python checks keyword arguments.
  const module = construct(framework, layer, config);
  if (values.prefix !== undefined && values.weights === undefined) throw new ValueError('--prefix only applies with --weights');
  const file = values.weights;
  const loaded = typeof file === 'string' ? loadWeights(module, selectPrefix(await readWeights(file), values.prefix as string | undefined, file), file) : [];
  if (values.eval) setTraining(module, false);
  return { module, loaded };
}

function modelText(model: ModelSummary): string {
  const dims = (d: (number | string)[]) => `[${d.join(', ')}]`;
  return [
    `graph: opset ${model.opset}, ${model.nodes.join(' -> ')}`,
    `input '${model.input.name}' ${model.input.dtype} ${dims(model.input.dims)}, output '${model.output.name}' ${model.output.dtype} ${dims(model.output.dims)}`,
    `initializers: ${model.initializers.map((t) => `${t.name} ${dims(t.dims)}`).join(', ')}`,
  ].join('\n');
}

function verifyText(report: VerifyReport): string {
  const rows = report.runs.map((r) => [r.source, `[${r.shape.join(', ')}]`, sci(r.maxAbsDiff)]);
  return [
    `verify (onnxruntime-node ${report.onnxruntime} vs the facade):`,
    table(['input', 'shape', 'max |difference|'], rows),
    `${report.ok ? 'OK' : 'FAILED'}: max |difference| ${sci(report.maxAbsDiff)} ${report.ok ? '<=' : '>'} tolerance ${sci(report.tolerance)}`,
  ].join('\n');
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a torch or mindspore facade layer as an ONNX model, optionally verified in onnxruntime-node',
  usage:
    `export --framework torch|mindspore --layer ${LAYER_NAMES.join('|')} --config '{"num_features": 2}' --shape 1,2,4 --out model.onnx ` +
    `[--weights FILE (.safetensors, .pt/.pth/.bin, .ckpt, .json) [--prefix enc.norm1]] [--eval] [--opset N (${MIN_OPSET}-${MAX_OPSET}, default ${DEFAULT_OPSET})] [--dynamic] [--dtype float32|float64|float16] ` +
    '[--verify] [--tolerance T] [--seed N] [--json]',
  options: {
    framework: { type: 'string', help: 'which facade builds the layer: torch or mindspore' },
    config: { type: 'string', default: '{}', help: `the constructor's keyword arguments as JSON, e.g. '{"num_features": 2, "affine": true}'` },
    layer: { type: 'string', help: `the layer class: ${LAYER_NAMES.join(', ')}` },
    weights: { type: 'string', help: 'load weights first: .safetensors, .pt/.pth/.bin, .ckpt or JSON' },
    prefix: { type: 'string', help: 'with --weights: take the layer under this prefix of a model checkpoint (e.g. enc.norm1)' },
    shape: { type: 'string', help: 'the input shape the model is exported for, e.g. 1,2,4' },
    out: { type: 'string', help: 'the .onnx file to write (atomically, only on success)' },
    eval: { type: 'boolean', default: false, help: "export the layer in eval mode (torch eval(), MindSpore set_train(False)): running statistics where the layer uses them then" },
    opset: { type: 'string', help: `ONNX opset version, ${MIN_OPSET} to ${MAX_OPSET} (default ${DEFAULT_OPSET})` },
    dynamic: { type: 'boolean', default: false, help: 'make the batch and spatial axes dynamic' },
    dtype: { type: 'string', help: "float32, float64 or float16 (default: the layer's own)" },
    verify: { type: 'boolean', default: false, help: 'run the model in onnxruntime-node and compare with the facade; exit 1 above the tolerance' },
    tolerance: { type: 'string', help: 'with --verify: the largest |difference| allowed' },
    seed: { type: 'string', help: 'with --verify: the seed of the random inputs' },
    json: { type: 'boolean', default: false, help: 'print the model summary and the verify report as JSON' },
  },
  async run({ values }, io: Io) {
    if (values.verify) onnxruntime('export --verify');
    const request = exportRequest(values);
    const { module, loaded } = await layerFromArgs(values, request);
    const training = module.training;
    const bytes = toOnnx(module, { inputShape: request.shape, opset: request.opset, dynamicAxes: Boolean(values.dynamic), dtype: request.dtype });
    const report = values.verify ? await verifyOnnx(module, bytes, { seed: request.seed, tolerance: request.tolerance }) : undefined;
    const ok = report ? report.ok : true;
    if (ok) writeFileAtomic(request.out, bytes);
    const model = summarizeModel(bytes);
    if (values.json) {
      io.out(json({ framework: request.framework, layer: request.layer, module: String(module), training, weights: loaded, out: request.out, written: ok, bytes: bytes.length, model, verify: report ?? null, ok }));
      return ok ? 0 : 1;
    }
    const mode = request.framework === 'torch' ? (training ? 'training' : 'eval') : `set_train(${pyRepr(training)})`;
    const statistics = planLayer(module, request.shape, request.dtype).statistics;
    io.out(`${request.framework} ${module} (${mode}: ${statistics} statistics)${loaded.length ? `, weights: ${loaded.join(', ')}` : ''}`);
    io.out(modelText(model));
    if (report) io.out(verifyText(report));
    io.out(ok ? `wrote ${request.out} (${bytes.length} bytes)` : `${request.out} not written: the model does not match the facade`);
    return ok ? 0 : 1;
  },
};
