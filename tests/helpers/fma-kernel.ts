/**
 * The wasm kernel built with relaxed SIMD (fused multiply-add), for testing it where the runtime
 * keeps relaxed SIMD behind a flag (Node 20): the flag is on only while the module compiles.
 * Null where the build cannot run or its multiply-add is not fused (no FMA hardware).
 */
import * as v8 from 'v8';
import { loadWasmKernel, type WasmKernel, type WasmKernelSizes } from '../../src/core/kernels/wasm';

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
