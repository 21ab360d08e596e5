/** Where the package runs from: its root folder, its version, and whether it is an installed copy. */
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The package root (package.json, mapping.json, docs/), two levels above src/cli and dist/cli. */
export const PACKAGE_ROOT = join(__dirname, '..', '..');

export function packageVersion(root = PACKAGE_ROOT): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * An installed copy lives in a node_modules folder (a project's, npx's cache, a global prefix); a
 * checkout does not (`npm link` resolves to the checkout's real path). Commands must not write
 * into an installed copy.
 */
export function isInstalledPackage(root = PACKAGE_ROOT): boolean {
  return root.split(sep).includes('node_modules');
}
