/**
 * `npm start -- --json`, typed as the README says, prints only the JSON: npm's "> instancenorm-shim
 * start" banner goes to stderr because the project's .npmrc sets json=true (npm's display moves
 * run-script banners to stderr in json mode). Runs the built CLI (dist/, built by npm install).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv } from './env';

const ROOT = join(__dirname, '..', '..');

test('npm start -- --json: stdout is exactly one JSON document', () => {
  const run = spawnSync('npm', ['start', '--', '--json'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  const parsed = JSON.parse(run.stdout);
  expect(parsed).toMatchObject({ api: 'InstanceNorm1d', ok: true });
  expect(run.stderr).toContain('> instancenorm-shim@');
});
