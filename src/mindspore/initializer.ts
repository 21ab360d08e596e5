/**
 * `mindspore.common.initializer`: what `gamma_init` / `beta_init` accept. Names resolve through
 * MindSpore's case-insensitive alias table; numbers become constants; Tensors are taken as they are.
 */
import { ValueError } from '../core/errors';
import { Tensor } from '../core/tensor';

export abstract class Initializer {
  /** Values for a tensor of `shape`, as MindSpore's `init_data()` would produce them. */
  abstract fill(shape: readonly number[]): Float64Array;
}

export class Constant extends Initializer {
  constructor(readonly value: number) {
    super();
  }
  fill(shape: readonly number[]): Float64Array {
    return new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(this.value);
  }
}

export class Zero extends Constant {
  constructor() {
    super(0);
  }
}

export class One extends Constant {
  constructor() {
    super(1);
  }
}

/** MindSpore's registry: each class under its lower-cased name and its aliases. */
const ALIASES: Record<string, () => Initializer> = {
  zeros: () => new Zero(),
  zero: () => new Zero(),
  ones: () => new One(),
  one: () => new One(),
};

export type InitSpec = string | number | boolean | Tensor | Initializer;

/** `initializer(init, shape)` for a 1-D parameter of `num_features` values, in float32. */
export function initializer(init: InitSpec, numFeatures: number): Tensor<'float32'> {
  const shape = [numFeatures];
  if (init instanceof Tensor) {
    if (init.shape.length !== 1 || init.shape[0] !== numFeatures) {
      throw new ValueError(
        `For 'initializer', the shape of the 'init' argument should be same as the argument 'shape', but got the 'init' shape [${init.shape.join(', ')}] and the 'shape' [${numFeatures}].`,
      );
    }
    return init as Tensor<'float32'>;
  }
  let resolved: Initializer;
  if (typeof init === 'string') {
    const make = ALIASES[init.toLowerCase()];
    if (!make) throw new ValueError(`For 'initializer', the class corresponding to '${init}' was not found.`);
    resolved = make();
  } else if (typeof init === 'number' || typeof init === 'boolean') {
    resolved = new Constant(Number(init));
  } else {
    resolved = init;
  }
  return Tensor.from(resolved.fill(shape), { dtype: 'float32', shape });
}
