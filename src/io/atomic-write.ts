/**
 * Writes a file so that readers only ever see the old content or the complete new content: the
 * bytes go to a temporary file beside the target, are flushed to disk, and the temporary file is
 * renamed over the target (atomic on POSIX within one directory). A failure or interruption
 * leaves the target untouched and removes the temporary file. Two writers racing on one path
 * each rename a complete file; the last rename wins.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { withPath } from './with-path';

/**
 * An error names the target (`cannot write PATH: ...`, Node's error as its cause), not the
 * temporary file Node would name. `createDirs` makes the target's folders first.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: { createDirs?: boolean } = {}): void {
  withPath(path, 'write', () => {
    if (options.createDirs) mkdirSync(dirname(path), { recursive: true });
    writeThroughTemp(path, data);
  });
}

function writeThroughTemp(path: string, data: string | Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file was never created, or is already gone
    }
    throw err;
  }
}
