/**
 * `convert <in> <out>`: a checkpoint from one framework's names to the other's, between any of the
 * formats (safetensors, torch.save .pt/.pth, MindSpore .ckpt, JSON). The InstanceNorm layers come
 * from the model's Python source (`--source`) and/or are named (`--layer PREFIX`, patterns with
 * `*` allowed), never guessed from key names; `layersFromArgs` is the one place that combines the
 * two. A conversion that would not be right for the declared model exits 2 and writes nothing,
 * unless `--force`.
 */
import { ValueError } from '../../core/errors';
import { checkFormat, decodeStateDict, encodeStateDictChunks, formatOfPath, type FormatName } from '../../io/formats';
import { writeChunksAtomic } from '../../io/atomic-write';
import { convertStateDict, formatReport, listed, type Framework, type LayerSpec } from '../../porting/convert';
import { frameworkOption } from '../options';
import { json, type Io } from '../output';
import { layersFromSource, type SourceLayers } from '../../porting/python/layer-specs';
import { progress, readWithProgress } from '../progress';
import type { Command, ParsedArgs } from './types';

/** The framework whose names a format's files carry, when --to is not given. */
const NATIVE: Record<FormatName, Framework | undefined> = { torch: 'torch', mindspore: 'mindspore', safetensors: undefined, json: undefined };

/**
 * `--layer PREFIX[:NUM_FEATURES][:affine][:track]`, e.g. `enc.norm1`, `enc.norm1:64`,
 * `norm:64:affine:track`, `blocks.*.norm:affine`; `.` alone is a model that is the layer itself
 * (top-level names).
 */
function parseLayer(text: string): LayerSpec {
  const [rawPrefix, ...rest] = text.split(':');
  const layer: LayerSpec = { prefix: rawPrefix === '.' ? '' : rawPrefix, origin: '--layer' };
  for (const part of rest) {
    if (/^\d+$/.test(part) && Number(part) > 0) layer.num_features = Number(part);
    else if (part === 'affine' || part === 'noaffine') layer.affine = part === 'affine';
    else if (part === 'track' || part === 'notrack') layer.track_running_stats = part === 'track';
    else throw new ValueError(`--layer ${text}: unknown part '${part}'; expected PREFIX[:NUM_FEATURES][:affine|noaffine][:track|notrack]`);
  }
  return layer;
}

function layersFromArgs(values: ParsedArgs['values'], found?: SourceLayers): LayerSpec[] {
  const explicit = ((values.layer as string[] | undefined) ?? []).map(parseLayer);
  // An explicit --layer overrides the model source's entry for the same prefix.
  const layers = [...(found?.specs ?? []).filter((s) => !explicit.some((e) => e.prefix === s.prefix)), ...explicit];
  if (!layers.length) {
    const model = found?.model ? `${found.model} in ` : '';
    const may = found?.maybeSpecs.length ? ` (it may have ${found.maybeSpecs.map((s) => `${s.prefix} (${s.origin})`).join(', ')}, built on branches the source does not decide)` : '';
    const elsewhere = found?.unplaced.length ? `; its InstanceNorm constructions at line ${found.unplaced.map((u) => u.line).join(', ')} are not layers of that model as the source shows it (another class? --model names the class or a call that builds it)` : '';
    const none = found ? `the model ${model}${found.path} has no InstanceNorm layers${may}${elsewhere}; ` : '';
    throw new ValueError(`${none}name the InstanceNorm layers with --source model.py or --layer PREFIX (one per layer, or a pattern like blocks.*.norm; "." for a top-level layer); layers are never guessed`);
  }
  return layers;
}

/** Which layers the model source gave (patterns say so), the ones it may have, and the InstanceNorm calls it could not place. */
function sourceSummary(found: SourceLayers, verbose: boolean): string {
  const model = found.model === null ? '(no model class)' : /^\w+$/.test(found.model) ? `${found.model} (built with its defaults)` : found.model;
  const lines = [`InstanceNorm layers of ${model} in ${found.path}: ${listed(found.specs.map((s) => s.prefix), verbose) || 'none'}`];
  for (const s of found.specs.filter((x) => x.prefix.includes('*'))) {
    lines.push(`  pattern ${s.prefix} (${s.origin}): the source does not pin these keys (a loop over a count it does not show, or a computed name); every layer of the checkpoint that matches is converted`);
  }
  for (const s of found.maybeSpecs) {
    lines.push(`  maybe: ${s.prefix} (${s.origin}) is built on a branch the source does not decide: not converted; name it with --layer if the model has it`);
  }
  for (const u of found.unplaced) lines.push(`  note: line ${u.line}: ${u.text} is not a layer of the model as the source shows it (a helper nothing calls, another class, a plain list); name it with --layer if it is one`);
  return lines.join('\n');
}

export const convert: Command = {
  name: 'convert',
  summary: 'convert InstanceNorm weights between PyTorch and MindSpore names and between .pt/.safetensors/.ckpt/.json',
  usage: "convert <in> <out> (--source model.py [--model Class|\"build(...)\"] | --layer PREFIX ...) [--to torch|mindspore] [--from-format F] [--to-format F] [--entry KEY] [--force] [--verbose] [--json]",
  options: {
    to: { type: 'string', help: 'target names: torch or mindspore (follows from a .pt or .ckpt output; say it for .safetensors/.json)' },
    layer: {
      type: 'string',
      multiple: true,
      help: "an InstanceNorm layer's prefix, PREFIX[:NUM_FEATURES][:affine|noaffine][:track|notrack] ('.' for a top-level layer; '*' in a pattern such as blocks.*.norm matches any key segment); repeatable",
    },
    source: { type: 'string', help: 'the model source (.py) whose InstanceNorm layers name the prefixes, instead of --layer' },
    model: {
      type: 'string',
      help: "with --source: the class that is the whole model, built with its defaults, or a Python call that builds it (\"build_generator(norm='instance')\"); default: the class no other class uses",
    },
    force: { type: 'boolean', default: false, help: 'write the result despite problems (a layer that matches no key, tensors that contradict its options, layer keys no layer covers); they become warnings' },
    verbose: { type: 'boolean', default: false, help: 'list every layer and every key passed through (the report otherwise counts them and names a few)' },
    'from-format': { type: 'string', help: 'input format when the extension does not say: safetensors, torch, mindspore or json' },
    'to-format': { type: 'string', help: 'output format when the extension does not say: safetensors, torch, mindspore or json' },
    entry: { type: 'string', help: "the key of a torch checkpoint that holds the state_dict ({'state_dict': ...})" },
    json: { type: 'boolean', default: false, help: 'print the conversion report as JSON' },
  },
  async run({ values, positionals }, io: Io) {
    if (positionals.length !== 2) throw new ValueError(`convert needs <in> and <out>, got ${positionals.length} path(s)`);
    const [input, output] = positionals;
    const fromFormat = values['from-format'] ? checkFormat(values['from-format'] as string, '--from-format') : formatOfPath(input);
    const toFormat = values['to-format'] ? checkFormat(values['to-format'] as string, '--to-format') : formatOfPath(output);
    const to = frameworkOption(values.to ?? NATIVE[toFormat], '--to', `nothing: a ${toFormat} file can hold either's names, so say which`);
    if (values.model !== undefined && values.source === undefined) throw new ValueError('--model names a class of the --source model file; give --source too');
    const fromSource = values.source ? layersFromSource(values.source as string, values.model as string | undefined) : undefined;
    const layers = layersFromArgs(values, fromSource);
    const verbose = Boolean(values.verbose);
    const skipped: string[] = [];
    // the tensors are views of the file's bytes where they can be: the input is held once, not copied
    const source = decodeStateDict(await readWithProgress(input), fromFormat, input, { entry: values.entry as string | undefined, skipped });
    if (fromSource && !values.json) io.out(sourceSummary(fromSource, verbose));
    const { stateDict, report } = convertStateDict(source, { to, layers, watch: fromSource?.maybeSpecs, force: Boolean(values.force) });
    // encoded fully (as pieces over the tensors' memory) before the output is touched: a failure leaves an existing file as it was
    const chunks = encodeStateDictChunks(stateDict, toFormat);
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    const bar = progress('writing', bytes);
    await writeChunksAtomic(output, chunks, { onProgress: bar.update });
    bar.end();
    const sourceInfo = fromSource && { path: fromSource.path, model: fromSource.model, layers: fromSource.specs, maybe: fromSource.maybeSpecs, unplaced: fromSource.unplaced };
    if (values.json) io.out(json({ input, output, fromFormat, toFormat, tensors: stateDict.size, bytes, skipped, ...(sourceInfo ? { source: sourceInfo } : {}), report }));
    else {
      const note = skipped.length ? `\nleft out (not tensors): ${skipped.join(', ')}` : '';
      io.out(`${formatReport(report, { verbose })}${note}\nwrote ${output} (${toFormat}, ${stateDict.size} tensors)`);
    }
    return 0;
  },
};
