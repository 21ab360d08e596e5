/**
 * The torch reader on files written by real PyTorch 1.13's torch.save (tests/fixtures/gen_torch_models.py),
 * against what torch.load(weights_only=True) read from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, readTorch } from '../../src/io/formats';
import { EXPAND_BUDGET_BYTES } from '../../src/io/formats/torch-pt';
import { thrown } from '../helpers/errors';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const expanded = JSON.parse(readFileSync(join(DIR, 'expanded.json'), 'utf8')) as Record<string, { dtype: string; shape: number[]; stride: number[]; data: number[] }>;

test('expand()ed views (stride 0, more elements than their storage) read as torch.load(weights_only=True) reads them', () => {
  const sd = readTorch(readFileSync(join(DIR, 'expanded.pt')), 'expanded.pt');
  expect([...sd.keys()]).toEqual(Object.keys(expanded));
  for (const [name, t] of sd) {
    const e = expanded[name];
    const values = Array.from({ length: t.size }, (_, i) => t.item(i));
    expect({ name, dtype: t.dtype, shape: [...t.shape], values }).toEqual({ name, dtype: e.dtype, shape: e.shape, values: e.data });
  }
  // at least one of them is a broadcast: a stride of 0
  expect(Object.values(expanded).some((e) => e.stride.includes(0))).toBe(true);
});

test('copies of views stay bounded: an expansion past the budget is a FormatError naming the tensor', () => {
  // one element expanded to 2**24 + 1 (torch.load reads it as a view): copied, 64 MiB + 4 bytes
  const err = thrown(() => readTorch(readFileSync(join(DIR, 'expanded-huge.pt')), 'expanded-huge.pt'));
  expect(err).toBeInstanceOf(FormatError);
  expect(err.message).toBe(
    `expanded-huge.pt: torch: copying the file's non-contiguous and expanded views would take more than ${EXPAND_BUDGET_BYTES} bytes (the file's size, or ${EXPAND_BUDGET_BYTES} at least); the tensor of size (16777217) with stride (0) is one of them`,
  );
});
