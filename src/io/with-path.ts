/**
 * File errors that name the file. Node's own messages do not always (EISDIR and EACCES on a read
 * say only `illegal operation on a directory, read`), so every command's file access goes through here.
 */
import { readFileSync } from 'node:fs';

/** Runs a file operation so that its error names the file: `cannot read PATH: <Node's message>`. */
export function withPath<T>(path: string, action: 'read' | 'write', operation: () => T): T {
  try {
    return operation();
  } catch (err) {
    throw new Error(`cannot ${action} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** A UTF-8 text file (Python source, a docs page); an error names the file. */
export function readText(path: string): string {
  return withPath(path, 'read', () => readFileSync(path, 'utf8'));
}
