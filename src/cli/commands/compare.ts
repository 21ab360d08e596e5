/**
 * `compare` (what `npm start` runs): the seed page's code example through the torch facade, the
 * MindSpore facade and onnxruntime-node (the torch layer exported by toOnnx), against the numbers
 * the page published for PyTorch and MindSpore.
 */
import type { Tensor } from '../../core/tensor';
import type { Example, MappingEntry } from '../../mapping';
import { loadMapping, mappingEntry, type ApiName } from '../../mapping';
import { maxAbsDiff, pythonCall, runExample, type ExampleRun } from '../../mapping/example';
import { differenceTable, markdownTable, pagePath } from '../../mapping/render';
import { toOnnx } from '../../onnx/export';
import { onnxruntime } from '../../onnx/runtime';
import { summarizeModel } from '../../onnx/summary';
import { runExported } from '../../onnx/verify';
import { json, sci, table, type Io } from '../output';
import type { Command } from './types';

/** The frameworks agree to float32 rounding; 2e-6 leaves room for their last printed digits. */
export const TOLERANCE = 2e-6;

interface Comparison {
  api: ApiName;
  entry: MappingEntry;
  example: Example;
  run: ExampleRun;
  published: { torch: Tensor; mindspore: Tensor };
  ort: Tensor;
  /** The exported graph's op types. */
  ortNodes: string[];
  outputs: [string, Tensor][];
  diffs: { reference: string; maxAbsDiff: Record<string, number> }[];
  worst: number;
  ok: boolean;
}

/** The run for people: each output beside the published numbers, the differences and the page's table. */
function comparisonText({ api, entry, example, run, published, ort, ortNodes, outputs, diffs, worst, ok }: Comparison): string {
  const lines: string[] = [];
  const ortVersion = onnxruntime().env.versions.common;
  lines.push(`${api}: the code example of MindSpore's "differences from PyTorch" page\n(${example.source})`);
  lines.push(`input x (float32, shape [${run.input.shape.join(', ')}])\n${run.input}`);
  lines.push(`torch facade: ${run.torch.module}, ${example.torch.train ? 'train()' : 'eval()'}\n${run.torch.output}`);
  lines.push(`mindspore facade: ${pythonCall(api, example.mindspore.kwargs)}, set_train(${example.mindspore.train ? '' : 'False'})\n${run.mindspore.output}`);
  lines.push(`onnxruntime-node ${ortVersion}: the torch layer exported by toOnnx (${ortNodes.join(' -> ')})\n${ort}`);
  lines.push(`published on the page for PyTorch:\n${published.torch}\npublished on the page for MindSpore:\n${published.mindspore}`);
  lines.push('max |difference|');
  lines.push(table(['reference', ...outputs.map(([n]) => n)], diffs.map((d) => [d.reference, ...Object.values(d.maxAbsDiff).map(sci)])));
  const zh = differenceTable(entry, 'zh');
  lines.push(`\nparameter differences, generated from mapping.json (docs/${pagePath('zh', api)}):\n${markdownTable(zh.header, zh.rows)}`);
  lines.push(`\n${ok ? 'OK' : 'FAILED'}: every output is within ${sci(TOLERANCE)} of every reference (worst ${sci(worst)}).`);
  return lines.join('\n');
}

/** The classes whose mapping.json example has outputs published for both frameworks. */
function comparable(): string[] {
  return loadMapping().entries.filter((e) => e.example?.torch.published && e.example.mindspore.published).map((e) => e.api);
}

export const compare: Command = {
  name: 'compare',
  summary: "run the seed page's example in both facades and onnxruntime, against the published numbers",
  usage: 'compare [--layer InstanceNorm1d] [--json]',
  options: {
    layer: { type: 'string', default: 'InstanceNorm1d', help: `which pair's example to run: a class whose mapping.json example has published outputs (${comparable().join(', ')})` },
    json: { type: 'boolean', default: false, help: 'print the inputs, outputs, differences and the difference table as JSON' },
  },
  async run({ values }, io: Io) {
    onnxruntime("compare (the default command, what 'npm start' runs)");
    const api = values.layer as ApiName; // mappingEntry refuses a name mapping.json lacks
    const entry = mappingEntry(api);
    if (!entry.example) throw new Error(`mapping.json has no code example for ${api}`);
    const example = entry.example;
    const run = runExample(api, example);
    const published = { torch: run.torch.published, mindspore: run.mindspore.published };
    if (!published.torch || !published.mindspore) throw new Error(`mapping.json has no published outputs for ${api}`);
    const model = toOnnx(run.torch.module, { inputShape: run.input.shape });
    const ort = await runExported(model, run.input);
    const ortNodes = summarizeModel(model).nodes;
    const outputs: [string, Tensor][] = [
      ['torch facade', run.torch.output],
      ['mindspore facade', run.mindspore.output],
      ['onnxruntime-node', ort],
    ];
    const references: [string, Tensor][] = [
      ['PyTorch (published)', published.torch],
      ['MindSpore (published)', published.mindspore],
      ['onnxruntime-node', ort],
    ];
    const diffs = references.map(([reference, r]) => ({
      reference,
      maxAbsDiff: Object.fromEntries(outputs.map(([name, o]) => [name, maxAbsDiff(o, r)])),
    }));
    const worst = Math.max(...diffs.flatMap((d) => Object.values(d.maxAbsDiff)));
    const ok = worst <= TOLERANCE;
    if (values.json) {
      io.out(
        json({
          layer: api,
          source: example.source,
          input: run.input.tolist(),
          outputs: Object.fromEntries(outputs.map(([k, t]) => [k, t.tolist()])),
          published: { torch: published.torch.tolist(), mindspore: published.mindspore.tolist() },
          differences: diffs,
          tolerance: TOLERANCE,
          differenceTable: { zh: differenceTable(entry, 'zh'), en: differenceTable(entry, 'en') },
          ok,
        }),
      );
      return ok ? 0 : 1;
    }
    io.out(comparisonText({ api, entry, example, run, published: { torch: published.torch, mindspore: published.mindspore }, ort, ortNodes, outputs, diffs, worst, ok }));
    return ok ? 0 : 1;
  },
};
