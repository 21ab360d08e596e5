/** `instancenorm-shim site`: writes the site atomically and only what changed, reports stale pages, and fails clearly. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { loadMapping } from '../../src/mapping';
import { capture } from '../helpers/io';

const tempDir = () => mkdtempSync(join(tmpdir(), 'site-cli-'));

function allFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]));
}

describe('instancenorm-shim site', () => {
  it('writes every file once, then finds them unchanged; --json says so per file', async () => {
    const dir = join(tempDir(), 'new', 'site');
    const io = capture();
    expect(await main(['site', '--out', dir, '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report).toMatchObject({ dir, index: join(dir, 'index.html'), ok: true });
    expect(report.files.every((f: { status: string }) => f.status === 'written')).toBe(true);
    const paths = report.files.map((f: { path: string }) => f.path).sort();
    expect(allFiles(dir).sort()).toEqual(paths); // no temporary files left beside them
    expect(paths).toEqual(expect.arrayContaining(loadMapping().entries.map((e) => `api_mapping/zh/${e.api}.html`)));
    expect(readFileSync(join(dir, 'mapping.json'), 'utf8')).toBe(readFileSync(join(__dirname, '..', '..', 'mapping.json'), 'utf8'));

    const again = capture();
    expect(await main(['site', '--out', dir, '--json'], again)).toBe(0);
    expect(JSON.parse(again.stdout).files.every((f: { status: string }) => f.status === 'unchanged')).toBe(true);

    const text = capture();
    expect(await main(['site', '--out', dir], text)).toBe(0);
    expect(text.stdout).toContain(`site: ${join(dir, 'index.html')}`);
  });

  it('reports a page the mapping no longer makes (exit 1) and leaves it for the user to delete', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'api_mapping', 'en'), { recursive: true });
    writeFileSync(join(dir, 'api_mapping', 'en', 'InstanceNorm4d.html'), '<p>stale</p>');
    const io = capture();
    expect(await main(['site', '--out', dir, '--json'], io)).toBe(1);
    expect(JSON.parse(io.stdout).files).toContainEqual({ path: 'api_mapping/en/InstanceNorm4d.html', status: 'extra' });
    expect(readFileSync(join(dir, 'api_mapping', 'en', 'InstanceNorm4d.html'), 'utf8')).toBe('<p>stale</p>');
  });

  it('needs --out (exit 2)', async () => {
    const io = capture();
    expect(await main(['site'], io)).toBe(2);
    expect(io.stderr).toMatch(/^instancenorm-shim site: ValueError: --out is required/);
  });

  it('an --out that is a file fails with exit 2, naming the file it could not write', async () => {
    const file = join(tempDir(), 'taken');
    writeFileSync(file, 'not a folder');
    const io = capture();
    expect(await main(['site', '--out', file], io)).toBe(2);
    expect(io.stderr).toContain(`cannot write ${join(file, 'api_mapping', 'zh', 'InstanceNorm1d.html')}`);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });
});
