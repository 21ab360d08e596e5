/**
 * The torch facade against real PyTorch (tests/fixtures/torch/numbers.json for InstanceNorm,
 * batchnorm-numbers.json for BatchNorm, from tests/fixtures/gen_torch.py): every output, the
 * running statistics and num_batches_tracked after every step of training/eval sequences, over
 * 1d/2d/3d (BatchNorm1d on (N, C) too), affine x track_running_stats, momenta (BatchNorm's None:
 * the cumulative average), eps, float32 and float64, batched and unbatched, scales and offsets and
 * the extremes, batches up to 1000, rows and channels up to 2.2 million elements (on the wasm
 * kernel's block paths). float32 must be bit-identical; float64 within 1 ulp. Set
 * PYTORCH_REPORT=1 to print the counts.
 */
import { Tensor } from '../../src/core/tensor';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type _NormBase } from '../../src/torch/nn';
import { PYTORCH_RELEASE } from '../../src/torch/release';
import * as warnings from '../../src/core/warnings';
import {
  compareBits,
  readFixture,
  recipeInput,
  sha256,
  tensorOf,
  type DigestJson,
  type Recipe,
  type TensorJson,
  type VersionDependent,
} from '../helpers/torch-fixtures';

interface Step {
  train: boolean;
  scenario?: string;
  input?: TensorJson;
  recipe?: Recipe;
  output: TensorJson | DigestJson;
  running_mean?: TensorJson;
  running_var?: TensorJson;
  /** BatchNorm only. */
  num_batches_tracked?: number;
}

interface NumbersCase {
  name: string;
  class: keyof typeof CLASSES;
  args: { num_features: number; eps?: number; momentum?: number | null; affine?: boolean; track_running_stats?: boolean; dtype?: 'float32' | 'float64' };
  state: Partial<Record<'weight' | 'bias' | 'running_mean' | 'running_var', TensorJson>>;
  steps: Step[];
  version_dependent?: VersionDependent;
}

const CLASSES = { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, BatchNorm1d, BatchNorm2d, BatchNorm3d };

type Totals = {
  float32: { outputs: number; identical: number; running: number; runningIdentical: number };
  float64: { outputs: number; identical: number; running: number; runningIdentical: number; maxUlp: number };
  digests: { outputs: number; matched: number };
};

const newTotals = (): Totals => ({
  float32: { outputs: 0, identical: 0, running: 0, runningIdentical: 0 },
  float64: { outputs: 0, identical: 0, running: 0, runningIdentical: 0, maxUlp: 0 },
  digests: { outputs: 0, matched: 0 },
});

function build(c: NumbersCase): _NormBase {
  const { num_features, ...rest } = c.args;
  const m = new CLASSES[c.class](num_features, rest);
  for (const [name, t] of Object.entries(c.state)) {
    const target = (m as unknown as Record<string, Tensor>)[name];
    target.data.set(tensorOf(t).data as never);
  }
  return m;
}

function expectSame(totals: Totals, label: string, got: Tensor, want: TensorJson, dtype: 'float32' | 'float64'): void {
  const expected = tensorOf(want);
  expect([...got.shape]).toEqual(want.shape);
  const r = compareBits(got.data as Float32Array, expected.data as Float32Array);
  const t = totals[dtype];
  const isRunning = label.startsWith('running');
  if (isRunning) {
    t.running += r.total;
    t.runningIdentical += r.identical;
  } else {
    t.outputs += r.total;
    t.identical += r.identical;
  }
  if (dtype === 'float64') {
    totals.float64.maxUlp = Math.max(totals.float64.maxUlp, r.maxUlp);
    expect({ label, maxUlp: r.maxUlp }).toEqual({ label, maxUlp: expect.any(Number) });
    expect(r.maxUlp).toBeLessThanOrEqual(1);
  } else {
    expect({ label, identical: r.identical, firstDifferent: r.first }).toEqual({ label, identical: r.total, firstDifferent: -1 });
  }
}

describe.each(['numbers', 'batchnorm-numbers'] as const)('real PyTorch fixtures: %s.json', (file) => {
  const fixture = readFixture<{ numbers: NumbersCase[] }>(file);
  const totals = newTotals();
  beforeAll(() => warnings.simplefilter('ignore'));
  afterAll(() => {
    warnings.simplefilter('default');
    const { torch, cpu_capability, threads } = fixture.meta;
    if (process.env.PYTORCH_REPORT) console.log(`${file}: PyTorch ${torch} (${cpu_capability}, ${threads} thread) vs the facade (${PYTORCH_RELEASE}):`, JSON.stringify(totals, null, 1));
  });

  it('were made on one thread (BatchNorm1d on (N, C) sums per thread)', () => {
    expect(fixture.meta.threads).toBe(1);
  });

  it.each(fixture.numbers.map((c) => [c.name, c] as const))(`PyTorch ${fixture.meta.torch} (${fixture.meta.cpu_capability}): %s`, (_name, c) => {
    if (c.version_dependent) expect(c.version_dependent.source).toMatch(/@[0-9a-f]{40}:\d+/);
    const m = build(c);
    const dtype = c.args.dtype ?? 'float32';
    c.steps.forEach((step, k) => {
      m.train(step.train);
      const x = step.recipe ? recipeInput(step.recipe) : tensorOf(step.input as TensorJson);
      const y = m.forward(x);
      if ('sha256' in step.output) {
        totals.digests.outputs += 1;
        const head = tensorOf({ ...step.output, shape: [16], data: step.output.head } as TensorJson);
        expect(compareBits(y.data.slice(0, 16) as Float32Array, head.data as Float32Array).identical).toBe(16);
        expect(sha256(y)).toBe(step.output.sha256);
        totals.digests.matched += 1;
      } else {
        expectSame(totals, `step ${k} output`, y, step.output, dtype);
      }
      if (step.running_mean && step.running_var) {
        expectSame(totals, `running_mean after step ${k}`, m.running_mean as Tensor, step.running_mean, dtype);
        expectSame(totals, `running_var after step ${k}`, m.running_var as Tensor, step.running_var, dtype);
      }
      if (step.num_batches_tracked !== undefined) expect({ step: k, count: Number(m.num_batches_tracked?.item(0)) }).toEqual({ step: k, count: step.num_batches_tracked });
    });
  });
});
