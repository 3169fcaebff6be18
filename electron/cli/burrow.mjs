#!/usr/bin/env node
// The `burrow` command. It runs the bundle `npm run build` makes
// (dist/cli/main.mjs, plain node) when no source that went into it
// (dist/cli/inputs.json) is newer; otherwise the sources themselves through
// tsx's loader, so an edit takes effect without a build. BURROW_FROM_SOURCE=1
// forces the sources.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'dist', 'cli', 'main.mjs');

function bundleIsFresh() {
  if (process.env.BURROW_FROM_SOURCE === '1') return false;
  let built;
  let inputs;
  try {
    built = statSync(bundle).mtimeMs;
    inputs = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8'));
  } catch {
    return false;
  }
  // A source that is not there (an installed package) cannot be newer.
  return inputs.every((p) => (statSync(join(root, p), { throwIfNoEntry: false })?.mtimeMs ?? 0) <= built);
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
