/**
 * The code example of a page: the Python each framework would run, with the output computed now by
 * the facades (and the output the MindSpore docs published, where they did).
 */
import { formatArray } from '../../core/numpy-format';
import { pyRepr } from '../../core/python';
import type { Tensor } from '../../core/tensor';
import { pythonCall, type ExampleRun } from '../example';
import type { MappingEntry } from '../schema';
import { LABELS, type Lang } from './labels';

export interface ExampleOutputs {
  input: unknown;
  torch: { facade: unknown; published: unknown | null };
  mindspore: { facade: unknown; published: unknown | null };
}

/** numpy's print of a float32 array, as the published pages show it. */
function numpyText(t: Tensor): string {
  const values: number[] = [];
  for (let i = 0; i < t.size; i++) values.push(t.item(i));
  return formatArray(values, t.shape, 'float32');
}

const comment = (text: string) => text.split('\n').map((l) => `# ${l}`).join('\n');

const call = (api: string, kwargs: Record<string, unknown>) => `nn.${pythonCall(api, kwargs)}`;

/** The ```python block of the page, from one run of the example by both facades. */
export function renderExample(entry: MappingEntry, run: ExampleRun, lang: Lang): string | undefined {
  const example = entry.example;
  if (!example) return undefined;
  const L = LABELS[lang];
  const inputText = `np.array(${pyRepr(example.input)}).astype(np.float32)`;
  const outputLines = (side: 'PyTorch' | 'MindSpore', facade: Tensor, published: Tensor | null) =>
    [comment(L.facadeOutput(side === 'PyTorch' ? 'torch' : 'mindspore')), comment(numpyText(facade)), ...(published ? [comment(L.publishedOutput(side)), comment(numpyText(published))] : [])].join('\n');
  const torchCode = [
    '# PyTorch',
    'from torch import nn, tensor',
    'import numpy as np',
    '',
    `m = ${call(entry.api, example.torch.kwargs)}`,
    ...(example.torch.train ? [] : ['m.eval()']),
    `input_x = tensor(${inputText})`,
    'output = m(input_x)',
    'print(output.detach().numpy())',
    outputLines('PyTorch', run.torch.output, run.torch.published),
  ];
  const mindsporeCode = [
    '# MindSpore',
    'from mindspore import Tensor, nn',
    'import numpy as np',
    '',
    `m = ${call(entry.api, example.mindspore.kwargs)}`,
    example.mindspore.train ? 'm.set_train()' : 'm.set_train(False)',
    `input_x = Tensor(${inputText})`,
    'output = m(input_x)',
    'print(output)',
    outputLines('MindSpore', run.mindspore.output, run.mindspore.published),
  ];
  const note = example.note ? `> ${example.note[lang]}\n\n` : '';
  return `${note}\`\`\`python\n${torchCode.join('\n')}\n\n${mindsporeCode.join('\n')}\n\`\`\``;
}

/** The example's numbers for api_mapping.json. */
export function exampleOutputs(input: unknown, run: ExampleRun): ExampleOutputs {
  return {
    input,
    torch: { facade: run.torch.output.tolist(), published: run.torch.published?.tolist() ?? null },
    mindspore: { facade: run.mindspore.output.tolist(), published: run.mindspore.published?.tolist() ?? null },
  };
}
