/**
 * The benchmark runs end to end at tiny sizes, so it cannot rot. No speed is asserted: the
 * numbers are only checked to be there and well formed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchArgs, formatTable, runBench } from '../bench/run';

describe('npm run bench (quick mode)', () => {
  it('times every case against its floors and onnxruntime and formats a table', async () => {
    const results = await runBench({ quick: true, repeats: 1 });
    expect(results.quick).toBe(true);
    expect(results.node).toBe(process.version);
    const names = results.cases.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['float32 [32, 64, 4096]', 'float32 [4, 16, 262144]', 'float32 [1, 2, 4] (call overhead)', 'float64 [32, 64, 4096]', 'affine']),
    );
    for (const c of results.cases) {
      for (const key of ['out.set(x)', 'x.slice()', 'forward(x, { out })', 'forward(x)']) {
        expect(c.timings[key].medianMs).toBeGreaterThan(0);
        expect(c.timings[key].minMs).toBeLessThanOrEqual(c.timings[key].medianMs);
      }
      expect(Number.isFinite(c.outVsSet)).toBe(true);
      expect(Number.isFinite(c.forwardVsSlice)).toBe(true);
      if (c.dtype === 'float64' || c.name.startsWith('running stats')) expect(c.ortVsForward).toBeNull();
      else expect(c.ortVsForward).toBeGreaterThan(0);
    }
    expect(results.growth.map((g) => g.elements)).toEqual([2 ** 10, 2 ** 12]);
    const table = formatTable(results);
    expect(table).toContain('| float32 [1, 2, 4] (call overhead) |');
    expect(table).toContain('| 2^12 |');
  });

  it('reads its options like the CLI: --out needs a path, unknown options are refused, before any timing', () => {
    expect(benchArgs(['--quick', '--out', 'r.json'])).toEqual({ quick: true, outPath: 'r.json' });
    expect(benchArgs([]).outPath).toBe(path.join(__dirname, '..', 'bench', 'results.json'));
    expect(() => benchArgs(['--out'])).toThrow(/--out/);
    expect(() => benchArgs(['--qick'])).toThrow(/--qick/);
  });

  it('writes results.json where --out says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const out = path.join(dir, 'results.json');
    try {
      execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(__dirname, '..', 'bench', 'run.ts'), '--quick', '--out', out], {
        stdio: 'pipe',
      });
      const written = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(written.cases.length).toBeGreaterThan(0);
      expect(written.cpu).toEqual(expect.any(String));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
