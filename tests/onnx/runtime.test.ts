/** onnxruntime-node is an optional peer dependency: what needs it says how to add it when it is missing. */
import { loadOnnxRuntime, MissingOnnxRuntimeError, ONNXRUNTIME_INSTALL } from '../../src/onnx/runtime';
import { thrown } from '../helpers/errors';

/** What Node's require throws for a package that is not installed. */
function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/node_modules/instancenorm-shim/dist/onnx/runtime.js`), { code: 'MODULE_NOT_FOUND' });
}

describe('loading onnxruntime-node', () => {
  test('a missing onnxruntime-node names the caller and the install command', () => {
    const err = thrown(() =>
      loadOnnxRuntime('export --verify', () => {
        throw notFound('onnxruntime-node');
      }),
    );
    expect(err).toBeInstanceOf(MissingOnnxRuntimeError);
    expect(err.message).toMatch(/^export --verify runs the model in onnxruntime-node, which is not installed \(it is an optional peer dependency of instancenorm-shim\)\. Add it with: npm install onnxruntime-node --onnxruntime-node-install=skip/);
    expect(ONNXRUNTIME_INSTALL).toBe('npm install onnxruntime-node --onnxruntime-node-install=skip');
  });

  test('any other failure (a missing module inside onnxruntime-node, a broken binary) is not disguised', () => {
    const inner = notFound('onnxruntime-common');
    expect(thrown(() => loadOnnxRuntime('compare', () => { throw inner; }))).toBe(inner);
    const binary = new Error('libonnxruntime.so.1: cannot open shared object file');
    expect(thrown(() => loadOnnxRuntime('compare', () => { throw binary; }))).toBe(binary);
  });

  test('present, it is the module itself', () => {
    const ort = loadOnnxRuntime('compare', () => require('onnxruntime-node'));
    expect(typeof ort.InferenceSession.create).toBe('function');
  });
});
