/** Reading a large input with a progress bar on stderr when stderr is a terminal. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { withPath } from '../io/with-path';

/** Files smaller than this get no bar: they are read before a person would notice. */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

/** The bar goes to stderr (a terminal only), so stdout stays the command's output, --json included. */
export function readWithProgress(path: string, stream: NodeJS.WriteStream = process.stderr): Uint8Array {
  return withPath(path, 'read', () => readChunks(path, stream));
}

function readChunks(path: string, stream: NodeJS.WriteStream): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(size);
    const show = Boolean(stream.isTTY) && size >= PROGRESS_MIN_BYTES;
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, done, Math.min(CHUNK, size - done), done);
      if (n === 0) break; // the file shrank while being read
      done += n;
      if (show) stream.write(`\r${bar(done, size)}`);
    }
    if (show) stream.write('\n');
    return done === size ? out : out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

export function bar(done: number, total: number, width = 30): string {
  const fraction = total ? done / total : 1;
  const filled = Math.round(fraction * width);
  return `reading [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${(done / 2 ** 20).toFixed(1)}/${(total / 2 ** 20).toFixed(1)} MiB`;
}
