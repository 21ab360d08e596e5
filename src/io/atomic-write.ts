/**
 * Writes a file so that readers only ever see the old content or the complete new content: the
 * bytes go to a temporary file beside the target, are flushed to disk, and the temporary file is
 * renamed over the target (atomic on POSIX within one directory). A failure leaves the target
 * untouched and removes the temporary file. Two writers racing on one path each rename a complete
 * file; the last rename wins.
 *
 * Interrupts: every temporary file being written is listed in `pending`, so a signal handler
 * (src/cli/interrupt.ts) can remove them before the process ends. The synchronous writer cannot be
 * interrupted half-way by a JS handler (the handler runs when it is done); the chunked one yields
 * between chunks, so a signal stops it there and nothing of it remains.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { withPath } from './with-path';

/** Temporary files being written now. */
const pending = new Set<string>();

/** Removes every temporary file being written (for a signal handler: the process is about to end). */
export function removePendingTemps(): void {
  for (const temp of pending) {
    try {
      unlinkSync(temp);
    } catch {
      // already renamed into place, or never created
    }
  }
  pending.clear();
}

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

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
  const temp = tempPath(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  pending.add(temp);
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
  } finally {
    pending.delete(temp);
  }
}

/** Bytes per write call: big tensors are written in pieces, so progress moves and a signal is handled between them. */
const PIECE = 4 * 2 ** 20;

export interface ChunkedWriteOptions {
  createDirs?: boolean;
  /** Called after each piece with the bytes written so far and the total. */
  onProgress?: (written: number, total: number) => void;
}

/**
 * writeFileAtomic for data given as pieces (a checkpoint's headers and its tensors' own memory),
 * written without joining them, and asynchronously: the event loop runs between pieces.
 */
export async function writeChunksAtomic(path: string, chunks: readonly Uint8Array[], options: ChunkedWriteOptions = {}): Promise<void> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  try {
    if (options.createDirs) await mkdir(dirname(path), { recursive: true });
    const temp = tempPath(path);
    pending.add(temp);
    let file: Awaited<ReturnType<typeof open>> | undefined;
    try {
      file = await open(temp, 'wx', 0o644);
      let written = 0;
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) {
          const { bytesWritten } = await file.write(chunk, at, Math.min(PIECE, chunk.length - at));
          at += bytesWritten;
          written += bytesWritten;
          options.onProgress?.(written, total);
        }
      }
      await file.sync();
      await file.close();
      file = undefined;
      await rename(temp, path);
    } catch (err) {
      await file?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    } finally {
      pending.delete(temp);
    }
  } catch (err) {
    throw new Error(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
