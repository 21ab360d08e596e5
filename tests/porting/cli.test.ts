import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portSource } from '../../src/porting/python/rewrite';
import { runCli } from '../helpers/io';

const fixtures = join(__dirname, 'fixtures');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'port-cli-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(['port', ...argv]);

describe('instancenorm-shim port: one call', () => {
  test('the seed example: PyTorch affine=True ports unchanged and exact', async () => {
    const r = await run('nn.InstanceNorm1d(64, affine=True)', '--to', 'mindspore');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('nn.InstanceNorm1d(64, affine=True)\n# exact\n');
  });
  test("PyTorch's default gets an explicit affine=False; MindSpore's default an explicit affine=True", async () => {
    expect((await run('nn.InstanceNorm2d(8)', '--to', 'mindspore')).stdout.split('\n')[0]).toBe('nn.InstanceNorm2d(8, affine=False)');
    expect((await run('InstanceNorm3d(8)', '--to', 'torch')).stdout.split('\n')[0]).toBe('InstanceNorm3d(8, affine=True)');
    expect((await run('torch.nn.InstanceNorm1d(4)', '--to', 'mindspore')).stdout.split('\n')[0]).toBe('mindspore.nn.InstanceNorm1d(4, affine=False)');
  });
  test("BatchNorm (the second family) by mapping.json's rows: momentum written as 1 - value, track_running_stats=False as use_batch_statistics=True", async () => {
    // torch's default momentum 0.1 is MindSpore's default 0.9: nothing to write
    // and exact as a call, but a new MindSpore cell is in inference mode (Cell.__init__ sets self.training = False:
    // nn/cell.py@v2.6.0:184), a new PyTorch module in training mode: the row's note says so whatever the arguments
    expect((await run('nn.BatchNorm2d(8)', '--to', 'mindspore')).stdout).toBe(
      'nn.BatchNorm2d(8)\n# exact\n# note: a MindSpore cell starts in inference mode: call net.set_train() before training (PyTorch modules start in training mode)\n',
    );
    expect(JSON.parse((await run('nn.BatchNorm2d(8)', '--to', 'torch', '--json')).stdout)).toMatchObject({ exact: true, notes: ['a PyTorch module starts in training mode: call module.eval() for inference'] });
    expect(JSON.parse((await run('nn.InstanceNorm2d(8)', '--to', 'mindspore', '--json')).stdout).notes).toEqual([]);
    expect((await run('nn.BatchNorm2d(8, momentum=0.01)', '--to', 'mindspore')).stdout.split('\n')[0]).toBe('nn.BatchNorm2d(8, momentum=0.99)');
    expect((await run('nn.BatchNorm1d(8, track_running_stats=False)', '--to', 'mindspore')).stdout.split('\n')[0]).toBe('nn.BatchNorm1d(8, use_batch_statistics=True)');
    expect((await run('nn.BatchNorm3d(8, use_batch_statistics=True)', '--to', 'torch')).stdout.split('\n')[0]).toBe('nn.BatchNorm3d(8, track_running_stats=False)');
  });
  test('--check: 0 for exact, 1 for differs and needs weights; --json shape', async () => {
    expect((await run('nn.InstanceNorm1d(64, affine=True)', '--to', 'mindspore', '--check')).code).toBe(0);
    expect((await run('nn.InstanceNorm1d(64, track_running_stats=True)', '--to', 'mindspore', '--check')).code).toBe(1);
    const r = await run("nn.InstanceNorm1d(64, gamma_init='normal')", '--to', 'torch', '--check', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['after', 'exact', 'fixes', 'input', 'notes', 'reasons', 'to', 'verdict']);
    expect(report).toMatchObject({ to: 'torch', after: 'nn.InstanceNorm1d(64, affine=True)', verdict: 'needs weights', exact: false });
    expect(report.reasons[0]).toMatch(/gamma_init/);
    // Without --check the command reports and succeeds.
    expect((await run("nn.InstanceNorm1d(64, gamma_init='normal')", '--to', 'torch')).code).toBe(0);
  });
  test('bad usage exits 2 with the reason', async () => {
    expect((await run('nn.InstanceNorm1d(3)', '--to', 'tensorflow')).stderr).toMatch(/--to must be torch or mindspore, got 'tensorflow'/);
    expect((await run('nn.InstanceNorm1d(3)')).code).toBe(2);
    const already = await run('mindspore.nn.InstanceNorm1d(3)', '--to', 'mindspore');
    expect([already.code, already.stderr]).toEqual([2, expect.stringMatching(/is already mindspore/)]);
    // both registered families are named
    expect((await run('nn.Conv1d(1, 2, 3)', '--to', 'mindspore')).stderr).toMatch(/is not a call of torch's InstanceNorm1d\/2d\/3d, BatchNorm1d\/2d\/3d /);
    expect((await run(join(work, 'missing.py'), '--to', 'torch')).stderr).toMatch(/no such file or directory/);
  });
});

describe('instancenorm-shim port: a file', () => {
  test('without --out: the report, then the rewritten code', async () => {
    const file = join(fixtures, 'model_torch.py');
    const r = await run(file, '--to', 'mindspore');
    expect(r.code).toBe(0);
    const expected = portSource(readFileSync(file, 'utf8'), { to: 'mindspore', annotate: true }).code;
    // BatchNorm is a registered family: the stem's nn.BatchNorm1d(8) is a third call, exact (torch's
    // defaults are MindSpore's by mapping.json's rows, so no argument is written)
    expect(r.stdout).toContain(`-> mindspore: 3 calls to port (1 differs, 2 exact)`);
    expect(r.stdout).toContain('@@ line 15: InstanceNorm1d torch -> mindspore: differs @@');
    expect(r.stdout).toContain('+ mindspore.nn.InstanceNorm1d(');
    expect(r.stdout).toContain('@@ line 28: BatchNorm1d torch -> mindspore: exact @@\n- nn.BatchNorm1d(8)\n+ mindspore.nn.BatchNorm1d(8)\n');
    expect(r.stdout.endsWith(`${expected}\n`)).toBe(true);
    expect((await run(file, '--to', 'mindspore', '--check')).code).toBe(1);
  });
  test('--out writes the ported file; --json describes it', async () => {
    const out = join(work, 'ported.py');
    const r = await run(join(fixtures, 'model_mindspore.py'), '--to', 'torch', '--out', out, '--json', '--check');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['alreadyTarget', 'calls', 'code', 'exact', 'imports', 'path', 'to', 'written']);
    // BatchNorm is a registered family: line 21's nn.BatchNorm1d(8) is ported too, exact (MindSpore's
    // defaults are torch's), so --check still succeeds
    expect(report.calls.map((c: { line: number; api: string; verdict: string }) => [c.line, c.api, c.verdict])).toEqual([
      [10, 'InstanceNorm1d', 'exact'],
      [21, 'BatchNorm1d', 'exact'],
      [22, 'InstanceNorm1d', 'exact'],
    ]);
    expect(readFileSync(out, 'utf8')).toBe(report.code);
    expect(readdirSync(work)).toEqual(['ported.py']); // no temporary file left behind
  });
});

describe('instancenorm-shim port: files Python would refuse', () => {
  const broken = 'import torch.nn as nn\n\n\ndef f(:\n    return nn.InstanceNorm2d(3, affine=True)\n';

  test('exit 2 with file:line:column and the line; --check fails; --out writes nothing', async () => {
    const file = join(work, 'broken.py');
    writeFileSync(file, broken);
    for (const extra of [[], ['--check'], ['--json'], ['--out', join(work, 'out.py')]]) {
      const r = await run(file, '--to', 'mindspore', ...extra);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toBe(`instancenorm-shim port: SyntaxError: ${file}:4:7: invalid syntax near ":": def f(:\n`);
    }
    expect(readdirSync(work)).toEqual(['broken.py']);
  });

  test('a directory with a file that does not parse writes none of its files', async () => {
    const src = join(work, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    copyFileSync(join(fixtures, 'model_torch.py'), join(src, 'a.py'));
    writeFileSync(join(src, 'sub', 'b.py'), broken);
    writeFileSync(join(src, 'sub', 'c.py'), 'x = (\n');
    const r = await run(src, '--to', 'mindspore', '--out', join(work, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`2 files under ${src} do not parse; nothing was written:\n  sub/b.py:4:7: invalid syntax near ":": def f(:\n  sub/c.py:2:1: invalid syntax near end of file`);
    expect(readdirSync(work)).toEqual(['src']);
  });
});

describe('instancenorm-shim port --out: the ported file says where it is not exact', () => {
  test('a comment with the verdict, reason and fix above every call that is not exact, and none above exact ones', async () => {
    const source = [
      'import torch.nn as nn',
      '',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.a = nn.InstanceNorm2d(8, affine=True)',
      '        self.b = nn.Sequential(',
      '            nn.Conv2d(3, 8, 3),',
      '            nn.InstanceNorm2d(8, track_running_stats=True),',
      '        )',
      '        self.c = \\',
      '            nn.InstanceNorm2d(8, momentum=None)',
      '',
    ].join('\n');
    const file = join(work, 'net.py');
    writeFileSync(file, source);
    const out = join(work, 'net_ms.py');
    expect((await run(file, '--to', 'mindspore', '--out', out)).code).toBe(0);
    const written = readFileSync(out, 'utf8');
    const ported = portSource(source, { to: 'mindspore' });
    const [b, c] = ported.calls.filter((x) => x.verdict !== 'exact');
    expect(written).toBe(
      [
        'import torch.nn as nn',
        'import mindspore',
        '',
        'class Net(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.a = mindspore.nn.InstanceNorm2d(8, affine=True)',
        '        self.b = nn.Sequential(',
        '            nn.Conv2d(3, 8, 3),',
        `            # instancenorm-shim: InstanceNorm2d torch -> mindspore: ${b.verdict}`,
        ...b.reasons.map((r) => `            #   reason: ${r}`),
        ...b.fixes.map((f) => `            #   fix: ${f}`),
        `            ${b.after},`,
        '        )',
        // a line that continues a backslash line cannot take a comment: it goes above the statement
        `        # instancenorm-shim: InstanceNorm2d torch -> mindspore: ${c.verdict}`,
        ...c.reasons.map((r) => `        #   reason: ${r}`),
        ...c.fixes.map((f) => `        #   fix: ${f}`),
        '        self.c = \\',
        `            ${c.after}`,
        '',
      ].join('\n'),
    );
    expect(b.reasons.length + c.reasons.length).toBeGreaterThan(1);
  });
});

describe('instancenorm-shim port: a directory', () => {
  function tree(): string {
    const src = join(work, 'src');
    mkdirSync(join(src, 'models', '__pycache__'), { recursive: true });
    copyFileSync(join(fixtures, 'model_torch.py'), join(src, 'models', 'encoder.py'));
    writeFileSync(join(src, 'train.py'), 'import torch\nopt = torch.optim.SGD\n');
    writeFileSync(join(src, 'models', '__pycache__', 'junk.py'), 'import torch.nn as nn\nx = nn.InstanceNorm1d(2)\n');
    writeFileSync(join(src, 'README.md'), 'nn.InstanceNorm1d(2)\n');
    return src;
  }

  test('--out gets every .py, ported, at the same relative path', async () => {
    const src = tree();
    const out = join(work, 'out');
    const r = await run(src, '--to', 'mindspore', '--out', out);
    expect(r.code).toBe(0);
    // encoder.py's three calls: two InstanceNorms (one differs) and an exact BatchNorm1d
    expect(r.stdout).toContain('2 .py files, 3 calls ported to mindspore, 1 not exact; wrote 2 files under');
    expect(readFileSync(join(out, 'models', 'encoder.py'), 'utf8')).toBe(portSource(readFileSync(join(src, 'models', 'encoder.py'), 'utf8'), { to: 'mindspore', annotate: true }).code);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).toBe('import torch\nopt = torch.optim.SGD\n');
    expect(readdirSync(out).sort()).toEqual(['models', 'train.py']);
    expect((await run(src, '--to', 'mindspore', '--out', out, '--check')).code).toBe(1);
  });

  test('without --out: a diff-like report per file; --json lists every file', async () => {
    const src = tree();
    const r = await run(src, '--to', 'mindspore');
    expect(r.stdout).toContain('--- models/encoder.py');
    expect(r.stdout).not.toContain('train.py ->');
    const j = JSON.parse((await run(src, '--to', 'mindspore', '--json')).stdout);
    expect(j).toMatchObject({ input: src, to: 'mindspore', out: null, exact: false });
    expect(j.files.map((f: { path: string; calls: unknown[] }) => [f.path, f.calls.length])).toEqual([
      ['models/encoder.py', 3], // two InstanceNorms and a BatchNorm
      ['train.py', 0],
    ]);
  });

  test('--out equal to the input is refused', async () => {
    const src = tree();
    const r = await run(src, '--to', 'mindspore', '--out', src);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argument '--out' must differ from the input directory/);
  });
});
