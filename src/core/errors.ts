/**
 * Errors that look like the Python exceptions the frameworks raise, so that ported code can
 * catch them by the same names: `err.name === 'ValueError'`, or `err instanceof ValueError`.
 *
 * PyTypeError extends the built-in TypeError (a JS user's `instanceof TypeError` keeps working);
 * the others extend Error. `Object.setPrototypeOf` keeps `instanceof` right when compiled to ES5-era
 * targets, and `name` is set on the prototype so it survives serialization and stack traces.
 */
export class PyTypeError extends globalThis.TypeError {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
export class IndexError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
export class AttributeError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

for (const [cls, name] of [
  [PyTypeError, 'TypeError'],
  [ValueError, 'ValueError'],
  [RuntimeError, 'RuntimeError'],
  [KeyError, 'KeyError'],
  [IndexError, 'IndexError'],
  [AttributeError, 'AttributeError'],
] as const) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** The Python exception classes by their Python names, as the frameworks raise them. */
export const PY_ERRORS = { TypeError: PyTypeError, ValueError, RuntimeError, KeyError, IndexError, AttributeError } as const;
export type PyErrorName = keyof typeof PY_ERRORS;
export type PyError = InstanceType<(typeof PY_ERRORS)[PyErrorName]>;

export function pyError(name: PyErrorName, message: string): PyError {
  return new PY_ERRORS[name](message);
}

export function isPyError(err: unknown): err is PyError {
  return Object.values(PY_ERRORS).some((cls) => err instanceof cls);
}
