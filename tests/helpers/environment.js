/**
 * Jest runs each test file in its own realm, with its own Float32Array. onnxruntime-node builds
 * its output tensors in the host realm and then checks them with the test realm's `instanceof`,
 * which fails (microsoft/onnxruntime#16622). Sharing the host's binary-data constructors with the
 * test realm keeps one Float32Array everywhere, as in a plain `node` run.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Buffer',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedBinaryEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (name in globalThis) this.global[name] = globalThis[name];
  }
}

module.exports = SharedBinaryEnvironment;
