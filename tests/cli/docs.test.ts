/**
 * `docs`: the committed docs are what mapping.json generates (`--check`), regeneration is
 * byte-identical, and `--check` fails on a changed file.
 */
import { loadMapping } from '../../src/mapping';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDocsDir } from '../../src/cli/commands/docs';
import { main } from '../../src/cli/main';
import { isInstalledPackage } from '../../src/cli/package-info';
import { capture } from '../helpers/io';

describe('instancenorm-shim docs', () => {
  it('--check passes on the committed docs', async () => {
    const io = capture();
    const code = await main(['docs', '--check'], io);
    expect(io.stdout).toMatch(/OK: the docs are what mapping.json generates/);
    expect(code).toBe(0);
  });

  it('writes byte-identical files twice, and --check catches an edit or a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-'));
    expect(await main(['docs', '--out', dir], capture())).toBe(0);
    const page = join(dir, 'api_mapping', 'zh', 'InstanceNorm1d.md');
    const first = readFileSync(page);
    const io = capture();
    expect(await main(['docs', '--out', dir, '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.files.every((f: { status: string }) => f.status === 'unchanged')).toBe(true);
    // Two pages per class, the index, api_mapping.json and the JSON Schema.
    expect(report.files).toHaveLength(2 * loadMapping().entries.length + 3);
    expect(readFileSync(page).equals(first)).toBe(true);
    // No temporary files are left behind by the atomic writes.
    expect(readdirSync(join(dir, 'api_mapping', 'zh')).sort()).toEqual(loadMapping().entries.map((e) => `${e.api}.md`).sort());

    writeFileSync(page, first.toString('utf8').replace('参数1', '参数0'));
    const edited = capture();
    expect(await main(['docs', '--check', '--out', dir, '--json'], edited)).toBe(1);
    expect(JSON.parse(edited.stdout).files.find((f: { path: string }) => f.path === 'api_mapping/zh/InstanceNorm1d.md').status).toBe('differs');
    expect(readFileSync(page, 'utf8')).toContain('参数0'); // --check writes nothing
  });

  it('--check reports a page the mapping does not generate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-'));
    expect(await main(['docs', '--out', dir], capture())).toBe(0);
    writeFileSync(join(dir, 'api_mapping', 'en', 'InstanceNorm4d.md'), '# stale\n');
    const io = capture();
    expect(await main(['docs', '--check', '--out', dir, '--json'], io)).toBe(1);
    expect(JSON.parse(io.stdout).files).toContainEqual({ path: 'api_mapping/en/InstanceNorm4d.md', status: 'extra' });
  });

  it('a run that cannot read a target changes nothing, names the file, and leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-'));
    expect(await main(['docs', '--out', dir], capture())).toBe(0);
    const en = join(dir, 'api_mapping', 'en', 'InstanceNorm1d.md');
    writeFileSync(en, 'an edited page\n');
    // A directory where api_mapping.json belongs cannot be read as the current file.
    const blocked = join(dir, 'api_mapping.json');
    rmSync(blocked);
    mkdirSync(blocked);
    const io = capture();
    expect(await main(['docs', '--out', dir], io)).toBe(2);
    expect(io.stderr).toMatch(/api_mapping\.json/);
    expect(readdirSync(blocked)).toEqual([]);
    expect(readFileSync(en, 'utf8')).toBe('an edited page\n');
    for (const sub of ['zh', 'en']) expect(readdirSync(join(dir, 'api_mapping', sub)).every((f) => f.endsWith('.md'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['api_mapping', 'api_mapping.json', 'mapping.schema.json']);
  });

  it("writes into a checkout's docs/, but never into an installed copy: there the current directory", () => {
    expect(isInstalledPackage(join(__dirname, '..', '..'))).toBe(false);
    expect(defaultDocsDir('/home/me/instancenorm-shim', '/tmp/work')).toBe('/home/me/instancenorm-shim/docs');
    for (const installed of ['/app/node_modules/instancenorm-shim', '/usr/lib/node_modules/instancenorm-shim', '/root/.npm/_npx/1a2b/node_modules/instancenorm-shim']) {
      expect(defaultDocsDir(installed, '/tmp/work')).toBe('/tmp/work');
    }
  });

  it('--check reports missing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-'));
    const io = capture();
    expect(await main(['docs', '--check', '--out', dir], io)).toBe(1);
    expect(io.stdout).toMatch(/missing/);
  });
});

describe('compare (npm start)', () => {
  it('prints the generated parameter-difference table of InstanceNorm1d', async () => {
    const { differenceTable, markdownTable } = await import('../../src/mapping/render');
    const { mappingEntry } = await import('../../src/mapping');
    const zh = differenceTable(mappingEntry('InstanceNorm1d'), 'zh');
    const io = capture();
    await main([], io);
    expect(io.stdout).toContain(markdownTable(zh.header, zh.rows));
    expect(io.stdout).toContain('| 输入 | 单输入 | input | x |');
  });
});
