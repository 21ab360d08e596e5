/**
 * `npm run bench`: the torch facade's forward against its memory floors (`out.set(x)` into a warm
 * buffer, `x.slice()`) and onnxruntime-node (InstanceNormalization for InstanceNorm;
 * BatchNormalization for BatchNorm, with training_mode=1 for training: batch statistics, and
 * the running statistics as outputs), measured in the same run, interleaved, warm, as medians.
 * Prints a table and writes bench/results.json.
 *
 *   npm run bench                 full sizes (about a minute)
 *   npm run bench -- --quick      tiny sizes, few repeats (what the smoke test runs)
 *   npm run bench -- --out FILE   write the results elsewhere
 */
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as v8 from 'v8';
import { currentKernel, selectKernel, kernels } from '../src/core/normalize';
import { jsKernel } from '../src/core/kernels/js';
import { loadWasmKernel, type WasmKernel } from '../src/core/kernels/wasm';
import { mulberry32 } from '../src/core/random';
import { Tensor } from '../src/core/tensor';
import { writeFileAtomic } from '../src/io/atomic-write';
import { encodeModel, initializer, node, valueInfo } from '../src/onnx/proto';
import { createSession, instanceNormModel, onnxruntime, type Session } from '../src/onnx/runtime';
import { BatchNorm1d, BatchNorm2d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type _NormBase } from '../src/torch/nn';

type Dtype = 'float32' | 'float64';

/** The ONNX model onnxruntime runs for a case: the same operation on the same shape. */
type OrtModel = (shape: number[], dtype: Dtype) => Uint8Array;

interface CaseSpec {
  name: string;
  shape: number[];
  dtype: Dtype;
  /** The module under test, in the mode the case names. */
  module: () => _NormBase;
  /** Compare with onnxruntime (only where ONNX has the same operation), or null. */
  ort: OrtModel | null;
  /** Also time the JS kernel (the fallback), for context. */
  js?: boolean;
  /** Name of the case this one is a variant of (its ratio to copy should stay within 10%). */
  baseOf?: string;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  /** Median CPU time of this process (all its threads) per call: not inflated by other processes. */
  cpuMedianMs: number;
}

export interface CaseResult {
  name: string;
  shape: number[];
  dtype: Dtype;
  elements: number;
  timings: Record<string, Timing>;
  /** forward(x, { out }) / out.set(x). */
  outVsSet: number;
  /** forward(x) / x.slice(). */
  forwardVsSlice: number;
  /** onnxruntime session.run / forward(x), where compared (default session options). */
  ortVsForward: number | null;
  /** The same with onnxruntime on one thread, as forward runs. */
  ort1VsForward: number | null;
  /** This variant's outVsSet / its base case's outVsSet. */
  vsBase: number | null;
  /** forward(x, { out }) / out.set(x) with the relaxed-SIMD build (fused multiply-add), where this machine runs it. */
  fmaOutVsSet: number | null;
  /** The same three ratios from CPU time (onnxruntime's counts all its threads). */
  cpu: { outVsSet: number; forwardVsSlice: number; ortVsForward: number | null };
}

export interface BenchResults {
  date: string;
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  kernel: string;
  /** The relaxed-SIMD build (default on Node 22+; loaded here with V8's flag when this Node keeps it off), or null. */
  fmaKernel: string | null;
  onnxruntime: string;
  quick: boolean;
  repeats: number;
  cases: CaseResult[];
  /** forward(x, { out }) on [1, 4, L] for growing sizes: time per element should stay flat. */
  growth: { elements: number; medianMs: number; nsPerElement: number; setNsPerElement: number }[];
  /** Per-call cost of forward(x) on the smallest case, in microseconds: wall clock, and CPU time
   * (process.cpuUsage, which other processes sharing the cores do not inflate). */
  callOverheadUs: number | null;
  callOverheadCpuUs: number | null;
}

const m1 = (c: number, kw: Record<string, unknown> = {}) => () => new InstanceNorm1d(c, kw);

const instanceNorm: OrtModel = (shape, dtype) => instanceNormModel(shape, dtype, { eps: 1e-5 });

/**
 * BatchNormalization (opset 15) with PyTorch's default state: inference mode normalizes with the
 * given statistics; training_mode=1 with the batch's, and outputs the updated running ones (ONNX
 * momentum 0.9 is PyTorch's 0.1).
 */
function batchNormalization(training: boolean): OrtModel {
  return (shape, dtype) => {
    const C = shape[1];
    const outputs = training ? ['y', 'running_mean', 'running_var'] : ['y'];
    return encodeModel({
      graphName: `batch_norm_${training ? 'training' : 'inference'}`,
      opset: 15,
      nodes: [node('BatchNormalization', ['x', 'scale', 'B', 'mean', 'var'], outputs, training ? { epsilon: 1e-5, momentum: 0.9, training_mode: { int: 1 } } : { epsilon: 1e-5 })],
      inputs: [valueInfo('x', dtype, shape)],
      outputs: outputs.map((name) => valueInfo(name, dtype, name === 'y' ? shape : [C])),
      initializers: [
        initializer('scale', Tensor.ones([C], dtype)),
        initializer('B', Tensor.zeros([C], dtype)),
        initializer('mean', Tensor.zeros([C], dtype)),
        initializer('var', Tensor.ones([C], dtype)),
      ],
    });
  };
}

function cases(quick: boolean): CaseSpec[] {
  const s = (full: number[], tiny: number[]) => (quick ? tiny : full);
  const f32 = 'float32' as const;
  const base = 'float32 [32, 64, 4096]';
  return [
    { name: base, shape: s([32, 64, 4096], [2, 8, 512]), dtype: f32, module: m1(s([64], [8])[0]), ort: instanceNorm, js: true },
    { name: 'float32 [4, 16, 262144]', shape: s([4, 16, 262144], [1, 2, 4096]), dtype: f32, module: m1(s([16], [2])[0]), ort: instanceNorm, js: true },
    { name: 'float32 [1, 2, 4] (call overhead)', shape: [1, 2, 4], dtype: f32, module: m1(2), ort: instanceNorm },
    { name: 'float64 [32, 64, 4096]', shape: s([32, 64, 4096], [2, 8, 512]), dtype: 'float64', module: m1(s([64], [8])[0], { dtype: 'float64' }), ort: null },
    { name: 'affine', shape: s([32, 64, 4096], [2, 8, 512]), dtype: f32, module: m1(s([64], [8])[0], { affine: true }), ort: instanceNorm, baseOf: base },
    {
      name: 'running stats (training, updates them)',
      shape: s([32, 64, 4096], [2, 8, 512]),
      dtype: f32,
      module: m1(s([64], [8])[0], { track_running_stats: true }),
      ort: null,
      baseOf: base,
    },
    {
      name: 'running stats (eval, fixed statistics)',
      shape: s([32, 64, 4096], [2, 8, 512]),
      dtype: f32,
      module: () => new InstanceNorm1d(s([64], [8])[0], { track_running_stats: true }).eval(),
      ort: null,
      baseOf: base,
    },
    { name: 'InstanceNorm2d [8, 32, 128, 128]', shape: s([8, 32, 128, 128], [2, 4, 16, 16]), dtype: f32, module: () => new InstanceNorm2d(s([32], [4])[0]), ort: instanceNorm },
    { name: 'InstanceNorm3d [2, 16, 16, 64, 64]', shape: s([2, 16, 16, 64, 64], [1, 2, 4, 8, 8]), dtype: f32, module: () => new InstanceNorm3d(s([16], [2])[0]), ort: instanceNorm },
    ...batchNormCases(quick),
  ];
}

/** BatchNorm in training (batch statistics, running stats updated) and in eval (running stats): two ResNet-like BatchNorm2d shapes and an MLP's BatchNorm1d (N, C). */
function batchNormCases(quick: boolean): CaseSpec[] {
  const shapes = quick ? [[2, 8, 8, 8], [2, 16, 4, 4], [64, 32]] : [[32, 64, 56, 56], [8, 256, 14, 14], [256, 1024]];
  return shapes.flatMap((shape) => {
    const cls = shape.length === 4 ? BatchNorm2d : BatchNorm1d;
    const label = `${cls.name} [${shape.join(', ')}]`;
    return [
      { name: `${label} training`, shape, dtype: 'float32' as const, module: () => new cls(shape[1]), ort: batchNormalization(true), js: shape[1] === 64 },
      { name: `${label} eval`, shape, dtype: 'float32' as const, module: () => new cls(shape[1]).eval(), ort: batchNormalization(false) },
    ];
  });
}

type Sample = { wall: number; cpu: number };

/** Repeats `fn` enough times per sample that timer resolution does not matter; ms per call. */
async function sampler(fn: () => unknown | Promise<unknown>, isAsync: boolean): Promise<() => Promise<Sample>> {
  const batch = async (inner: number): Promise<Sample> => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    if (isAsync) for (let i = 0; i < inner; i++) await fn();
    else for (let i = 0; i < inner; i++) fn();
    const wall = performance.now() - t;
    const used = process.cpuUsage(cpu);
    return { wall: wall / inner, cpu: (used.user + used.system) / 1000 / inner };
  };
  await batch(1);
  const first = (await batch(1)).wall;
  const inner = Math.max(1, Math.min(100000, Math.ceil(2 / Math.max(first, 1e-5))));
  return () => batch(inner);
}

/** Runs the samplers round-robin (rotating the order each round) and summarizes each. */
async function interleave(samplers: Record<string, () => Promise<Sample>>, repeats: number): Promise<Record<string, Timing>> {
  const names = Object.keys(samplers);
  const samples: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      samples[name].push(await samplers[name]());
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const wall = samples[n].map((x) => x.wall);
      return [n, { medianMs: median(wall), minMs: Math.min(...wall), cpuMedianMs: median(samples[n].map((x) => x.cpu)) }];
    }),
  );
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Uniform values in [-1.5, 2.5): a non-zero mean, so the statistics matter. */
function randomInput(shape: number[], dtype: Dtype): Tensor<Dtype> {
  const random = mulberry32(12345);
  const x = Tensor.zeros(shape, dtype);
  for (let i = 0; i < x.size; i++) x.data[i] = random() * 4 - 1.5;
  return x;
}

/** onnxruntime with its default session options (what a user gets), or on one thread like forward. */
async function ortSampler(spec: CaseSpec, model: Uint8Array, x: Tensor, oneThread: boolean): Promise<{ session: Session; run: () => Promise<unknown> }> {
  const session = oneThread
    ? await onnxruntime().InferenceSession.create(model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 })
    : await createSession(model);
  const feeds = { x: x.toOrt() };
  return { session, run: () => session.run(feeds) };
}

/**
 * The wasm kernel built with relaxed SIMD's fused multiply-add: what Node 22 and later run by
 * default. On Node 20 it compiles only with --experimental-wasm-relaxed-simd, which is set just
 * while the module compiles (the package itself never touches V8 flags). Null without FMA hardware.
 */
function fmaKernel(): WasmKernel | null {
  const native = loadWasmKernel();
  if (native?.name === 'wasm-simd-fma') return native;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  try {
    const kernel = loadWasmKernel();
    return kernel?.name === 'wasm-simd-fma' ? kernel : null;
  } finally {
    v8.setFlagsFromString('--no-experimental-wasm-relaxed-simd');
  }
}

const FMA = fmaKernel();

/** Times `fn` with `kernel` selected instead of the core's own (restored afterwards). */
function withKernel(kernel: (typeof kernels)[number], fn: () => unknown): () => unknown {
  return () => {
    const fast = kernels[0];
    selectKernel(kernel);
    try {
      return fn();
    } finally {
      selectKernel(fast);
    }
  };
}

async function runCase(spec: CaseSpec, repeats: number): Promise<Omit<CaseResult, 'vsBase'>> {
  const x = randomInput(spec.shape, spec.dtype);
  const out = Tensor.zeros(spec.shape, spec.dtype);
  const module = spec.module();
  const samplers: Record<string, () => Promise<Sample>> = {
    'out.set(x)': await sampler(() => (out.data as Float32Array).set(x.data as Float32Array), false),
    'x.slice()': await sampler(() => x.data.slice(), false),
    'forward(x, { out })': await sampler(() => module.forward(x, { out }), false),
    'forward(x)': await sampler(() => module.forward(x), false),
  };
  const sessions: Session[] = [];
  if (spec.ort) {
    const model = spec.ort(spec.shape, spec.dtype);
    const ort = await ortSampler(spec, model, x, false);
    const ort1 = await ortSampler(spec, model, x, true);
    sessions.push(ort.session, ort1.session);
    samplers['onnxruntime run'] = await sampler(ort.run, true);
    samplers['onnxruntime run, 1 thread'] = await sampler(ort1.run, true);
  }
  if (spec.js) samplers['forward(x, { out }), JS kernel'] = await sampler(withKernel(jsKernel, () => module.forward(x, { out })), false);
  if (FMA && FMA.name !== currentKernel()) samplers['forward(x, { out }), FMA build'] = await sampler(withKernel(FMA, () => module.forward(x, { out })), false);
  const timings = await interleave(samplers, repeats);
  for (const session of sessions) await session.release();
  const t = (k: string) => timings[k].medianMs;
  const c = (k: string) => timings[k].cpuMedianMs;
  return {
    name: spec.name,
    shape: spec.shape,
    dtype: spec.dtype,
    elements: x.size,
    timings,
    outVsSet: t('forward(x, { out })') / t('out.set(x)'),
    forwardVsSlice: t('forward(x)') / t('x.slice()'),
    ortVsForward: spec.ort ? t('onnxruntime run') / t('forward(x)') : null,
    ort1VsForward: spec.ort ? t('onnxruntime run, 1 thread') / t('forward(x)') : null,
    fmaOutVsSet: timings['forward(x, { out }), FMA build'] ? t('forward(x, { out }), FMA build') / t('out.set(x)') : null,
    cpu: {
      outVsSet: c('forward(x, { out })') / c('out.set(x)'),
      forwardVsSlice: c('forward(x)') / c('x.slice()'),
      ortVsForward: spec.ort ? c('onnxruntime run') / c('forward(x)') : null,
    },
  };
}

async function growth(quick: boolean, repeats: number): Promise<BenchResults['growth']> {
  const rows: BenchResults['growth'] = [];
  const top = quick ? 12 : 24;
  for (let k = 10; k <= top; k += 2) {
    const shape = [1, 4, 2 ** k / 4];
    const x = randomInput(shape, 'float32');
    const out = Tensor.zeros(shape, 'float32');
    const module = new InstanceNorm1d(4);
    const timings = await interleave(
      {
        set: await sampler(() => (out.data as Float32Array).set(x.data as Float32Array), false),
        forward: await sampler(() => module.forward(x, { out }), false),
      },
      repeats,
    );
    rows.push({
      elements: x.size,
      medianMs: timings.forward.medianMs,
      nsPerElement: (timings.forward.medianMs * 1e6) / x.size,
      setNsPerElement: (timings.set.medianMs * 1e6) / x.size,
    });
  }
  return rows;
}

export async function runBench(options: { quick: boolean; repeats?: number; log?: (line: string) => void }): Promise<BenchResults> {
  const log = options.log ?? (() => undefined);
  const repeats = options.repeats ?? (options.quick ? 3 : 15);
  const results: CaseResult[] = [];
  for (const spec of cases(options.quick)) {
    const r = await runCase(spec, repeats);
    const base = spec.baseOf ? results.find((c) => c.name === spec.baseOf) : undefined;
    results.push({ ...r, vsBase: base ? r.outVsSet / base.outVsSet : null });
    log(`  ${spec.name}: forward(x, { out }) ${fmtMs(r.timings['forward(x, { out })'].medianMs)}, ${r.outVsSet.toFixed(2)}x out.set(x)`);
  }
  const small = results.find((c) => c.elements === 8);
  const overheadModule = new InstanceNorm1d(2);
  const overheadInput = randomInput([1, 2, 4], 'float32');
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical cores)`,
    cores: os.cpus().length,
    kernel: currentKernel(),
    fmaKernel: FMA ? FMA.name : null,
    onnxruntime: onnxruntime().env.versions?.common ?? 'unknown',
    quick: options.quick,
    repeats,
    cases: results,
    growth: await growth(options.quick, repeats),
    callOverheadUs: small ? small.timings['forward(x)'].medianMs * 1000 : null,
    callOverheadCpuUs: cpuPerCall(() => overheadModule.forward(overheadInput), options.quick ? 1000 : 200000),
  };
}

/** Median over 5 batches of CPU microseconds per call. */
function cpuPerCall(fn: () => unknown, calls: number): number {
  for (let i = 0; i < calls; i++) fn();
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) fn();
    const used = process.cpuUsage(start);
    batches.push((used.user + used.system) / calls);
  }
  return median(batches);
}

function fmtMs(ms: number): string {
  return ms >= 0.1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(2)} us`;
}

/** The results as a Markdown table (also what the README shows). */
export function formatTable(r: BenchResults): string {
  const lines = [
    `Node ${r.node}, ${r.cpu}, kernel ${r.kernel}${r.fmaKernel && r.fmaKernel !== r.kernel ? ` (and ${r.fmaKernel}, the relaxed-SIMD build Node 22+ runs)` : ''}, onnxruntime-node ${r.onnxruntime}; medians of ${r.repeats} interleaved warm runs.`,
    '',
    '| case | out.set(x) | forward(x, {out}) | ratio (target <= 1.5) | x.slice() | forward(x) | ratio (target <= 1.25) | onnxruntime | ort / forward (target >= 1.2) | ort 1 thread / forward | JS kernel, {out} | FMA build, {out} / out.set(x) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.cases) {
    const t = (k: string) => (c.timings[k] ? fmtMs(c.timings[k].medianMs) : '-');
    const vsBase = c.vsBase === null ? '' : ` (${c.vsBase.toFixed(2)}x base)`;
    lines.push(
      `| ${c.name} | ${t('out.set(x)')} | ${t('forward(x, { out })')} | ${c.outVsSet.toFixed(2)}${vsBase} | ${t('x.slice()')} | ${t('forward(x)')} | ${c.forwardVsSlice.toFixed(2)} | ${t('onnxruntime run')} | ${c.ortVsForward === null ? '-' : c.ortVsForward.toFixed(2)} | ${c.ort1VsForward === null ? '-' : c.ort1VsForward.toFixed(2)} | ${t('forward(x, { out }), JS kernel')} | ${c.fmaOutVsSet === null ? '-' : c.fmaOutVsSet.toFixed(2)} |`,
    );
  }
  if (r.callOverheadUs !== null && r.callOverheadCpuUs !== null) {
    lines.push('', `forward(x) on [1, 2, 4]: ${r.callOverheadUs.toFixed(2)} us per call wall clock, ${r.callOverheadCpuUs.toFixed(2)} us CPU (target <= 1 us).`);
  }
  lines.push('', 'The same ratios from CPU time (process.cpuUsage: all threads of this process, so onnxruntime\'s workers and V8\'s GC helpers count; not slowed by other processes, but coarse for copies that wait on memory):', '', '| case | forward(x, {out}) / out.set(x) | forward(x) / x.slice() | ort / forward |', '|---|---|---|---|');
  for (const c of r.cases) {
    lines.push(`| ${c.name} | ${c.cpu.outVsSet.toFixed(2)} | ${c.cpu.forwardVsSlice.toFixed(2)} | ${c.cpu.ortVsForward === null ? '-' : c.cpu.ortVsForward.toFixed(2)} |`);
  }
  lines.push('', '| elements | forward(x, {out}) | ns / element | out.set(x) ns / element |', '|---|---|---|---|');
  for (const g of r.growth) lines.push(`| 2^${Math.log2(g.elements)} | ${fmtMs(g.medianMs)} | ${g.nsPerElement.toFixed(3)} | ${g.setNsPerElement.toFixed(3)} |`);
  return lines.join('\n');
}

/** `--quick` and `--out FILE`, checked before the minute of timing rather than at the write after it. */
export function benchArgs(argv: string[]): { quick: boolean; outPath: string } {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } }, strict: true });
  return { quick: Boolean(values.quick), outPath: values.out ?? path.join(__dirname, 'results.json') };
}

async function main(argv: string[]): Promise<void> {
  const { quick, outPath } = benchArgs(argv);
  console.log(`normalization benchmark (${quick ? 'quick' : 'full'}), kernel ${currentKernel()}`);
  const results = await runBench({ quick, log: (line) => console.log(line) });
  console.log(`\n${formatTable(results)}\n`);
  writeFileAtomic(outPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${outPath}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
