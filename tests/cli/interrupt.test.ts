/**
 * Interrupts lose nothing: the command line runs as a child process on real inputs and is killed
 * (SIGINT as Ctrl-C sends it, and SIGTERM) at several points: while it starts and reads, the moment
 * its temporary file appears, and half-way through writing a 64 MiB checkpoint. Afterwards there
 * is no temporary file, and the target is either as it was before or complete.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor';
import { encodeStateDict, writeSafetensors } from '../../src/io/formats';
import { convertStateDict } from '../../src/porting/convert';

const ROOT = join(__dirname, '..', '..');
jest.setTimeout(120_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'interrupt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/main.ts'), ...args], { cwd, stdio: 'ignore' });
}

const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
const temps = (folder: string) => readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));

type When = { afterMs: number } | { tempBytes: number };

/**
 * Runs the command and sends `signal` at `when`: after a delay, or once a temporary file in
 * `folder` holds at least `tempBytes` (0: as soon as it appears). Says how big the temporary file
 * was when the signal went out (-1: there was none).
 */
async function interrupt(args: string[], folder: string, when: When, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; tempAtKill: number }> {
  const child = cli(args);
  const done = exited(child);
  let tempAtKill = -1;
  const kill = () => {
    const temp = temps(folder)[0];
    try {
      tempAtKill = temp === undefined ? -1 : statSync(join(folder, temp)).size;
    } catch {
      tempAtKill = -1;
    }
    child.kill(signal);
  };
  if ('afterMs' in when) {
    const timer = setTimeout(kill, when.afterMs);
    const result = await done;
    clearTimeout(timer);
    return { ...result, tempAtKill };
  }
  // watch for the temporary file, then poll its size
  await new Promise<void>((resolve) => {
    const watcher = watch(folder, () => {
      if (temps(folder).length === 0) return;
      watcher.close();
      const poll = () => {
        const temp = temps(folder)[0];
        let size = -1;
        try {
          size = temp === undefined ? -1 : statSync(join(folder, temp)).size;
        } catch {
          size = -1;
        }
        if (size >= when.tempBytes || temp === undefined) {
          kill();
          resolve();
        } else setImmediate(poll);
      };
      poll();
    });
    void done.then(() => {
      watcher.close();
      resolve();
    });
  });
  return { ...(await done), tempAtKill };
}

describe('convert, killed at several points of a 64 MiB conversion', () => {
  const C = 8 * 2 ** 20;
  let input: string;
  let expected: Buffer;
  beforeAll(() => {
    const sd = new Map([
      ['n.weight', Tensor.full([C], 2, 'float32')],
      ['n.bias', Tensor.full([C], 0.5, 'float32')],
    ]);
    input = join(dir, 'big.safetensors');
    writeFileSync(input, writeSafetensors(sd));
    expected = Buffer.from(encodeStateDict(convertStateDict(sd, { to: 'mindspore', layers: [{ prefix: 'n', api: 'InstanceNorm2d' }] }).stateDict, 'mindspore'));
  });

  const cases: [string, When, NodeJS.Signals, boolean][] = [
    ['while starting and reading (SIGINT)', { afterMs: 400 }, 'SIGINT', false],
    ['as its temporary file appears (SIGINT)', { tempBytes: 0 }, 'SIGINT', false],
    ['half-way through the write (SIGINT)', { tempBytes: 16 * 2 ** 20 }, 'SIGINT', false],
    ['half-way through the write, over an existing target (SIGTERM)', { tempBytes: 16 * 2 ** 20 }, 'SIGTERM', true],
  ];
  const kills: number[] = [];

  test.each(cases)('%s: no temporary file, and the target as it was or complete', async (_name, when, signal, existing) => {
    const out = join(dir, 'out', 'big.ckpt');
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    require('node:fs').mkdirSync(join(dir, 'out'));
    if (existing) writeFileSync(out, 'the previous checkpoint');
    const result = await interrupt(['convert', input, out, '--to', 'mindspore', '--layer', 'n:InstanceNorm2d'], join(dir, 'out'), when, signal);
    kills.push(result.tempAtKill);
    expect(temps(join(dir, 'out'))).toEqual([]);
    if (result.signal === null) {
      // it finished before the signal arrived: then the target is complete
      expect(result.code).toBe(0);
      expect(readFileSync(out).equals(expected)).toBe(true);
      return;
    }
    expect(result.signal).toBe(signal);
    if (existsSync(out)) {
      const now = readFileSync(out);
      expect(now.equals(expected) || (existing && now.toString() === 'the previous checkpoint')).toBe(true);
    }
  });

  test('at least one signal arrived while a partial temporary file was on disk', () => {
    expect(kills.some((size) => size > 0 && size < expected.length)).toBe(true);
  });
});

describe('docs, port --out and export, killed while they work', () => {
  test('docs --out: every file there is complete, and no temporary file', async () => {
    const out = join(dir, 'docs');
    require('node:fs').mkdirSync(out);
    const result = await interrupt(['docs', '--out', out], out, { tempBytes: 0 }, 'SIGINT');
    expect(temps(out)).toEqual([]);
    const { generateDocs } = await import('../../src/mapping/render');
    const { loadMapping } = await import('../../src/mapping');
    const files = generateDocs(loadMapping());
    for (const [path, content] of files) {
      const target = join(out, path);
      if (existsSync(target)) expect([path, readFileSync(target, 'utf8') === content]).toEqual([path, true]);
    }
    expect([null, 'SIGINT']).toContain(result.signal);
  });

  test('port --out: the ported file complete or absent', async () => {
    const out = join(dir, 'port');
    require('node:fs').mkdirSync(out);
    const source = join(ROOT, 'tests', 'fixtures', 'models', 'generator.py');
    const result = await interrupt(['port', source, '--to', 'mindspore', '--out', join(out, 'g.py')], out, { tempBytes: 0 }, 'SIGTERM');
    expect(temps(out)).toEqual([]);
    const { portSource } = await import('../../src/porting/python/rewrite');
    if (existsSync(join(out, 'g.py'))) expect(readFileSync(join(out, 'g.py'), 'utf8')).toBe(portSource(readFileSync(source, 'utf8'), { to: 'mindspore', annotate: true }).code);
    expect([null, 'SIGTERM']).toContain(result.signal);
  });

  test('export --verify, interrupted while onnxruntime runs: no model file, no temporary file', async () => {
    const out = join(dir, 'onnx');
    require('node:fs').mkdirSync(out);
    const args = ['export', '--framework', 'torch', '--layer', 'InstanceNorm2d', '--config', '{"num_features": 64, "affine": true}', '--shape', '8,64,256,256', '--out', join(out, 'm.onnx'), '--verify'];
    const result = await interrupt(args, out, { afterMs: 3000 }, 'SIGINT');
    expect(temps(out)).toEqual([]);
    if (result.signal === 'SIGINT') expect(existsSync(join(out, 'm.onnx'))).toBe(false);
    else expect(result.code).toBe(0);
  });
});
