/**
 * Argument fuzzing of the torch facade (issue 8/8): every constructor argument (by position and by
 * keyword), forward's input and out, train's mode and load_state_dict's arguments get wrong values.
 * Every case must end in the facade's own Python-style error (TypeError, ValueError,
 * RuntimeError, IndexError) whose message names the argument and shows the value, never a bare
 * JS error or a crash. The number of cases tried is printed.
 */
import { Tensor, torch, isPyError } from '../../src';
import { pyRepr } from '../../src/core/python';

const CLASSES = [torch.nn.InstanceNorm1d, torch.nn.InstanceNorm2d, torch.nn.InstanceNorm3d] as const;
/** BatchNorm's classes and the ranks each accepts. */
const BATCH_NORMS = [
  [torch.nn.BatchNorm1d, [2, 3]],
  [torch.nn.BatchNorm2d, [4]],
  [torch.nn.BatchNorm3d, [5]],
] as const;
type AnyCtor = new (...args: unknown[]) => torch.nn._InstanceNorm;

class Opaque {
  toString(): string {
    return 'Opaque()';
  }
}

/** Wrong values of every JS kind; each argument skips the ones that are valid for it. */
const WRONG: [string, unknown][] = [
  ['string', 'x'],
  ['empty string', ''],
  ['numeric string', '3'],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['negative', -1],
  ['negative float', -0.5],
  ['non-integer', 2.5],
  ['huge', 1e300],
  ['BigInt', 10n],
  ['null', null],
  ['empty array', []],
  ['array', [1, 2]],
  ['nested array', [[1], [2]]],
  ['true', true],
  ['false', false],
  ['symbol', Symbol('s')],
  ['function', () => 1],
  ['Date', new Date(0)],
  ['Map', new Map()],
  ['class instance', new Opaque()],
  ['typed array', new Float32Array(2)],
  ['tensor', Tensor.from([1, 2])],
];
/** Plain objects only travel as keyword values: in a positional slot a plain object *is* the keywords. */
const KEYWORD_ONLY: [string, unknown][] = [
  ['empty object', {}],
  ['object', { a: 1 }],
];

const VALID: Record<string, (v: unknown) => boolean> = {
  num_features: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1,
  eps: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  momentum: (v) => v === null || (typeof v === 'number' && Number.isFinite(v)),
  affine: (v) => typeof v === 'boolean',
  track_running_stats: (v) => typeof v === 'boolean',
  device: (v) => v === null || v === 'cpu',
  dtype: (v) => v === null || v === 'float32' || v === 'float64',
};
const PARAMS = Object.keys(VALID);

let tried = 0;

/** Runs one case: it must throw a Python-style error naming `argument` (when given) and showing the value. */
function expectFacadeError(fn: () => unknown, argument: string | null, value: unknown, valueText?: string): void {
  tried++;
  let error: unknown = null;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  const label = `${argument ?? 'value'} = ${safeRepr(value)}`;
  if (error === null) throw new Error(`no error for ${label}`);
  if (!isPyError(error)) throw new Error(`bare ${(error as Error)?.name}: ${(error as Error)?.message} for ${label}`);
  const message = (error as Error).message;
  if (argument && !message.includes(argument)) throw new Error(`message does not name '${argument}': ${message}`);
  const shown = valueText ?? safeRepr(value).slice(0, 40);
  if (!message.includes(shown)) throw new Error(`message does not show the value ${shown}: ${message}`);
}

function safeRepr(value: unknown): string {
  try {
    return pyRepr(value);
  } catch {
    return String(typeof value);
  }
}

describe('fuzzing the torch facade arguments', () => {
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`torch facade argument fuzz: ${tried} cases, each ended in the facade's own error`);
  });

  it.each([...CLASSES, torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d])('%p constructor: each argument, by position and by keyword', (cls) => {
    const Ctor = cls as unknown as new (...args: unknown[]) => unknown;
    for (const [index, name] of PARAMS.entries()) {
      for (const [, value] of [...WRONG, ...KEYWORD_ONLY]) {
        if (VALID[name](value)) continue;
        expectFacadeError(() => new Ctor({ num_features: 3, [name]: value }), name, value);
        if (KEYWORD_ONLY.some(([, v]) => v === value)) continue;
        const positional: unknown[] = [3, 1e-5, 0.1, false, false, null, null].slice(0, index + 1);
        positional[index] = value;
        expectFacadeError(() => new Ctor(...positional), name, value);
      }
    }
  });

  it.each(CLASSES)('%p forward: non-tensors, ragged lists, wrong ranks, dtypes and channel counts', (cls) => {
    const Ctor = cls as unknown as AnyCtor;
    const m = new Ctor(3, { affine: true });
    const noBatch = CLASSES.indexOf(cls) + 2;
    for (const [, value] of [...WRONG.filter(([, v]) => !(v instanceof Tensor)), ...KEYWORD_ONLY, ['ragged', [[1, 2], [3]]] as [string, unknown]]) {
      expectFacadeError(() => m.forward(value as Tensor), 'input', value, safeRepr(value).slice(0, 40));
    }
    for (let rank = 0; rank <= 7; rank++) {
      if (rank === noBatch || rank === noBatch + 1) continue;
      const x = Tensor.zeros(Array(rank).fill(3), 'float32');
      expectFacadeError(() => m.forward(x), null, x, `got ${rank}D input`);
    }
    const batched = (C: number, dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool' | 'float16' | 'bfloat16' = 'float32') =>
      Tensor.zeros([2, C, ...Array(noBatch - 1).fill(2)], dtype);
    for (const dtype of ['int64', 'int32', 'uint8', 'bool'] as const) expectFacadeError(() => m.forward(batched(3, dtype)), null, dtype, `not implemented for`);
    for (const dtype of ['float16', 'bfloat16'] as const) expectFacadeError(() => m.forward(batched(3, dtype)), 'input', dtype, dtype);
    expectFacadeError(() => m.forward(batched(3, 'float64')), null, 'float64', 'mixed dtype');
    for (const C of [1, 2, 4]) expectFacadeError(() => m.forward(batched(C)), 'num_features', C, `but got: ${C}.`);
    const single = Tensor.zeros([2, 3, ...Array(noBatch - 1).fill(1)], 'float32');
    expectFacadeError(() => m.forward(single), null, single, 'Expected more than 1 spatial element');
  });

  it.each(CLASSES)('%p forward options and out', (cls) => {
    const Ctor = cls as unknown as AnyCtor;
    const m = new Ctor(3);
    const noBatch = CLASSES.indexOf(cls) + 2;
    const x = Tensor.zeros([2, 3, ...Array(noBatch - 1).fill(2)], 'float32');
    for (const [, value] of WRONG) {
      if (value === null) continue; // out=None is allowed
      if (!(value instanceof Tensor)) expectFacadeError(() => m.forward(x, { out: value as Tensor }), 'out', value);
      expectFacadeError(() => m.forward(x, value as never), 'options', value);
    }
    expectFacadeError(() => m.forward(x, { out: Tensor.zeros(x.shape, 'float64') }), 'out', 'float64', 'float64');
    expectFacadeError(() => m.forward(x, { out: Tensor.zeros([2, 3], 'float32') }), 'out', [2, 3], '[2, 3]');
    expectFacadeError(() => m.forward(x, { out: x }), 'out', x, 'share memory with the input');
    expectFacadeError(() => m.forward(x, { outt: x } as never), 'outt', 'outt', 'outt');
  });

  it.each(BATCH_NORMS)('%p forward: non-tensors, wrong ranks, dtypes, channel counts, one value per channel, out', (cls, ranks) => {
    const m = new (cls as unknown as new (c: number) => torch.nn._BatchNorm)(3);
    const rank = ranks[ranks.length - 1];
    for (const [, value] of [...WRONG.filter(([, v]) => !(v instanceof Tensor)), ...KEYWORD_ONLY, ['ragged', [[1, 2], [3]]] as [string, unknown]]) {
      expectFacadeError(() => m.forward(value as Tensor), 'input', value, safeRepr(value).slice(0, 40));
    }
    for (let r = 0; r <= 7; r++) {
      if ((ranks as readonly number[]).includes(r)) continue;
      const x = Tensor.zeros(Array(r).fill(3), 'float32');
      expectFacadeError(() => m.forward(x), null, x, `got ${r}D input`);
    }
    const batched = (C: number, dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool' | 'float16' | 'bfloat16' = 'float32') =>
      Tensor.zeros([2, C, ...Array(rank - 2).fill(2)], dtype);
    for (const dtype of ['int64', 'int32', 'uint8', 'bool'] as const) expectFacadeError(() => m.forward(batched(3, dtype)), null, dtype, `not implemented for`);
    for (const dtype of ['float16', 'bfloat16'] as const) expectFacadeError(() => m.forward(batched(3, dtype)), 'input', dtype, dtype);
    expectFacadeError(() => m.forward(batched(3, 'float64')), null, 'float64', 'mixed dtype');
    for (const C of [1, 2, 4]) expectFacadeError(() => m.forward(batched(C)), 'running_mean', C, `should contain ${C} elements not 3`);
    const single = Tensor.zeros([1, 3, ...Array(rank - 2).fill(1)], 'float32');
    expectFacadeError(() => m.forward(single), null, single, 'Expected more than 1 value per channel when training');
    const x = batched(3);
    for (const [, value] of WRONG) {
      if (value === null) continue;
      if (!(value instanceof Tensor)) expectFacadeError(() => m.forward(x, { out: value as Tensor }), 'out', value);
      expectFacadeError(() => m.forward(x, value as never), 'options', value);
    }
    expectFacadeError(() => m.forward(x, { out: Tensor.zeros(x.shape, 'float64') }), 'out', 'float64', 'float64');
    expectFacadeError(() => m.forward(x, { out: x }), 'out', x, 'share memory with the input');
  });

  it('train(mode) and load_state_dict(state_dict, { strict })', () => {
    const m = new torch.nn.InstanceNorm2d(3, { affine: true });
    for (const [, value] of WRONG) {
      if (typeof value === 'boolean') continue;
      expectFacadeError(() => m.train(value as boolean), 'training mode', value, 'boolean');
      if (!(value instanceof Map)) expectFacadeError(() => m.load_state_dict(value as never), 'state_dict', value, 'dict-like');
      expectFacadeError(() => m.load_state_dict({}, { strict: value as boolean }), 'strict', value, '');
      expectFacadeError(() => m.load_state_dict({ weight: value as Tensor, bias: Tensor.zeros([3], 'float32') }), 'weight', value, '');
    }
  });
});
