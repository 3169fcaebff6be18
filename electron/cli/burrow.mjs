#!/usr/bin/env node
// The `burrow` command. It runs the bundle `npm run build` makes
// (dist/cli/main.mjs, plain node) when that is newer than every TypeScript
// source of the engine and the CLI; otherwise the sources themselves through
// tsx's loader, so an edit takes effect without a build. BURROW_FROM_SOURCE=1
// forces the sources.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'dist', 'cli', 'main.mjs');

/** Newest mtime (ms) of the .ts files under `dir`; 0 when there are none. */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.BURROW_FROM_SOURCE === '1') return false;
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  return ['electron', 'shared'].every((d) => newestSource(join(root, d)) <= built);
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
