/**
 * The torch facade against real PyTorch (tests/fixtures/torch/numbers.json, from
 * tests/fixtures/gen_torch.py): every output and the running statistics after every step of
 * training/eval sequences, over 1d/2d/3d, affine x track_running_stats, momenta, eps, float32 and
 * float64, batched and unbatched, scales and offsets and the extremes, batches up to 100, rows up
 * to 300,000 elements (on the wasm kernel's block paths). float32 must be bit-identical;
 * float64 within 1 ulp. Set PYTORCH_REPORT=1 to print the counts.
 */
import { Tensor } from '../../src/core/tensor';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type _InstanceNorm } from '../../src/torch/nn';
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
}

interface NumbersCase {
  name: string;
  class: 'InstanceNorm1d' | 'InstanceNorm2d' | 'InstanceNorm3d';
  args: { num_features: number; eps?: number; momentum?: number | null; affine?: boolean; track_running_stats?: boolean; dtype?: 'float32' | 'float64' };
  state: Partial<Record<'weight' | 'bias' | 'running_mean' | 'running_var', TensorJson>>;
  steps: Step[];
  version_dependent?: VersionDependent;
}

const fixture = readFixture<{ numbers: NumbersCase[] }>('numbers');
const CLASSES = { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d };

const totals = {
  float32: { outputs: 0, identical: 0, running: 0, runningIdentical: 0 },
  float64: { outputs: 0, identical: 0, running: 0, runningIdentical: 0, maxUlp: 0 },
  digests: { outputs: 0, matched: 0 },
};

afterAll(() => {
  if (process.env.PYTORCH_REPORT) console.log(`PyTorch ${fixture.meta.torch} (${fixture.meta.cpu_capability}) vs the facade (${PYTORCH_RELEASE}):`, JSON.stringify(totals, null, 1));
});

function build(c: NumbersCase): _InstanceNorm {
  const { num_features, ...rest } = c.args;
  const m = new CLASSES[c.class](num_features, rest);
  for (const [name, t] of Object.entries(c.state)) {
    const target = (m as unknown as Record<string, Tensor>)[name];
    target.data.set(tensorOf(t).data as never);
  }
  return m;
}

function expectSame(label: string, got: Tensor, want: TensorJson, dtype: 'float32' | 'float64'): void {
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

describe(`real PyTorch ${fixture.meta.torch} numbers (${fixture.meta.cpu_capability})`, () => {
  beforeAll(() => warnings.simplefilter('ignore'));
  afterAll(() => warnings.simplefilter('default'));

  it.each(fixture.numbers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
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
        expectSame(`step ${k} output`, y, step.output, dtype);
      }
      if (step.running_mean && step.running_var) {
        expectSame(`running_mean after step ${k}`, m.running_mean as Tensor, step.running_mean, dtype);
        expectSame(`running_var after step ${k}`, m.running_var as Tensor, step.running_var, dtype);
      }
    });
  });
});
