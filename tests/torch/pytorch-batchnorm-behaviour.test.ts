/**
 * torch.nn.BatchNorm1d/2d/3d against real PyTorch's behaviour (tests/fixtures/torch/batchnorm-behaviour.json,
 * from tests/fixtures/gen_torch.py): repr, binding errors, state_dict (version 2),
 * load_state_dict results and messages (num_batches_tracked missing, by metadata version), forward
 * errors in ATen's order with num_batches_tracked after each call (it counts before the checks),
 * one value per channel, empty inputs and their dtypes, reset_*. Cases marked version_dependent
 * hold what the newer PyTorch the facade mirrors does (built from the cited source line), with
 * 1.13's outcome beside it.
 */
import { Tensor } from '../../src/core/tensor';
import { catchWarnings } from '../../src/core/warnings';
import type { ModuleStateDict } from '../../src/torch/module';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, type _BatchNorm } from '../../src/torch/nn';
import { caught, expectStateDict, expectTensor, readFixture, tensorOf, type TensorJson, type VersionDependent } from '../helpers/torch-fixtures';

type ClassName = 'BatchNorm1d' | 'BatchNorm2d' | 'BatchNorm3d';
type Kwargs = Record<string, number | boolean | string | null>;
type ErrorJson = { type: string; message: string };

interface Behaviour {
  repr: { class: ClassName; num_features: number; kwargs: Kwargs; repr: string }[];
  init_errors: { args: unknown[]; kwargs: Kwargs; error: ErrorJson }[];
  state_dict: { kwargs: Kwargs; keys: string[]; tensors: Record<string, TensorJson>; version: number }[];
  load_state_dict: {
    name: string;
    kwargs: Kwargs;
    entries: Record<string, TensorJson | { python: string }>;
    strict: boolean;
    /** The metadata version, or null for a dict without metadata. */
    version: number | null;
    before_count?: number;
    result?: { missing_keys: string[]; unexpected_keys: string[] };
    after?: Record<string, TensorJson>;
    error?: ErrorJson;
    version_dependent?: VersionDependent;
  }[];
  forward: {
    name: string;
    class: ClassName;
    kwargs: Kwargs;
    module_dtype: 'float32' | 'float64';
    shape: number[];
    dtype: 'float32' | 'float64' | 'int64';
    train: boolean;
    result?: { shape: number[]; dtype: string };
    error?: ErrorJson;
    running_mean?: TensorJson;
    running_var?: TensorJson;
    num_batches_tracked?: number;
    warnings: string[];
    version_dependent?: VersionDependent;
  }[];
  reset: { method: 'reset_running_stats' | 'reset_parameters'; after: Record<string, TensorJson> }[];
}

const { meta, behaviour } = readFixture<{ behaviour: Behaviour }>('batchnorm-behaviour');
const CLASSES = { BatchNorm1d, BatchNorm2d, BatchNorm3d };

function make(cls: ClassName, numFeatures: number, kwargs: Kwargs): _BatchNorm {
  return new CLASSES[cls](numFeatures, kwargs as never);
}

describe(`real PyTorch ${meta.torch}: BatchNorm repr and binding errors`, () => {
  it.each(behaviour.repr.map((r) => [r.repr, r] as const))('%s', (_repr, r) => {
    expect(String(make(r.class, r.num_features, r.kwargs))).toBe(r.repr);
  });

  it.each(behaviour.init_errors.map((e) => [e.error.message, e] as const))('%s', (_m, e) => {
    const args = Object.keys(e.kwargs).length ? [...e.args, e.kwargs] : e.args;
    expect(caught(() => new (BatchNorm2d as unknown as new (...a: unknown[]) => unknown)(...args))).toEqual(e.error);
  });
});

describe(`real PyTorch ${meta.torch}: BatchNorm state_dict`, () => {
  it.each(behaviour.state_dict.map((s) => [JSON.stringify(s.kwargs), s] as const))('%s', (_k, s) => {
    const sd = make('BatchNorm2d', 3, s.kwargs).state_dict();
    expect(Object.keys(sd)).toEqual(s.keys);
    expectStateDict(sd, s.tensors);
    expect((sd as unknown as { _metadata: Record<string, { version: number }> })._metadata['']).toEqual({ version: s.version });
  });
});

describe(`real PyTorch ${meta.torch}: BatchNorm load_state_dict`, () => {
  it.each(behaviour.load_state_dict.map((l) => [l.name, l] as const))('%s', (_n, l) => {
    if (l.version_dependent) expect(l.version_dependent.source).toMatch(/@[0-9a-f]{40}:\d+/);
    const m = make('BatchNorm1d', 3, l.kwargs);
    if (l.before_count !== undefined) (m.num_batches_tracked as Tensor<'int64'>).data[0] = BigInt(l.before_count);
    const dict: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(l.entries)) dict[k] = 'python' in v ? JSON.parse(v.python) : tensorOf(v);
    if (l.version !== null) Object.defineProperty(dict, '_metadata', { value: { '': { version: l.version } }, enumerable: false });
    const snapshot = Object.fromEntries(Object.entries(m.state_dict()).map(([k, t]) => [k, t.clone()]));
    let result: unknown;
    const error = caught(() => {
      result = m.load_state_dict(dict as ModuleStateDict, { strict: l.strict });
    });
    if (l.error) {
      expect(error).toEqual(l.error);
      // PyTorch copies the valid tensors before it raises; the facade changes nothing (STRICTER_THAN_PYTORCH).
      for (const [k, t] of Object.entries(m.state_dict())) expect(t.tolist()).toEqual(snapshot[k].tolist());
    } else {
      expect(error).toBeNull();
      expect(result).toEqual(l.result);
      expectStateDict(m.state_dict(), l.after as Record<string, TensorJson>);
    }
  });
});

describe(`real PyTorch ${meta.torch}: BatchNorm forward errors, one value per channel and empty inputs`, () => {
  it.each(behaviour.forward.map((f) => [`${f.class} ${f.name} (${f.train ? 'train' : 'eval'})`, f] as const))('%s', (_n, f) => {
    if (f.version_dependent) expect(f.version_dependent.source).toMatch(/@[0-9a-f]{40}:\d+/);
    const m = make(f.class, 3, { ...f.kwargs, dtype: f.module_dtype }).train(f.train);
    if (m.running_mean && m.running_var) {
      m.running_mean.data.set([0.5, -1, 2] as never);
      m.running_var.data.set([1.5, 0.25, 3] as never);
    }
    const x = Tensor.zeros(f.shape, f.dtype);
    const run = catchWarnings(() => {
      let y: Tensor | null = null;
      const error = caught(() => (y = m.forward(x)));
      return { error, y: y as Tensor | null };
    });
    expect(run.warnings.map((w) => w.message)).toEqual(f.warnings);
    if (f.error) expect(run.result.error).toEqual(f.error);
    else expect({ shape: [...(run.result.y as Tensor).shape], dtype: (run.result.y as Tensor).dtype }).toEqual(f.result);
    expect(m.num_batches_tracked === null ? undefined : Number(m.num_batches_tracked.item(0))).toBe(f.num_batches_tracked ?? undefined);
    // PyTorch's inputs were random: the running stats compare where they do not depend on them.
    if (f.running_mean && f.running_var && (f.error || !f.train || x.size === 0)) {
      expectTensor(m.running_mean as Tensor, f.running_mean);
      expectTensor(m.running_var as Tensor, f.running_var);
    }
  });
});

describe(`real PyTorch ${meta.torch}: BatchNorm reset_running_stats and reset_parameters`, () => {
  it.each(behaviour.reset.map((r) => [r.method, r] as const))('%s after two training steps', (method, r) => {
    const m = make('BatchNorm1d', 3, {});
    (m.weight as Tensor).data.set([2, 3, 4] as never);
    (m.bias as Tensor).data.set([1, 1, 1] as never);
    for (let step = 0; step < 2; step++) m.forward(Tensor.from(Float32Array.from({ length: 60 }, (_, i) => Math.sin(i + step)), { shape: [4, 3, 5] }));
    m[method]();
    expectStateDict(m.state_dict(), r.after);
  });
});
