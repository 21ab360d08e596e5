/**
 * The fast kernel: the AssemblyScript/wasm SIMD code in wasm/normalize.ts, built into
 * ./wasm-binary.ts by `npm run build:wasm` (during `npm install`, not in git). Inputs are streamed
 * through wasm memory in cache-sized blocks: copy a block of runs in (a run is what one set of
 * statistics covers: a row, or a channel gathered from every batch entry in element order),
 * normalize it there, copy it out, so each copy reads or writes cache rather than main memory a
 * second time. Runs longer than a block take two streamed passes (statistics merged per block,
 * then normalize); with 'stepwise' arithmetic three (sum, squares, normalize) and more where a sum
 * has to be redone in element order. Small inputs go to the JS kernel, which is cheaper than the
 * wasm call and copies at that size. Slices of one value ((N, C) input) take their own passes,
 * down the columns of the N x C matrix, vectorized across channels.
 */
import { fma32, fma64 } from '../fma';
import { jsKernel } from './js';
import { inputInvStd, type NormalizeArgs, type NormalizeKernel } from './types';

// lib ES2022 and @types/node 20 do not declare the WebAssembly global; these are the parts used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

interface KernelExports {
  memory: WasmMemory;
  statMean(): number;
  statM2(): number;
  stats32(p: number, n: number): void;
  stats64(p: number, n: number): void;
  normalize32(p: number, n: number, mean: number, scale: number, shift: number): void;
  normalize64(p: number, n: number, mean: number, scale: number, shift: number): void;
  block32(...args: BlockArgs): void;
  block64(...args: BlockArgs): void;
  // stepwise float32 (see wasm/normalize.ts)
  stepwiseBlock32(...args: BlockArgs): void;
  rowStart(): void;
  sumBlock32(p: number, n: number): void;
  squaresBlock32(p: number, n: number, mean: number): void;
  serialSumBlock32(p: number, n: number): void;
  serialSquaresBlock32(p: number, n: number, mean: number): void;
  squaresReset(): void;
  serialReset(): void;
  rowSumEstimate(): number;
  rowSquaresEstimate(): number;
  rowSerialTotal(): number;
  rowMeanCertain(mean: number): number;
  rowSquaresCertain(): number;
  setAlwaysInOrder(on: number): void;
  ownInvStd32(m2: number, count: number, eps: number): number;
  givenInvStd32(variance: number, eps: number): number;
  fma32(a: number, b: number, c: number): number;
  fmaBlock32(p: number, n: number, alpha: number, beta: number): void;
  // stepwise float64
  stepwiseBlock64(...args: BlockArgs): void;
  serialSumBlock64(p: number, n: number): void;
  serialSquaresBlock64(p: number, n: number, mean: number, image: number, position: number): void;
  fma64(a: number, b: number, c: number): number;
  fmaBlock64(p: number, n: number, alpha: number, beta: number): void;
  fusedMultiplyAdd(a32: number, c32: number, a64: number, c64: number): number;
  // slices of one value: passes down the columns of an N x C matrix
  columnSums32(p: number, rows: number, C: number, buf: number): void;
  columnSquares32(p: number, rows: number, C: number, mean: number, buf: number): void;
  columnFma32(p: number, rows: number, C: number, alpha: number, beta: number, wideAlpha: number, wideBeta: number): void;
  columnSums64(p: number, rows: number, C: number, buf: number, narrow: number): void;
  columnSquares64(p: number, rows: number, C: number, mean: number, buf: number, narrow: number, fused: number): void;
  columnFma64(p: number, rows: number, C: number, alpha: number, beta: number): void;
  columnAffine(p: number, rows: number, C: number, mean: number, scale: number, shift: number, narrow: number): void;
}

type BlockArgs = [p: number, runs: number, length: number, images: number, r0: number, channels: number, eps: number, flags: number, chan: number, stats: number, totalRuns: number];

// Must match wasm/normalize.ts.
const USE_INPUT_STATS = 1;
const HAS_WEIGHT = 2;
const HAS_BIAS = 4;
const WRITE_STATS = 8;

/**
 * Bytes of input per streamed block: about L2, so the passes over a block hit cache, and large
 * enough that the copies run at full speed (measured here: 128 KiB to 2 MiB differ by little; whole
 * 1 MiB rows at once beat two streamed passes by about a third).
 */
const BLOCK_BYTES = 1024 * 1024;
/** Runs up to this size are taken whole (one read of the input); longer ones are streamed twice. */
const WHOLE_ROW_BYTES = 8 * 1024 * 1024;
/** Below this many elements the JS kernel wins (no copies, no wasm call; measured crossover 64 to 128). */
const SMALL = 128;

type FloatArray = Float32Array | Float64Array;

/** Size thresholds (the defaults above; tests shrink them to reach every path with small inputs). */
export interface WasmKernelSizes {
  blockBytes: number;
  wholeRowBytes: number;
  /** Inputs with fewer elements go to the JS kernel. */
  small: number;
  /** Stepwise float32: redo every run's sums in element order (tests reach that path with it). */
  alwaysInOrder?: boolean;
}

const DEFAULT_SIZES: WasmKernelSizes = { blockBytes: BLOCK_BYTES, wholeRowBytes: WHOLE_ROW_BYTES, small: SMALL };

/**
 * How the elements of each set of statistics lie in the input: `runs` runs of `images` stretches
 * of `length` contiguous values; stretch k of run i starts at value (k * runs + i) * length. Rows
 * (instance norm, or given statistics): N * C runs of one image; channels: C runs of N images.
 * Consecutive runs i0..i0 + m are then `images` stretches of m * length values, which is how a
 * block of them is copied in and out.
 */
interface Runs {
  runs: number;
  images: number;
  length: number;
}

export class WasmKernel implements NormalizeKernel {
  /** 'wasm-simd', or 'wasm-simd-fma' for the build whose fused multiply-add comes from relaxed SIMD. */
  readonly name: string;
  private readonly wasm: KernelExports;
  private buffer: ArrayBuffer;
  private f32: Float32Array;
  private f64: Float64Array;

  private readonly sizes: WasmKernelSizes;

  constructor(module: object, sizes: WasmKernelSizes = DEFAULT_SIZES) {
    this.sizes = sizes;
    this.wasm = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    this.name = this.fused() ? 'wasm-simd-fma' : 'wasm-simd';
    this.wasm.setAlwaysInOrder(sizes.alwaysInOrder ? 1 : 0);
    this.buffer = this.wasm.memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  /** Whether the module's vector multiply-add is fused (only the relaxed-SIMD build's can be, on FMA hardware). */
  fused(): boolean {
    return this.wasm.fusedMultiplyAdd(1 + 2 ** -12, -(1 + 2 ** -11), 1 + 2 ** -27, -(1 + 2 ** -26)) === 1;
  }

  normalize32(args: NormalizeArgs<Float32Array>): void {
    if (this.forJs(args)) jsKernel.normalize32(args);
    else this.run(args, 4);
  }

  normalize64(args: NormalizeArgs<Float64Array>): void {
    if (this.forJs(args)) jsKernel.normalize64(args);
    else this.run(args, 8);
  }

  private forJs(args: NormalizeArgs<FloatArray>): boolean {
    return args.x.length < this.sizes.small || args.length === 0;
  }

  private run(args: NormalizeArgs<FloatArray>, bytes: 4 | 8): void {
    if (args.length === 1 && args.stats.from !== 'rows') {
      this.columns(args, bytes);
      return;
    }
    const { rows, channels, length, stats, weight, bias } = args;
    const layout: Runs = stats.from === 'channels' ? { runs: channels, images: rows / channels, length } : { runs: rows, images: 1, length };
    const record = stats.from === 'given' ? null : stats.record;
    // Layout: [channel values: 4 * channels f64 | run statistics: 2 * runs f64 | block].
    const chan = 0;
    const runStats = 32 * channels;
    // The block starts half a page off page alignment: large typed arrays sit just past a page
    // boundary, and copies between addresses with equal low 12 bits stall on 4K aliasing.
    const block = alignUp(runStats + (record ? 16 * layout.runs : 0) + 2048, 4096) - 2048;
    const runLength = layout.images * length;
    const runBytes = runLength * bytes;
    const { blockBytes, wholeRowBytes } = this.sizes;
    const blockElems = runBytes > blockBytes && runBytes <= wholeRowBytes ? runLength : Math.max(1, Math.floor(blockBytes / bytes));
    this.reserve(block + blockElems * bytes);
    const f64 = this.f64;
    let flags = 0;
    if (stats.from !== 'given') flags |= USE_INPUT_STATS;
    if (record) flags |= WRITE_STATS;
    if (weight) {
      flags |= HAS_WEIGHT;
      for (let c = 0; c < channels; c++) f64[c] = weight[c];
    }
    if (bias) {
      flags |= HAS_BIAS;
      for (let c = 0; c < channels; c++) f64[channels + c] = bias[c];
    }
    if (stats.from === 'given') {
      for (let c = 0; c < channels; c++) {
        f64[2 * channels + c] = stats.mean[c];
        f64[3 * channels + c] = stats.var[c];
      }
    }
    if (runLength <= blockElems) this.shortRuns(args, layout, bytes, flags, chan, runStats, block, Math.floor(blockElems / runLength));
    else if (args.arithmetic === 'stepwise' && bytes === 4) this.stepwiseLongRuns(args as NormalizeArgs<Float32Array>, layout, flags, runStats, block, blockElems);
    else if (args.arithmetic === 'stepwise') this.stepwiseLongRuns64(args as NormalizeArgs<Float64Array>, layout, flags, runStats, block, blockElems);
    else this.longRuns(args, layout, bytes, flags, runStats, block, blockElems);
    if (record) {
      const s = runStats >> 3;
      record.mean.set(this.f64.subarray(s, s + layout.runs));
      record.m2.set(this.f64.subarray(s + layout.runs, s + 2 * layout.runs));
    }
  }

  /**
   * Slices of one value with per-channel or given statistics: the input is an N x C matrix whose
   * columns are the channels. Each pass runs down the columns in wasm; the per-channel values
   * between passes are worked out here with the JS kernel's formulas. The matrix is copied in once
   * when it fits in `wholeRowBytes`, else each pass streams it in blocks of rows.
   */
  private columns(args: NormalizeArgs<FloatArray>, bytes: 4 | 8): void {
    const { x, y, rows, channels: C, eps, weight, bias, stats } = args;
    const N = rows / C;
    const wasm = this.wasm;
    const wide = bytes === 8;
    const stepwise = args.arithmetic === 'stepwise';
    // Layout: [six arrays of C float64 (a buffer, the means, alpha or scale, beta or shift, and
    // float64 copies of float32 alpha and beta) | block].
    const [buf, means, alphas, betas, wideAlphas, wideBetas] = [0, 8 * C, 16 * C, 24 * C, 32 * C, 40 * C];
    const block = alignUp(48 * C + 2048, 4096) - 2048;
    const rowBytes = C * bytes;
    const { blockBytes, wholeRowBytes } = this.sizes;
    const perBlock = rows * bytes <= Math.max(blockBytes, wholeRowBytes) ? N : Math.max(1, Math.floor(blockBytes / rowBytes));
    this.reserve(block + perBlock * rowBytes);
    const whole = perBlock >= N;
    const view = wide ? this.f64 : this.f32;
    const at = block / bytes;
    if (whole) view.set(x, at);
    const pass = (run: (n: number) => void, write: boolean) => {
      if (whole) return run(N);
      for (let r0 = 0; r0 < N; r0 += perBlock) {
        const n = Math.min(perBlock, N - r0);
        view.set(x.subarray(r0 * C, (r0 + n) * C), at);
        run(n);
        if (write) y.set(view.subarray(at, at + n * C), r0 * C);
      }
    };
    const f32 = this.f32;
    const f64 = this.f64;
    const f = Math.fround;
    const own = stats.from === 'channels';
    const record = stats.from === 'channels' ? stats.record : null;
    const narrow = wide ? 0 : 1;
    // Statistics: float32 sums down the columns (stepwise float32), float64 ones otherwise.
    if (own && stepwise && !wide) {
      f32.fill(0, buf >> 2, (buf >> 2) + C);
      pass((n) => wasm.columnSums32(block, n, C, buf), false);
      for (let c = 0; c < C; c++) f32[(means >> 2) + c] = f(f32[(buf >> 2) + c] / N);
      f32.fill(0, buf >> 2, (buf >> 2) + C);
      pass((n) => wasm.columnSquares32(block, n, C, means, buf), false);
    } else if (own) {
      f64.fill(0, buf >> 3, (buf >> 3) + C);
      pass((n) => wasm.columnSums64(block, n, C, buf, narrow), false);
      for (let c = 0; c < C; c++) f64[(means >> 3) + c] = f64[(buf >> 3) + c] / N;
      f64.fill(0, buf >> 3, (buf >> 3) + C);
      pass((n) => wasm.columnSquares64(block, n, C, means, buf, narrow, stepwise ? 1 : 0), false);
    }
    // Per channel: mean and invstd, then alpha and beta (stepwise) or scale and shift (accurate).
    const single = stepwise && !wide;
    for (let c = 0; c < C; c++) {
      let mean: number;
      let invstd: number;
      if (stats.from === 'given') {
        mean = single ? f(stats.mean[c]) : stats.mean[c];
        invstd = single ? f(1 / f(Math.sqrt(f(f(stats.var[c]) + f(eps))))) : 1 / Math.sqrt(stats.var[c] + eps);
      } else {
        mean = single ? f32[(means >> 2) + c] : f64[(means >> 3) + c];
        const m2 = single ? f32[(buf >> 2) + c] : f64[(buf >> 3) + c];
        if (record) {
          record.mean[c] = mean;
          record.m2[c] = m2;
        }
        invstd = single ? (f(m2 / f(N)) === 0 && eps === 0 ? 0 : f(1 / Math.sqrt(f(m2 / f(N)) + eps))) : inputInvStd(m2 / N, eps);
      }
      if (single) {
        const alpha = weight ? f(invstd * f(weight[c])) : invstd;
        f32[(alphas >> 2) + c] = alpha;
        f32[(betas >> 2) + c] = fma32(-mean, alpha, bias ? f(bias[c]) : 0);
      } else if (stepwise) {
        const alpha = weight ? invstd * weight[c] : invstd;
        f64[(alphas >> 3) + c] = alpha;
        f64[(betas >> 3) + c] = fma64(-mean, alpha, bias ? bias[c] : 0);
      } else {
        f64[(means >> 3) + c] = mean;
        f64[(alphas >> 3) + c] = weight ? invstd * weight[c] : invstd;
        f64[(betas >> 3) + c] = bias ? bias[c] : 0;
      }
    }
    if (single) pass((n) => wasm.columnFma32(block, n, C, alphas, betas, wideAlphas, wideBetas), true);
    else if (stepwise) pass((n) => wasm.columnFma64(block, n, C, alphas, betas), true);
    else pass((n) => wasm.columnAffine(block, n, C, means, alphas, betas, narrow), true);
    if (whole) y.set(view.subarray(at, at + rows), 0);
  }

  /** Whole runs per block: one wasm call computes statistics and normalizes every run in it. */
  private shortRuns(args: NormalizeArgs<FloatArray>, layout: Runs, bytes: 4 | 8, flags: number, chan: number, runStats: number, block: number, perBlock: number): void {
    const { x, y, channels, eps } = args;
    const { runs, images, length } = layout;
    const view = bytes === 4 ? this.f32 : this.f64;
    const at = block / bytes;
    const stepwise = args.arithmetic === 'stepwise';
    const run = bytes === 8 ? (stepwise ? this.wasm.stepwiseBlock64 : this.wasm.block64) : stepwise ? this.wasm.stepwiseBlock32 : this.wasm.block32;
    for (let i0 = 0; i0 < runs; i0 += perBlock) {
      const count = Math.min(perBlock, runs - i0);
      const span = count * length;
      for (let k = 0; k < images; k++) {
        const start = (k * runs + i0) * length;
        view.set(x.subarray(start, start + span), at + k * span);
      }
      run(block, count, length, images, i0, channels, eps, flags, chan, runStats, runs);
      for (let k = 0; k < images; k++) y.set(view.subarray(at + k * span, at + (k + 1) * span), (k * runs + i0) * length);
    }
  }

  /**
   * Runs longer than a block: statistics block by block (each block's mean and M2 merged with
   * Chan et al.'s pairwise update, which stays accurate however the blocks differ), then a second
   * streamed pass that normalizes.
   */
  private longRuns(args: NormalizeArgs<FloatArray>, layout: Runs, bytes: 4 | 8, flags: number, runStats: number, block: number, blockElems: number): void {
    const { x, y, channels, eps, weight, bias, stats } = args;
    const { runs } = layout;
    const wasm = this.wasm;
    const statsOf = bytes === 4 ? wasm.stats32 : wasm.stats64;
    const normalize = bytes === 4 ? wasm.normalize32 : wasm.normalize64;
    const total = layout.images * layout.length;
    for (let r = 0; r < runs; r++) {
      const c = r % channels;
      let mean: number;
      let invstd: number;
      if (stats.from !== 'given') {
        let count = 0;
        mean = 0;
        let m2 = 0;
        this.stream(x, layout, r, 0, total, block, blockElems, (n) => {
          statsOf(block, n);
          const bMean = wasm.statMean();
          const seen = count + n;
          const delta = bMean - mean;
          mean += (delta * n) / seen;
          m2 += wasm.statM2() + ((delta * delta * count) / seen) * n;
          count = seen;
        });
        if (flags & WRITE_STATS) {
          this.f64[(runStats >> 3) + r] = mean;
          this.f64[(runStats >> 3) + runs + r] = m2;
        }
        invstd = inputInvStd(m2 / total, eps);
      } else {
        mean = stats.mean[c];
        invstd = 1 / Math.sqrt(stats.var[c] + eps);
      }
      const scale = weight ? invstd * weight[c] : invstd;
      const shift = bias ? bias[c] : 0;
      this.stream(x, layout, r, 0, total, block, blockElems, (n) => normalize(block, n, mean, scale, shift), y);
    }
  }

  /**
   * Stepwise float32 runs longer than a block: a sum pass and a squares pass streamed block by
   * block, a third (and a fourth) in element order when the module cannot decide a rounding, then
   * the normalize pass.
   */
  private stepwiseLongRuns(args: NormalizeArgs<Float32Array>, layout: Runs, flags: number, runStats: number, block: number, blockElems: number): void {
    const { x, channels, eps, weight, bias, stats } = args;
    const { runs } = layout;
    const wasm = this.wasm;
    const f = Math.fround;
    const total = layout.images * layout.length;
    const stream = (pass: (n: number) => void, r: number, y?: Float32Array) => this.stream(x, layout, r, 0, total, block, blockElems, pass, y);
    for (let r = 0; r < runs; r++) {
      const c = r % channels;
      let mean: number;
      let invstd: number;
      if (stats.from !== 'given') {
        wasm.rowStart();
        stream((n) => wasm.sumBlock32(block, n), r);
        mean = f(wasm.rowSumEstimate() / total);
        stream((n) => wasm.squaresBlock32(block, n, mean), r);
        if (!wasm.rowMeanCertain(mean)) {
          wasm.serialReset();
          stream((n) => wasm.serialSumBlock32(block, n), r);
          const exact = f(wasm.rowSerialTotal() / total);
          if (!Object.is(exact, mean)) {
            mean = exact;
            wasm.squaresReset();
            stream((n) => wasm.squaresBlock32(block, n, mean), r);
          }
        }
        let m2 = f(wasm.rowSquaresEstimate());
        if (!wasm.rowSquaresCertain()) {
          wasm.serialReset();
          stream((n) => wasm.serialSquaresBlock32(block, n, mean), r);
          m2 = f(wasm.rowSerialTotal());
        }
        if (flags & WRITE_STATS) {
          this.f64[(runStats >> 3) + r] = mean;
          this.f64[(runStats >> 3) + runs + r] = m2;
        }
        invstd = wasm.ownInvStd32(m2, total, eps);
      } else {
        mean = f(stats.mean[c]);
        invstd = wasm.givenInvStd32(f(stats.var[c]), eps);
      }
      const alpha = weight ? f(invstd * f(weight[c])) : invstd;
      const beta = wasm.fma32(-mean, alpha, bias ? f(bias[c]) : 0);
      stream((n) => wasm.fmaBlock32(block, n, alpha, beta), r, args.y);
    }
  }

  /** Stepwise float64 runs longer than a block: element-order sums streamed (the last square of each odd stretch fused), then the normalize pass. */
  private stepwiseLongRuns64(args: NormalizeArgs<Float64Array>, layout: Runs, flags: number, runStats: number, block: number, blockElems: number): void {
    const { x, channels, eps, weight, bias, stats } = args;
    const { runs, length } = layout;
    const wasm = this.wasm;
    const total = layout.images * length;
    for (let r = 0; r < runs; r++) {
      const c = r % channels;
      let mean: number;
      let invstd: number;
      if (stats.from !== 'given') {
        wasm.serialReset();
        this.stream(x, layout, r, 0, total, block, blockElems, (n) => wasm.serialSumBlock64(block, n));
        mean = wasm.rowSerialTotal() / total;
        wasm.serialReset();
        this.stream(x, layout, r, 0, total, block, blockElems, (n, from) => wasm.serialSquaresBlock64(block, n, mean, length, from % length));
        const m2 = wasm.rowSerialTotal();
        if (flags & WRITE_STATS) {
          this.f64[(runStats >> 3) + r] = mean;
          this.f64[(runStats >> 3) + runs + r] = m2;
        }
        invstd = inputInvStd(m2 / total, eps);
      } else {
        mean = stats.mean[c];
        invstd = 1 / Math.sqrt(stats.var[c] + eps);
      }
      const alpha = weight ? invstd * weight[c] : invstd;
      const beta = wasm.fma64(-mean, alpha, bias ? bias[c] : 0);
      this.stream(x, layout, r, 0, total, block, blockElems, (n) => wasm.fmaBlock64(block, n, alpha, beta), args.y);
    }
  }

  /**
   * Copies values [from, to) of run r (in element order) through the block in pieces of up to
   * blockElems, calling `pass` on each with its size and the index of its first value; copies the
   * result out to `y` when given.
   */
  private stream<A extends FloatArray>(x: A, layout: Runs, r: number, from: number, to: number, block: number, blockElems: number, pass: (n: number, from: number) => void, y?: A): void {
    const view = x instanceof Float32Array ? this.f32 : this.f64;
    const at = block / x.BYTES_PER_ELEMENT;
    for (let s = from; s < to; s += blockElems) {
      const n = Math.min(blockElems, to - s);
      copyRun(layout, r, s, n, (start, len, offset) => view.set(x.subarray(start, start + len), at + offset));
      pass(n, s);
      if (y) copyRun(layout, r, s, n, (start, len, offset) => y.set(view.subarray(at + offset, at + offset + len), start));
    }
  }

  /** Grows wasm memory to at least `bytes` (views are rebuilt: growing detaches the old buffer). */
  private reserve(bytes: number): void {
    const have = this.wasm.memory.buffer.byteLength;
    if (bytes > have) this.wasm.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.buffer !== this.wasm.memory.buffer) {
      this.buffer = this.wasm.memory.buffer;
      this.f32 = new Float32Array(this.buffer);
      this.f64 = new Float64Array(this.buffer);
    }
  }
}

/** Calls `copy(start, length, offset)` for each contiguous piece of values [from, from + n) of run r: where it lies in the input, and at which offset of the piece. */
function copyRun(layout: Runs, r: number, from: number, n: number, copy: (start: number, length: number, offset: number) => void): void {
  const { runs, length } = layout;
  for (let e = from; e < from + n; ) {
    const image = Math.floor(e / length);
    const within = e - image * length;
    const len = Math.min(length - within, from + n - e);
    copy((image * runs + r) * length + within, len, e - from);
    e += len;
  }
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/**
 * The wasm kernel when its binary was built, else null (the core then keeps the JS kernel): the
 * relaxed-SIMD build where this runtime compiles it and its multiply-add is fused (Node 22 and
 * later on FMA hardware), otherwise the SIMD build, which emulates the fused steps in float64
 * (null where there is no wasm SIMD either). Both give the same numbers.
 */
export function loadWasmKernel(sizes?: WasmKernelSizes): WasmKernel | null {
  let binaries: { WASM_BASE64: string; WASM_FMA_BASE64: string };
  try {
    // Generated by scripts/embed-wasm.js; absent in a checkout that has not run `npm install`.
    binaries = require('./wasm-binary') as typeof binaries;
  } catch {
    return null;
  }
  for (const base64 of [binaries.WASM_FMA_BASE64, binaries.WASM_BASE64]) {
    try {
      const kernel = new WasmKernel(new WebAssembly.Module(Buffer.from(base64, 'base64')), sizes);
      if (base64 === binaries.WASM_BASE64 || kernel.fused()) return kernel;
    } catch {
      // this runtime cannot compile it: try the next build
    }
  }
  return null;
}
