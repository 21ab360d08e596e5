/**
 * The kernels the kernel tests run: every kernel the core may run, the wasm kernel with tiny blocks
 * (so rows and channels are streamed), with every sum redone in element order, and the build with
 * relaxed SIMD (fused multiply-add), loaded where the runtime keeps relaxed SIMD behind a flag
 * (Node 20) with the flag on only while the module compiles.
 */
import * as v8 from 'v8';
import { kernels } from '../../src/core/normalize';
import type { NormalizeKernel } from '../../src/core/kernels/types';
import { loadWasmKernel, type WasmKernel, type WasmKernelSizes } from '../../src/core/kernels/wasm';

/** The relaxed-SIMD build; null where it cannot run or its multiply-add is not fused (no FMA hardware). */
export function loadFmaKernel(sizes?: WasmKernelSizes): WasmKernel | null {
  const native = loadWasmKernel(sizes);
  if (native?.name === 'wasm-simd-fma') return native;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  try {
    const kernel = loadWasmKernel(sizes);
    return kernel?.name === 'wasm-simd-fma' ? kernel : null;
  } finally {
    v8.setFlagsFromString('--no-experimental-wasm-relaxed-simd');
  }
}

const TINY: WasmKernelSizes = { blockBytes: 4096, wholeRowBytes: 8192, small: 0 };

/** 'blocks': the core's kernels and the wasm kernel with tiny blocks; 'all': also element-order sums and the FMA build, with both block sizes. */
export function kernelsUnderTest(which: 'blocks' | 'all'): NormalizeKernel[] {
  const named = (k: NormalizeKernel | null, name: string) => (k ? [Object.assign(Object.create(k) as NormalizeKernel, { name })] : []);
  const blocks = [...kernels, ...named(loadWasmKernel(TINY), 'wasm-simd (4 KiB blocks)')];
  if (which === 'blocks') return blocks;
  return [
    ...blocks,
    ...named(loadWasmKernel({ ...TINY, alwaysInOrder: true }), 'wasm-simd (element-order sums)'),
    ...named(loadFmaKernel(), 'wasm-simd-fma'),
    ...named(loadFmaKernel(TINY), 'wasm-simd-fma (4 KiB blocks)'),
  ];
}

/** `make` once per case and dtype: the inputs and their (slow) expected values, shared by the kernels under test. */
export function perCase<C extends { name: string }, R>(make: (c: C, dtype: 'float32' | 'float64') => R): (c: C, dtype: 'float32' | 'float64') => R {
  const built = new Map<string, R>();
  return (c, dtype) => {
    const key = `${c.name}/${dtype}`;
    if (!built.has(key)) built.set(key, make(c, dtype));
    return built.get(key) as R;
  };
}
