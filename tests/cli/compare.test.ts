import { main } from '../../src/cli/main';
import { capture } from '../helpers/io';

describe('instancenorm-shim compare (npm start)', () => {
  it('prints the three outputs, the published numbers and the differences, and succeeds', async () => {
    const io = capture();
    expect(await main([], io)).toBe(0);
    expect(io.stdout).toContain('torch facade: InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)');
    expect(io.stdout).toContain('[[[ 1.5064616e+00 -9.0387678e-01 -9.0387678e-01  3.0129281e-01]');
    expect(io.stdout).toContain('onnxruntime-node');
    expect(io.stdout).toMatch(/OK: every output is within 2\.0e-6/);
  });

  it('gives tools JSON with the max differences', async () => {
    const io = capture();
    expect(await main(['compare', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.ok).toBe(true);
    expect(report.differences).toHaveLength(3);
    for (const d of report.differences) for (const v of Object.values(d.maxAbsDiff)) expect(v).toBeLessThanOrEqual(2e-6);
  });

  it('answers unknown commands and options with usage and exit code 2', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'frobnicate'");
    expect(await main(['compare', '--nope'], io)).toBe(2);
  });
});
