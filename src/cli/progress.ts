/**
 * Progress bars for reading and writing large files, on stderr when stderr is a terminal, so
 * stdout stays the command's output (--json included). The reads and writes are chunked and
 * asynchronous: the bar moves, and an interrupt is handled between chunks.
 */
import { open } from 'node:fs/promises';

/** Files smaller than this get no bar: they are read or written before a person would notice. */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A bar that draws itself on `stream` (a terminal, for `total` >= PROGRESS_MIN_BYTES), and a no-op otherwise. */
export function progress(label: 'reading' | 'writing', total: number, stream: ProgressStream = process.stderr): { update: (done: number) => void; end: () => void } {
  const show = Boolean(stream.isTTY) && total >= PROGRESS_MIN_BYTES;
  let last = -1;
  return {
    update: (done) => {
      const percent = Math.floor((100 * done) / (total || 1));
      if (!show || percent === last) return;
      last = percent;
      stream.write(`\r${bar(done, total, 30, label)}`);
    },
    end: () => {
      if (show && last >= 0) stream.write('\n');
    },
  };
}

/** The whole file, read in chunks with a bar; an error names the file. */
export async function readWithProgress(path: string, stream: ProgressStream = process.stderr): Promise<Uint8Array> {
  try {
    const file = await open(path, 'r');
    try {
      const size = (await file.stat()).size;
      const out = new Uint8Array(size);
      const bar = progress('reading', size, stream);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await file.read(out, done, Math.min(CHUNK, size - done), done);
        if (bytesRead === 0) break; // the file shrank while being read
        done += bytesRead;
        bar.update(done);
      }
      bar.end();
      return done === size ? out : out.subarray(0, done);
    } finally {
      await file.close();
    }
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function bar(done: number, total: number, width = 30, label = 'reading'): string {
  const fraction = total ? done / total : 1;
  const filled = Math.round(fraction * width);
  return `${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${(done / 2 ** 20).toFixed(1)}/${(total / 2 ** 20).toFixed(1)} MiB`;
}
