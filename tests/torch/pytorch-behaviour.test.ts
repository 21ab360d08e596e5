/**
 * The torch facade against real PyTorch's behaviour (tests/fixtures/torch/behaviour.json, from
 * tests/fixtures/gen_torch.py): repr, state_dict, load_state_dict results and messages, forward
 * errors and warnings, empty inputs, reset_*. Cases marked version_dependent hold what the newer
 * PyTorch the facade mirrors does (built from the cited source line), with 1.13's outcome beside it.
 */
import { Tensor } from '../../src/core/tensor';
import { catchWarnings } from '../../src/core/warnings';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type _InstanceNorm } from '../../src/torch/nn';
import type { ModuleStateDict } from '../../src/torch/module';
import { caught, expectStateDict, expectTensor, readFixture, tensorOf, type TensorJson, type VersionDependent } from '../helpers/torch-fixtures';

type ClassName = 'InstanceNorm1d' | 'InstanceNorm2d' | 'InstanceNorm3d';
type Kwargs = Record<string, number | boolean | string | null>;
type ErrorJson = { type: string; message: string };

interface Behaviour {
  repr: { class: ClassName; num_features: number; kwargs: Kwargs; repr: string }[];
  state_dict: { kwargs: Kwargs; keys: string[]; tensors: Record<string, TensorJson>; version: number }[];
  load_state_dict: {
    name: string;
    kwargs: Kwargs;
    entries: Record<string, TensorJson | { python: string }>;
    strict: boolean;
    metadata: boolean;
    before_count?: number;
    result?: { missing_keys: string[]; unexpected_keys: string[] };
    after?: Record<string, TensorJson>;
    error?: ErrorJson;
    version_dependent?: VersionDependent;
  }[];
  load_state_dict_not_a_dict: { error: string; message: string };
  forward: {
    name: string;
    class: ClassName;
    kwargs: Kwargs;
    module_dtype: 'float32' | 'float64';
    shape: number[];
    dtype: 'float32' | 'float64' | 'int64' | 'int32';
    train: boolean;
    result?: { shape: number[]; dtype: string; running_mean?: TensorJson; running_var?: TensorJson };
    error?: ErrorJson;
    warnings: string[];
    version_dependent?: VersionDependent;
  }[];
  reset: { method: 'reset_running_stats' | 'reset_parameters'; after: Record<string, TensorJson> }[];
}

const { meta, behaviour } = readFixture<{ behaviour: Behaviour }>('behaviour');
const CLASSES = { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d };

function make(cls: ClassName, numFeatures: number, kwargs: Kwargs): _InstanceNorm {
  return new CLASSES[cls](numFeatures, kwargs as never);
}

describe(`real PyTorch ${meta.torch}: repr`, () => {
  it.each(behaviour.repr.map((r) => [r.repr, r] as const))('%s', (_repr, r) => {
    expect(String(make(r.class, r.num_features, r.kwargs))).toBe(r.repr);
  });
});

describe(`real PyTorch ${meta.torch}: state_dict`, () => {
  it.each(behaviour.state_dict.map((s) => [JSON.stringify(s.kwargs), s] as const))('%s', (_k, s) => {
    const sd = make('InstanceNorm2d', 3, s.kwargs).state_dict();
    expect(Object.keys(sd)).toEqual(s.keys);
    expectStateDict(sd, s.tensors);
    expect((sd as unknown as { _metadata: Record<string, { version: number }> })._metadata['']).toEqual({ version: s.version });
  });
});

describe(`real PyTorch ${meta.torch}: load_state_dict`, () => {
  it.each(behaviour.load_state_dict.map((l) => [l.name, l] as const))('%s', (_n, l) => {
    if (l.version_dependent) expect(l.version_dependent.source).toMatch(/@[0-9a-f]{40}:\d+/);
    const m = make('InstanceNorm1d', 3, l.kwargs);
    if (l.before_count !== undefined) (m.num_batches_tracked as Tensor<'int64'>).data[0] = BigInt(l.before_count);
    const dict: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(l.entries)) dict[k] = 'python' in v ? JSON.parse(v.python) : tensorOf(v);
    if (l.metadata) Object.defineProperty(dict, '_metadata', { value: { '': { version: 2 } }, enumerable: false });
    const before = m.state_dict();
    const snapshot = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, t.clone()]));
    let result: unknown;
    const error = caught(() => {
      result = m.load_state_dict(dict as ModuleStateDict, { strict: l.strict });
    });
    if (l.error) {
      expect(error).toEqual(l.error);
      // PyTorch copies the valid tensors before it raises; the facade changes nothing (STRICTER_THAN_PYTORCH).
      for (const [k, t] of Object.entries(m.state_dict())) expect(Array.from(t.data as Float32Array)).toEqual(Array.from(snapshot[k].data as Float32Array));
    } else {
      expect(error).toBeNull();
      expect(result).toEqual(l.result);
      expectStateDict(m.state_dict(), l.after as Record<string, TensorJson>);
    }
  });

  it('refuses what is not dict-like', () => {
    const { error, message } = behaviour.load_state_dict_not_a_dict;
    expect(caught(() => make('InstanceNorm1d', 3, {}).load_state_dict([1, 2] as never))).toEqual({ type: error, message });
  });
});

describe(`real PyTorch ${meta.torch}: forward errors, warnings and empty inputs`, () => {
  it.each(behaviour.forward.map((f) => [`${f.class} ${f.name} (${f.train ? 'train' : 'eval'})`, f] as const))('%s', (_n, f) => {
    if (f.version_dependent) expect(f.version_dependent.source).toMatch(/@[0-9a-f]{40}:\d+/);
    const m = make(f.class, 3, { ...f.kwargs, dtype: f.module_dtype }).train(f.train);
    const x = Tensor.zeros(f.shape, f.dtype);
    const run = catchWarnings(() => caught(() => m.forward(x)));
    expect(run.warnings.map((w) => w.message)).toEqual(f.warnings);
    if (f.error) {
      expect(run.result).toEqual(f.error);
      return;
    }
    expect(run.result).toBeNull();
    const y = m.forward(x);
    expect({ shape: [...y.shape], dtype: y.dtype }).toEqual({ shape: f.result?.shape, dtype: f.result?.dtype });
    // The inputs were random in PyTorch: running stats are comparable where they do not depend on them.
    if (f.result?.running_mean && f.result.running_var && (x.size === 0 || !f.train)) {
      expectTensor(m.running_mean as Tensor, f.result.running_mean);
      expectTensor(m.running_var as Tensor, f.result.running_var);
    }
  });
});

describe(`real PyTorch ${meta.torch}: reset_running_stats and reset_parameters`, () => {
  it.each(behaviour.reset.map((r) => [r.method, r] as const))('%s after a training step', (method, r) => {
    const m = make('InstanceNorm1d', 3, { affine: true, track_running_stats: true });
    (m.weight as Tensor).data.set([2, 3, 4] as never);
    (m.bias as Tensor).data.set([1, 1, 1] as never);
    (m.num_batches_tracked as Tensor<'int64'>).data[0] = 3n;
    m.forward(Tensor.from(Float32Array.from({ length: 30 }, (_, i) => Math.sin(i)), { shape: [2, 3, 5] }));
    m[method]();
    expectStateDict(m.state_dict(), r.after);
  });
});
