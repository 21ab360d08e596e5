/**
 * The system's Chromium for the browser tests (Debian's `chromium` package: `.ci/run` installs it
 * when it is missing). playwright-core drives it; it downloads no browser of its own.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export function findChromium(): string {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`no Chromium on PATH (looked for ${NAMES.join(', ')}): install Debian's package with 'apt-get install chromium' (.ci/run does)`);
}
