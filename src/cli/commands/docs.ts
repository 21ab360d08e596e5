/**
 * `docs`: writes the diff pages (zh, en), their index, api_mapping.json and the JSON Schema of
 * mapping.json from mapping.json; `--check` writes nothing and fails when the committed files
 * differ from what the mapping generates.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write';
import { readText } from '../../io/with-path';
import { loadMapping } from '../../mapping';
import { generateDocs } from '../../mapping/render';
import { json, table, type Io } from '../output';
import { isInstalledPackage, PACKAGE_ROOT } from '../package-info';
import type { Command } from './types';

/** A checkout's docs/ folder; an installed copy (in node_modules) is never written: the current directory instead. */
export function defaultDocsDir(root = PACKAGE_ROOT, cwd = process.cwd()): string {
  return isInstalledPackage(root) ? cwd : join(root, 'docs');
}

type DocStatus = 'unchanged' | 'written' | 'differs' | 'missing' | 'extra';

/**
 * Compares (and unless `check`, writes) every generated file under `dir`. Everything is read and
 * compared before anything is written, so a file that cannot be read stops the run with nothing changed.
 */
function syncDocs(dir: string, check: boolean): { path: string; status: DocStatus }[] {
  const files = generateDocs(loadMapping());
  const plan = [...files].map(([path, content]) => {
    const current = readIfExists(join(dir, path));
    const status: DocStatus = current === content ? 'unchanged' : current === undefined ? 'missing' : 'differs';
    return { path, content, status };
  });
  const results = plan.map(({ path, content, status }) => {
    if (check || status === 'unchanged') return { path, status };
    const target = join(dir, path);
    writeFileAtomic(target, content, { createDirs: true });
    return { path, status: 'written' as DocStatus };
  });
  // A page the mapping no longer generates (a removed pair) is stale too; it is reported, never deleted.
  for (const path of listPages(dir, 'api_mapping')) if (!files.has(path)) results.push({ path, status: 'extra' });
  return results;
}

function readIfExists(target: string): string | undefined {
  return existsSync(target) ? readText(target) : undefined;
}

function listPages(root: string, sub: string): string[] {
  const dir = join(root, sub);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listPages(root, `${sub}/${d.name}`) : d.name.endsWith('.md') ? [`${sub}/${d.name}`] : [],
  );
}

export const docs: Command = {
  name: 'docs',
  summary: 'generate the PyTorch/MindSpore diff pages, their index and api_mapping.json from mapping.json',
  usage: 'docs [--check] [--out DIR] [--json]',
  options: {
    check: { type: 'boolean', default: false, help: 'write nothing; exit 1 when the files differ from what mapping.json generates' },
    out: { type: 'string', help: "the docs folder (default: a checkout's docs/; the current directory when run from an installed package)" },
    json: { type: 'boolean', default: false, help: 'print the per-file status as JSON' },
  },
  run({ values }, io: Io) {
    const dir = values.out ? resolve(String(values.out)) : defaultDocsDir();
    const check = Boolean(values.check);
    const results = syncDocs(dir, check);
    const stale = results.filter((r) => r.status === 'differs' || r.status === 'missing' || r.status === 'extra');
    const ok = stale.length === 0;
    if (values.json) {
      io.out(json({ dir, check, ok, files: results }));
    } else {
      io.out(table(['file', 'status'], results.map((r) => [join(dir, r.path), r.status])));
      if (check) io.out(ok ? '\nOK: the docs are what mapping.json generates.' : `\nFAILED: ${stale.length} file(s) differ from what mapping.json generates; run 'instancenorm-shim docs' (and delete extra pages) and commit.`);
    }
    // An extra page fails the check; when writing, it is reported for the user to delete.
    return (check || results.some((r) => r.status === 'extra')) && !ok ? 1 : 0;
  },
};
