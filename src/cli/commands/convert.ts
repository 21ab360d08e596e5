/**
 * `convert <in> <out>`: a checkpoint from one framework's names to the other's, between any of the
 * formats (safetensors, torch.save .pt/.pth, MindSpore .ckpt, JSON). The InstanceNorm layers come
 * from the model's Python source (`--source`) and/or are named (`--layer PREFIX`), never guessed from
 * key names; `layersFromArgs` is the one place that combines the two.
 */
import { ValueError } from '../../core/errors';
import { checkFormat, decodeStateDict, encodeStateDict, formatOfPath, type FormatName } from '../../io/formats';
import { writeFileAtomic } from '../../io/atomic-write';
import { convertStateDict, formatReport, type Framework, type LayerSpec } from '../../porting/convert';
import { frameworkOption } from '../options';
import { json, type Io } from '../output';
import { layersFromSource, type SourceLayers } from '../../porting/python/layer-specs';
import { readWithProgress } from '../progress';
import type { Command, ParsedArgs } from './types';

/** The framework whose names a format's files carry, when --to is not given. */
const NATIVE: Record<FormatName, Framework | undefined> = { torch: 'torch', mindspore: 'mindspore', safetensors: undefined, json: undefined };

/**
 * `--layer PREFIX[:NUM_FEATURES][:affine][:track]`, e.g. `enc.norm1`, `enc.norm1:64`,
 * `norm:64:affine:track`; `.` alone is a model that is the layer itself (top-level names).
 */
function parseLayer(text: string): LayerSpec {
  const [rawPrefix, ...rest] = text.split(':');
  const layer: LayerSpec = { prefix: rawPrefix === '.' ? '' : rawPrefix };
  for (const part of rest) {
    if (/^\d+$/.test(part) && Number(part) > 0) layer.num_features = Number(part);
    else if (part === 'affine' || part === 'noaffine') layer.affine = part === 'affine';
    else if (part === 'track' || part === 'notrack') layer.track_running_stats = part === 'track';
    else throw new ValueError(`--layer ${text}: unknown part '${part}'; expected PREFIX[:NUM_FEATURES][:affine|noaffine][:track|notrack]`);
  }
  return layer;
}

function layersFromArgs(values: ParsedArgs['values'], fromSource: readonly LayerSpec[] = []): LayerSpec[] {
  const explicit = ((values.layer as string[] | undefined) ?? []).map(parseLayer);
  // An explicit --layer overrides the model source's entry for the same prefix.
  const layers = [...fromSource.filter((s) => !explicit.some((e) => e.prefix === s.prefix)), ...explicit];
  if (!layers.length) {
    const none = values.source ? `the model source ${values.source} has no InstanceNorm layers; ` : '';
    throw new ValueError(`${none}name the InstanceNorm layers with --source model.py or --layer PREFIX (one per layer; "." for a top-level layer); layers are never guessed`);
  }
  return layers;
}

/** Which layers the model source gave, and the InstanceNorm calls it could not place. */
function sourceSummary(found: SourceLayers): string {
  const lines = [`InstanceNorm layers of ${found.model ?? '(no model class)'} in ${found.path}: ${found.specs.map((s) => s.prefix).join(', ') || 'none'}`];
  for (const u of found.unplaced) lines.push(`  note: line ${u.line}: ${u.text} is not a layer of ${found.model ?? 'the model'} as written (built in a loop, helper or other class); name it with --layer if it is one`);
  return lines.join('\n');
}

export const convert: Command = {
  name: 'convert',
  summary: 'convert InstanceNorm weights between PyTorch and MindSpore names and between .pt/.safetensors/.ckpt/.json',
  usage: 'convert <in> <out> (--source model.py [--model Class] | --layer PREFIX ...) [--to torch|mindspore] [--from-format F] [--to-format F] [--entry KEY] [--json]',
  options: {
    to: { type: 'string', help: 'target names: torch or mindspore (follows from a .pt or .ckpt output; say it for .safetensors/.json)' },
    layer: { type: 'string', multiple: true, help: "an InstanceNorm layer's prefix, PREFIX[:NUM_FEATURES][:affine|noaffine][:track|notrack] ('.' for a top-level layer); repeatable" },
    source: { type: 'string', help: 'the model source (.py) whose InstanceNorm layers name the prefixes, instead of --layer' },
    model: { type: 'string', help: 'with --source: the class that is the whole model (default: the class no other class uses)' },
    'from-format': { type: 'string', help: 'input format when the extension does not say: safetensors, torch, mindspore or json' },
    'to-format': { type: 'string', help: 'output format when the extension does not say: safetensors, torch, mindspore or json' },
    entry: { type: 'string', help: "the key of a torch checkpoint that holds the state_dict ({'state_dict': ...})" },
    json: { type: 'boolean', default: false, help: 'print the conversion report as JSON' },
  },
  run({ values, positionals }, io: Io) {
    if (positionals.length !== 2) throw new ValueError(`convert needs <in> and <out>, got ${positionals.length} path(s)`);
    const [input, output] = positionals;
    const fromFormat = values['from-format'] ? checkFormat(values['from-format'] as string, '--from-format') : formatOfPath(input);
    const toFormat = values['to-format'] ? checkFormat(values['to-format'] as string, '--to-format') : formatOfPath(output);
    const to = frameworkOption(values.to ?? NATIVE[toFormat], '--to', `nothing: a ${toFormat} file can hold either's names, so say which`);
    if (values.model !== undefined && values.source === undefined) throw new ValueError('--model names a class of the --source model file; give --source too');
    const fromSource = values.source ? layersFromSource(values.source as string, values.model as string | undefined) : undefined;
    const layers = layersFromArgs(values, fromSource?.specs);
    const bytes = readWithProgress(input);
    const skipped: string[] = [];
    const source = decodeStateDict(bytes, fromFormat, input, { entry: values.entry as string | undefined, skipped });
    const { stateDict, report } = convertStateDict(source, { to, layers });
    // encode fully before touching the output: a failure leaves an existing file as it was
    const encoded = encodeStateDict(stateDict, toFormat);
    writeFileAtomic(output, encoded);
    const sourceInfo = fromSource && { path: fromSource.path, model: fromSource.model, layers: fromSource.specs, unplaced: fromSource.unplaced };
    if (values.json) io.out(json({ input, output, fromFormat, toFormat, tensors: stateDict.size, bytes: encoded.length, skipped, ...(sourceInfo ? { source: sourceInfo } : {}), report }));
    else {
      if (fromSource) io.out(sourceSummary(fromSource));
      const note = skipped.length ? `\nleft out (not tensors): ${skipped.join(', ')}` : '';
      io.out(`${formatReport(report)}${note}\nwrote ${output} (${toFormat}, ${stateDict.size} tensors)`);
    }
    return 0;
  },
};
