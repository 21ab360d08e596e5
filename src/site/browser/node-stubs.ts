/**
 * What the page bundle gets for `node:fs` and `node:path`: src/mapping/load.ts imports them to
 * read mapping.json from disk, which a page never does (the site passes the mapping it was
 * built from). Reading a file in the page is a bug, so it throws rather than guessing.
 */
export function readFileSync(path: string): never {
  throw new Error(`cannot read ${path} in a web page: the site passes its mapping in`);
}

export function join(...parts: string[]): string {
  return parts.join('/');
}
