/**
 * What each kind of claim in mapping.json means, as a check against the two facades. The tests in
 * this folder are generated from the mapping: every claim of every row runs through `CHECKS`, so a
 * claim kind without a check does not compile, and a row without a claim fails the suite.
 * Expected values come from the mapping (the frameworks' docs and source) and from the float64
 * reference, never from the facade under test. A failed check throws an Error that says why.
 */
import { PyTypeError } from '../../src/core/errors';
import type { ReferenceOptions } from '../../src/core/reference';
import { Tensor } from '../../src/core/tensor';
import { catchWarnings } from '../../src/core/warnings';
import { construct as constructLayer, layerClass, layerFamily, runLayer, setTraining, type FacadeLayer, type Framework, type MindSporeLayer, type TorchLayer } from '../../src/families';
import { pyValue } from '../../src/mapping/porting';
import type { Claim, MappingEntry, MappingRow } from '../../src/mapping/schema';
import { maxAbsDiff } from '../helpers/close';
import { mulberry32 } from '../helpers/random';

export type { Framework };
type Api = MappingEntry['api'];
type Kwargs = Record<string, unknown>;

/** num_features for every check: small, and unlike any input size elsewhere, so a mix-up shows. */
export const C = 3;

export function construct(fw: Framework, api: Api, ...args: unknown[]): FacadeLayer {
  return constructLayer(fw, api, ...args);
}

export function forward(fw: Framework, layer: unknown, x: Tensor): Tensor {
  return catchWarnings(() => runLayer(layer as FacadeLayer, x)).result;
}

function setTrain(fw: Framework, layer: unknown, mode: boolean): void {
  setTraining(layer as FacadeLayer, mode);
}

/** Spatial dims of each pair: 1, 2 or 3. */
export const spatialDims = (api: Api): number => layerClass(api).spatialDims;

/** The float64 reference of the pair's family, with its own statistics. */
const reference = (api: Api, x: Tensor, options: ReferenceOptions) => layerFamily(layerClass(api).family).reference(x, options);

/** A batched float32 input (2, C, 4, ...) with values from a seeded generator. */
export function sampleInput(api: Api, seed = 1, channels = C): Tensor<'float32'> {
  const shape = [2, channels, ...Array(spatialDims(api)).fill(4)];
  const random = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(new Float32Array(Array.from({ length: size }, () => random() * 4 - 1)), { shape, dtype: 'float32' });
}


function fail(message: string): never {
  throw new Error(message);
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

/** Everything observable about a freshly built layer: repr, tensors, trainability, outputs in eval and train. */
export function fingerprint(fw: Framework, api: Api, kwargs: Kwargs): string {
  return fingerprintOf(fw, api, [{ num_features: C, ...kwargs }]);
}

/** PyTorch refuses input whose dtype differs from the layer's tensors (mixed dtype), so match them. */
function inputFor(fw: Framework, layer: unknown, x: Tensor): Tensor {
  if (fw !== 'torch') return x;
  const own = Object.values((layer as TorchLayer).state_dict()).find((t) => t.dtype === 'float32' || t.dtype === 'float64');
  return own ? x.astype(own.dtype) : x;
}

/** The fingerprint of the layer a constructor call with these arguments (Python call shape) builds. */
export function fingerprintOf(fw: Framework, api: Api, args: unknown[]): string {
  const layer = construct(fw, api, ...args);
  const x = inputFor(fw, layer, sampleInput(api));
  const parts: unknown[] = [String(layer)];
  if (fw === 'torch') {
    const m = layer as TorchLayer;
    parts.push(Object.entries(m.state_dict()).map(([k, t]) => [k, t.dtype, t.tolist()]));
    parts.push(m.named_parameters().map(([k, p]) => [k, p.requires_grad]));
  } else {
    const cell = layer as MindSporeLayer;
    parts.push([...cell.parameters_dict()].map(([k, p]) => [k, p.requires_grad, p.data.dtype, p.data.tolist()]));
  }
  // An error is observable behaviour too (a float64 torch layer refuses float32 input, as PyTorch does).
  const outcome = () => {
    try {
      return forward(fw, layer, x).tolist();
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
  };
  setTrain(fw, layer, false);
  parts.push(outcome());
  setTrain(fw, layer, true);
  parts.push(outcome());
  return JSON.stringify(parts, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Whether the constructor (and, `atCall`, a first training forward) takes these arguments without a TypeError or ValueError. */
function accepts(fw: Framework, api: Api, kwargs: Kwargs, atCall = false): boolean {
  try {
    const layer = construct(fw, api, { num_features: C, ...kwargs });
    if (atCall) {
      setTrain(fw, layer, true);
      forward(fw, layer, inputFor(fw, layer, sampleInput(api)));
    }
    return true;
  } catch (err) {
    if (err instanceof PyTypeError || (err as Error).name === 'ValueError') return false;
    throw err;
  }
}

/** The Python default text of an argument, read as the facade value it stands for (`mstype.float32` -> 'float32'). */
function signatureDefault(entry: MappingEntry, fw: Framework, name: string): unknown {
  const text = entry[fw].args.find((a) => a.name === name)?.default;
  if (text === undefined) return undefined;
  const v = pyValue(text);
  if (v.kind === 'literal') return v.value;
  if (v.kind === 'name') return v.parts[v.parts.length - 1];
  return fail(`${entry[fw].name}: cannot read the default ${name}=${text}`);
}

const FRAMEWORKS: Framework[] = ['torch', 'mindspore'];

type Check<K extends Claim['kind']> = (entry: MappingEntry, row: MappingRow, claim: Extract<Claim, { kind: K }>) => void;

/** One check per claim kind; a new kind in the schema without a check here is a type error. */
export const CHECKS: { [K in Claim['kind']]: Check<K> } = {
  required(entry, row) {
    for (const fw of FRAMEWORKS) {
      const name = row[fw] ?? fail(`'required' claim on a row without a ${fw} name`);
      let error: unknown;
      try {
        construct(fw, entry.api);
      } catch (err) {
        error = err;
      }
      if (!(error instanceof PyTypeError) || !String((error as Error).message).includes(name)) fail(`${fw}: constructing without ${name} should raise TypeError naming it, got ${String(error)}`);
      if (!accepts(fw, entry.api, { [name]: C })) fail(`${fw}: ${name}=${C} by keyword is rejected`);
      if (entry[fw].args.find((a) => a.name === name)?.default !== undefined) fail(`${entry[fw].name} signature gives ${name} a default`);
    }
  },

  default(entry, row, claim) {
    for (const fw of FRAMEWORKS) {
      if (!(fw in claim)) continue;
      const name = row[fw] ?? fail(`default claim for ${fw} on a row without a ${fw} name`);
      const value = claim[fw];
      expectEqual(signatureDefault(entry, fw, name), value, `${entry[fw].name} signature default of ${name}`);
      // Passing the claimed default explicitly must change nothing observable.
      const implicit = fingerprint(fw, entry.api, {});
      const explicit = fingerprint(fw, entry.api, { [name]: value });
      if (implicit !== explicit) fail(`${fw}: ${name}=${JSON.stringify(value)} given explicitly differs from leaving it out, so it is not the default`);
    }
  },

  onlyIn(entry, row, claim) {
    const name = row[claim.framework] ?? fail(`onlyIn ${claim.framework} on a row without a ${claim.framework} name`);
    const other: Framework = claim.framework === 'torch' ? 'mindspore' : 'torch';
    if (row[other] !== null) fail(`onlyIn ${claim.framework}, but the row names ${other} argument ${row[other]}`);
    if (!accepts(claim.framework, entry.api, { [name]: claim.value })) fail(`${claim.framework}: ${name}=${JSON.stringify(claim.value)} is rejected`);
    let error: unknown;
    try {
      construct(other, entry.api, { num_features: C, [name]: claim.value });
    } catch (err) {
      error = err;
    }
    if (!(error instanceof PyTypeError) || !(error as Error).message.includes(`unexpected keyword argument '${name}'`)) {
      fail(`${other}: ${name}= should be an unexpected keyword argument, got ${String(error)}`);
    }
  },

  accepts(entry, row, claim) {
    for (const c of claim.cases) {
      for (const fw of FRAMEWORKS) {
        const expected = c[fw];
        if (expected === null) continue;
        const name = row[fw] ?? fail(`accepts claim for ${fw} on a row without a ${fw} name`);
        const when = claim.at === 'call' ? ' (constructed and called)' : '';
        expectEqual(accepts(fw, entry.api, { [name]: c.value }, claim.at === 'call'), expected, `${fw}: accepts ${name}=${JSON.stringify(c.value)}${when}`);
      }
    }
  },

  trainableParameters(entry, _row, claim) {
    const m = construct('torch', entry.api, { num_features: C, ...claim.args }) as TorchLayer;
    expectEqual(m.named_parameters().filter(([, p]) => p.requires_grad).map(([k]) => k), claim.torch, `torch trainable parameters with ${JSON.stringify(claim.args)}`);
    const cell = construct('mindspore', entry.api, { num_features: C, ...claim.args }) as MindSporeLayer;
    // A class whose Parameters live in a child cell (BatchNorm3d's bn2d) names them under it.
    const own = (name: string) => (entry.mindsporeChild ? name.replace(`${entry.mindsporeChild}.`, '') : name);
    expectEqual(cell.trainable_params().map((p) => own(p.name)), claim.mindspore, `mindspore trainable parameters with ${JSON.stringify(claim.args)}`);
  },

  usesStatistics(entry, _row, claim) {
    const xTrain = sampleInput(entry.api, 2);
    // After three steps at momentum 0.1 the running statistics are still far from xEval's own.
    const xEval = sampleInput(entry.api, 3);
    const own = reference(entry.api, xEval, { eps: 1e-5 }).y;
    for (const c of claim.cases) {
      const layer = construct(c.framework, entry.api, { num_features: C, ...c.args });
      setTrain(c.framework, layer, true);
      for (let i = 0; i < 3; i++) forward(c.framework, layer, xTrain);
      setTrain(c.framework, layer, c.mode === 'train');
      const uses = maxAbsDiff(forward(c.framework, layer, xEval), own) > 1e-3 ? 'running' : 'input';
      expectEqual(uses, c.uses, `${c.framework} ${JSON.stringify(c.args)} in ${c.mode} mode normalizes with statistics of`);
    }
  },

  initializer(entry, row, claim) {
    const name = row.mindspore ?? fail('initializer claim on a row without a MindSpore name');
    const running = claim.role === 'runningMean' || claim.role === 'runningVar';
    const torchArgs = running ? { track_running_stats: true } : { affine: true };
    const m = construct('torch', entry.api, { num_features: C, ...torchArgs }) as unknown as Record<string, Tensor | null>;
    const torchTensor = m[claim.torchParameter] ?? fail(`torch has no ${claim.torchParameter} with ${JSON.stringify(torchArgs)}`);
    expectEqual(torchTensor.tolist(), Array(C).fill(claim.identity), `torch ${claim.torchParameter} at construction`);
    const built = construct('mindspore', entry.api, { num_features: C }) as unknown as Record<string, unknown>;
    const cell = (entry.mindsporeChild ? built[entry.mindsporeChild] : built) as Record<string, { data: Tensor }>;
    expectEqual(cell[claim.mindsporeParameter].data.tolist(), Array(C).fill(claim.identity), `mindspore ${claim.mindsporeParameter} from the default ${name}`);
    const x = sampleInput(entry.api, 4);
    const value = 3;
    const fill = (role: typeof claim.role, otherwise: number) => Array(C).fill(claim.role === role ? value : otherwise);
    if (running) {
      // A fresh MindSpore cell is in inference mode: a layer with moving statistics normalizes with them.
      const out = forward('mindspore', construct('mindspore', entry.api, { num_features: C, [name]: value }), x);
      const expected = reference(entry.api, x, { eps: 1e-5, running: { mean: fill('runningMean', 0), var: fill('runningVar', 1) } }).y;
      const err = maxAbsDiff(out, expected);
      if (!(err < 1e-5)) fail(`mindspore ${name}=${value}: the inference output is not normalized with it (max diff ${err})`);
      return;
    }
    const layer = construct('mindspore', entry.api, { num_features: C, affine: false, [name]: value });
    setTrain('mindspore', layer, true);
    const out = forward('mindspore', layer, x);
    const plain = reference(entry.api, x, { eps: 1e-5 }).y;
    const applied = reference(entry.api, x, { eps: 1e-5, weight: fill('scale', 1), bias: fill('shift', 0) }).y;
    const expected = claim.appliedWhenAffineFalse ? applied : plain;
    const err = maxAbsDiff(out, expected);
    if (!(err < 1e-5)) fail(`mindspore ${name}=${value} with affine=False: output is ${claim.appliedWhenAffineFalse ? 'not' : ''} the ${claim.role} by ${value} (max diff ${err})`);
  },

  runningStatsAgree(entry, _row, claim) {
    const statsOf = (fw: Framework, args: Kwargs): number[][] => {
      const layer = construct(fw, entry.api, { num_features: C, ...args });
      setTrain(fw, layer, true);
      for (let seed = 5; seed < 8; seed++) forward(fw, layer, sampleInput(entry.api, seed));
      const named = fw === 'torch' ? (layer as TorchLayer).state_dict() : Object.fromEntries([...(layer as MindSporeLayer).parameters_and_names()].map(([k, p]) => [k, p.data]));
      const [mean, variance] = fw === 'torch' ? ['running_mean', 'running_var'] : ['moving_mean', 'moving_variance'];
      const pick = (key: string) => (Object.entries(named).find(([k]) => k === key || k.endsWith(`.${key}`))?.[1] ?? fail(`${fw}: no ${key} after training`)).tolist() as number[];
      return [pick(mean), pick(variance)];
    };
    const [torchMean, torchVar] = statsOf('torch', claim.torch);
    const [msMean, msVar] = statsOf('mindspore', claim.mindspore);
    const far = (a: number[], b: number[]) => a.some((v, i) => !(Math.abs(v - b[i]) <= 2e-6 * Math.max(1, Math.abs(v))));
    if (far(torchMean, msMean)) fail(`running means differ: torch ${JSON.stringify(claim.torch)} ${JSON.stringify(torchMean)}, mindspore ${JSON.stringify(claim.mindspore)} ${JSON.stringify(msMean)}`);
    if (far(torchVar, msVar)) fail(`running variances differ: torch ${JSON.stringify(claim.torch)} ${JSON.stringify(torchVar)}, mindspore ${JSON.stringify(claim.mindspore)} ${JSON.stringify(msVar)}`);
  },

  inputRanks(entry, _row, claim) {
    for (const fw of FRAMEWORKS) {
      const accepted: number[] = [];
      for (let rank = 1; rank <= 6; rank++) {
        // Channels at dim 1 (batched) or dim 0 (unbatched): a rank is accepted if either layout works.
        const shapes = [[2, C, ...Array(Math.max(rank - 2, 0)).fill(4)].slice(0, rank), [C, ...Array(rank - 1).fill(4)]];
        const ok = shapes.some((shape) => {
          try {
            forward(fw, construct(fw, entry.api, C), Tensor.zeros(shape, 'float32'));
            return true;
          } catch (err) {
            if ((err as Error).name === 'ValueError') return false;
            throw err;
          }
        });
        if (ok) accepted.push(rank);
      }
      expectEqual(accepted, claim[fw], `${fw} accepted input ranks`);
    }
  },
};

export function checkClaim(entry: MappingEntry, row: MappingRow, claim: Claim): void {
  (CHECKS[claim.kind] as Check<Claim['kind']>)(entry, row, claim);
}

/** A readable name for a generated test. */
export function claimTitle(row: MappingRow, claim: Claim, index: number): string {
  const detail = JSON.stringify(claim).replace(/"/g, '');
  return `${row.subcategory} ${row.torch ?? '-'} / ${row.mindspore ?? '-'} (${row.kind}) claim ${index + 1}: ${detail}`;
}
