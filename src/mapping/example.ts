/**
 * Runs a mapping entry's code example through both facades, so every printed number in the
 * generated docs and in `npm start` is computed, never copied.
 */
import { pyRepr } from '../core/python';
import { Tensor, type NestedNumbers } from '../core/tensor';
import { construct, type MindSporeLayer, type TorchLayer } from '../families';
import type { Example, MappingEntry } from './schema';

export interface ExampleRun {
  input: Tensor<'float32'>;
  torch: { module: TorchLayer; output: Tensor; published: Tensor | null };
  mindspore: { cell: MindSporeLayer; output: Tensor; published: Tensor | null };
}

export function runExample(api: MappingEntry['api'], example: Example): ExampleRun {
  const input = Tensor.from(example.input as NestedNumbers, { dtype: 'float32' });
  const module = construct('torch', api, example.torch.kwargs);
  module.train(example.torch.train);
  const cell = construct('mindspore', api, example.mindspore.kwargs);
  cell.set_train(example.mindspore.train);
  return {
    input,
    torch: { module, output: module.forward(input), published: publishedTensor(example.torch.published) },
    mindspore: { cell, output: cell.construct(input), published: publishedTensor(example.mindspore.published) },
  };
}

function publishedTensor(values: unknown): Tensor | null {
  return values === undefined ? null : Tensor.from(values as NestedNumbers);
}

/** Largest |a - b| over all elements (shapes must match). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.size !== b.size) throw new RangeError(`maxAbsDiff: sizes differ (${a.size} vs ${b.size})`);
  let max = 0;
  for (let i = 0; i < a.size; i++) {
    const d = Math.abs(a.item(i) - b.item(i));
    if (d > max || Number.isNaN(d)) max = d;
  }
  return max;
}

/** The Python call a kwargs object stands for: `InstanceNorm1d(num_features=2, affine=False)`. */
export function pythonCall(api: string, kwargs: Record<string, unknown>): string {
  return `${api}(${Object.entries(kwargs).map(([k, v]) => `${k}=${pyRepr(v)}`).join(', ')})`;
}
