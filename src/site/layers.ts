/**
 * Runs one side of the playground: the facade class a mapping signature names, built with the
 * typed keywords, put in train or eval mode and called on the input, as the page's Python code
 * would. Nothing here knows a layer: the class is looked up by its qualified name.
 */
import { Tensor } from '../core/tensor';
import { catchWarnings } from '../core/warnings';
import type { Framework } from '../mapping';
import * as mindspore from '../mindspore';
import * as torch from '../torch';
import { errorText } from './python-text';

/** The package's framework namespaces, named as a signature's qualified name starts (`torch.nn.X`). */
const NAMESPACES: Record<Framework, object> = { torch, mindspore };

type LayerClass = new (keywords: Record<string, unknown>) => object;

/** How each framework switches modes and calls a layer (Python's `m.train()` / `m.set_train()`, `m(x)`). */
const CALLING: Record<Framework, { setMode(layer: object, train: boolean): void; call(layer: object, x: Tensor): unknown }> = {
  torch: {
    setMode: (layer, train) => (layer as torch.nn.Module).train(train),
    call: (layer, x) => (layer as { forward(x: Tensor): unknown }).forward(x),
  },
  mindspore: {
    setMode: (layer, train) => (layer as mindspore.nn.Cell).set_train(train),
    call: (layer, x) => (layer as mindspore.nn.Cell).construct(x),
  },
};

/** The facade class for `torch.nn.InstanceNorm1d` etc.; throws when the package has none. */
export function facadeClass(framework: Framework, qualifiedName: string): LayerClass {
  const [root, ...path] = qualifiedName.split('.');
  let value: unknown = root === framework ? NAMESPACES[framework] : undefined;
  for (const part of path) value = value === undefined ? undefined : (value as Record<string, unknown>)[part];
  if (typeof value !== 'function') throw new Error(`instancenorm-shim has no ${framework} facade named ${qualifiedName}`);
  return value as LayerClass;
}

export type LayerRun = { ok: true; output: Tensor; warnings: string[] } | { ok: false; error: string; warnings: string[] };

export interface LayerCall {
  framework: Framework;
  /** The signature's qualified name, `torch.nn.InstanceNorm1d`. */
  qualifiedName: string;
  /** Evaluates the constructor's keywords (an argument Python cannot evaluate throws). */
  keywords: () => Record<string, unknown>;
  train: boolean;
  /** Reads the input tensor (bad text throws numpy's or core's ValueError). */
  input: () => Tensor;
}

/**
 * Builds and calls the layer in the order of the page's Python code (arguments, constructor,
 * mode, input, call), so the first failure is the one Python would print last (`ValueError: ...`).
 */
export function runLayer(call: LayerCall): LayerRun {
  const { result, warnings } = catchWarnings((): { output: Tensor } | { error: string } => {
    try {
      const layer = new (facadeClass(call.framework, call.qualifiedName))(call.keywords());
      CALLING[call.framework].setMode(layer, call.train);
      const output = CALLING[call.framework].call(layer, call.input());
      if (!(output instanceof Tensor)) throw new Error(`${call.qualifiedName} returned no tensor`);
      return { output };
    } catch (err) {
      return { error: errorText(err) };
    }
  });
  const shown = warnings.map((w) => `${w.category}: ${w.message}`);
  return 'output' in result ? { ok: true, output: result.output, warnings: shown } : { ok: false, error: result.error, warnings: shown };
}
