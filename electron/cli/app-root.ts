/**
 * The checkout (or installed package) Burrow runs from: the nearest directory
 * above this module with Burrow's package.json. The same answer whether the
 * CLI runs from its TypeScript sources or from the bundle in dist/cli/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function appRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'burrow') return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json of burrow above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Burrow's version, from its package.json. */
export function burrowVersion(): string {
  return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
