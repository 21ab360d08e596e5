/**
 * Python's `warnings.warn` for the facades: by default a warning goes to Node's process warnings
 * (printed once to stderr as "UserWarning: ..."), and users can capture or silence them the way
 * Python's `warnings.catch_warnings` / `simplefilter('ignore')` would.
 */
export interface Warning {
  category: string;
  message: string;
}

type Handler = (warning: Warning) => void;

const defaultHandler: Handler = ({ category, message }) => process.emitWarning(message, category);
let handler: Handler = defaultHandler;

export function warn(message: string, category = 'UserWarning'): void {
  handler({ category, message });
}

/** `'ignore'` drops warnings, `'default'` restores printing them. */
export function simplefilter(action: 'ignore' | 'default'): void {
  handler = action === 'ignore' ? () => undefined : defaultHandler;
}

/** Runs `fn` and returns what it warned, without printing (Python's `catch_warnings(record=True)`). */
export function catchWarnings<T>(fn: () => T): { result: T; warnings: Warning[] } {
  const caught: Warning[] = [];
  const previous = handler;
  handler = (w) => caught.push(w);
  try {
    return { result: fn(), warnings: caught };
  } finally {
    handler = previous;
  }
}
