/**
 * The fast kernel: the AssemblyScript/wasm SIMD code in wasm/normalize.ts, built into
 * ./wasm-binary.ts by `npm run build:wasm` (during `npm install`, not in git). Inputs are streamed
 * through wasm memory in cache-sized blocks: copy a block of rows in, normalize it there, copy it
 * out, so each copy reads or writes cache rather than main memory a second time. Rows longer than
 * a block take two streamed passes (statistics merged per block, then normalize); with 'stepwise'
 * arithmetic three (sum, squares, normalize) and more where a sum has to be redone in element
 * order. Small inputs go to the JS kernel, which is cheaper than the wasm call and copies at that
 * size.
 */
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
  ownInvStd32(m2: number, length: number, eps: number): number;
  givenInvStd32(variance: number, eps: number): number;
  fma32(a: number, b: number, c: number): number;
  fmaBlock32(p: number, n: number, alpha: number, beta: number): void;
  // stepwise float64
  stepwiseBlock64(...args: BlockArgs): void;
  serialSumBlock64(p: number, n: number): void;
  serialSquaresBlock64(p: number, n: number, mean: number): void;
  fma64(a: number, b: number, c: number): number;
  fmaBlock64(p: number, n: number, alpha: number, beta: number): void;
  fusedMultiplyAdd(a32: number, c32: number, a64: number, c64: number): number;
}

type BlockArgs = [p: number, rows: number, length: number, r0: number, channels: number, eps: number, flags: number, chan: number, rowStats: number, totalRows: number];

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
/** Rows up to this size are taken whole (one read of the input); longer ones are streamed twice. */
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
  /** Stepwise float32: redo every row's sums in element order (tests reach that path with it). */
  alwaysInOrder?: boolean;
}

const DEFAULT_SIZES: WasmKernelSizes = { blockBytes: BLOCK_BYTES, wholeRowBytes: WHOLE_ROW_BYTES, small: SMALL };

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
    if (args.x.length < this.sizes.small || args.length === 0) jsKernel.normalize32(args);
    else this.run(args, 4);
  }

  normalize64(args: NormalizeArgs<Float64Array>): void {
    if (args.x.length < this.sizes.small || args.length === 0) jsKernel.normalize64(args);
    else this.run(args, 8);
  }

  private run(args: NormalizeArgs<FloatArray>, bytes: 4 | 8): void {
    const { rows, channels, length, stats, weight, bias } = args;
    const writeStats = stats.from === 'rows' && (stats.rowMean !== null || stats.rowM2 !== null);
    // Layout: [channel values: 4 * channels f64 | row statistics: 2 * rows f64 | block].
    const chan = 0;
    const rowStats = 32 * channels;
    // The block starts half a page off page alignment: large typed arrays sit just past a page
    // boundary, and copies between addresses with equal low 12 bits stall on 4K aliasing.
    const block = alignUp(rowStats + (writeStats ? 16 * rows : 0) + 2048, 4096) - 2048;
    const rowBytes = length * bytes;
    const { blockBytes, wholeRowBytes } = this.sizes;
    const blockElems = rowBytes > blockBytes && rowBytes <= wholeRowBytes ? length : Math.max(1, Math.floor(blockBytes / bytes));
    this.reserve(block + blockElems * bytes);
    const f64 = this.f64;
    let flags = 0;
    if (stats.from === 'rows') flags |= USE_INPUT_STATS;
    if (writeStats) flags |= WRITE_STATS;
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
    if (length <= blockElems) this.shortRows(args, bytes, flags, chan, rowStats, block, Math.floor(blockElems / length));
    else if (args.arithmetic === 'stepwise' && bytes === 4) this.stepwiseLongRows(args as NormalizeArgs<Float32Array>, flags, rowStats, block, blockElems);
    else if (args.arithmetic === 'stepwise') this.stepwiseLongRows64(args as NormalizeArgs<Float64Array>, flags, rowStats, block, blockElems);
    else this.longRows(args, bytes, flags, rowStats, block, blockElems);
    if (writeStats && stats.from === 'rows') {
      const s = rowStats >> 3;
      if (stats.rowMean) stats.rowMean.set(this.f64.subarray(s, s + rows));
      if (stats.rowM2) stats.rowM2.set(this.f64.subarray(s + rows, s + 2 * rows));
    }
  }

  /** Whole rows per block: one wasm call computes statistics and normalizes every row in it. */
  private shortRows(args: NormalizeArgs<FloatArray>, bytes: 4 | 8, flags: number, chan: number, rowStats: number, block: number, perBlock: number): void {
    const { x, y, rows, channels, length, eps } = args;
    const view = bytes === 4 ? this.f32 : this.f64;
    const at = block / bytes;
    const full = view.subarray(at, at + perBlock * length);
    const stepwise = args.arithmetic === 'stepwise';
    const run = bytes === 8 ? (stepwise ? this.wasm.stepwiseBlock64 : this.wasm.block64) : stepwise ? this.wasm.stepwiseBlock32 : this.wasm.block32;
    for (let r0 = 0; r0 < rows; r0 += perBlock) {
      const count = Math.min(perBlock, rows - r0);
      const start = r0 * length;
      const n = count * length;
      view.set(x.subarray(start, start + n), at);
      run(block, count, length, r0, channels, eps, flags, chan, rowStats, rows);
      y.set(count === perBlock ? full : view.subarray(at, at + n), start);
    }
  }

  /**
   * Rows longer than a block: statistics block by block (each block's mean and M2 merged with
   * Chan et al.'s pairwise update, which stays accurate however the blocks differ), then a second
   * streamed pass that normalizes.
   */
  private longRows(args: NormalizeArgs<FloatArray>, bytes: 4 | 8, flags: number, rowStats: number, block: number, blockElems: number): void {
    const { x, y, rows, channels, length, eps, weight, bias, stats } = args;
    const view = bytes === 4 ? this.f32 : this.f64;
    const at = block / bytes;
    const wasm = this.wasm;
    const statsOf = bytes === 4 ? wasm.stats32 : wasm.stats64;
    const normalize = bytes === 4 ? wasm.normalize32 : wasm.normalize64;
    const full = view.subarray(at, at + blockElems);
    for (let r = 0; r < rows; r++) {
      const c = r % channels;
      const rowStart = r * length;
      const rowEnd = rowStart + length;
      let mean: number;
      let invstd: number;
      if (stats.from === 'rows') {
        let count = 0;
        mean = 0;
        let m2 = 0;
        for (let s = rowStart; s < rowEnd; s += blockElems) {
          const n = Math.min(blockElems, rowEnd - s);
          view.set(x.subarray(s, s + n), at);
          statsOf(block, n);
          const bMean = wasm.statMean();
          const total = count + n;
          const delta = bMean - mean;
          mean += (delta * n) / total;
          m2 += wasm.statM2() + ((delta * delta * count) / total) * n;
          count = total;
        }
        if (flags & WRITE_STATS) {
          this.f64[(rowStats >> 3) + r] = mean;
          this.f64[(rowStats >> 3) + rows + r] = m2;
        }
        invstd = inputInvStd(m2 / length, eps);
      } else {
        mean = stats.mean[c];
        invstd = 1 / Math.sqrt(stats.var[c] + eps);
      }
      const scale = weight ? invstd * weight[c] : invstd;
      const shift = bias ? bias[c] : 0;
      for (let s = rowStart; s < rowEnd; s += blockElems) {
        const n = Math.min(blockElems, rowEnd - s);
        view.set(x.subarray(s, s + n), at);
        normalize(block, n, mean, scale, shift);
        y.set(n === blockElems ? full : view.subarray(at, at + n), s);
      }
    }
  }

  /**
   * Stepwise float32 rows longer than a block: a sum pass and a squares pass streamed block by
   * block, a third (and a fourth) in element order when the module cannot decide a rounding, then
   * the normalize pass.
   */
  private stepwiseLongRows(args: NormalizeArgs<Float32Array>, flags: number, rowStats: number, block: number, blockElems: number): void {
    const { x, rows, channels, length, eps, weight, bias, stats } = args;
    const wasm = this.wasm;
    const f = Math.fround;
    for (let r = 0; r < rows; r++) {
      const c = r % channels;
      const start = r * length;
      const end = start + length;
      let mean: number;
      let invstd: number;
      if (stats.from === 'rows') {
        wasm.rowStart();
        this.stream(x, start, end, block, blockElems, (n) => wasm.sumBlock32(block, n));
        mean = f(wasm.rowSumEstimate() / length);
        this.stream(x, start, end, block, blockElems, (n) => wasm.squaresBlock32(block, n, mean));
        if (!wasm.rowMeanCertain(mean)) {
          wasm.serialReset();
          this.stream(x, start, end, block, blockElems, (n) => wasm.serialSumBlock32(block, n));
          const exact = f(wasm.rowSerialTotal() / length);
          if (!Object.is(exact, mean)) {
            mean = exact;
            wasm.squaresReset();
            this.stream(x, start, end, block, blockElems, (n) => wasm.squaresBlock32(block, n, mean));
          }
        }
        let m2 = f(wasm.rowSquaresEstimate());
        if (!wasm.rowSquaresCertain()) {
          wasm.serialReset();
          this.stream(x, start, end, block, blockElems, (n) => wasm.serialSquaresBlock32(block, n, mean));
          m2 = f(wasm.rowSerialTotal());
        }
        if (flags & WRITE_STATS) {
          this.f64[(rowStats >> 3) + r] = mean;
          this.f64[(rowStats >> 3) + rows + r] = m2;
        }
        invstd = wasm.ownInvStd32(m2, length, eps);
      } else {
        mean = f(stats.mean[c]);
        invstd = wasm.givenInvStd32(f(stats.var[c]), eps);
      }
      const alpha = weight ? f(invstd * f(weight[c])) : invstd;
      const beta = wasm.fma32(-mean, alpha, bias ? f(bias[c]) : 0);
      this.stream(x, start, end, block, blockElems, (n) => wasm.fmaBlock32(block, n, alpha, beta), args.y);
    }
  }

  /** Stepwise float64 rows longer than a block: element-order sums streamed (the last square fused), then the normalize pass. */
  private stepwiseLongRows64(args: NormalizeArgs<Float64Array>, flags: number, rowStats: number, block: number, blockElems: number): void {
    const { x, rows, channels, length, eps, weight, bias, stats } = args;
    const wasm = this.wasm;
    for (let r = 0; r < rows; r++) {
      const c = r % channels;
      const start = r * length;
      const end = start + length;
      let mean: number;
      let invstd: number;
      if (stats.from === 'rows') {
        wasm.serialReset();
        this.stream(x, start, end, block, blockElems, (n) => wasm.serialSumBlock64(block, n));
        mean = wasm.rowSerialTotal() / length;
        // Every square but an odd row's last in order, then that one fused.
        const paired = start + length - (length % 2);
        wasm.serialReset();
        this.stream(x, start, paired, block, blockElems, (n) => wasm.serialSquaresBlock64(block, n, mean));
        let m2 = wasm.rowSerialTotal();
        if (paired < end) {
          const d = x[end - 1] - mean;
          m2 = wasm.fma64(d, d, m2);
        }
        if (flags & WRITE_STATS) {
          this.f64[(rowStats >> 3) + r] = mean;
          this.f64[(rowStats >> 3) + rows + r] = m2;
        }
        invstd = inputInvStd(m2 / length, eps);
      } else {
        mean = stats.mean[c];
        invstd = 1 / Math.sqrt(stats.var[c] + eps);
      }
      const alpha = weight ? invstd * weight[c] : invstd;
      const beta = wasm.fma64(-mean, alpha, bias ? bias[c] : 0);
      this.stream(x, start, end, block, blockElems, (n) => wasm.fmaBlock64(block, n, alpha, beta), args.y);
    }
  }

  /** Copies [start, end) of x through the block in pieces of blockElems, calling `pass` on each; copies the result out to `y` when given. */
  private stream<A extends FloatArray>(x: A, start: number, end: number, block: number, blockElems: number, pass: (n: number) => void, y?: A): void {
    const view = x instanceof Float32Array ? this.f32 : this.f64;
    const at = block / x.BYTES_PER_ELEMENT;
    for (let s = start; s < end; s += blockElems) {
      const n = Math.min(blockElems, end - s);
      view.set(x.subarray(s, s + n), at);
      pass(n);
      if (y) y.set(view.subarray(at, at + n), s);
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
