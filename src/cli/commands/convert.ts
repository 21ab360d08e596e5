/**
 * `convert <in> <out>`: a checkpoint from one framework's names to the other's, between any of the
 * formats (safetensors, torch.save .pt/.pth, MindSpore .ckpt, JSON). The layers of the registered
 * classes come from the model's Python source (`--source`) and/or are named (`--layer PREFIX`,
 * patterns with `*` allowed), never guessed from key names; `layersFromArgs` is the one place that
 * combines the two. A conversion that would not be right for the declared model exits 2 and writes
 * nothing, unless `--force`.
 */
import { ValueError } from '../../core/errors';
import { FAMILIES, LAYER_NAMES, isLayerName, layerFamily } from '../../families';
import { checkFormat, decodeStateDict, encodeStateDictChunks, formatOfPath, type FormatName } from '../../io/formats';
import { writeChunksAtomic } from '../../io/atomic-write';
import { convertStateDict, formatReport, listed, type Framework, type LayerSpec } from '../../porting/convert';
import { classKind, familyWords, withArticle } from '../../porting/kinds';
import { layersFromSource, type SourceLayers } from '../../porting/python/layer-specs';
import { frameworkOption } from '../options';
import { json, type Io } from '../output';
import { progress, readWithProgress } from '../progress';
import type { Command, ParsedArgs } from './types';

/** The framework whose names a format's files carry, when --to is not given. */
const NATIVE: Record<FormatName, Framework | undefined> = { torch: 'torch', mindspore: 'mindspore', safetensors: undefined, json: undefined };

/**
 * The word `--layer` shows for each option of the given classes (the options that make their
 * tensors exist): its first word (`track` for track_running_stats), or its whole name where two
 * options share a first word. The whole name is taken too; `no<word>` turns an option off.
 */
function optionWords(apis: readonly string[]): Map<string, string> {
  const options = [...new Set(apis.flatMap((api) => classKind(api).options.map((o) => o.name)))];
  const first = (option: string) => option.split('_')[0];
  return new Map(options.map((o) => [options.filter((p) => first(p) === first(o)).length > 1 ? o : first(o), o]));
}

/** The option a `--layer` word names (a shown word or a whole option name), or undefined. */
function optionNamed(word: string, apis: readonly string[]): string | undefined {
  const words = optionWords(apis);
  return words.get(word) ?? [...words.values()].find((o) => o === word);
}

/** `PREFIX[:NUM_FEATURES][:affine|noaffine][:track|notrack]` for the given classes. */
function grammar(apis: readonly string[]): string {
  return `PREFIX[:NUM_FEATURES]${[...optionWords(apis).keys()].map((w) => `[:${w}|no${w}]`).join('')}`;
}

/**
 * `--layer PREFIX[:NUM_FEATURES][:affine][:track][:CLASS]`, e.g. `enc.norm1:InstanceNorm1d`,
 * `norm:64:affine:track:InstanceNorm2d`, `blocks.*.norm:affine:InstanceNorm`, `bn1:BatchNorm2d`;
 * `.` alone is a model that is the layer itself (top-level names). A part may name the layer's
 * class or family: the conversion needs one (tensor names do not say the class) unless the
 * --source gives the layer. The option words are those of its class, or of every registered class.
 */
function parseLayer(text: string): LayerSpec {
  const [rawPrefix, ...rest] = text.split(':');
  const layer: LayerSpec = { prefix: rawPrefix === '.' ? '' : rawPrefix, origin: '--layer' };
  const words: string[] = [];
  for (const part of rest) {
    if (/^\d+$/.test(part) && Number(part) > 0) layer.num_features = Number(part);
    else if (isLayerName(part)) layer.api = part;
    else if (FAMILIES.some((f) => f.name === part)) layer.family = part;
    else words.push(part);
  }
  const apis = layer.api ? [layer.api] : layer.family ? layerFamily(layer.family).classes.map((c) => c.api) : LAYER_NAMES;
  const options: Record<string, boolean> = {};
  for (const word of words) {
    const on = optionNamed(word, apis);
    const off = word.startsWith('no') ? optionNamed(word.slice(2), apis) : undefined;
    if (on === undefined && off === undefined) {
      const names = FAMILIES.map((f) => [f.name, ...f.classes.map((c) => c.api)].join(', ')).join('; ');
      throw new ValueError(`--layer ${text}: unknown part '${word}'; expected ${grammar(apis)}, and optionally the layer's class or family (${names})`);
    }
    options[(on ?? off)!] = on !== undefined;
  }
  if (Object.keys(options).length > 0) layer.options = options;
  return layer;
}

function layersFromArgs(values: ParsedArgs['values'], found?: SourceLayers): LayerSpec[] {
  const sourced = found?.specs ?? [];
  // An explicit --layer overrides the model source's entry for the same prefix, or settles a layer the source may have
  // (built on a branch it does not decide), keeping the class the source gives unless it names one.
  const known = new Map([...(found?.maybeSpecs ?? []), ...sourced].map((s) => [s.prefix, s]));
  const explicit = ((values.layer as string[] | undefined) ?? []).map(parseLayer).map((e): LayerSpec => {
    const source = known.get(e.prefix);
    if (!source || e.api !== undefined || e.family !== undefined) return e;
    return { ...e, ...(source.api ? { api: source.api } : {}), ...(source.family ? { family: source.family } : {}) };
  });
  const layers = [...sourced.filter((s) => !explicit.some((e) => e.prefix === s.prefix)), ...explicit];
  if (!layers.length) {
    const model = found?.model ? `${found.model} in ` : '';
    const may = found?.maybeSpecs.length ? ` (it may have ${found.maybeSpecs.map((s) => `${s.prefix} (${s.origin})`).join(', ')}, built on branches the source does not decide)` : '';
    const elsewhere = found?.unplaced.length ? `; its ${familyWords()} constructions at line ${found.unplaced.map((u) => u.line).join(', ')} are not layers of that model as the source shows it (another class? --model names the class or a call that builds it)` : '';
    const none = found ? `the model ${model}${found.path} has no ${familyWords()} layers${may}${elsewhere}; ` : '';
    throw new ValueError(`${none}name the ${familyWords()} layers with --source model.py or --layer PREFIX:CLASS (one per layer, or a pattern like blocks.*.norm:CLASS; "." for a top-level layer); layers are never guessed`);
  }
  return layers;
}

/** Which layers the model source gave (patterns say so), the ones it may have, and the layer calls it could not place. */
function sourceSummary(found: SourceLayers, verbose: boolean): string {
  const model = found.model === null ? '(no model class)' : /^\w+$/.test(found.model) ? `${found.model} (built with its defaults)` : found.model;
  const lines = [`${familyWords()} layers of ${model} in ${found.path}: ${listed(found.specs.map((s) => s.prefix), verbose) || 'none'}`];
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
  summary: `convert ${familyWords()} weights between PyTorch and MindSpore names and between .pt/.safetensors/.ckpt/.json`,
  usage: "convert <in> <out> (--source model.py [--model Class|\"build(...)\"] | --layer PREFIX:CLASS ...) [--to torch|mindspore] [--from-format F] [--to-format F] [--entry KEY] [--force] [--verbose] [--json]",
  options: {
    to: { type: 'string', help: 'target names: torch or mindspore (follows from a .pt or .ckpt output; say it for .safetensors/.json)' },
    layer: {
      type: 'string',
      multiple: true,
      // a getter: the option words come from mapping.json, read only when help is shown
      get help() {
        return `${withArticle(familyWords())} layer's prefix and class, ${grammar(LAYER_NAMES)}:CLASS ('.' for a top-level layer; '*' in a pattern such as blocks.*.norm matches any key segment; CLASS: ${LAYER_NAMES.join(', ')}, or a family whose classes all convert alike; needed unless --source gives the layer: tensor names do not say the class); repeatable`;
      },
    },
    source: { type: 'string', help: `the model source (.py) whose ${familyWords()} layers name the prefixes and classes, instead of --layer` },
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
