/**
 * `instancenorm-shim convert`: files in and out of every format, the report, exit codes, and that a
 * failed or concurrent run never leaves a partial output.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { PROGRESS_MIN_BYTES, bar, progress, readWithProgress } from '../../src/cli/progress';
import { writeChunksAtomic } from '../../src/io/atomic-write';
import { Tensor } from '../../src/core/tensor';
import { readStateDict, writeSafetensors } from '../../src/io/formats';
import { capture } from '../helpers/io';

const FIXTURES = join(__dirname, '..', 'fixtures', 'formats');
const ROOT = join(__dirname, '..', '..');

describe('instancenorm-shim convert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convert-'));

  it('converts torch .pt -> MindSpore .ckpt -> torch .safetensors and prints the report', async () => {
    const io = capture();
    const ckpt = join(dir, 'model.ckpt');
    expect(await main(['convert', join(FIXTURES, 'model.pt'), ckpt, '--layer', 'enc.norm1:InstanceNorm1d'], io)).toBe(0);
    expect(io.stdout).toContain('renamed  enc.norm1.running_mean -> enc.norm1.moving_mean');
    expect(io.stdout).toContain('dropped  enc.norm1.num_batches_tracked');
    expect(io.stdout).toContain('passed through unchanged (7): conv.weight, conv.bias');
    expect([...readStateDict(ckpt).keys()]).toContain('enc.norm1.gamma');
    const io2 = capture();
    const back = join(dir, 'back.safetensors');
    expect(await main(['convert', ckpt, back, '--to', 'torch', '--layer', 'enc.norm1:track:InstanceNorm1d', '--json'], io2)).toBe(0);
    const report = JSON.parse(io2.stdout);
    expect(report).toMatchObject({ fromFormat: 'mindspore', toFormat: 'safetensors', tensors: 12 });
    expect(report.report.layers[0].filled).toEqual([expect.objectContaining({ name: 'enc.norm1.num_batches_tracked', value: 0 })]);
    const original = readStateDict(join(FIXTURES, 'model.pt'));
    const roundTrip = readStateDict(back);
    expect([...roundTrip.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [k, t] of original) if (!k.endsWith('num_batches_tracked')) expect(roundTrip.get(k)!.data).toEqual(t.data);
  });

  it('reads a state_dict nested in a checkpoint with --entry', async () => {
    const io = capture();
    expect(await main(['convert', join(FIXTURES, 'nested.pt'), join(dir, 'n.ckpt'), '--layer', 'enc.norm1:InstanceNorm1d'], io)).toBe(2);
    expect(io.stderr).toMatch(/nested\.pt: torch: .*--entry state_dict/);
    expect(await main(['convert', join(FIXTURES, 'nested.pt'), join(dir, 'n.ckpt'), '--layer', 'enc.norm1:InstanceNorm1d', '--entry', 'state_dict'], capture())).toBe(0);
  });

  it('exits 2 naming the file and the problem for a truncated input, and writes nothing', async () => {
    const cut = join(dir, 'cut.safetensors');
    const whole = readFileSync(join(FIXTURES, 'model.safetensors'));
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
    const out = join(dir, 'out.ckpt');
    const io = capture();
    expect(await main(['convert', cut, out, '--to', 'mindspore', '--layer', 'enc.norm1:InstanceNorm1d'], io)).toBe(2);
    expect(io.stderr).toMatch(/FormatError: .*cut\.safetensors: safetensors: .*truncated/);
    expect(existsSync(out)).toBe(false);
    // an existing output stays as it was
    writeFileSync(out, 'previous');
    expect(await main(['convert', cut, out, '--to', 'mindspore', '--layer', 'enc.norm1:InstanceNorm1d'], capture())).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 2 naming the path when the input or the --source model is a directory', async () => {
    const folder = join(dir, 'folder.pt');
    mkdirSync(folder, { recursive: true });
    for (const argv of [[folder, join(dir, 'o.json'), '--layer', '.:InstanceNorm1d', '--to', 'torch'], [join(FIXTURES, 'model.pt'), join(dir, 'o.ckpt'), '--source', folder]]) {
      const io = capture();
      expect(await main(['convert', ...argv], io)).toBe(2);
      expect(io.stderr).toContain(`cannot read ${folder}: `);
    }
  });

  it('exits 2 for usage problems: no --layer, no --to for safetensors, an unknown extension', async () => {
    const pt = join(FIXTURES, 'model.pt');
    const cases: [string[], RegExp][] = [
      [['convert', pt, join(dir, 'a.ckpt')], /--layer PREFIX:CLASS .* never guessed/],
      [['convert', join(FIXTURES, 'model.ckpt'), join(dir, 'a.safetensors'), '--layer', 'enc.norm1:InstanceNorm1d'], /--to must be torch or mindspore, got nothing: a safetensors file can hold either's names/],
      [['convert', pt, join(dir, 'a.npz'), '--layer', 'x:InstanceNorm1d'], /cannot tell the format of/],
      [['convert', pt, join(dir, 'a.ckpt'), '--layer', 'x:big:InstanceNorm1d'], /unknown part 'big'/],
      [['convert', pt], /needs <in> and <out>/],
    ];
    for (const [args, message] of cases) {
      const io = capture();
      expect(await main(args, io)).toBe(2);
      expect(io.stderr).toMatch(message);
      // main() names the command once; the message does not repeat it.
      expect(io.stderr).not.toContain('convert: ValueError: convert:');
    }
  });

  it('draws a progress bar on stderr for a large input when stderr is a terminal, and only then', async () => {
    expect(bar(3 * 2 ** 20, 12 * 2 ** 20, 8)).toBe('reading [##      ]  25% 3.0/12.0 MiB');
    const big = join(dir, 'big.bin');
    writeFileSync(big, new Uint8Array(PROGRESS_MIN_BYTES + 5));
    const written: string[] = [];
    const terminal = { isTTY: true, write: (t: string) => written.push(t) } as unknown as NodeJS.WriteStream;
    expect((await readWithProgress(big, terminal)).length).toBe(PROGRESS_MIN_BYTES + 5);
    expect(written.length).toBeGreaterThan(2);
    expect(written[written.length - 2]).toMatch(/^\rreading \[#+\] 100% 16\.0\/16\.0 MiB$/);
    const piped: string[] = [];
    await readWithProgress(big, { write: (t: string) => piped.push(t) } as unknown as NodeJS.WriteStream);
    expect(piped).toEqual([]);
  });

  it('draws a bar for writing a large output too (the write phase showed nothing before)', async () => {
    const written: string[] = [];
    const terminal = { isTTY: true, write: (t: string) => written.push(t) };
    const total = PROGRESS_MIN_BYTES + 8;
    const bar = progress('writing', total, terminal);
    const out = join(dir, 'written.bin');
    await writeChunksAtomic(out, [new Uint8Array(8), new Uint8Array(PROGRESS_MIN_BYTES)], { onProgress: bar.update });
    bar.end();
    expect(readFileSync(out).length).toBe(total);
    expect(written.length).toBeGreaterThan(3);
    expect(written[0]).toMatch(/^\rwriting \[ *\] +0% 0\.0\/16\.0 MiB$/);
    expect(written.slice(-2)).toEqual(['\rwriting [##############################] 100% 16.0/16.0 MiB', '\n']);
    const small: string[] = [];
    const quiet = progress('writing', PROGRESS_MIN_BYTES - 1, { isTTY: true, write: (t: string) => small.push(t) });
    quiet.update(1);
    quiet.end();
    expect(small).toEqual([]);
  });

  it('two runs writing one path at once leave one complete, valid file', async () => {
    // two different inputs, big enough that the writes overlap in time
    const make = (value: number) => {
      const path = join(dir, `big${value}.safetensors`);
      const C = 1 << 20;
      writeFileSync(path, writeSafetensors(new Map([['n.weight', Tensor.full([C], value, 'float32')], ['n.bias', Tensor.full([C], 0, 'float32')]])));
      return path;
    };
    const inputs = [make(2), make(3)];
    const out = join(dir, 'race.ckpt');
    copyFileSync(join(FIXTURES, 'toplevel.ckpt'), out);
    const run = (input: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/main.ts'), 'convert', input, out, '--to', 'mindspore', '--layer', 'n:InstanceNorm1d'], {
          cwd: ROOT,
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all(inputs.map(run))).toEqual([0, 0]);
    const result = readStateDict(out);
    expect([...result.keys()]).toEqual(['n.moving_mean', 'n.moving_variance', 'n.gamma', 'n.beta']);
    const gamma = result.get('n.gamma')!;
    expect(gamma.size).toBe(1 << 20);
    const first = gamma.item(0);
    expect([2, 3]).toContain(first);
    expect(gamma.data.every((v) => v === first)).toBe(true); // all from one run, not a mix
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60000);
});
