import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic-write';

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));

  it('writes the new content and leaves no temporary file', () => {
    const path = join(dir, 'a.txt');
    writeFileSync(path, 'old');
    writeFileAtomic(path, 'new content');
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old file as it was when the write fails', () => {
    const path = join(dir, 'missing-dir', 'b.txt');
    expect(() => writeFileAtomic(path, 'x')).toThrow(`cannot write ${path}: ENOENT`);
    expect(existsSync(path)).toBe(false);
    const target = join(dir, 'c.txt');
    writeFileSync(target, 'keep me');
    // a directory where the file should go makes the rename fail after the bytes were written
    const blocked = join(dir, 'sub');
    require('node:fs').mkdirSync(join(blocked, 'inner'), { recursive: true });
    expect(() => writeFileAtomic(blocked, 'x')).toThrow();
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('makes the missing folders when asked', () => {
    const path = join(dir, 'new', 'deeper', 'd.txt');
    writeFileAtomic(path, 'made', { createDirs: true });
    expect(readFileSync(path, 'utf8')).toBe('made');
  });
});
